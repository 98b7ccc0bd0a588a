import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs'
import * as net from 'node:net'
import * as path from 'node:path'
import fc from 'fast-check'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createClient } from '../../src/index.js'
import type { Keychain } from '../../src/keys/index.js'
import { runCli, tempVault } from '../helpers/cli.js'

// Issue 10, section 3: nothing may hang. Each command runs the built CLI with a hard kill at
// `budget` ms (runCli rejects then): the bound is generous, the point is that it ends at all.

const VALUE = 'sk-proj-NOHANGcanary0123456789abcdefABCDEF'
let t: ReturnType<typeof tempVault>
beforeEach(() => {
  t = tempVault('credctl-nohang')
})
afterEach(() => t.cleanup())

const mkfifo = (p: string) => {
  const r = spawnSync('mkfifo', [p])
  if (r.status !== 0) throw new Error(`mkfifo ${p} failed`)
}

/** A keychain in memory: lets the SDK create a keychain-source vault without any D-Bus. */
function memoryKeychain(): Keychain {
  const m = new Map<string, string>()
  return {
    get: async (a) => m.get(a) ?? null,
    set: async (a, s) => void m.set(a, s),
    delete: async (a) => m.delete(a),
  }
}

describe('a session bus that accepts connections and never answers', () => {
  let server: net.Server
  let bus: string
  beforeAll(async () => {
    const t0 = tempVault('credctl-bus')
    bus = path.join(t0.dir, 'bus.sock')
    // Accept, read nothing, answer nothing: the D-Bus handshake waits for ever.
    server = net.createServer((s) => void sockets.add(s))
    await new Promise<void>((r) => server.listen(bus, r))
  })
  const sockets = new Set<net.Socket>()
  afterAll(() => {
    for (const s of sockets) s.destroy()
    return new Promise<void>((r) => server.close(() => r()))
  })

  const KC_MS = 1000
  const frozenEnv = () => ({ ...t.env, CREDCTL_MASTER_KEY: undefined, DBUS_SESSION_BUS_ADDRESS: `unix:path=${bus}`, CREDCTL_KEYCHAIN_TIMEOUT_MS: String(KC_MS) })
  const cli = (args: string[], input?: string) =>
    runCli(args, { env: frozenEnv(), timeoutMs: KC_MS * 3 + 8000, ...(input !== undefined ? { input } : {}) })

  /** A keychain-source vault, made through the SDK with an in-memory keychain. */
  async function keychainVault(): Promise<string> {
    const c = createClient({ vault: t.vault, env: {}, keychain: memoryKeychain(), keySource: 'keychain' })
    await c.credentials.create({ name: 'prod', type: 'openai', value: VALUE })
    return readFileSync(t.vault, 'utf8')
  }

  it('create of a new keychain vault: exit 4 naming CREDCTL_KEYCHAIN_TIMEOUT_MS, no vault, and no lock held while it waited', async () => {
    const run = cli(['create', '--name', 'prod', '--type', 'openai', '--value-stdin'], VALUE)
    // While the keychain is waited for, the vault lock must not be held (other writers would time out).
    let lockSeen = false
    const poll = setInterval(() => (lockSeen ||= existsSync(`${t.vault}.lock`)), 20)
    const r = await run.finally(() => clearInterval(poll))
    expect(r.code, r.stderr).toBe(4)
    expect(r.stderr).toContain('CREDCTL_KEYCHAIN_TIMEOUT_MS')
    expect(r.stderr).not.toMatch(/\n\s+at /)
    expect(r.stderr).not.toContain(VALUE)
    expect(existsSync(t.vault)).toBe(false)
    expect(lockSeen).toBe(false)
  })

  for (const [args, input] of [
    [['reveal', 'prod']],
    [['delete', 'prod']],
    [['update', 'prod', '--value-stdin'], 'sk-proj-NEWnohang0123456789abcdefghij'],
    [['rotate-key']],
    [['status']],
  ] as [string[], string?][]) {
    it(`${args[0]} on a keychain vault: exit 4 within the keychain timeout, the vault unchanged, no lock left`, async () => {
      const before = await keychainVault()
      const r = await cli(args, input)
      expect(r.code, r.stderr).toBe(4)
      expect(`${r.stdout}${r.stderr}`).toContain(`did not answer within ${KC_MS} ms`)
      expect(`${r.stdout}${r.stderr}`).toContain('CREDCTL_KEYCHAIN_TIMEOUT_MS')
      expect(r.stderr).not.toMatch(/\n\s+at /)
      expect(`${r.stdout}${r.stderr}`).not.toContain(VALUE)
      expect(readFileSync(t.vault, 'utf8')).toBe(before)
      expect(existsSync(`${t.vault}.lock`)).toBe(false)
    })
  }
})

describe('whatever sits at <vault>.lock, every writer ends with exit 0 or 4 within the lock timeout', () => {
  const LOCK_MS = 800
  const writer = (i: number) => runCli(['create', '--name', `c${i}`, '--type', 'openai', '--value-stdin'], { env: { ...t.env, CREDCTL_LOCK_TIMEOUT_MS: String(LOCK_MS) }, input: VALUE, timeoutMs: LOCK_MS + 10_000 })

  /** A pid that belonged to a process that is gone now. */
  const deadPid = () => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout)

  const states: [string, (lock: string) => void, number][] = [
    ['a dangling symlink', (lock) => symlinkSync(path.join(path.dirname(lock), 'nowhere'), lock), 4],
    ['a symlink to a directory', (lock) => symlinkSync(path.dirname(lock), lock), 4],
    ['a directory', (lock) => mkdirSync(lock), 4],
    ['a FIFO', (lock) => mkfifo(lock), 4],
    // A dead holder, but a reclaim guard that is a non-empty directory nobody can remove: never reclaimed.
    ['a stale lock with a leftover reclaim directory', (lock) => {
      writeFileSync(lock, `${deadPid()} 1 abc`)
      mkdirSync(`${lock}.reclaim/sub`, { recursive: true })
    }, 4],
    ['a lock of a live process (this test runner)', (lock) => writeFileSync(lock, `${process.pid} 1 abc`), 4],
    ['garbage', (lock) => writeFileSync(lock, 'not a lock'), 4],
  ]
  for (const [what, make, code] of states) {
    it(what, async () => {
      expect((await writer(0)).code).toBe(0)
      const before = readFileSync(t.vault, 'utf8')
      make(`${t.vault}.lock`)
      const r = await writer(1)
      expect(r.code, r.stderr).toBe(code)
      expect(r.stderr).toMatch(/lock/)
      expect(r.stderr).not.toMatch(/\n\s+at /)
      expect(readFileSync(t.vault, 'utf8')).toBe(before)
    })
  }
})

describe('a FIFO, directory or other non-file where validate reads a file', () => {
  const TIMEOUT_S = 2
  type Kind = 'regular' | 'fifo' | 'dir' | 'symlink-to-fifo' | 'missing'
  const make = (p: string, kind: Kind) => {
    if (kind === 'regular') writeFileSync(p, 'not a certificate\n')
    if (kind === 'fifo') mkfifo(p)
    if (kind === 'dir') mkdirSync(p)
    if (kind === 'symlink-to-fifo') {
      mkfifo(`${p}.target`)
      symlinkSync(`${p}.target`, p)
    }
  }
  const value = (field: 'sslrootcert' | 'ssl-ca' | 'static_file', p: string) =>
    field === 'sslrootcert'
      ? { type: 'postgresql', value: `postgresql://u:pw@127.0.0.1:1/db?sslmode=verify-full&sslrootcert=${encodeURIComponent(p)}` }
      : field === 'ssl-ca'
        ? { type: 'mysql', value: `mysql://u:pw@127.0.0.1:1/db?ssl-mode=VERIFY_CA&ssl-ca=${encodeURIComponent(p)}` }
        : { type: 'static_file', value: p }

  it('finishes within --timeout plus a margin, naming a non-regular file as such (generated file kinds)', async () => {
    let n = 0
    await fc.assert(
      fc.asyncProperty(fc.constantFrom<Kind>('regular', 'fifo', 'dir', 'symlink-to-fifo', 'missing'), fc.constantFrom('sslrootcert', 'ssl-ca', 'static_file' as const), async (kind, field) => {
        const p = path.join(t.dir, `f${n++}.csv`)
        make(p, kind)
        const v = value(field, p)
        const env = { ...t.env }
        const name = `c${n}`
        expect((await runCli(['create', '--name', name, '--type', v.type, '--value-stdin'], { env, input: v.value })).code).toBe(0)
        // runCli kills (and the test fails) past --timeout + 10 s.
        const r = await runCli(['validate', name, '--timeout', String(TIMEOUT_S), '--json'], { env, timeoutMs: TIMEOUT_S * 1000 + 10_000 })
        expect([0, 1, 5], r.stderr).toContain(r.code)
        if (kind === 'fifo' || kind === 'symlink-to-fifo') expect(r.stdout).toMatch(/FIFO/)
        if (kind === 'dir' && field !== 'static_file') expect(r.stdout).toMatch(/directory, not a regular file/)
      }),
      { numRuns: 12 },
    )
  })
})

describe('--timeout is bounded', () => {
  for (const cmd of ['validate', 'discover']) {
    it(`${cmd}: outside 0.1 to 600 seconds, or not a number, is a usage error (exit 2)`, async () => {
      for (const bad of ['0', '0.05', '600.5', '1e9', 'abc', '-1', '', 'Infinity', 'NaN']) {
        const r = await runCli([cmd, 'x', '--timeout', bad], { env: t.env })
        expect(r.code, `${bad}: ${r.stderr}`).toBe(2)
        expect(r.stderr).toMatch(/--timeout must be a number of seconds from 0.1 to 600/)
      }
      // In range: past the flag check (the credential does not exist: exit 3).
      for (const ok of ['0.1', '600', '2.5']) expect((await runCli([cmd, 'x', '--timeout', ok], { env: t.env })).code).toBe(3)
    })
  }
})

describe('a FIFO where credctl keeps its own files', () => {
  const env = () => ({ ...t.env })
  const run = (args: string[], input?: string) => runCli(args, { env: env(), timeoutMs: 15_000, ...(input !== undefined ? { input } : {}) })
  const side = (name: string) => path.join(path.dirname(t.vault), name)

  it('the history file: changes still land, reveal refuses (exit 4), history says what it is', async () => {
    expect((await run(['create', '--name', 'prod', '--type', 'openai', '--value-stdin'], VALUE)).code).toBe(0)
    const hist = side('vault.history.jsonl')
    spawnSync('rm', ['-f', hist])
    mkfifo(hist)
    expect((await run(['update', 'prod', '--description', 'x'])).code).toBe(0)
    const r = await run(['reveal', 'prod'])
    expect(r.code, r.stderr).toBe(4)
    expect(r.stdout).not.toContain(VALUE)
    const h = await run(['history'])
    expect(h.code, h.stderr).toBe(4)
    expect(h.stderr).toMatch(/a FIFO/)
  })

  it('the vault file itself: exit 4, it is named as a FIFO', async () => {
    mkdirSync(path.dirname(t.vault), { recursive: true })
    mkfifo(t.vault)
    for (const args of [['list'], ['reveal', 'prod']]) {
      const r = await run(args)
      expect(r.code, r.stderr).toBe(4)
      expect(r.stderr).toMatch(/a FIFO/)
    }
  })

  it('the key file of a file-source vault: exit 4', async () => {
    const keyFile = path.join(t.dir, 'keys', 'vault.key')
    const fenv = { ...t.env, CREDCTL_MASTER_KEY: undefined, CREDCTL_KEY_FILE: keyFile }
    expect((await runCli(['create', '--name', 'prod', '--type', 'openai', '--value-stdin'], { env: fenv, input: VALUE })).code).toBe(0)
    spawnSync('rm', ['-f', keyFile])
    mkfifo(keyFile)
    spawnSync('chmod', ['600', keyFile])
    const r = await runCli(['reveal', 'prod'], { env: fenv, timeoutMs: 15_000 })
    expect(r.code, r.stderr).toBe(4)
    expect(r.stderr).toMatch(/a FIFO/)
  })
})

describe('the wait settings are bounded', () => {
  it('CREDCTL_KEYCHAIN_TIMEOUT_MS and CREDCTL_LOCK_TIMEOUT_MS outside 1..600000 ms, or not a whole number: exit 2', async () => {
    for (const name of ['CREDCTL_KEYCHAIN_TIMEOUT_MS', 'CREDCTL_LOCK_TIMEOUT_MS']) {
      for (const bad of ['0', '-5', '600001', '1e12', 'abc', '1.5']) {
        const r = await runCli(['create', '--name', 'a', '--type', 'openai', '--value-stdin'], { env: { ...t.env, CREDCTL_MASTER_KEY: name === 'CREDCTL_LOCK_TIMEOUT_MS' ? t.env.CREDCTL_MASTER_KEY : undefined, [name]: bad }, input: VALUE })
        expect(r.code, `${name}=${bad}: ${r.stderr}`).toBe(2)
        expect(r.stderr).toContain(`${name} must be a whole number of milliseconds from 1 to 600000`)
      }
    }
  })
})
