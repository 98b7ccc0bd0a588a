import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ROOT, runCli, tempVault } from '../helpers/cli.js'

// Issue 6, durability: parallel writers lose nothing; a dead writer's lock is reclaimed; a live one is
// waited for and then a clear exit 4, never a hang. security.md 8.3 (18, 19).
let t: ReturnType<typeof tempVault>
beforeEach(() => (t = tempVault('credctl-conc')))
afterEach(() => t.cleanup())

const cli = (args: string[], input?: string, env: Record<string, string> = {}) =>
  runCli(args, { env: { ...t.env, ...env }, ...(input !== undefined ? { input } : {}), timeoutMs: 60_000 })
const value = (i: number) => `sk-proj-CONC${String(i).padStart(4, '0')}abcdefghijklmnopqrstuvwxyz0123`

async function listNames(env: Record<string, string> = {}): Promise<string[]> {
  const r = await cli(['list', '--json'], undefined, env)
  expect(r.code, r.stderr).toBe(0)
  return (JSON.parse(r.stdout) as { name: string }[]).map((c) => c.name).sort()
}

/** The vault authenticates: status verifies the key and the MAC. */
async function expectIntact(env: Record<string, string> = {}) {
  const s = await cli(['status', '--json'], undefined, env)
  expect(s.code, s.stderr).toBe(0)
  expect(JSON.parse(s.stdout).integrity).toEqual({ status: 'ok', reason: null })
}

/** A pid that belonged to a process that is gone now. */
const deadPid = () => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout)

/**
 * A real credctl writer (the SDK, from the build) stopped inside the vault lock: the clock it is given
 * is first read under the lock, and there it blocks for good (Atomics.wait: alive, holding the lock,
 * using no CPU). The key is loaded before the lock, so a prompt cannot be used for this.
 */
async function holder(): Promise<ChildProcess> {
  const script = `
    import { writeSync } from 'node:fs'
    const { createClient } = await import(${JSON.stringify(path.join(ROOT, 'dist/index.js'))})
    const now = () => {
      writeSync(1, 'in-lock\\n')
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)
      return new Date()
    }
    const c = createClient({ vault: ${JSON.stringify(t.vault)}, env: { CREDCTL_MASTER_KEY: ${JSON.stringify(t.key)}, CREDCTL_PASSPHRASE: 'correct horse battery staple' }, now })
    await c.credentials.update('first', { description: 'never written' })
  `
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('in-lock') && resolve())
    child.on('exit', (c) => reject(new Error(`holder exited early (${c})`)))
  })
  expect(readFileSync(`${t.vault}.lock`, 'utf8').split(' ')[0]).toBe(String(child.pid))
  return child
}

describe('concurrent writers', () => {
  it('16 processes creating credentials at once: all 16 land, the vault authenticates', async () => {
    const results = await Promise.all(Array.from({ length: 16 }, (_, i) => cli(['create', '--name', `c${i}`, '--type', 'openai', '--value-stdin'], value(i))))
    for (const r of results) expect(r.code, r.stderr).toBe(0)
    expect(await listNames()).toEqual(Array.from({ length: 16 }, (_, i) => `c${i}`).sort())
    await expectIntact()
    const reveals = await Promise.all(Array.from({ length: 16 }, (_, i) => cli(['reveal', `c${i}`])))
    reveals.forEach((r, i) => expect(r.stdout).toBe(value(i)))
    const hist = JSON.parse((await cli(['history', '--json'])).stdout) as { action: string }[]
    expect(hist.filter((h) => h.action === 'create')).toHaveLength(16)
    expect(readdirSync(path.dirname(t.vault)).filter((f) => f.endsWith('.tmp') || f.endsWith('.lock') || f.endsWith('.reclaim'))).toEqual([])
  })

  it('16 writers mixing creates and updates of one credential: no lost update', async () => {
    expect((await cli(['create', '--name', 'shared', '--type', 'openai', '--value-stdin'], value(999))).code).toBe(0)
    const jobs = Array.from({ length: 16 }, (_, i) =>
      i % 2 ? cli(['update', 'shared', '--value-stdin'], value(100 + i)) : cli(['create', '--name', `n${i}`, '--type', 'openai', '--value-stdin'], value(i)),
    )
    for (const r of await Promise.all(jobs)) expect(r.code, r.stderr).toBe(0)
    const names = await listNames()
    expect(names).toEqual(['shared', ...Array.from({ length: 8 }, (_, k) => `n${k * 2}`)].sort())
    const final = (await cli(['reveal', 'shared'])).stdout
    expect(Array.from({ length: 8 }, (_, k) => value(100 + k * 2 + 1))).toContain(final)
    const hist = JSON.parse((await cli(['history', '--json'])).stdout) as { action: string }[]
    expect(hist.filter((h) => h.action === 'update')).toHaveLength(8)
    await expectIntact()
  })

  it('16 writers facing the stale lock of a dead process: reclaimed once, all 16 land', async () => {
    expect((await cli(['create', '--name', 'first', '--type', 'openai', '--value-stdin'], value(0))).code).toBe(0)
    writeFileSync(`${t.vault}.lock`, `${deadPid()} ${Date.now()} stale`, { mode: 0o600 })
    const results = await Promise.all(Array.from({ length: 16 }, (_, i) => cli(['create', '--name', `s${i}`, '--type', 'openai', '--value-stdin'], value(i + 1))))
    for (const r of results) expect(r.code, r.stderr).toBe(0)
    expect(await listNames()).toEqual(['first', ...Array.from({ length: 16 }, (_, i) => `s${i}`)].sort())
    await expectIntact()
    expect(existsSync(`${t.vault}.lock`)).toBe(false)
  })
})

describe('locks of killed and of live writers', () => {
  const PASS = { CREDCTL_PASSPHRASE: 'correct horse battery staple' }

  it('a writer SIGKILLed while holding the lock: the next write reclaims it at once', async () => {
    expect((await cli(['create', '--name', 'first', '--type', 'openai', '--value-stdin', '--key-source', 'passphrase'], value(0), PASS)).code).toBe(0)
    const before = readFileSync(t.vault, 'utf8')
    const h = await holder()
    h.kill('SIGKILL')
    await new Promise((r) => h.once('exit', r))
    expect(existsSync(`${t.vault}.lock`)).toBe(true) // left behind by the dead writer
    expect(readFileSync(t.vault, 'utf8')).toBe(before) // which wrote nothing
    // A lock timeout shorter than any wait for the dead holder: only an immediate reclaim succeeds.
    const r = await cli(['create', '--name', 'second', '--type', 'openai', '--value-stdin'], value(1), { ...PASS, CREDCTL_LOCK_TIMEOUT_MS: '1500' })
    expect(r.code, r.stderr).toBe(0)
    expect(await listNames(PASS)).toEqual(['first', 'second'])
    expect(existsSync(`${t.vault}.lock`)).toBe(false)
  })

  it('a lock held by a live process past CREDCTL_LOCK_TIMEOUT_MS: exit 4 with one clear line, nothing written', async () => {
    expect((await cli(['create', '--name', 'first', '--type', 'openai', '--value-stdin', '--key-source', 'passphrase'], value(0), PASS)).code).toBe(0)
    const before = readFileSync(t.vault, 'utf8')
    const h = await holder()
    try {
      const started = Date.now()
      const env = { ...PASS, CREDCTL_LOCK_TIMEOUT_MS: '400' }
      const results = await Promise.all([
        cli(['create', '--name', 'second', '--type', 'openai', '--value-stdin'], value(1), env),
        cli(['update', 'first', '--description', 'x'], undefined, env),
        cli(['delete', 'first'], undefined, env),
        cli(['rotate-key'], undefined, { ...env, CREDCTL_NEW_PASSPHRASE: 'another one' }),
      ])
      expect(Date.now() - started).toBeLessThan(8000)
      for (const r of results) {
        expect(r.code, r.stderr).toBe(4)
        expect(r.stderr).toContain(`vault ${t.vault} is locked by process ${h.pid}`)
        expect(r.stderr).toContain(`${t.vault}.lock`) // the hint says what to remove if nothing runs
        expect(r.stderr.trim().split('\n')).toHaveLength(1)
      }
      // Readers never lock: they still work while a writer holds the lock.
      expect(await listNames(PASS)).toEqual(['first'])
      expect((await cli(['reveal', 'first'], undefined, PASS)).stdout).toBe(value(0))
      expect(readFileSync(t.vault, 'utf8')).toBe(before)
      expect(readFileSync(`${t.vault}.lock`, 'utf8').split(' ')[0]).toBe(String(h.pid)) // not stolen
    } finally {
      h.kill('SIGKILL')
    }
  })
})
