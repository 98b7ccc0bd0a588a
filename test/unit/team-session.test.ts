import { describe, expect, it } from 'vitest'
import { CredctlError } from '../../src/index.js'
import { person, teamVault } from '../helpers/team-memory.js'
import { aadFor, open } from '../../src/vault/cipher.js'
import { code } from '../helpers/error-code.js'

/**
 * The SDK's team vault semantics on the in-memory store (issue 14): members, roles, removal with rotation,
 * values kept apart and fetched on record. The PostgreSQL store runs the same contract (test/conformance).
 */


const VALUE = 'sk-proj-team-canary-0123456789abcdef'

describe('team vault on the memory store', () => {
  it('members read, readers cannot write, strangers are not members, removal rotates', async () => {
    const [alice, bob, carol] = await Promise.all([person('alice'), person('bob'), person('carol')])
    const t = await teamVault(alice)
    const a = t.client(alice)
    await a.credentials.create({ name: 'OpenAI Prod', type: 'openai', value: VALUE })
    // The body holds a digest, the value is kept apart.
    const snap = t.store.snapshot()!
    expect(snap.records[0]!.body).not.toContain('"secret":"v1.')
    expect(snap.records[0]!.body).toMatch(/"secret":"d1\./)
    expect((await a.credentials.reveal('OpenAI Prod'))).toBe(VALUE)
    // Each reveal fetched the value through the audited path.
    expect((await t.store.history.read()).some((e) => e.action === 'fetch:reveal')).toBe(true)

    expect(await code(t.client(bob).credentials.reveal('OpenAI Prod'))).toBe('NOT_A_MEMBER')
    await a.team.members.add({ member: 'bob', recipient: bob.recipient, role: 'reader' })
    await a.team.members.add({ member: 'carol', recipient: carol.recipient, role: 'writer' })
    const sealedBefore = t.store.sealedValues()
    expect((await t.client(bob).credentials.reveal('OpenAI Prod'))).toBe(VALUE)
    // Adding members re-encrypts nothing.
    expect(t.store.sealedValues()).toEqual(sealedBefore)
    expect(await code(t.client(bob).credentials.create({ name: 'x', type: 'openai', value: 'sk-proj-xxxxxxxxxxxxxxxxxxxx' }))).toBe('VAULT_FORBIDDEN')
    await t.client(carol).credentials.create({ name: 'Carol key', type: 'anthropic', value: 'sk-ant-api03-' + 'c'.repeat(40) })
    expect(await code(t.client(carol).credentials.purge('Carol key'))).toBe('VAULT_FORBIDDEN')
    expect(await code(t.client(carol).team.members.add({ member: 'dave', recipient: bob.recipient }))).toBe('VAULT_FORBIDDEN')

    const list = await a.team.members.list()
    expect(list.map((m) => [m.member, m.role, m.you])).toEqual([
      ['alice', 'admin', true],
      ['bob', 'reader', false],
      ['carol', 'writer', false],
    ])

    const removed = await a.team.members.remove('carol')
    expect(removed).toMatchObject({ rotated: true, epoch: 2, re_encrypted: 2 })
    expect(removed.to_change.map((c) => c.name).sort()).toEqual(['Carol key', 'OpenAI Prod'])
    expect(await code(t.client(carol).credentials.reveal('OpenAI Prod'))).toBe('NOT_A_MEMBER')
    // Every sealed value changed, and the old key opens none of them.
    const after = t.store.sealedValues()
    for (const [id, s] of after) {
      expect(s).not.toBe(sealedBefore.get(id) ?? '')
      expect(() => open(t.key, s, aadFor(t.store.snapshot()!.header.vault_id, id, 'value'))).toThrow()
    }
    expect((await a.credentials.reveal('OpenAI Prod'))).toBe(VALUE)
    // bob saw epoch 1; the back-chain leads him to epoch 2.
    expect((await t.client(bob).credentials.reveal('OpenAI Prod'))).toBe(VALUE)
    // Marked until the value changes at the provider (and here).
    expect((await a.credentials.get('OpenAI Prod')).needs_rotation_since).toBeDefined()
    await a.credentials.update('OpenAI Prod', { value: VALUE + 'x' })
    expect((await a.credentials.get('OpenAI Prod')).needs_rotation_since).toBeUndefined()
    expect((await a.credentials.get('Carol key')).needs_rotation_since).toBeDefined()
    // The rotation fetched every value on record, as member-remove.
    expect((await t.store.history.read()).some((e) => e.action === 'fetch:member-remove')).toBe(true)
  })

  it('refuses a member row or role the database slipped in, before any request', async () => {
    const [alice, mallory] = await Promise.all([person('alice'), person('mallory')])
    const t = await teamVault(alice)
    await t.client(alice).credentials.create({ name: 'k', type: 'openai', value: VALUE })
    await t.store.transact(async (tx) => {
      const h = structuredClone(tx.header()!)
      h.team!.members.push({ ...h.team!.members[0]!, member: 'mallory', recipient: mallory.recipient })
      tx.setHeader(h)
    })
    expect(await code(t.client(alice).credentials.reveal('k'))).toBe('VAULT_DAMAGED')
  })
})

describe('team vault: what the database cannot forge', () => {
  it("refuses a whole vault forged under a made-up key in place of this device's wrap (pinned key id)", async () => {
    const { newTeamKey, keyId, wrapKey } = await import('../../src/keys/team.js')
    const { applyChanges } = await import('../../src/credentials/snapshot.js')
    const alice = await person('alice')
    const t = await teamVault(alice)
    await t.client(alice).credentials.create({ name: 'k', type: 'openai', value: VALUE, base_url: 'https://api.openai.com/v1' } as never)
    expect(await t.client(alice).credentials.reveal('k')).toBe(VALUE)
    // The DBA knows alice's recipient (public) and rebuilds everything under a key of his own.
    const snap = t.store.snapshot()!
    const { key } = newTeamKey(snap.header.vault_id)
    await t.store.transact(async (tx) => {
      const h = structuredClone(tx.header()!)
      h.key = { source: 'team', check: (await import('../../src/keys/check.js')).sealCheck(h.vault_id, key) }
      h.team!.members[0]!.wrap = await wrapKey(key, alice.recipient)
      h.team!.epochs = [{ epoch: 1, key_id: keyId(key), back: null }]
      for (const r of tx.records()) tx.remove(r.id)
      applyChanges(undefined, { version: 2, vault_id: h.vault_id, created_at: h.created_at, key: h.key, credentials: [], mac: '', team: h.team }, key, tx, 'x')
    })
    expect(await code(t.client(alice).credentials.list().then(() => t.client(alice).credentials.create({ name: 'n', type: 'openai', value: VALUE })))).toBe('VAULT_DAMAGED')
  })

  it('refuses an older state put back (sequence and epoch kept per device)', async () => {
    const [alice, bob] = await Promise.all([person('alice'), person('bob')])
    const t = await teamVault(alice)
    const a = t.client(alice)
    await a.credentials.create({ name: 'k', type: 'openai', value: VALUE })
    await a.team.members.add({ member: 'bob', recipient: bob.recipient, role: 'reader' })
    const old = t.store.snapshot()!
    const oldSealed = t.store.sealedValues()
    await a.team.members.remove('bob')
    expect(await a.credentials.reveal('k')).toBe(VALUE)
    // Put the state from before the removal back (bob's wrap included).
    await t.store.transact(async (tx) => {
      for (const r of tx.records()) tx.remove(r.id)
      for (const r of old.records) tx.put({ ...r, sealed: oldSealed.get(r.id)! })
      tx.setHeader(old.header)
    })
    expect(await code(a.credentials.reveal('k'))).toBe('VAULT_DAMAGED')
  })
})

describe('moving a local vault into a team vault', () => {
  it('keeps ids, defaults, deleted records, verdicts and schemas', async () => {
    const { mkdtempSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const { randomBytes } = await import('node:crypto')
    const { createClient } = await import('../../src/index.js')
    const alice = await person('alice')
    const file = join(mkdtempSync(join(tmpdir(), 'credctl-local-')), 'vault.json')
    const env = { ...alice.env, CREDCTL_MASTER_KEY: randomBytes(32).toString('base64') }
    const local = createClient({ vault: file, env })
    const a = await local.credentials.create({ name: 'A', type: 'openai', value: VALUE })
    const b = await local.credentials.create({ name: 'B', type: 'openai', value: VALUE + 'b' })
    await local.credentials.setDefault('B')
    await local.credentials.delete('A')
    const t = await teamVault(alice)
    const team = createClient({ store: t.store, env })
    const r = await team.team.importLocal({ from: file })
    expect(r).toMatchObject({ imported: 2, deleted: 1 })
    const ids = (await team.credentials.get(b.id)).id
    expect(ids).toBe(b.id)
    expect((await team.credentials.get(a.id)).deleted_at).toBeDefined()
    expect((await team.credentials.get('B')).is_default).toBe(true)
    expect(await team.credentials.reveal('B')).toBe(VALUE + 'b')
    // A second import clashes on ids: nothing is imported.
    expect(await code(team.team.importLocal({ from: file }))).toBe('NAME_TAKEN')
  })
})

describe('conflicts', () => {
  it('a value changed by a colleague since it was read is a conflict, not an overwrite', async () => {
    const [alice, carol] = await Promise.all([person('alice'), person('carol')])
    const t = await teamVault(alice)
    const a = t.client(alice)
    await a.credentials.create({ name: 'k', type: 'openai', value: VALUE })
    await a.team.members.add({ member: 'carol', recipient: carol.recipient, role: 'writer' })
    const seen = await a.credentials.get('k')
    await new Promise((r) => setTimeout(r, 5))
    await t.client(carol).credentials.update('k', { value: VALUE + 'carol' })
    expect(await code(a.credentials.update('k', { value: VALUE + 'alice', ifUnchangedSince: seen.updated_at }))).toBe('VAULT_CONFLICT')
    expect(await a.credentials.reveal('k')).toBe(VALUE + 'carol')
  })
})
