#!/usr/bin/env node
// Where a command's time goes, stage by stage: a readable (unminified) build in a temp directory whose
// stage functions are wrapped to add up their inclusive time, plus marks for Node's start, the CLI's
// module graph and the command's chunk. Median and minimum over RUNS runs, `node -e 0` interleaved for
// context. The wrapping adds a little to each call (parseRecord runs once per credential); the figures
// are for finding where time goes, the ratios of `npm run bench` are the measure.
//
//   node bench/stages.mjs [--runs 15] [--credentials 1000] [--cmd reveal --cmd create ...]
//   commands: reveal, get, list, create, update (over a vault of --credentials, env key source)
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import * as path from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'

delete process.env.NODE_EXTRA_CA_CERTS
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const { values: o } = parseArgs({ options: { runs: { type: 'string' }, credentials: { type: 'string' }, cmd: { type: 'string', multiple: true } } })
const RUNS = Number(o.runs ?? 15)
const N = Number(o.credentials ?? 1000)
const CMDS = o.cmd ?? ['reveal', 'create']

/** Functions whose inclusive time is reported (top-level in the bundle: `function X(` or `var X = `). */
const STAGES = ['readVault', 'parseVault', 'parseRecord', 'loadVaultKey', 'crypto', 'open', 'seal', 'macHolds', 'vaultMac', 'canonical', 'hmac', 'scrubMasks', 'serializeWritable', 'writeFileAtomic', 'fsyncDir', 'withLock', 'appendHistory', 'createProgram', 'main']
/** Methods of the SDK's Vault session class. */
const METHODS = ['load', 'unlock', 'checkMac', 'decryptMany', 'history', 'mutate']

const work = mkdtempSync(path.join(tmpdir(), 'credctl-stages-'))
try {
  // A readable build of this checkout, with bin/ and package.json beside it as the shim expects.
  const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts/build.mjs'), '--no-types', '--no-minify', '--outdir', path.join(work, 'dist')], { cwd: ROOT, stdio: 'inherit' })
  if (r.status !== 0) throw new Error('build failed')
  cpSync(path.join(ROOT, 'bin'), path.join(work, 'bin'), { recursive: true })
  cpSync(path.join(ROOT, 'package.json'), path.join(work, 'package.json'))
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(work, 'node_modules'))
  const shim = path.join(work, 'bin/credctl.js')
  writeFileSync(shim, readFileSync(shim, 'utf8').replace("import('../dist/cli.js')", "(globalThis.__mark?.('shim'), import('../dist/cli.js'))"))

  // Wrap: module-level bindings are reassignable, and importers see the new value (live bindings).
  for (const rel of ['cli.js', ...readdirSync(path.join(work, 'dist/chunks')).map((f) => `chunks/${f}`)]) {
    const file = path.join(work, 'dist', rel)
    const text = readFileSync(file, 'utf8')
    const add = STAGES.filter((n) => new RegExp(`^(async )?function ${n}\\(|^var ${n} = `, 'm').test(text)).map((n) => `${n} = globalThis.__wrap(${JSON.stringify(n)}, ${n});`)
    if (/^var Vault = class/m.test(text)) add.push(`for (const m of ${JSON.stringify(METHODS)}) Vault.prototype[m] = globalThis.__wrap("Vault." + m, Vault.prototype[m]);`)
    if (rel === 'cli.js') add.push('globalThis.__mark("graph");')
    const cmd = /^chunks\/(reveal|get|list|create|update)-/.exec(rel)
    if (cmd) add.push('globalThis.__mark("command");')
    if (add.length) writeFileSync(file, `${text}\n${add.join('\n')}\n`)
  }
  const preload = path.join(work, 'stages-preload.cjs')
  writeFileSync(
    preload,
    `const acc = {}; const marks = { boot: performance.now() }
const add = (n, t) => { const a = (acc[n] ??= { ms: 0, n: 0 }); a.ms += performance.now() - t; a.n++ }
globalThis.__mark = (n) => { marks[n] ??= performance.now() }
globalThis.__wrap = (name, fn) => typeof fn !== 'function' ? fn : function (...a) {
  const t = performance.now(); let r
  try { r = fn.apply(this, a) } catch (e) { add(name, t); throw e }
  if (r && typeof r.then === 'function') return r.finally(() => add(name, t))
  add(name, t); return r
}
// fsync of files: FileHandle.prototype.sync, patched on the first open.
const fsp = require('node:fs').promises; const open = fsp.open; let done = false
fsp.open = async function (...a) { const fh = await open.apply(this, a); if (!done) { done = true; const P = Object.getPrototypeOf(fh); P.sync = globalThis.__wrap('fsync', P.sync) } return fh }
process.on('exit', () => { marks.exit = performance.now(); process.stderr.write('STAGES ' + JSON.stringify({ marks, acc }) + '\\n') })
`,
  )

  // The vault: N credentials, as bench/run.mjs seeds them.
  const vault = path.join(work, 'vault', 'vault.json')
  const KEY = randomBytes(32).toString('base64')
  const { createClient } = await import(pathToFileURL(path.join(work, 'dist/index.js')).href)
  const types = ['openai', 'anthropic', 'postgresql', 'elevenlabs', 'gemini']
  await createClient({ vault, env: { CREDCTL_MASTER_KEY: KEY } }).credentials.importMany(
    Array.from({ length: N }, (_, i) => {
      const type = types[i % types.length]
      const value = type === 'postgresql' ? `postgresql://app:pw${i}x${randomBytes(6).toString('hex')}@db${i}.internal:5432/analytics` : `sk-${randomBytes(24).toString('hex')}`
      return { source: `bench-${i}`, name: `cred-${String(i).padStart(5, '0')}`, type, value, description: `benchmark credential ${i}` }
    }),
  )
  const env = { PATH: process.env.PATH, HOME: work, CREDCTL_VAULT: vault, CREDCTL_MASTER_KEY: KEY, NO_COLOR: '1' }
  const target = `cred-${String(Math.floor(N / 2)).padStart(5, '0')}`
  const argsOf = (cmd, i) =>
    ({ reveal: ['reveal', target], get: ['get', target, '--json'], list: ['list', '--json'], create: ['create', '--name', `stage-${i}`, '--type', 'openai', '--value-stdin'], update: ['update', target, '--value-stdin'] })[cmd]

  const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  const f = (x) => (x === undefined ? '' : x.toFixed(2))
  console.log(`credctl stages: ${N} credentials, ${RUNS} runs (after 2 warm-up), median / min ms; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}\n`)
  for (const cmd of CMDS) {
    if (!argsOf(cmd, 0)) throw new Error(`--cmd ${cmd}: one of reveal, get, list, create, update`)
    const rows = []
    const node = []
    /** How many times each wrapped function ran (a create's vault grows by one record per run). */
    const calls = {}
    for (let i = 0; i < RUNS + 2; i++) {
      const t0 = performance.now()
      spawnSync(process.execPath, ['-e', '0'], { env })
      const nodeMs = performance.now() - t0
      const t1 = performance.now()
      const c = spawnSync(process.execPath, ['--require', preload, shim, ...argsOf(cmd, i)], { env, input: `sk-${randomBytes(24).toString('hex')}`, encoding: 'utf8' })
      const wall = performance.now() - t1
      const line = c.stderr.split('\n').find((l) => l.startsWith('STAGES '))
      if (c.status !== 0 || !line) throw new Error(`${cmd} exited ${c.status}: ${c.stderr.slice(-400)}`)
      if (i < 2) continue
      const { marks: m, acc } = JSON.parse(line.slice(7))
      const row = { 'whole process (wall)': wall, 'node -e 0 (wall, interleaved)': nodeMs, "Node's start, to the shim": m.boot, 'module graph (import dist/cli.js)': m.graph - m.shim }
      if (m.command) row['main → command chunk evaluated'] = m.command - m.graph
      for (const [k, v] of Object.entries(acc)) (row[k] = v.ms), (calls[k] ??= new Set()).add(v.n)
      rows.push(row)
      node.push(nodeMs)
    }
    console.log(`| ${cmd} | median | min |\n| --- | ---: | ---: |`)
    for (const k of [...new Set(rows.flatMap(Object.keys))]) {
      const xs = rows.map((r) => r[k]).filter((x) => x !== undefined)
      const n = [...(calls[k] ?? [1])]
      const times = Math.max(...n) > 1 ? ` (×${Math.min(...n)}${Math.max(...n) > Math.min(...n) ? `–${Math.max(...n)}` : ''})` : ''
      console.log(`| ${k}${times} | ${f(med(xs))} | ${f(Math.min(...xs))} |`)
    }
    console.log('')
  }
} finally {
  rmSync(work, { recursive: true, force: true })
}
