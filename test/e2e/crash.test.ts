import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { readFileSync, readdirSync, statSync, writeFileSync, existsSync } from 'node:fs'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createClient } from '../../src/credentials/client.js'
import { aadFor, open } from '../../src/vault/cipher.js'
import { headMac, recordMac } from '../../src/vault/integrity.js'
import { ROOT, runCli, tempVault } from '../helpers/cli.js'
import { readVaultFile } from '../helpers/vault-file.js'

// Issue 6 / security.md 8.3 (20): writers SIGKILLed at random moments. After each kill the vault parses,
// authenticates, and holds the old or the new state; every write that reported success is there; temp
// files are 0600 and cleaned up by the next write. CREDCTL_CRASH_RUNS overrides the number of runs.
const RUNS = Number(process.env.CREDCTL_CRASH_RUNS) || 200
const ROTATIONS = Math.max(10, Math.round(RUNS / 5))
const DIST = path.join(ROOT, 'dist/index.js')

let t: ReturnType<typeof tempVault>
beforeEach(() => (t = tempVault('credctl-crash')))
afterEach(() => t.cleanup())

/**
 * Spawn a node script and SIGKILL it `ms` after it prints "start" (its imports done, about to write), so
 * the random moments fall on the writing itself rather than on Node's startup. Returns every line it
 * reported before dying, "start" excluded.
 */
function killAfter(script: string, args: string[], env: Record<string, string>, ms: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    let timer: NodeJS.Timeout | undefined
    child.stdout.on('data', (d) => {
      out += d
      if (!timer && out.startsWith('start\n')) timer = setTimeout(() => child.kill('SIGKILL'), ms)
    })
    child.stderr.on('data', (d) => (err += d))
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      if (signal !== 'SIGKILL' && code !== 0) reject(new Error(`writer failed (${code}): ${err}`))
      resolve(out.split('\n').filter((l) => l && l !== 'start'))
    })
  })
}

/**
 * The vault on disk, checked the hard way: parse (format 2, as every write leaves it), each record's MAC
 * over its exact stored bytes and the head MAC over the manifest under the key, every value opened.
 */
function verified(file: string, keyB64: string): Map<string, string> {
  const key = Buffer.from(keyB64, 'base64')
  const v = readVaultFile(file)
  expect(v.format).toBe(2)
  const manifest = v.credentials.map((c) => {
    const s = v.stored.get(c.id)!
    expect(recordMac(key, s.body!), `record ${c.id}`).toBe(s.mac)
    return { id: c.id, revision: s.revision, mac: s.mac }
  })
  expect(headMac(key, { vault_id: v.vault_id, created_at: v.created_at, key: v.key, sequence: v.sequence }, manifest)).toBe(v.mac)
  return new Map(v.credentials.map((c) => [c.name, open(key, c.secret, aadFor(v.vault_id, c.id, 'value')).toString('utf8')]))
}

const temps = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.tmp'))

describe('SIGKILL during writes', () => {
  it(`${RUNS} writers killed at random moments: old or new state, no reported write lost, temp files 0600 and cleaned`, async () => {
    const dir = path.dirname(t.vault)
    const first = await runCli(['create', '--name', 'counter', '--type', 'openai', '--value-stdin'], { env: t.env, input: 'sk-counter-start-0000000000' })
    expect(first.code, first.stderr).toBe(0)
    // The writer loops forever: mostly updates of one credential, every 4th a create; after each write
    // resolves it reports it synchronously, so a reported write is one the SDK said was durable.
    const script = `
      import { writeSync } from 'node:fs'
      const { createClient } = await import(${JSON.stringify(DIST)})
      const run = process.argv[1]
      const c = createClient({ vault: ${JSON.stringify(t.vault)}, env: { CREDCTL_MASTER_KEY: ${JSON.stringify(t.key)} }, lockTimeoutMs: 20000 })
      writeSync(1, 'start\\n')
      for (let i = 0; ; i++) {
        if (i % 4 === 3) {
          await c.credentials.create({ name: 'r' + run + '-' + i, type: 'openai', value: 'sk-created-' + run + '-' + i + '-abcdefghijkl' })
          writeSync(1, 'create r' + run + '-' + i + '\\n')
        } else {
          await c.credentials.update('counter', { value: 'sk-counter-' + run + '-' + i + '-abcdefghijkl' })
          writeSync(1, 'update sk-counter-' + run + '-' + i + '-abcdefghijkl\\n')
        }
      }
    `
    let state = verified(t.vault, t.key)
    let leftovers = 0
    for (let run = 0; run < RUNS; run++) {
      const lines = await killAfter(script, [String(run)], {}, Math.random() * 80)
      const now = verified(t.vault, t.key) // parses and authenticates after every kill
      const reported = lines.map((l) => l.split(' ') as [string, string])
      // Every write reported as done is there.
      const lastUpdate = reported.filter(([k]) => k === 'update').at(-1)?.[1]
      for (const [kind, what] of reported) if (kind === 'create') expect(now.has(what), `run ${run}: lost ${what}`).toBe(true)
      // Old or new state: nothing beyond the reported writes but the one in flight when it died.
      const i = lines.length
      const inFlight = i % 4 === 3 ? { create: `r${run}-${i}` } : { update: `sk-counter-${run}-${i}-abcdefghijkl` }
      const expectedNames = new Set([...state.keys(), ...reported.filter(([k]) => k === 'create').map(([, w]) => w)])
      for (const name of now.keys()) {
        if (!expectedNames.has(name)) expect(name, `run ${run}: unexpected record`).toBe(inFlight.create)
      }
      for (const name of state.keys()) expect(now.has(name), `run ${run}: ${name} vanished`).toBe(true)
      const counter = now.get('counter')
      const allowed = [lastUpdate ?? state.get('counter'), inFlight.update].filter(Boolean)
      expect(allowed, `run ${run}: counter holds a value that was never written last`).toContain(counter)
      // A temp file left by the killed writer is 0600; the next writer removes it.
      for (const f of temps(dir)) expect(statSync(path.join(dir, f)).mode & 0o777).toBe(0o600)
      leftovers += temps(dir).length
      state = now
    }
    // One more ordinary write: the last killed writer's lock and temp file are reclaimed and removed.
    const last = await runCli(['create', '--name', 'after', '--type', 'openai', '--value-stdin'], { env: { ...t.env, CREDCTL_LOCK_TIMEOUT_MS: '5000' }, input: 'sk-after-0123456789abcdefgh' })
    expect(last.code, last.stderr).toBe(0)
    expect(temps(dir)).toEqual([])
    expect(existsSync(`${t.vault}.lock`)).toBe(false)
    expect(statSync(t.vault).mode & 0o777).toBe(0o600)
    const s = await runCli(['status', '--json'], { env: t.env })
    expect(JSON.parse(s.stdout).integrity.status).toBe('ok')
    // Informative, not a requirement: how often a kill landed mid-write (a temp file was left).
    console.log(`crash: ${RUNS} kills, ${leftovers} left a temp file, ${state.size} records`)
  }, 240_000)
})

describe('SIGKILL during rotate-key', () => {
  const rotateScript = `
    const { createClient } = await import(${JSON.stringify(DIST)})
    const c = createClient({ vault: process.env.V, env: { CREDCTL_MASTER_KEY: process.env.OLD, CREDCTL_NEW_MASTER_KEY: process.env.NEW }, lockTimeoutMs: 20000 })
    process.stdout.write('start\\n')
    await c.rotateKey()
    process.stdout.write('rotated\\n')
  `

  async function seed(n: number, env: Record<string, string>) {
    for (let i = 0; i < n; i++) {
      const r = await runCli(['create', '--name', `k${i}`, '--type', 'openai', '--value-stdin'], { env, input: `sk-rot-${i}-abcdefghijklmnopqrstuvwx` })
      expect(r.code, r.stderr).toBe(0)
    }
  }

  it(`env source: ${ROTATIONS} rotations killed at random moments: each vault opens with exactly one of old/new key, values intact`, async () => {
    await seed(12, t.env)
    let current = t.key
    let rotated = 0
    for (let run = 0; run < ROTATIONS; run++) {
      const next = randomBytes(32).toString('base64')
      const lines = await killAfter(rotateScript, [], { V: t.vault, OLD: current, NEW: next }, Math.random() * 60)
      const opensOld = (() => {
        try {
          return verified(t.vault, current)
        } catch {
          return undefined
        }
      })()
      const opensNew = (() => {
        try {
          return verified(t.vault, next)
        } catch {
          return undefined
        }
      })()
      expect(!!opensOld !== !!opensNew, `run ${run}: must open with exactly one key`).toBe(true)
      if (lines.includes('rotated')) expect(opensNew, `run ${run}: reported rotated but the new key does not open it`).toBeTruthy()
      const values = (opensOld ?? opensNew)!
      for (let i = 0; i < 12; i++) expect(values.get(`k${i}`)).toBe(`sk-rot-${i}-abcdefghijklmnopqrstuvwx`)
      if (opensNew) {
        current = next
        rotated++
      }
    }
    // The final key works through the CLI; the very first key reads nothing.
    expect((await runCli(['reveal', 'k3'], { env: { ...t.env, CREDCTL_MASTER_KEY: current } })).stdout).toBe('sk-rot-3-abcdefghijklmnopqrstuvwx')
    if (rotated > 0) expect((await runCli(['reveal', 'k3'], { env: t.env })).code).toBe(4)
    console.log(`rotate (env): ${ROTATIONS} kills, ${rotated} completed`)
  }, 120_000)

  it(`file source: ${ROTATIONS} rotations killed at random moments: the vault always opens, values intact`, async () => {
    const keyFile = path.join(t.dir, 'keys', 'vault.key')
    const env = { ...t.env, CREDCTL_KEY_FILE: keyFile }
    delete (env as Record<string, string>).CREDCTL_MASTER_KEY
    await seed(8, env)
    const script = `
      const { createClient } = await import(${JSON.stringify(DIST)})
      const c = createClient({ vault: process.env.V, env: {}, lockTimeoutMs: 20000 })
      process.stdout.write('start\\n')
      await c.rotateKey()
      process.stdout.write('rotated\\n')
    `
    const keys = new Set<string>([readFileSync(keyFile, 'utf8')])
    for (let run = 0; run < ROTATIONS; run++) {
      await killAfter(script, [], { V: t.vault }, Math.random() * 60)
      // The SDK opens it (through <key>.next when the kill fell between the two renames).
      const c = createClient({ vault: t.vault, env: {} })
      for (let i = 0; i < 8; i++) expect(await c.credentials.reveal(`k${i}`), `run ${run}`).toBe(`sk-rot-${i}-abcdefghijklmnopqrstuvwx`)
      for (const f of readdirSync(path.dirname(keyFile))) expect(statSync(path.join(path.dirname(keyFile), f)).mode & 0o777, f).toBe(0o600)
      keys.add(readFileSync(keyFile, 'utf8'))
    }
    // A completed rotation afterwards puts the current key in place and removes the staged one.
    const r = await runCli(['rotate-key'], { env })
    expect(r.code, r.stderr).toBe(0)
    expect(existsSync(`${keyFile}.next`)).toBe(false)
    expect(readdirSync(path.dirname(keyFile)).filter((f) => f.endsWith('.tmp'))).toEqual([])
    expect((await runCli(['reveal', 'k0'], { env })).stdout).toBe('sk-rot-0-abcdefghijklmnopqrstuvwx')
    console.log(`rotate (file): ${ROTATIONS} kills, ${keys.size - 1} distinct new keys reached the key file`)
  }, 120_000)
})

describe('temp files', () => {
  it('a stale temp file of a dead writer holding a partial vault is never read, and is removed by the next write', async () => {
    expect((await runCli(['create', '--name', 'a', '--type', 'openai', '--value-stdin'], { env: t.env, input: 'sk-a-0123456789abcdefghij' })).code).toBe(0)
    const dir = path.dirname(t.vault)
    const stale = path.join(dir, `.vault.json.999999.${randomBytes(4).toString('hex')}.tmp`)
    writeFileSync(stale, readFileSync(t.vault, 'utf8').slice(0, 50), { mode: 0o600 })
    expect((await runCli(['list'], { env: t.env })).code).toBe(0)
    expect((await runCli(['create', '--name', 'b', '--type', 'openai', '--value-stdin'], { env: t.env, input: 'sk-b-0123456789abcdefghij' })).code).toBe(0)
    expect(existsSync(stale)).toBe(false)
  })
})
