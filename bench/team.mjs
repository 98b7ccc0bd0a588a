#!/usr/bin/env node
// Team vault costs for issue 14's closing note: whole-process timings of the built CLI against the real
// PostgreSQL (127.0.0.1:5432, user postgres, trust), each the median of RUNS runs after a warm-up,
// interleaved with `node -e 0` in the same loop (as bench/run.mjs does) and reported as a ratio to it:
//
//   member add                          into a team vault of 1,000 credentials (wraps 32 bytes, re-encrypts nothing)
//   member remove (rotates)             with 1,000 and with 10,000 credentials (new key, every value re-sealed,
//                                       every remaining member re-wrapped, one transaction)
//   list --json, reveal NAME            on a team vault next to a local vault of the same 1,000 credentials,
//                                       all four in one interleaved loop, so the team/local ratios share the
//                                       machine's state
//
//   node bench/team.mjs                 every row (npm run build first)
//   node bench/team.mjs --only remove-10k   one row (add, remove-1k, remove-10k, read; repeat or comma list)
//   --runs N (or BENCH_RUNS=N)          runs per row (default 15; remove-10k runs at most 5)
//
// Vaults are seeded through the same build's SDK (dist/index.js): client.team.create, then one
// importMany. Members come and go between runs (untimed), so every timed `member remove` sees the same
// member count. Each run makes its own database and drops it (and the vault's roles) at the end.
// Benchmarks are not tests: nothing here asserts a time.
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import * as path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import pg from 'pg'
import { generateX25519Identity, identityToRecipient } from 'age-encryption'

delete process.env.NODE_EXTRA_CA_CERTS // see bench/run.mjs: it would hide credctl's own start-up cost
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const CLI = path.join(ROOT, 'bin/credctl.js')
const { values: opts } = parseArgs({ options: { only: { type: 'string', multiple: true }, runs: { type: 'string' } } })
const RUNS = Number(opts.runs ?? process.env.BENCH_RUNS ?? 15)
const WARMUP = 2
const only = (opts.only ?? []).flatMap((s) => s.split(',')).filter(Boolean)
const want = (id) => only.length === 0 || only.includes(id)
if (!existsSync(path.join(ROOT, 'dist/index.js'))) throw new Error('bench/team.mjs needs the build: npm run build')
const sdk = await import(pathToFileURL(path.join(ROOT, 'dist/index.js')).href)

const SERVER = 'postgresql://postgres@127.0.0.1:5432'
const DB = `credctl_bench_${randomBytes(4).toString('hex')}`
const BACKEND = `${SERVER}/${DB}`
const work = mkdtempSync(path.join(tmpdir(), 'credctl-team-bench-'))
const KEY = randomBytes(32).toString('base64')

async function sql(url, text, values = []) {
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  try {
    return (await c.query(text, values)).rows
  } finally {
    await c.end()
  }
}

/** A device: its own HOME, data and teams directories, and an age identity in a 0600 file. */
async function device(name) {
  const home = path.join(work, name)
  mkdirSync(path.join(home, 'teams'), { recursive: true })
  const identity = await generateX25519Identity()
  const identityFile = path.join(home, 'identity.txt')
  writeFileSync(identityFile, `${identity}\n`, { mode: 0o600 })
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    XDG_DATA_HOME: path.join(home, '.local/share'),
    XDG_CONFIG_HOME: path.join(home, '.config'),
    CREDCTL_TEAMS_DIR: path.join(home, 'teams'),
    CREDCTL_IDENTITY_FILE: identityFile,
    NO_COLOR: '1',
  }
  return { name, env, recipient: await identityToRecipient(identity) }
}

/** A fresh recipient (the member being added or removed need not be a device here: only its wrap is made). */
const freshRecipient = async () => identityToRecipient(await generateX25519Identity())

function items(n) {
  const types = ['openai', 'anthropic', 'postgresql', 'elevenlabs', 'gemini']
  return Array.from({ length: n }, (_, i) => {
    const type = types[i % types.length]
    const value = type === 'postgresql' ? `postgresql://app:pw${i}x${randomBytes(6).toString('hex')}@db${i}.internal:5432/analytics` : `sk-${randomBytes(24).toString('hex')}`
    return { source: `bench-${i}`, name: `cred-${String(i).padStart(5, '0')}`, type, value, description: `benchmark credential ${i}` }
  })
}

/** A team vault `name` of n credentials, created by `admin` through the SDK (one importMany write). */
async function teamVault(admin, name, n) {
  await sdk.createClient({ env: admin.env }).team.create({ name, backend: BACKEND, member: admin.name })
  const client = sdk.createClient({ vault: name, env: admin.env })
  if (n > 0) await client.credentials.importMany(items(n))
  return client
}

/** A local vault file of n credentials (env key source), as bench/run.mjs seeds them. */
async function localVault(n) {
  const vault = path.join(work, `local-${n}`, 'vault.json')
  mkdirSync(path.dirname(vault), { recursive: true })
  await sdk.createClient({ vault, env: { CREDCTL_MASTER_KEY: KEY } }).credentials.importMany(items(n))
  return vault
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}
const load = () => loadavg().map((x) => x.toFixed(2)).join(' ')

/** One whole-process run: wall time (ms) and max RSS (KiB, GNU time). Fails loudly on a non-zero exit. */
function once(cmd, args, env, input) {
  const t0 = process.hrtime.bigint()
  const r = spawnSync('/usr/bin/time', ['-f', '%M', cmd, ...args], { env, input, encoding: 'utf8', maxBuffer: 1 << 28 })
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  if (r.status !== 0) throw new Error(`${path.basename(cmd)} ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-600)}`)
  return { ms, rss: Number(r.stderr.trim().split('\n').pop()) }
}

const rows = []
/**
 * One interleaved loop: each iteration runs `node -e 0`, then every variant in turn (its untimed
 * `before(i)` first). Each variant's median, its ratio to `node -e 0`, its peak RSS.
 */
async function measure(label, variants, runs = RUNS) {
  const base = []
  const per = variants.map(() => ({ ms: [], rss: [] }))
  const l0 = load()
  for (let i = 0; i < WARMUP + runs; i++) {
    const b = once(process.execPath, ['-e', '0'], variants[0].env)
    if (i >= WARMUP) base.push(b.ms)
    for (const [k, v] of variants.entries()) {
      const s = v.before ? await v.before(i) : {}
      const r = once(process.execPath, [CLI, ...(s.args ?? v.args)], v.env, s.input)
      if (i >= WARMUP) per[k].ms.push(r.ms), per[k].rss.push(r.rss)
    }
  }
  const node = median(base)
  for (const [k, v] of variants.entries()) {
    const ms = median(per[k].ms)
    const row = { label: `${label}: ${v.name}`, node, ms, ratio: ms / node, rssMiB: Math.max(...per[k].rss) / 1024, runs, note: `load ${l0} → ${load()}` }
    rows.push(row)
    console.error(`  ${row.label}: ${ms.toFixed(1)} ms (node -e 0: ${node.toFixed(1)} ms, ×${row.ratio.toFixed(2)}), ${row.rssMiB.toFixed(1)} MiB`)
  }
  return per.map((p) => median(p.ms))
}

const pairs = [] // [label, team ms, local ms]
const vaultNames = []
const vaultName = () => {
  const v = `b${randomBytes(4).toString('hex')}`
  vaultNames.push(v)
  return v
}

console.error(`credctl team bench: ${cpus().length} × ${cpus()[0]?.model}, node ${process.version}, ${RUNS} runs, load ${load()}`)
const loadAtStart = load()
await sql(`${SERVER}/postgres`, `CREATE DATABASE ${DB}`)
try {
  const alice = await device('alice')
  const tenant = (name) => ['--vault', name]

  if (want('add')) {
    // member add into 1,000: each run adds a new member (a fresh recipient); the member list grows by
    // one per run (2 → 2 + runs), which is noise next to the wrap and the one transaction.
    const name = vaultName()
    await teamVault(alice, name, 1000)
    const recipients = await Promise.all(Array.from({ length: WARMUP + RUNS }, freshRecipient))
    await measure('member add (1,000 credentials)', [
      { name: 'team', env: alice.env, before: async (i) => ({ args: [...tenant(name), 'member', 'add', `m-${i}`, '--recipient', recipients[i], '--role', 'reader'] }) },
    ])
  }

  for (const [id, n, runs] of [['remove-1k', 1000, RUNS], ['remove-10k', 10000, Math.min(RUNS, 5)]]) {
    if (!want(id)) continue
    // member remove (rotates) in a vault of n credentials and three members: before each run one member
    // is added (untimed, through the SDK), so every timed remove drops the fourth and re-wraps three.
    const name = vaultName()
    const admin = await teamVault(alice, name, n)
    for (const m of ['bob', 'carol']) await admin.team.members.add({ member: m, recipient: await freshRecipient(), role: 'reader' })
    await measure(`member remove, rotating (${n.toLocaleString('en')} credentials)`, [
      {
        name: 'team',
        env: alice.env,
        before: async (i) => {
          await admin.team.members.add({ member: `gone-${i}`, recipient: await freshRecipient(), role: 'reader' })
          return { args: [...tenant(name), 'member', 'remove', `gone-${i}`, '--yes'] }
        },
      },
    ], runs)
  }

  if (want('read')) {
    // list and reveal, team next to local, the same 1,000 credentials, in one interleaved loop.
    const name = vaultName()
    await teamVault(alice, name, 1000)
    const local = await localVault(1000)
    const localEnv = { PATH: process.env.PATH, HOME: work, CREDCTL_VAULT: local, CREDCTL_MASTER_KEY: KEY, NO_COLOR: '1' }
    const [tl, ll] = await measure('list --json (1,000)', [
      { name: 'team', env: alice.env, args: [...tenant(name), 'list', '--json'] },
      { name: 'local', env: localEnv, args: ['list', '--json'] },
    ])
    pairs.push(['list --json (1,000)', tl, ll])
    const [tr, lr] = await measure('reveal NAME (1,000)', [
      { name: 'team', env: alice.env, args: [...tenant(name), 'reveal', 'cred-00500'] },
      { name: 'local', env: localEnv, args: ['reveal', 'cred-00500'] },
    ])
    pairs.push(['reveal NAME (1,000)', tr, lr])
  }
} finally {
  await sql(`${SERVER}/postgres`, `DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`).catch((e) => console.error(`drop database ${DB}: ${e.message}`))
  // The store's per-vault roles are cluster-wide: credctl_<vault>_… for each vault made here.
  const like = vaultNames.map((v) => `credctl\\_${v}\\_%`)
  if (like.length) {
    const roles = await sql(`${SERVER}/postgres`, 'SELECT rolname FROM pg_roles WHERE rolname LIKE ANY($1::text[])', [like]).catch(() => [])
    for (const r of roles) await sql(`${SERVER}/postgres`, `DROP ROLE IF EXISTS "${r.rolname}"`).catch((e) => console.error(`drop role ${r.rolname}: ${e.message}`))
  }
  rmSync(work, { recursive: true, force: true })
}

const fmt = (x, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '')
console.log(`credctl team bench, ${new Date().toISOString()}: ${cpus().length} × ${cpus()[0]?.model}, node ${process.version}, PostgreSQL on 127.0.0.1; load average ${loadAtStart} at start, ${load()} at end\n`)
console.log('| what | runs | node -e 0 ms | median ms | ratio | peak RSS MiB | note |')
console.log('| --- | ---: | ---: | ---: | ---: | ---: | --- |')
for (const r of rows) console.log(`| ${r.label} | ${r.runs} | ${fmt(r.node)} | ${fmt(r.ms)} | ${fmt(r.ratio, 2)} | ${fmt(r.rssMiB)} | ${r.note} |`)
if (pairs.length) {
  console.log('\n| command | team ms | local ms | team / local |')
  console.log('| --- | ---: | ---: | ---: |')
  for (const [label, t, l] of pairs) console.log(`| ${label} | ${fmt(t)} | ${fmt(l)} | ${fmt(t / l, 2)} |`)
}
