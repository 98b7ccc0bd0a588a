import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { createClient, CredctlError } from '../../src/index.js'
import { cachedStore } from '../../src/store/team-cache.js'
import type { VaultStore } from '../../src/store/types.js'
import { person, teamVault } from '../helpers/team-memory.js'
import { code } from '../helpers/error-code.js'

/**
 * The offline cache of a team vault (issue 14): reads from the cache when the database cannot be reached,
 * writes refused, offline use uploaded to history later, nothing but ciphertext on disk, `deny` honoured.
 */

const VALUE = 'sk-proj-offline-canary-5f2c9a1b7e3d'
const UNREACHABLE = new CredctlError('VAULT_IO', 'cannot connect to team vault t (test)')

/** The memory store, switchable to "unreachable" like a database behind a cut network. */
function switchable(inner: VaultStore) {
  let down = false
  const guard = <T>(f: () => Promise<T>) => (down ? Promise.reject(UNREACHABLE) : f())
  const s: VaultStore = {
    location: inner.location,
    load: () => guard(() => inner.load()),
    transact: (fn, o) => guard(() => inner.transact(fn, o)),
    exclusive: (n, fn, o) => guard(() => inner.exclusive(n, fn, o)),
    history: { location: inner.history.location, append: (e) => guard(() => inner.history.append(e)), read: () => guard(() => inner.history.read()) },
    schemas: { read: (i) => guard(() => inner.schemas.read(i)), write: (i, d) => guard(() => inner.schemas.write(i, d)), remove: (i) => guard(() => inner.schemas.remove(i)) },
    values: { fetch: (ids, p, d) => guard(() => inner.values!.fetch(ids, p, d)) },
  }
  return { s, setDown: (v: boolean) => (down = v) }
}


describe('team vault offline cache', () => {
  it('reads what this device used, refuses writes, uploads offline use later, keeps only ciphertext', async () => {
    const alice = await person('alice')
    const t = await teamVault(alice)
    await t.client(alice).credentials.create({ name: 'k', type: 'openai', value: VALUE })
    await t.client(alice).credentials.create({ name: 'never-used', type: 'anthropic', value: 'sk-ant-api03-' + 'z'.repeat(40) })
    const net = switchable(t.store)
    const notes: string[] = []
    const store = cachedStore(net.s, { env: alice.env, vaultId: t.store.snapshot()!.header.vault_id, isUnreachable: (e) => e === UNREACHABLE, onOffline: (n) => notes.push(n), keepValues: true })
    const c = () => createClient({ store, env: alice.env })
    expect(await c().credentials.reveal('k')).toBe(VALUE) // online: fetched, and kept for offline
    net.setDown(true)
    expect((await c().credentials.list()).map((x) => x.name).sort()).toEqual(['k', 'never-used'])
    expect(await c().credentials.reveal('k')).toBe(VALUE)
    expect(notes[0]).toMatch(/^offline: .* cannot be reached; using this device's cache as of /)
    expect(await code(c().credentials.reveal('never-used'))).toBe('VAULT_OFFLINE')
    expect(await code(c().credentials.create({ name: 'n', type: 'openai', value: VALUE }))).toBe('VAULT_OFFLINE')
    // Only ciphertext on disk.
    const dir = alice.env.CREDCTL_TEAMS_DIR!
    for (const f of readdirSync(dir)) expect(readFileSync(join(dir, f), 'utf8')).not.toContain(VALUE)
    net.setDown(false)
    await c().credentials.list()
    const h = await t.store.history.read()
    expect(h.some((e) => e.action === 'fetch:reveal' && /offline/.test(e.detail ?? ''))).toBe(true)
  })

  it("keeps no values when the vault's admin forbids offline use", async () => {
    const alice = await person('alice')
    const t = await teamVault(alice)
    await t.client(alice).credentials.create({ name: 'k', type: 'openai', value: VALUE })
    await t.client(alice).team.setOffline('deny')
    const net = switchable(t.store)
    const store = cachedStore(net.s, { env: alice.env, vaultId: t.store.snapshot()!.header.vault_id, isUnreachable: (e) => e === UNREACHABLE, onOffline: () => {}, keepValues: true })
    const c = () => createClient({ store, env: alice.env })
    expect(await c().credentials.reveal('k')).toBe(VALUE)
    net.setDown(true)
    expect((await c().credentials.list()).length).toBe(1)
    expect(await code(c().credentials.reveal('k'))).toBe('VAULT_OFFLINE')
  })
})
