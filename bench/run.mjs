#!/usr/bin/env node
// The benchmark harness (`npm run bench`): whole-process timings of the built CLI, each the median of
// RUNS runs after a warm-up, interleaved with `node -e 0` in the same run and reported as a ratio to
// it, plus peak memory (max RSS from /usr/bin/time, or the child's own resource usage). Also the peers
// (secret-tool, pass), `validate --all` against a slow local server, and schema discovery next to
// pg_dump (bench/discover-pg.mjs). Benchmarks are not tests: nothing here asserts a time.
//
// Run it inside scripts/with-keyring.sh (npm run bench does) so secret-tool has a Secret Service.
import { execFileSync, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { cpus, tmpdir, totalmem } from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

// NODE_EXTRA_CA_CERTS makes every Node process parse a CA bundle at startup (about 30 ms here), which
// would hide credctl's own cost in the ratio: no process of this run gets it.
delete process.env.NODE_EXTRA_CA_CERTS
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const BIN = path.join(ROOT, 'bin/credctl.js')
const RUNS = Number(process.env.BENCH_RUNS ?? 21)
const WARMUP = 3
const only = process.argv.slice(2)
const work = mkdtempSync(path.join(tmpdir(), 'credctl-bench-'))
const KEY = randomBytes(32).toString('base64')
const hasTime = existsSync('/usr/bin/time')

const { createClient } = await import(path.join(ROOT, 'dist/index.js'))

function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

/** One run: wall time in ms and max RSS in KiB. */
function once(cmd, args, env, input) {
  const argv = hasTime ? ['-f', '%M', cmd, ...args] : args
  const t0 = process.hrtime.bigint()
  const r = spawnSync(hasTime ? '/usr/bin/time' : cmd, argv, { env, input, encoding: 'utf8', maxBuffer: 1 << 28 })
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-400)}`)
  const rss = hasTime ? Number(r.stderr.trim().split('\n').pop()) : NaN
  return { ms, rss }
}

/** Interleave the command with `node -e 0` so both see the same machine state. */
function measure(label, cmd, args, env, input) {
  const argsOf = typeof args === 'function' ? args : () => args
  const base = []
  const runs = []
  const rss = []
  for (let i = 0; i < WARMUP; i++) {
    once(process.execPath, ['-e', '0'], env)
    once(cmd, argsOf(i), env, typeof input === 'function' ? input(i) : input)
  }
  for (let i = 0; i < RUNS; i++) {
    base.push(once(process.execPath, ['-e', '0'], env).ms)
    const r = once(cmd, argsOf(WARMUP + i), env, typeof input === 'function' ? input(WARMUP + i) : input)
    runs.push(r.ms)
    rss.push(r.rss)
  }
  const row = { label, median_ms: median(runs), node_ms: median(base), ratio: median(runs) / median(base), peak_rss_mib: Math.max(...rss) / 1024 }
  console.error(`  ${label}: ${row.median_ms.toFixed(1)} ms (node -e 0: ${row.node_ms.toFixed(1)} ms, ×${row.ratio.toFixed(2)}), ${row.peak_rss_mib.toFixed(1)} MiB`)
  return row
}

/** A vault of n credentials, seeded in one write through the SDK's bulk import. */
async function seed(n) {
  const vault = path.join(work, `v${n}`, 'vault.json')
  const client = createClient({ vault, env: { CREDCTL_MASTER_KEY: KEY } })
  const types = ['openai', 'anthropic', 'postgresql', 'elevenlabs', 'gemini']
  const items = Array.from({ length: n }, (_, i) => {
    const type = types[i % types.length]
    const value = type === 'postgresql' ? `postgresql://app:pw${i}x${randomBytes(6).toString('hex')}@db${i}.internal:5432/analytics` : `sk-${randomBytes(24).toString('hex')}`
    return { source: `bench-${i}`, name: `cred-${String(i).padStart(5, '0')}`, type, value, description: `benchmark credential ${i}` }
  })
  await client.credentials.importMany(items)
  return vault
}

const env = (vault) => ({ PATH: process.env.PATH, HOME: work, CREDCTL_VAULT: vault, CREDCTL_MASTER_KEY: KEY, NO_COLOR: '1' })
const want = (k) => only.length === 0 || only.includes(k)
const rows = []

console.error(`credctl bench: ${cpus().length} × ${cpus()[0]?.model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, ${RUNS} runs`)

if (want('startup')) {
  console.error('seeding 1,000 and 10,000 credentials...')
  const v1k = await seed(1000)
  const v10k = await seed(10000)
  const e = env(v1k)
  rows.push(measure('credctl --version', process.execPath, [BIN, '--version'], e))
  rows.push(measure('credctl list --json (1,000)', process.execPath, [BIN, 'list', '--json'], e))
  rows.push(measure('credctl list, piped (1,000)', process.execPath, [BIN, 'list'], e))
  rows.push(measure('credctl get NAME --json (1,000)', process.execPath, [BIN, 'get', 'cred-00500', '--json'], e))
  rows.push(measure('credctl reveal NAME (1,000)', process.execPath, [BIN, 'reveal', 'cred-00500'], e))
  // Each create needs a new name: args and stdin are generated per run.
  rows.push(measure('credctl create (into 1,000)', process.execPath, (i) => [BIN, 'create', '--name', `new-${i}`, '--type', 'openai', '--value-stdin'], e, () => `sk-${randomBytes(24).toString('hex')}`))
  rows.push(measure('credctl list --json (10,000)', process.execPath, [BIN, 'list', '--json'], env(v10k)))
}

if (want('run')) {
  // `run -- true` with five defaults (four keys and a database URL) and with their output piped: the cost
  // credctl adds around a command, spawning and (piped) masking included.
  const vault = await seed(5)
  const e = env(vault)
  rows.push(measure('credctl run -- true (5 defaults)', process.execPath, [BIN, 'run', '--', 'true'], e))
  rows.push(measure('credctl run -- head -c 10M /dev/zero, piped (masked)', process.execPath, [BIN, 'run', '--', 'head', '-c', '10000000', '/dev/zero'], e))
}

if (want('peers')) {
  // secret-tool (libsecret) needs a Secret Service: inside scripts/with-keyring.sh there is one.
  try {
    execFileSync('secret-tool', ['store', '--label=credctl-bench', 'service', 'credctl-bench', 'account', 'a'], { input: 'sk-bench-secret-value-1234567890' })
    rows.push(measure('peer: secret-tool lookup', 'secret-tool', ['lookup', 'service', 'credctl-bench', 'account', 'a'], process.env))
  } catch (e) {
    console.error(`  secret-tool: skipped (${String(e.message).split('\n')[0]})`)
  }
  // pass with a throwaway GnuPG key (no passphrase), in a throwaway GNUPGHOME and store.
  try {
    const gnupg = path.join(work, 'gnupg')
    const store = path.join(work, 'pass')
    execFileSync('mkdir', ['-m', '700', '-p', gnupg])
    const penv = { ...process.env, GNUPGHOME: gnupg, PASSWORD_STORE_DIR: store }
    execFileSync('gpg', ['--batch', '--passphrase', '', '--quick-gen-key', 'credctl-bench@example.invalid', 'default', 'default', 'never'], { env: penv, stdio: 'ignore' })
    execFileSync('pass', ['init', 'credctl-bench@example.invalid'], { env: penv, stdio: 'ignore' })
    execFileSync('pass', ['insert', '-m', 'bench/openai'], { env: penv, input: 'sk-bench-secret-value-1234567890\n', stdio: ['pipe', 'ignore', 'ignore'] })
    rows.push(measure('peer: pass show', 'pass', ['show', 'bench/openai'], penv))
  } catch (e) {
    console.error(`  pass: skipped (${String(e.message).split('\n')[0]})`)
  }
}

if (want('validate')) {
  // 100 credentials whose service answers after 200 ms: all on one host, then spread over 10 hosts
  // (10 local servers: 127.0.0.1 on 10 ports, 10 host:port keys), 10 credentials each, grouped by host
  // in list order (names sort in creation order), the order a per-host cap matters for.
  const servers = []
  for (let s = 0; s < 10; s++) {
    const server = createServer((req, res) => setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{"object":"list","data":[]}'), 200))
    await new Promise((r) => server.listen(0, '127.0.0.1', r))
    servers.push(server)
  }
  const baseOf = (s) => `http://127.0.0.1:${servers[s].address().port}/v1`
  const vaults = {}
  for (const [layout, hostOf] of [['1 host', () => 0], ['10 hosts', (i) => Math.floor(i / 10)]]) {
    const vault = path.join(work, `vval-${layout.replace(' ', '')}`, 'vault.json')
    const client = createClient({ vault, env: { CREDCTL_MASTER_KEY: KEY } })
    await client.credentials.importMany(
      Array.from({ length: 100 }, (_, i) => ({ source: `v${i}`, name: `slow-${String(i).padStart(3, '0')}`, type: 'openai', value: `sk-${randomBytes(24).toString('hex')}`, base_url: baseOf(hostOf(i)) })),
    )
    vaults[layout] = vault
  }
  // The server lives in this process, so run the CLI asynchronously around it. Lower bound: rounds of
  // 200 ms, ceil(per host / min(per-host cap, global cap)) on one host, ceil(100 / global cap) on 10
  // hosts of 10 (the per-host cap of 8 is never what binds there once 32 run in all).
  const { spawn } = await import('node:child_process')
  const cases = [
    ['1 host', 'defaults (--concurrency 32 --per-host 8)', [], 13],
    ['1 host', '--concurrency 16 --per-host 16', ['--concurrency', '16', '--per-host', '16'], 7],
    ['10 hosts', 'defaults (--concurrency 32 --per-host 8)', [], 4],
    ['10 hosts', '--concurrency 8 (8 in all: the old default)', ['--concurrency', '8'], 13],
  ]
  for (const [layout, what, flags, rounds] of cases) {
    const times = []
    for (let i = 0; i < 5; i++) {
      const t0 = process.hrtime.bigint()
      await new Promise((resolve, reject) => {
        const c = spawn(process.execPath, [BIN, 'validate', '--all', '--json', ...flags], { env: env(vaults[layout]), stdio: ['ignore', 'ignore', 'pipe'] })
        c.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`validate --all exited ${code}`))))
      })
      times.push(Number(process.hrtime.bigint() - t0) / 1e6)
    }
    const row = { label: `validate --all, 100 × 200 ms on ${layout}, ${what}`, median_ms: median(times), node_ms: NaN, ratio: NaN, peak_rss_mib: NaN, note: `lower bound ${rounds * 200} ms (${rounds} rounds of 200 ms)` }
    console.error(`  ${row.label}: ${row.median_ms.toFixed(0)} ms`)
    rows.push(row)
  }
  for (const server of servers) server.close()
}

if (want('discover') && existsSync(path.join(ROOT, 'bench/discover-pg.mjs'))) {
  // 2,000 tables x 20 columns in the real PostgreSQL, next to pg_dump --schema-only (see that file).
  console.error('discovery: building/reusing a 2,000-table database and timing credctl discover vs pg_dump...')
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bench/discover-pg.mjs'), '--runs', String(Math.max(5, Math.min(RUNS, 9)))], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  try {
    const d = JSON.parse(r.stdout)
    const m = d.median_ms
    rows.push({ label: `discover ${d.database.tables} tables × ${d.database.columns_per_table} columns (credctl CLI)`, median_ms: m.credctl_cli, node_ms: m.context_node_e_0, ratio: d.ratio_cli_vs_pg_dump, peak_rss_mib: NaN, note: `${d.ratio_cli_vs_pg_dump}× pg_dump; queries: ${JSON.stringify(d.queries.credctl)}` })
    rows.push({ label: 'peer: pg_dump --schema-only (same database)', median_ms: m.pg_dump_schema_only, node_ms: NaN, ratio: NaN, peak_rss_mib: NaN, note: `queries: ${JSON.stringify(d.queries.pg_dump)}` })
    console.error(`  discover: ${m.credctl_cli} ms vs pg_dump ${m.pg_dump_schema_only} ms (×${d.ratio_cli_vs_pg_dump}); queries credctl ${JSON.stringify(d.queries.credctl)}, pg_dump ${JSON.stringify(d.queries.pg_dump)}`)
  } catch {
    console.error('  discover: bench/discover-pg.mjs did not print its JSON summary (is PostgreSQL up on 127.0.0.1:5432?)')
  }
}

rmSync(work, { recursive: true, force: true })

const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '')
console.log('| what | median ms | node -e 0 ms | ratio | peak RSS MiB | note |')
console.log('| --- | ---: | ---: | ---: | ---: | --- |')
for (const r of rows) console.log(`| ${r.label} | ${fmt(r.median_ms)} | ${fmt(r.node_ms)} | ${fmt(r.ratio, 2)} | ${fmt(r.peak_rss_mib)} | ${r.note ?? ''} |`)
