import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createClient } from '../../src/index.js'
import { readVaultFile } from '../helpers/vault-file.js'
import { sequenceAccount, type Keychain } from '../../src/keys/index.js'

// Issue 10, section 3: a keychain call may wait up to CREDCTL_KEYCHAIN_TIMEOUT_MS, so none may happen
// while the vault lock is held (every other writer would time out behind it). The keychain here records,
// at every call, whether <vault>.lock exists.

let dir: string
let vault: string
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'credctl-kc-lock-'))
  vault = path.join(dir, 'vault.json')
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

function watchedKeychain(onGet?: () => Promise<void>) {
  const store = new Map<string, string>()
  const underLock: string[] = []
  const note = (what: string) => {
    if (existsSync(`${vault}.lock`)) underLock.push(what)
  }
  const kc: Keychain = {
    get: async (a) => {
      note(`get ${a}`)
      const v = store.get(a) ?? null
      await onGet?.()
      return v
    },
    set: async (a, s) => {
      note(`set ${a}`)
      store.set(a, s)
    },
    delete: async (a) => {
      note(`delete ${a}`)
      return store.delete(a)
    },
  }
  return { kc, store, underLock }
}

describe('no keychain call while the vault lock is held', () => {
  it('create (new vault and after), update, delete, rotate-key, status, reveal', async () => {
    const { kc, store, underLock } = watchedKeychain()
    const c = createClient({ vault, env: {}, keychain: kc, keySource: 'keychain' })
    await c.credentials.create({ name: 'a', type: 'openai', value: 'sk-proj-AAAAAAAAAAAAAAAAAAAAAAAAAAAA' })
    await c.credentials.create({ name: 'b', type: 'groq', value: 'gsk_BBBBBBBBBBBBBBBBBBBBBBBBBBBB' })
    await c.credentials.update('a', { description: 'x' })
    await c.credentials.delete('b')
    await c.rotateKey()
    await c.rotateKey()
    expect((await c.status()).integrity?.status).toBe('ok')
    expect(await c.credentials.reveal('a')).toBe('sk-proj-AAAAAAAAAAAAAAAAAAAAAAAAAAAA')
    expect(underLock).toEqual([])
    // Two rotations: only the current key account remains, beside the vault's kept sequence (its own
    // entry `<vault id>:sequence`, issue 13), which holds the vault's sequence after the last write.
    const v = readVaultFile(vault)
    expect([...store.keys()].filter((k) => !k.startsWith('probe-')).sort()).toEqual([v.key.account, sequenceAccount(v.vault_id)].sort())
    expect(store.get(sequenceAccount(v.vault_id))).toBe(String(v.sequence))
  })

  it('a vault re-keyed while a change fetched its key: the change releases, fetches the new key and retries', async () => {
    let rotateOnce: (() => Promise<void>) | undefined
    const { kc, underLock } = watchedKeychain(async () => {
      // The first read of the key by `update`: meanwhile another client re-keys the vault.
      const r = rotateOnce
      rotateOnce = undefined
      await r?.()
    })
    const setup = createClient({ vault, env: {}, keychain: kc, keySource: 'keychain' })
    await setup.credentials.create({ name: 'a', type: 'openai', value: 'sk-proj-AAAAAAAAAAAAAAAAAAAAAAAAAAAA' })
    const other = createClient({ vault, env: {}, keychain: kc })
    rotateOnce = async () => void (await other.rotateKey())
    const c = createClient({ vault, env: {}, keychain: kc })
    await c.credentials.update('a', { description: 'after the rotation' })
    const v = readVaultFile(vault)
    expect(v.key.account).toMatch(/:1$/)
    expect((await c.credentials.get('a')).description).toBe('after the rotation')
    expect(await c.credentials.reveal('a')).toBe('sk-proj-AAAAAAAAAAAAAAAAAAAAAAAAAAAA')
    expect(underLock).toEqual([])
  })

  it('two rotations at once take turns: both re-key, the vault opens, one entry is left', async () => {
    const { kc, store, underLock } = watchedKeychain(() => new Promise((r) => setTimeout(r, 5)))
    const setup = createClient({ vault, env: {}, keychain: kc, keySource: 'keychain' })
    await setup.credentials.create({ name: 'a', type: 'openai', value: 'sk-proj-AAAAAAAAAAAAAAAAAAAAAAAAAAAA' })
    const [r1, r2] = await Promise.all([createClient({ vault, env: {}, keychain: kc }).rotateKey(), createClient({ vault, env: {}, keychain: kc }).rotateKey()])
    expect(new Set([r1.keychain_account, r2.keychain_account]).size).toBe(2)
    const v = readVaultFile(vault)
    const account = v.key.account
    expect(account).toMatch(/:2$/)
    // One key entry left (plus the kept sequence's own entry, which follows the vault id, not the key).
    expect([...store.keys()].filter((k) => !k.startsWith('probe-')).sort()).toEqual([account, sequenceAccount(v.vault_id)].sort())
    expect(store.get(sequenceAccount(v.vault_id))).toBe(String(v.sequence))
    expect(await setup.credentials.reveal('a')).toBe('sk-proj-AAAAAAAAAAAAAAAAAAAAAAAAAAAA')
    expect(existsSync(`${vault}.rotate.lock`)).toBe(false)
    expect(underLock).toEqual([])
  })
})
