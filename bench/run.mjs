#!/usr/bin/env node
// The benchmark harness (`npm run bench`): whole-process timings of the built CLI, each the median of
// RUNS runs after a warm-up, interleaved with `node -e 0` in the same loop and reported as a ratio to
// it, plus peak memory (max RSS from /usr/bin/time). Also the peers (secret-tool, pass), `validate --all`
// against slow local servers, and schema discovery next to pg_dump (bench/discover-pg.mjs). At the end, a
// goal table: every row of issue 13's "Goals", its result and whether it is met. Benchmarks are not
// tests: nothing here asserts a time.
//
//   node bench/run.mjs                         every row
//   node bench/run.mjs --only reveal           one row (repeat --only, or a comma list, for more; a
//                                              group name selects its rows: startup, writes,
//                                              memory, peers, validate-all)
//   node bench/run.mjs --cli ../old/bin/credctl.js --cli bin/credctl.js
//                                              before/after in one interleaved run: each loop runs
//                                              `node -e 0`, then every CLI in turn; each CLI gets its
//                                              own vaults, seeded by its own build's SDK (dist/index.js
//                                              next to its bin/), so a format change cannot mix them up
//   --runs N (or BENCH_RUNS=N)                 runs per row (default 21)
//
// Run it inside scripts/with-keyring.sh (npm run bench does) so secret-tool has a Secret Service.
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import * as path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'

// NODE_EXTRA_CA_CERTS makes every Node process parse a CA bundle at startup (about 30 ms here), which
// would hide credctl's own cost in the ratio: no process of this run gets it (env() below builds each
// child's environment from scratch, and this line keeps it out of the children that inherit ours).
delete process.env.NODE_EXTRA_CA_CERTS
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const { values: opts, positionals } = parseArgs({
  options: { only: { type: 'string', multiple: true }, cli: { type: 'string', multiple: true }, runs: { type: 'string' } },
  allowPositionals: true,
})
const RUNS = Number(opts.runs ?? process.env.BENCH_RUNS ?? 21)
const WARMUP = 3
// Positional names are accepted as --only (the older `node bench/run.mjs startup peers` form).
const only = [...(opts.only ?? []), ...positionals].flatMap((s) => s.split(',')).filter(Boolean)
const CLIS = (opts.cli ?? [path.join(ROOT, 'bin/credctl.js')]).map((c) => path.resolve(c))
for (const c of CLIS) if (!existsSync(c)) throw new Error(`--cli ${c}: no such file`)
/** A short name per CLI for the tables: its checkout's directory name (ROOT/bin/credctl.js → ROOT), or its number. */
const dirNames = CLIS.map((c) => path.basename(path.dirname(path.dirname(c))))
const NAMES = CLIS.length === 1 ? ['credctl'] : dirNames.map((n, k) => (new Set(dirNames).size === CLIS.length ? n : `#${k + 1}`))
const work = mkdtempSync(path.join(tmpdir(), 'credctl-bench-'))
const KEY = randomBytes(32).toString('base64')
if (!existsSync('/usr/bin/time')) throw new Error('bench needs /usr/bin/time (GNU time) for peak RSS')

/** Each CLI's own SDK: the dist/index.js of the same build as its bin/credctl.js. */
const sdks = await Promise.all(CLIS.map((c) => import(pathToFileURL(path.resolve(path.dirname(c), '../dist/index.js')).href)))

function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ')

/** One run: wall time in ms and max RSS in KiB. /usr/bin/time wraps both sides, so its fork/exec cancels in the ratio. */
function once(cmd, args, env, input) {
  const t0 = process.hrtime.bigint()
  const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], { env, input, encoding: 'utf8', maxBuffer: 1 << 28 })
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-400)}`)
  return { ms, rss: Number(r.stderr.trim().split('\n').pop()) }
}

const rows = []
/**
 * One row: `node -e 0` and every CLI interleaved in the same loop, so all see the same machine state.
 * spec(k, i) gives CLI k's i-th run: { args, env, input }.
 */
function measure(id, label, spec, runs = RUNS) {
  const base = []
  const per = CLIS.map(() => ({ ms: [], rss: [] }))
  const l0 = load()
  for (let i = 0; i < WARMUP + runs; i++) {
    const b = once(process.execPath, ['-e', '0'], spec(0, i).env)
    if (i >= WARMUP) base.push(b.ms)
    CLIS.forEach((cli, k) => {
      const s = spec(k, i)
      const r = once(process.execPath, [cli, ...s.args], s.env, s.input)
      if (i >= WARMUP) per[k].ms.push(r.ms), per[k].rss.push(r.rss)
    })
  }
  const node = median(base)
  const results = per.map((p) => ({ ms: median(p.ms), ratio: median(p.ms) / node, rssMiB: Math.max(...p.rss) / 1024 }))
  const row = { id, label, node, results, note: `load ${l0} → ${load()}` }
  for (const [k, r] of results.entries()) console.error(`  ${label} [${NAMES[k]}]: ${r.ms.toFixed(1)} ms (node -e 0: ${node.toFixed(1)} ms, ×${r.ratio.toFixed(2)}), ${r.rssMiB.toFixed(1)} MiB`)
  rows.push(row)
  return row
}

/** A vault of n credentials for CLI k, seeded in one write through that build's bulk import. */
const seeded = new Map()
async function seed(k, n) {
  const key = `${k}:${n}`
  if (seeded.has(key)) return seeded.get(key)
  const dir = path.join(work, `cli${k}`, `v${n}`)
  mkdirSync(dir, { recursive: true })
  const vault = path.join(dir, 'vault.json')
  const client = sdks[k].createClient({ vault, env: { CREDCTL_MASTER_KEY: KEY } })
  const types = ['openai', 'anthropic', 'postgresql', 'elevenlabs', 'gemini']
  const items = Array.from({ length: n }, (_, i) => {
    const type = types[i % types.length]
    const value = type === 'postgresql' ? `postgresql://app:pw${i}x${randomBytes(6).toString('hex')}@db${i}.internal:5432/analytics` : `sk-${randomBytes(24).toString('hex')}`
    return { source: `bench-${i}`, name: `cred-${String(i).padStart(5, '0')}`, type, value, description: `benchmark credential ${i}` }
  })
  await client.credentials.importMany(items)
  seeded.set(key, vault)
  return vault
}

const env = (vault) => ({ PATH: process.env.PATH, HOME: work, CREDCTL_VAULT: vault, CREDCTL_MASTER_KEY: KEY, NO_COLOR: '1' })
/** Row `id` runs when nothing was asked for, or its id or one of its groups was. */
const want = (id, ...groups) => only.length === 0 || only.includes(id) || groups.some((g) => only.includes(g))
const newKey = () => `sk-${randomBytes(24).toString('hex')}`

if (CLIS.length > 1) console.error(CLIS.map((c, k) => `${NAMES[k]} = ${c}`).join('\n'))
console.error(`credctl bench: ${cpus().length} × ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, ${RUNS} runs, load ${load()}`)
const loadAtStart = load()

/** A read-only row over the 1,000-credential vault of each CLI. */
async function readRow(id, label, args, groups = ['startup']) {
  if (!want(id, ...groups)) return
  const vaults = await Promise.all(CLIS.map((_, k) => seed(k, 1000)))
  measure(id, label, (k) => ({ args, env: env(vaults[k]) }))
}

await readRow('version', '--version', ['--version'])
await readRow('reveal', 'reveal NAME (1,000)', ['reveal', 'cred-00500'])
await readRow('get', 'get NAME --json (1,000)', ['get', 'cred-00500', '--json'])
await readRow('list', 'list --json (1,000)', ['list', '--json'])
await readRow('list-piped', 'list, piped (1,000)', ['list'])
if (want('create', 'startup', 'writes')) {
  // Each create needs a new name: args and stdin are generated per run. The vault grows by one per run
  // (1,000 → 1,024 at 21 runs), which is noise next to 1,000.
  const vaults = await Promise.all(CLIS.map((_, k) => seed(k, 1000)))
  measure('create', 'create (into 1,000)', (k, i) => ({ args: ['create', '--name', `new-${i}`, '--type', 'openai', '--value-stdin'], env: env(vaults[k]), input: newKey() }))
}
if (want('update', 'startup', 'writes')) {
  // A new value for one openai credential (index 500: 500 % 5 = 0), the common update.
  const vaults = await Promise.all(CLIS.map((_, k) => seed(k, 1000)))
  measure('update', 'update NAME --value-stdin (in 1,000)', (k) => ({ args: ['update', 'cred-00500', '--value-stdin'], env: env(vaults[k]), input: newKey() }))
}
if (want('list-10k', 'memory')) {
  const vaults = await Promise.all(CLIS.map((_, k) => seed(k, 10000)))
  measure('list-10k', 'list --json (10,000)', (k) => ({ args: ['list', '--json'], env: env(vaults[k]) }), Math.min(RUNS, 9))
}
if (want('write-10k', 'memory', 'writes')) {
  // Issue 13's memory goal: the peak RSS of a write into 10,000 credentials (a create; its time too).
  const vaults = await Promise.all(CLIS.map((_, k) => seed(k, 10000)))
  measure('write-10k', 'create (into 10,000): peak memory', (k, i) => ({ args: ['create', '--name', `new-${i}`, '--type', 'openai', '--value-stdin'], env: env(vaults[k]), input: newKey() }), Math.min(RUNS, 9))
}
if (want('run')) {
  // `run -- true` with five defaults (four keys and a database URL): the cost credctl adds around a command.
  const vaults = await Promise.all(CLIS.map((_, k) => seed(k, 5)))
  measure('run', 'run -- true (5 defaults)', (k) => ({ args: ['run', '--', 'true'], env: env(vaults[k]) }))
}
if (want('run-piped')) {
  const vaults = await Promise.all(CLIS.map((_, k) => seed(k, 5)))
  measure('run-piped', 'run -- head -c 10M /dev/zero, piped (masked)', (k) => ({ args: ['run', '--', 'head', '-c', '10000000', '/dev/zero'], env: env(vaults[k]) }))
}

/** A peer program, timed against `node -e 0` like a CLI (one column: the peers do not change with --cli). */
function peer(id, label, cmd, args, penv) {
  const base = []
  const ms = []
  const rss = []
  for (let i = 0; i < WARMUP + RUNS; i++) {
    const b = once(process.execPath, ['-e', '0'], penv)
    const r = once(cmd, args, penv)
    if (i >= WARMUP) base.push(b.ms), ms.push(r.ms), rss.push(r.rss)
  }
  const node = median(base)
  rows.push({ id, label, node, results: [{ ms: median(ms), ratio: median(ms) / node, rssMiB: Math.max(...rss) / 1024 }], peer: true })
  console.error(`  ${label}: ${median(ms).toFixed(1)} ms (node -e 0: ${node.toFixed(1)} ms)`)
}
if (want('secret-tool', 'peers')) {
  // secret-tool (libsecret) needs a Secret Service: inside scripts/with-keyring.sh there is one.
  try {
    execFileSync('secret-tool', ['store', '--label=credctl-bench', 'service', 'credctl-bench', 'account', 'a'], { input: 'sk-bench-secret-value-1234567890' })
    peer('secret-tool', 'peer: secret-tool lookup', 'secret-tool', ['lookup', 'service', 'credctl-bench', 'account', 'a'], process.env)
  } catch (e) {
    console.error(`  secret-tool: skipped (${String(e.message).split('\n')[0]})`)
  }
}
if (want('pass', 'peers')) {
  // pass with a throwaway GnuPG key (no passphrase), in a throwaway GNUPGHOME and store.
  try {
    const gnupg = path.join(work, 'gnupg')
    const store = path.join(work, 'pass')
    mkdirSync(gnupg, { mode: 0o700, recursive: true })
    const penv = { ...process.env, GNUPGHOME: gnupg, PASSWORD_STORE_DIR: store }
    execFileSync('gpg', ['--batch', '--passphrase', '', '--quick-gen-key', 'credctl-bench@example.invalid', 'default', 'default', 'never'], { env: penv, stdio: 'ignore' })
    execFileSync('pass', ['init', 'credctl-bench@example.invalid'], { env: penv, stdio: 'ignore' })
    execFileSync('pass', ['insert', '-m', 'bench/openai'], { env: penv, input: 'sk-bench-secret-value-1234567890\n', stdio: ['pipe', 'ignore', 'ignore'] })
    peer('pass', 'peer: pass show', 'pass', ['show', 'bench/openai'], penv)
  } catch (e) {
    console.error(`  pass: skipped (${String(e.message).split('\n')[0]})`)
  }
}

// validate --all: 100 credentials whose service answers after 200 ms, all on one host or spread over 10
// hosts (10 local servers: 127.0.0.1 on 10 ports; the limiter's key is host:port, src/checks/target.ts,
// as in test/e2e/validate-parallel.test.ts), 10 credentials each, grouped by host in list order (names
// sort in creation order), the order a per-host cap matters for. Lower bound: rounds of 200 ms.
const VALIDATE_CASES = [
  // id, layout, what, flags, rounds
  ['validate', '10 hosts', 'defaults (--concurrency 32 --per-host 8)', [], 4],
  ['validate-narrow', '10 hosts', '--concurrency 8 (8 in all: the old default)', ['--concurrency', '8'], 13],
  ['validate-1host', '1 host', 'defaults (--concurrency 32 --per-host 8)', [], 13],
  ['validate-1host-wide', '1 host', '--concurrency 16 --per-host 16', ['--concurrency', '16', '--per-host', '16'], 7],
].filter(([id]) => want(id, 'validate-all'))
if (VALIDATE_CASES.length) {
  const servers = []
  for (let s = 0; s < 10; s++) {
    const server = createServer((req, res) => setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"object":"list","data":[]}'), 200))
    await new Promise((r) => server.listen(0, '127.0.0.1', r))
    servers.push(server)
  }
  const baseOf = (s) => `http://127.0.0.1:${servers[s].address().port}/v1`
  const vaults = {}
  for (const [k] of CLIS.entries()) {
    for (const [layout, hostOf] of [['1 host', () => 0], ['10 hosts', (i) => Math.floor(i / 10)]]) {
      const vault = path.join(work, `cli${k}`, `vval-${layout.replace(' ', '')}`, 'vault.json')
      const client = sdks[k].createClient({ vault, env: { CREDCTL_MASTER_KEY: KEY } })
      await client.credentials.importMany(
        Array.from({ length: 100 }, (_, i) => ({ source: `v${i}`, name: `slow-${String(i).padStart(3, '0')}`, type: 'openai', value: newKey(), base_url: baseOf(hostOf(i)) })),
      )
      vaults[`${k}:${layout}`] = vault
    }
  }
  // The servers live in this process, so the CLI runs asynchronously around them.
  const timed = (cli, flags, e) =>
    new Promise((resolve, reject) => {
      const t0 = process.hrtime.bigint()
      const c = spawn(process.execPath, [cli, 'validate', '--all', '--json', ...flags], { env: e, stdio: ['ignore', 'ignore', 'pipe'] })
      let err = ''
      c.stderr.on('data', (d) => (err += d))
      c.on('close', (code) => (code === 0 ? resolve(Number(process.hrtime.bigint() - t0) / 1e6) : reject(new Error(`validate --all exited ${code}: ${err.slice(-300)}`))))
    })
  const vruns = Math.max(5, Math.min(RUNS, 9))
  for (const [id, layout, what, flags, rounds] of VALIDATE_CASES) {
    const per = CLIS.map(() => [])
    const l0 = load()
    for (let i = 0; i < 1 + vruns; i++) {
      for (const [k, cli] of CLIS.entries()) {
        const ms = await timed(cli, flags, env(vaults[`${k}:${layout}`]))
        if (i > 0) per[k].push(ms)
      }
    }
    const row = { id, label: `validate --all, 100 × 200 ms on ${layout}, ${what}`, node: NaN, results: per.map((ms) => ({ ms: median(ms), ratio: NaN, rssMiB: NaN })), note: `lower bound ${rounds * 200} ms; load ${l0} → ${load()}` }
    for (const [k, r] of row.results.entries()) console.error(`  ${row.label} [${NAMES[k]}]: ${r.ms.toFixed(0)} ms`)
    rows.push(row)
  }
  for (const server of servers) server.close()
}

if (want('discover')) {
  // 2,000 tables x 20 columns in the real PostgreSQL, next to pg_dump --schema-only (see that file).
  console.error('discovery: building/reusing a 2,000-table database and timing credctl discover vs pg_dump...')
  const args = [path.join(ROOT, 'bench/discover-pg.mjs'), '--runs', String(Math.max(5, Math.min(RUNS, 9))), ...CLIS.flatMap((c) => ['--cli', c])]
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  try {
    const d = JSON.parse(r.stdout)
    const m = d.median_ms
    rows.push({
      id: 'discover',
      label: `discover ${d.database.tables} tables × ${d.database.columns_per_table} columns (CLI; ratio to pg_dump)`,
      node: m.context_node_e_0,
      results: d.per_cli.map((c) => ({ ms: c.median_ms, ratio: c.ratio_vs_pg_dump, rssMiB: NaN })),
      note: `queries: ${JSON.stringify(d.queries.credctl)}; load at end ${d.machine.load_average_1m_at_end}`,
    })
    rows.push({ id: 'pg_dump', label: 'peer: pg_dump --schema-only (same database)', node: NaN, results: [{ ms: m.pg_dump_schema_only, ratio: NaN, rssMiB: NaN }], peer: true, note: `queries: ${JSON.stringify(d.queries.pg_dump)}` })
  } catch {
    console.error(`  discover: bench/discover-pg.mjs did not print its JSON summary (exit ${r.status}; is PostgreSQL up on 127.0.0.1:5432?)`)
  }
}

rmSync(work, { recursive: true, force: true })

// The measurements, one column group per CLI.
const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '')
const cols = NAMES.length === 1 ? ['median ms', 'ratio', 'peak RSS MiB'] : NAMES.flatMap((n) => [`${n} ms`, `${n} ratio`, `${n} MiB`])
console.log(`credctl bench, ${new Date().toISOString()}: ${cpus().length} × ${cpus()[0]?.model}, node ${process.version}, ${RUNS} runs; load average (1, 5, 15 min) ${loadAtStart} at start, ${load()} at end\n`)
console.log(`| what | node -e 0 ms | ${cols.join(' | ')} | note |`)
console.log(`| --- | ---: | ${cols.map(() => '---:').join(' | ')} | --- |`)
for (const r of rows) {
  const cells = CLIS.map((_, k) => r.results[k] ?? r.results[0]).flatMap((x, k) => (r.peer && k > 0 ? ['', '', ''] : [fmt(x.ms), fmt(x.ratio, 2), fmt(x.rssMiB)]))
  console.log(`| ${r.label} | ${fmt(r.node)} | ${cells.join(' | ')} | ${r.note ?? ''} |`)
}

// Issue 13's goal table: each goal over the rows it names; a goal over several rows is met when the
// worst of them is. A goal whose rows were not run is left out.
const byId = Object.fromEntries(rows.map((r) => [r.id, r]))
const GOALS = [
  { measure: '`--version`', ids: ['version'], of: 'ratio', max: 1.15, unit: '×' },
  { measure: '`reveal`, `get --json` (1,000 credentials)', ids: ['reveal', 'get'], of: 'ratio', max: 1.4, unit: '×' },
  { measure: '`list --json` (1,000)', ids: ['list'], of: 'ratio', max: 2.0, unit: '×' },
  { measure: '`create`, `update` (into 1,000)', ids: ['create', 'update'], of: 'ratio', max: 2.0, unit: '×' },
  { measure: '`run -- true`', ids: ['run'], of: 'ratio', max: 2.0, unit: '×' },
  { measure: 'peak memory of a write into 10,000 credentials', ids: ['write-10k'], of: 'rssMiB', max: 120, unit: ' MiB' },
  { measure: '`validate --all`, 100 credentials over 10 hosts each answering after 200 ms', ids: ['validate'], of: 'ms', max: 1200, unit: ' ms' },
  { measure: '`discover`, 2,000 tables × 20 columns', ids: ['discover'], of: 'ratio', max: 0.5, unit: '× pg_dump' },
]
const goalCols = NAMES.length === 1 ? ['result', 'goal', 'met'] : ['goal', ...NAMES.flatMap((n) => [n, 'met'])]
console.log(`\n| measure | ${goalCols.join(' | ')} |`)
console.log(`| --- | ${goalCols.map(() => '---').join(' | ')} |`)
for (const g of GOALS) {
  if (!g.ids.every((id) => byId[id])) continue
  const d = g.of === 'ratio' ? 2 : 0
  const goal = `≤ ${g.max}${g.unit}`
  const per = CLIS.map((_, k) => {
    const xs = g.ids.map((id) => byId[id].results[k][g.of])
    const result = xs.map((x) => `${fmt(x, d)}${g.unit}`).join(', ')
    return [result, Math.max(...xs) <= g.max ? 'yes' : '**no**']
  })
  console.log(NAMES.length === 1 ? `| ${g.measure} | ${per[0][0]} | ${goal} | ${per[0][1]} |` : `| ${g.measure} | ${goal} | ${per.flat().join(' | ')} |`)
}
