import fc from 'fast-check'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createClient } from '../../src/index.js'
import { keptSequence, sequenceAccount, sequenceFile, type KeyContext, type Keychain } from '../../src/keys/index.js'
import { readVaultFile } from '../helpers/vault-file.js'

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

  it('file: <key file>.<vault id>.sequence beside the key (outside the vault directory), 0600, one line, no temp file left', async () => {
    const keyFile = path.join(dir, 'keys', 'credctl.key')
    mkdirSync(path.dirname(keyFile), { mode: 0o700 })
    writeFileSync(keyFile, `${KEY}\n`, { mode: 0o600 })
    const k = keptSequence({ vault_id: 'v', key: { source: 'file', check: CHECK, file: keyFile } }, path.join(dir, 'vault', 'vault.json'), ctxWith(fakeKeychain().kc))!
    expect(k.where).toBe(`${keyFile}.v.sequence`)
    expect(sequenceFile(keyFile, 'v')).toBe(k.where)
    expect(await k.read()).toBeUndefined()
    await k.raise(41)
    expect(readFileSync(k.where, 'utf8')).toBe('41\n')
    expect(statSync(k.where).mode & 0o777).toBe(0o600)
    expect(readFileSync(keyFile, 'utf8')).toBe(`${KEY}\n`)
    expect(readdirSync(path.dirname(keyFile)).sort()).toEqual(['credctl.key', 'credctl.key.v.sequence'])
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
    writeFileSync(sequenceFile(keyFile, 'v'), text)
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
    writeFileSync(sequenceFile(keyFile, 'v'), ' 17\n\n')
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
  // Format 2: every write (rotate-key's included) keeps the vault's new sequence, and a kept number
  // above the vault's own is an older copy, which rotate-key refuses like every other command. So the
  // test can no longer plant a number above the vault's and find it unchanged after the rotation;
  // instead it shows the rollback check refusing, then that an honest rotation moves the SAME keeper
  // (never deleted, never re-created at another place) up to the re-keyed vault's sequence.
  it('keychain: the kept number survives rotate-key (which moves the key to a new account); rotate-key raises it, never removes it', async () => {
    const { kc, store } = fakeKeychain()
    const deleted: string[] = []
    const del = kc.delete
    kc.delete = async (a) => (deleted.push(a), del(a))
    const vault = path.join(dir, 'vault.json')
    const c = createClient({ vault, env: {}, keychain: kc, keySource: 'keychain' })
    await c.credentials.create({ name: 'a', type: 'openai', value: 'sk-proj-AAAAAAAAAAAAAAAAAAAAAAAAAAAA' })
    await c.credentials.create({ name: 'b', type: 'openai', value: 'sk-proj-BBBBBBBBBBBBBBBBBBBBBBBBBBBB' })
    const before = readVaultFile(vault)
    const ctx = ctxWith(kc)
    const keeper = keptSequence(before, vault, ctx)!
    expect(await keeper.read()).toBe(before.sequence) // kept by the writes
    // A kept number above the vault's: the vault is an older copy, rotate-key refuses it and changes nothing.
    const text = readFileSync(vault, 'utf8')
    await keeper.raise(before.sequence + 1)
    await expect(c.rotateKey()).rejects.toMatchObject({ code: 'VAULT_DAMAGED', message: expect.stringContaining('older copy') })
    expect(readFileSync(vault, 'utf8')).toBe(text)
    expect(store.has(before.vault_id)).toBe(true)
    // Put the vault's own number back (the hint's remedy: remove the record of sequence), then rotate.
    store.delete(sequenceAccount(before.vault_id))
    await keeper.raise(before.sequence)
    await c.rotateKey()
    const after = readVaultFile(vault)
    expect(after.key.account).toBe(`${after.vault_id}:1`)
    expect(after.sequence).toBeGreaterThan(before.sequence)
    expect(store.has(before.vault_id)).toBe(false) // the old key entry is gone ...
    expect(deleted.filter((a) => !a.startsWith('probe-'))).toEqual([before.vault_id]) // ... and only it (besides the reachability probe's own): the kept number's entry was never removed ...
    expect(await keptSequence(after, vault, ctx)!.read()).toBe(after.sequence) // ... and now holds the re-keyed vault's number
  })

  it('file: the kept number survives rotate-key (which replaces the key file) beside the key, outside the vault directory', async () => {
    const vault = path.join(dir, 'vault', 'vault.json')
    const keyFile = path.join(dir, 'keys', 'credctl.key')
    const env = { CREDCTL_KEY_FILE: keyFile }
    const c = createClient({ vault, env, keychain: fakeKeychain().kc })
    await c.credentials.create({ name: 'a', type: 'openai', value: 'sk-proj-AAAAAAAAAAAAAAAAAAAAAAAAAAAA' })
    await c.credentials.create({ name: 'b', type: 'openai', value: 'sk-proj-BBBBBBBBBBBBBBBBBBBBBBBBBBBB' })
    const v = readVaultFile(vault)
    const k = keptSequence(v, vault, ctxWith(fakeKeychain().kc, env))!
    expect(path.relative(path.dirname(vault), k.where).startsWith('..')).toBe(true)
    expect(await k.read()).toBe(v.sequence)
    // A kept number above the vault's: an older copy, refused by rotate-key with nothing changed.
    const text = readFileSync(vault, 'utf8')
    const keyText = readFileSync(keyFile, 'utf8')
    await k.raise(v.sequence + 1)
    await expect(c.rotateKey()).rejects.toMatchObject({ code: 'VAULT_DAMAGED', message: expect.stringContaining('older copy') })
    expect(readFileSync(vault, 'utf8')).toBe(text)
    expect(readFileSync(keyFile, 'utf8')).toBe(keyText)
    writeFileSync(k.where, `${v.sequence}\n`) // the vault's own number back
    await c.rotateKey()
    const after = readVaultFile(vault)
    expect(readFileSync(keyFile, 'utf8')).not.toBe(keyText) // the key file was replaced ...
    expect(after.sequence).toBeGreaterThan(v.sequence)
    expect(await keptSequence(after, vault, ctxWith(fakeKeychain().kc))!.read()).toBe(after.sequence) // ... the keeper beside it followed
    expect(existsSync(`${keyFile}.next`)).toBe(false)
    expect(readdirSync(path.dirname(keyFile)).sort()).toEqual(['credctl.key', `credctl.key.${v.vault_id}.sequence`])
    expect(readdirSync(path.dirname(vault)).filter((n) => n.includes('sequence'))).toEqual([])
  })
})
