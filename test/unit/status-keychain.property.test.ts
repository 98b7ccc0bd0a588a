import fc from 'fast-check'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClient } from '../../src/index.js'
import type { Keychain } from '../../src/keys/index.js'

// Issue 13 point 6: `status` probes the keychain only for a vault that uses it. The kind of input is
// the key-source configuration (--key-source, CREDCTL_KEY_SOURCE, CREDCTL_MASTER_KEY, CREDCTL_KEY_FILE,
// CREDCTL_PASSPHRASE), with and without a vault. The keychain here counts every call, probe included.

let dir: string
beforeAll(() => (dir = mkdtempSync(path.join(tmpdir(), 'credctl-status-kc-'))))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function countingKeychain() {
  const calls: string[] = []
  const store = new Map<string, string>()
  const kc: Keychain = {
    get: async (a) => (calls.push('get'), store.get(a) ?? null),
    set: async (a, s) => void (calls.push('set'), store.set(a, s)),
    delete: async (a) => (calls.push('delete'), store.delete(a)),
    probe: async () => void calls.push('probe'),
  }
  return { kc, calls }
}

const KEY = Buffer.alloc(32, 7).toString('base64')
const SOURCES = ['env', 'passphrase', 'file', 'keychain'] as const

/** The key-source rule of a new vault, written out independently of src/keys/index.ts. */
function expectedSource(flag: string | undefined, env: Record<string, string>): string {
  const explicit = flag ?? env.CREDCTL_KEY_SOURCE
  if (explicit) return explicit
  if (env.CREDCTL_MASTER_KEY) return 'env'
  if (env.CREDCTL_KEY_FILE) return 'file'
  if (env.CREDCTL_PASSPHRASE) return 'passphrase'
  return 'keychain'
}

let n = 0
describe('status and the keychain', () => {
  it('with no vault yet: probes exactly when the first write would put the key in the keychain', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.option(fc.constantFrom(...SOURCES), { nil: undefined }),
        fc.record(
          {
            CREDCTL_KEY_SOURCE: fc.constantFrom(...SOURCES),
            CREDCTL_MASTER_KEY: fc.constant(KEY),
            CREDCTL_KEY_FILE: fc.constant('/nonexistent/credctl-key'),
            CREDCTL_PASSPHRASE: fc.constant('correct horse'),
          },
          { requiredKeys: [] },
        ),
        async (flag, env) => {
          const { kc, calls } = countingKeychain()
          const vault = path.join(dir, `none-${n++}`, 'vault.json')
          const s = await createClient({ vault, env, keychain: kc, keySource: flag }).status()
          const want = expectedSource(flag, env)
          expect(s.exists).toBe(false)
          expect(s.key_source).toBeNull()
          expect(s.new_key_source).toBe(want)
          if (want === 'keychain') {
            expect(calls).toEqual(['probe'])
            expect(s.keychain).toEqual({ used: true, reachable: true, reason: null })
          } else {
            expect(calls).toEqual([])
            expect(s.keychain).toEqual({ used: false, reachable: null, reason: null })
          }
        },
      ),
      { numRuns: 60 },
    )
  })

  it('an existing env-key vault is not probed, whatever a new vault would choose; a keychain vault is', async () => {
    const envVault = path.join(dir, 'env', 'vault.json')
    await createClient({ vault: envVault, env: { CREDCTL_MASTER_KEY: KEY } }).credentials.create({ name: 'a', type: 'openai', value: 'sk-proj-AAAAAAAAAAAAAAAAAAAAAAAAAAAA' })
    const { kc, calls } = countingKeychain()
    const s = await createClient({ vault: envVault, env: { CREDCTL_MASTER_KEY: KEY }, keychain: kc }).status()
    expect(s).toMatchObject({ exists: true, key_source: 'env', keychain: { used: false, reachable: null }, integrity: { status: 'ok' } })
    expect(s.new_key_source).toBeUndefined()
    expect(calls).toEqual([])

    const kcVault = path.join(dir, 'kc', 'vault.json')
    const k = countingKeychain()
    await createClient({ vault: kcVault, env: {}, keychain: k.kc, keySource: 'keychain' }).credentials.create({ name: 'a', type: 'openai', value: 'sk-proj-AAAAAAAAAAAAAAAAAAAAAAAAAAAA' })
    k.calls.length = 0
    const t = await createClient({ vault: kcVault, env: {}, keychain: k.kc }).status()
    expect(t).toMatchObject({ key_source: 'keychain', keychain: { used: true, reachable: true } })
    expect(k.calls).toContain('probe')
  })
})
