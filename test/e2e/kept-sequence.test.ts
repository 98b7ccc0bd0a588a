import { randomUUID } from 'node:crypto'
import { execFileSync, spawnSync } from 'node:child_process'
import { afterEach, describe, expect, it } from 'vitest'
import { keptSequence, osKeychain, sequenceAccount, type KeyContext } from '../../src/keys/index.js'
import { hasSecretService, mustRun } from '../helpers/keyring.js'

// Issue 13 point 5 against the real GNOME Keyring that scripts/with-keyring.sh starts: the keychain
// keeper of a vault's sequence number round-trips through the Secret Service, in its own entry, through
// the same child-process runner (and timeout) as the key.
const available = hasSecretService()
if (!available && mustRun) throw new Error('CI=true but no Secret Service: run the tests through scripts/with-keyring.sh (npm test does)')

const lookup = (account: string): string | null => {
  const r = spawnSync('secret-tool', ['lookup', 'service', 'credctl', 'username', account], { encoding: 'utf8', env: process.env })
  return r.status === 0 && r.stdout ? r.stdout.trim() : null
}
const ids: string[] = []
afterEach(() => {
  for (const id of ids.splice(0)) execFileSync('secret-tool', ['clear', 'service', 'credctl', 'username', sequenceAccount(id)], { env: process.env })
})

describe.skipIf(!available)('the kept sequence number in the OS keychain (GNOME Keyring)', () => {
  it('raise and read round-trip; raise never lowers; the entry is <vault id>:sequence and no key entry appears', async () => {
    const id = randomUUID()
    ids.push(id)
    const ctx: KeyContext = { env: {}, keychain: () => osKeychain(4000) }
    const k = keptSequence({ vault_id: id, key: { source: 'keychain', check: 'x' } }, '/nowhere/vault.json', ctx)!
    expect(await k.read()).toBeUndefined()
    await k.raise(3)
    expect(await k.read()).toBe(3)
    expect(lookup(`${id}:sequence`)).toBe('3')
    await k.raise(2)
    expect(await k.read()).toBe(3)
    await k.raise(Number.MAX_SAFE_INTEGER)
    expect(await k.read()).toBe(Number.MAX_SAFE_INTEGER)
    expect(lookup(id)).toBeNull()
    // A fresh keeper (another process would build one the same way) reads the same entry.
    expect(await keptSequence({ vault_id: id, key: { source: 'keychain', check: 'x', account: `${id}:4` } }, '/nowhere/vault.json', ctx)!.read()).toBe(Number.MAX_SAFE_INTEGER)
  })

  it('a value that does not parse reads as undefined, and the next raise replaces it', async () => {
    const id = randomUUID()
    ids.push(id)
    const kc = osKeychain(4000)
    await kc.set(sequenceAccount(id), 'not a number')
    const k = keptSequence({ vault_id: id, key: { source: 'keychain', check: 'x' } }, '/nowhere/vault.json', { env: {}, keychain: () => kc })!
    expect(await k.read()).toBeUndefined()
    await k.raise(7)
    expect(lookup(sequenceAccount(id))).toBe('7')
  })
})
