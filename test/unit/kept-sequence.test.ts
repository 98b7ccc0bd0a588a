import fc from 'fast-check'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createClient } from '../../src/index.js'
import { keptSequence, sequenceAccount, sequenceFile, type KeyContext, type Keychain } from '../../src/keys/index.js'
import { parseVault } from '../../src/vault/format.js'

// Issue 13 point 5: where the key source can hold it (keychain entry, key file), credctl keeps the
// highest vault sequence number seen, so an older copy of the vault restored over it can be detected.
// Real files; the keychain is the in-memory fake the other keychain unit tests inject.

let dir: string
beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'credctl-seq-'))))
afterEach(() => rmSync(dir, { recursive: true, force: true }))

function fakeKeychain() {
  const store = new Map<string, string>()
  const kc: Keychain = {
    get: async (a) => store.get(a) ?? null,
    set: async (a, s) => void store.set(a, s),
    delete: async (a) => store.delete(a),
  }
  return { kc, store }
}

const KEY = Buffer.alloc(32, 7).toString('base64')
const ctxWith = (kc: Keychain, env: Record<string, string> = {}): KeyContext => ({ env, keychain: () => kc })
const CHECK = 'x' // the keeper never reads the key check

describe('keptSequence: which sources keep it', () => {
  it('env and passphrase have nowhere to keep it: undefined', () => {
    const { kc } = fakeKeychain()
    for (const source of ['env', 'passphrase'] as const) {
      expect(keptSequence({ vault_id: 'v', key: { source, check: CHECK } }, '/x/vault.json', ctxWith(kc))).toBeUndefined()
    }
  })

  it('keychain: its own entry (account <vault id>:sequence), never the key entry, and it survives a rotated key account', async () => {
    const { kc, store } = fakeKeychain()
    store.set('v1', 'THE-KEY')
    store.set('v1:3', 'THE-ROTATED-KEY')
    for (const key of [{ source: 'keychain' as const, check: CHECK }, { source: 'keychain' as const, check: CHECK, account: 'v1:3' }]) {
      const k = keptSequence({ vault_id: 'v1', key }, '/x/vault.json', ctxWith(kc))!
      expect(k.where).toContain(sequenceAccount('v1'))
      await k.raise(5 + (key.account ? 1 : 0))
    }
    expect(store.get('v1')).toBe('THE-KEY')
    expect(store.get('v1:3')).toBe('THE-ROTATED-KEY')
    expect(store.get('v1:sequence')).toBe('6')
    expect(sequenceAccount('v1')).toBe('v1:sequence')
  })

  it('file: <key file>.sequence beside the key (outside the vault directory), 0600, one line, no temp file left', async () => {
    const keyFile = path.join(dir, 'keys', 'credctl.key')
    mkdirSync(path.dirname(keyFile), { mode: 0o700 })
    writeFileSync(keyFile, `${KEY}\n`, { mode: 0o600 })
    const k = keptSequence({ vault_id: 'v', key: { source: 'file', check: CHECK, file: keyFile } }, path.join(dir, 'vault', 'vault.json'), ctxWith(fakeKeychain().kc))!
    expect(k.where).toBe(`${keyFile}.sequence`)
    expect(sequenceFile(keyFile)).toBe(k.where)
    expect(await k.read()).toBeUndefined()
    await k.raise(41)
    expect(readFileSync(k.where, 'utf8')).toBe('41\n')
    expect(statSync(k.where).mode & 0o777).toBe(0o600)
    expect(readFileSync(keyFile, 'utf8')).toBe(`${KEY}\n`)
    expect(readdirSync(path.dirname(keyFile)).sort()).toEqual(['credctl.key', 'credctl.key.sequence'])
    expect(await k.read()).toBe(41)
  })
})

describe('raise never lowers; read gives the highest raised', () => {
  const keepers = () => {
    const { kc } = fakeKeychain()
    const keyFile = path.join(dir, `k-${Math.random().toString(36).slice(2)}.key`)
    return [
      keptSequence({ vault_id: `v-${Math.random()}`, key: { source: 'keychain', check: CHECK } }, 'vault', ctxWith(kc))!,
      keptSequence({ vault_id: 'v', key: { source: 'file', check: CHECK, file: keyFile } }, 'vault', ctxWith(kc))!,
    ]
  }

  it('for any sequence of raises, read() is their maximum', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat({ max: Number.MAX_SAFE_INTEGER }), { minLength: 1, maxLength: 8 }), async (ns) => {
        for (const k of keepers()) {
          for (const n of ns) await k.raise(n)
          expect(await k.read(), k.where).toBe(Math.max(...ns))
        }
      }),
      { numRuns: 40 },
    )
  })

  it('refuses to keep anything but a non-negative safe integer (INVALID_INPUT), keeping what it had', async () => {
    for (const k of keepers()) {
      await k.raise(3)
      for (const bad of [-1, 1.5, Number.NaN, Infinity, 2 ** 53]) await expect(k.raise(bad)).rejects.toMatchObject({ code: 'INVALID_INPUT' })
      expect(await k.read()).toBe(3)
    }
  })
})

describe('a kept value that does not parse reads as undefined (and is replaced by the next raise)', () => {
  const junk = ['', ' ', 'abc', '-1', '1.5', '0x10', '1e3', '12 34', '99999999999999999', '\u0661', '7\u0000']
  it.each(junk)('%j', async (text) => {
    const { kc, store } = fakeKeychain()
    const keyFile = path.join(dir, 'credctl.key')
    writeFileSync(sequenceFile(keyFile), text)
    store.set('v:sequence', text)
    for (const key of [{ source: 'keychain' as const, check: CHECK }, { source: 'file' as const, check: CHECK, file: keyFile }]) {
      const k = keptSequence({ vault_id: 'v', key }, 'vault', ctxWith(kc))!
      expect(await k.read(), k.where).toBeUndefined()
      await k.raise(2)
      expect(await k.read(), k.where).toBe(2)
    }
  })

  it('surrounding whitespace (a hand-edited file with a newline) still parses', async () => {
    const keyFile = path.join(dir, 'credctl.key')
    writeFileSync(sequenceFile(keyFile), ' 17\n\n')
    expect(await keptSequence({ vault_id: 'v', key: { source: 'file', check: CHECK, file: keyFile } }, 'vault', ctxWith(fakeKeychain().kc))!.read()).toBe(17)
  })
})

describe('a keeper that cannot be used says so (it never reads as "nothing kept")', () => {
  it('keychain errors are KEY_UNAVAILABLE', async () => {
    const kc: Keychain = {
      get: async () => {
        throw new Error('keychain did not answer within 5 ms (read)')
      },
      set: async () => {
        throw new Error('locked')
      },
      delete: async () => false,
    }
    const k = keptSequence({ vault_id: 'v', key: { source: 'keychain', check: CHECK } }, 'vault', ctxWith(kc))!
    await expect(k.read()).rejects.toMatchObject({ code: 'KEY_UNAVAILABLE', message: expect.stringContaining('did not answer') })
    await expect(k.raise(1)).rejects.toMatchObject({ code: 'KEY_UNAVAILABLE' })
  })

  const fileKeeper = () => keptSequence({ vault_id: 'v', key: { source: 'file', check: CHECK, file: path.join(dir, 'credctl.key') } }, 'vault', ctxWith(fakeKeychain().kc))!

  it('a directory where the sequence file goes is KEY_UNAVAILABLE for read and raise', async () => {
    const k = fileKeeper()
    mkdirSync(k.where)
    await expect(k.read()).rejects.toMatchObject({ code: 'KEY_UNAVAILABLE', message: expect.stringContaining('a directory') })
    await expect(k.raise(1)).rejects.toMatchObject({ code: 'KEY_UNAVAILABLE' })
  })

  // root reads a 0000 file all the same.
  it.skipIf(process.getuid?.() === 0)('an unreadable sequence file is KEY_UNAVAILABLE', async () => {
    const k = fileKeeper()
    writeFileSync(k.where, '5\n', { mode: 0o600 })
    chmodSync(k.where, 0o000)
    await expect(k.read()).rejects.toMatchObject({ code: 'KEY_UNAVAILABLE', message: expect.stringContaining('EACCES') })
  })
})

describe('with a real vault: the keepers follow the vault id through rotate-key', () => {
  it('keychain: the kept number survives rotate-key (which moves the key to a new account) and rotate-key leaves it alone', async () => {
    const { kc, store } = fakeKeychain()
    const vault = path.join(dir, 'vault.json')
    const c = createClient({ vault, env: {}, keychain: kc, keySource: 'keychain' })
    await c.credentials.create({ name: 'a', type: 'openai', value: 'sk-proj-AAAAAAAAAAAAAAAAAAAAAAAAAAAA' })
    const before = parseVault(readFileSync(vault, 'utf8'))
    const ctx = ctxWith(kc)
    await keptSequence(before, vault, ctx)!.raise(9)
    await c.rotateKey()
    const after = parseVault(readFileSync(vault, 'utf8'))
    expect(after.key.account).toBe(`${after.vault_id}:1`)
    expect(store.has(after.vault_id)).toBe(false) // the old key entry is gone ...
    expect(await keptSequence(after, vault, ctx)!.read()).toBe(9) // ... the kept number is not
  })

  it('file: the kept number survives rotate-key (which replaces the key file) beside the key, outside the vault directory', async () => {
    const vault = path.join(dir, 'vault', 'vault.json')
    const keyFile = path.join(dir, 'keys', 'credctl.key')
    const env = { CREDCTL_KEY_FILE: keyFile }
    const c = createClient({ vault, env, keychain: fakeKeychain().kc })
    await c.credentials.create({ name: 'a', type: 'openai', value: 'sk-proj-AAAAAAAAAAAAAAAAAAAAAAAAAAAA' })
    const v = parseVault(readFileSync(vault, 'utf8'))
    const k = keptSequence(v, vault, ctxWith(fakeKeychain().kc, env))!
    expect(path.relative(path.dirname(vault), k.where).startsWith('..')).toBe(true)
    await k.raise(12)
    await c.rotateKey()
    expect(await keptSequence(parseVault(readFileSync(vault, 'utf8')), vault, ctxWith(fakeKeychain().kc))!.read()).toBe(12)
    expect(existsSync(`${keyFile}.next`)).toBe(false)
    expect(readdirSync(path.dirname(vault)).filter((n) => n.includes('sequence'))).toEqual([])
  })
})
