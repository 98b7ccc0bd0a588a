import { randomUUID } from 'node:crypto'
import { createClient } from '../../src/index.js'
import { applyChanges, parseSnapshot } from '../../src/credentials/snapshot.js'
import { keyId, loadTeamKey, newTeamKey, wrapKey } from '../../src/keys/team.js'
import type { KeyContext } from '../../src/keys/types.js'
import { memoryStore } from '../../src/store/memory.js'
import type { StoredRecord, ValueStore, VaultSnapshot, VaultStore } from '../../src/store/types.js'
import type { MemberKind, TeamHeader, TeamRole } from '../../src/vault/team-header.js'
import type { Person } from './people.js'

/**
 * A genuine team vault to damage, for the tamper and recovery suites: in memory (memoryStore with values,
 * the team store's contract) or in a given store (PostgreSQL as its superuser), made as `vault create`
 * makes one (the admin's wrap, epoch 1, applyChanges: credentials/team.ts create, minus opening the
 * store by name) and then changed only through the SDK (createClient({ store, env }) of a member:
 * credentials, client.team.members add/remove with rotation). And the superuser's side: every row,
 * sealed values included (fullCopy), and writes straight into the rows (superuserWrite).
 */

export type MemoryTeamStore = ReturnType<typeof memoryStore>
/** A store with a team store's contract (sealed values kept apart): memoryStore(…, { values: true }) or PostgreSQL. */
export type TeamStore = MemoryTeamStore | (VaultStore & { values: ValueStore })

export interface MemberSpec {
  person: Person
  role: TeamRole
  kind?: MemberKind
  /** The name in the member list (default: the person's name). */
  member?: string
}

export interface CredentialSpec {
  name: string
  type: string
  value: string
  base_url?: string
}

export interface TeamVault {
  store: TeamStore
  /** The vault's location in messages. */
  location: string
  /** The admin who made it (the first member). */
  admin: Person
  /** The current vault key, read back through the admin's own wrap (the test knows it; a database admin does not). */
  key: Buffer
  vaultId: string
  /** Credential ids by name. */
  ids: Map<string, string>
  /** A member's SDK client on this store; `fetch` is what its checks send requests with. */
  client(p: Person, fetch?: typeof globalThis.fetch): CredctlClient
}

type CredctlClient = ReturnType<typeof createClient>

/** Key context of a person: their identity from CREDCTL_IDENTITY_FILE; no keychain. */
export function keyContextOf(p: Person): KeyContext {
  return {
    env: p.env,
    keychain: () => {
      throw new Error('the team-vault tests use identity files, not the keychain')
    },
  }
}

/** The loaded snapshot of `tv`, parsed (no key). */
export async function loaded(tv: Pick<TeamVault, 'store' | 'location'>) {
  return parseSnapshot((await tv.store.load())!, tv.location)
}

/** The current vault key, by the admin's wrap (keys/team.ts loadTeamKey, verified). */
async function currentKey(tv: Pick<TeamVault, 'store' | 'location' | 'admin'>): Promise<Buffer> {
  return loadTeamKey((await loaded(tv)).vault, tv.location, keyContextOf(tv.admin), true)
}

/**
 * A new team vault `name`: the first of `members` creates it (admin), creates `credentials` and adds the
 * other members, each through the SDK. In `opts.store` (empty, installed), else a new memory store.
 */
export async function makeTeamVault(name: string, members: MemberSpec[], credentials: CredentialSpec[], opts: { store?: TeamStore } = {}): Promise<TeamVault> {
  const [first, ...rest] = members
  if (!first || first.role !== 'admin') throw new Error('makeTeamVault: the first member creates the vault and must be an admin')
  const store = opts.store ?? memoryStore(`team vault ${name} (memory)`, { values: true })
  const location = store.location
  const vaultId = randomUUID()
  const { key, header } = newTeamKey(vaultId)
  const now = new Date().toISOString()
  const team: TeamHeader = {
    name,
    epoch: 1,
    offline: 'allow',
    members: [{ member: first.member ?? first.person.name, recipient: first.person.recipient, role: 'admin', kind: first.kind ?? 'human', db_role: null, wrap: await wrapKey(key, first.person.recipient), added_at: now }],
    epochs: [{ epoch: 1, key_id: keyId(key), back: null }],
  }
  await store.transact(async (tx) => {
    applyChanges(undefined, { version: 2, vault_id: vaultId, created_at: now, key: header, credentials: [], mac: '', team }, key, tx, location)
  })
  const client = (p: Person, fetch?: typeof globalThis.fetch) => createClient({ store, env: p.env, ...(fetch ? { fetch } : {}) })
  const tv: TeamVault = { store, location, admin: first.person, key, vaultId, ids: new Map(), client }
  const admin = client(first.person)
  for (const cr of credentials) {
    const c = await admin.credentials.create({ name: cr.name, type: cr.type, value: cr.value, ...(cr.base_url ? { base_url: cr.base_url } : {}) })
    tv.ids.set(cr.name, c.id)
  }
  for (const m of rest) await admin.team.members.add({ member: m.member ?? m.person.name, recipient: m.person.recipient, role: m.role, ...(m.kind ? { kind: m.kind } : {}) })
  return tv
}

/** A value changed by the admin (sealed anew, so its digest and record change). */
export async function setValue(tv: TeamVault, name: string, value: string): Promise<void> {
  await tv.client(tv.admin).credentials.update(name, { value })
}

/** `member add` by the admin: one wrap for the new member, nothing re-encrypted. */
export async function addMember(tv: TeamVault, m: MemberSpec): Promise<void> {
  await tv.client(tv.admin).team.members.add({ member: m.member ?? m.person.name, recipient: m.person.recipient, role: m.role, ...(m.kind ? { kind: m.kind } : {}) })
}

/** `member remove` by the admin, with rotation (a new key and epoch); tv.key follows. */
export async function removeMember(tv: TeamVault, member: string): Promise<void> {
  await tv.client(tv.admin).team.members.remove(member)
  tv.key = await currentKey(tv)
}

/** Soft delete, then purge, by the admin: the record is gone from the store. */
export async function purge(tv: TeamVault, name: string): Promise<void> {
  const c = tv.client(tv.admin)
  await c.credentials.delete(name)
  await c.credentials.purge(tv.ids.get(name)!)
}

/** What the store holds, sealed values included: a database admin's copy (pg_dump). */
export interface FullCopy {
  snap: VaultSnapshot
  sealed: Map<string, string>
}

/** Every row, sealed values included: the memory store hands them over; a database admin reads the secrets table (here: values.fetch as the superuser). */
export async function fullCopy(store: TeamStore): Promise<FullCopy> {
  const snap = (await store.load())!
  if ('sealedValues' in store) return { snap, sealed: store.sealedValues() }
  const got = await store.values!.fetch(snap.records.map((r) => r.id), 'export', 'superuser copy (test)')
  return { snap, sealed: new Map(got.map((x) => [x.id, x.sealed])) }
}

/**
 * A database superuser's write: straight into the store's rows, no key, no MAC. `f` gets the header, the
 * records (with their sealed values) and returns what to store instead; the store keeps exactly that.
 * `store` must be one with a superuser's rights (the memory store; a PostgreSQL store connected as postgres).
 */
export async function superuserWrite(store: TeamStore, f: (copy: FullCopy) => FullCopy | void): Promise<void> {
  const before = await fullCopy(store)
  const work: FullCopy = { snap: structuredClone(before.snap), sealed: new Map(before.sealed) }
  const after = f(work) ?? work
  await store.transact(async (tx) => {
    const keep = new Set(after.snap.records.map((r) => r.id))
    for (const r of tx.records()) if (!keep.has(r.id)) tx.remove(r.id)
    for (const r of after.snap.records) {
      const { sealed: _none, ...rest } = r
      const s = after.sealed.get(r.id)
      tx.put((s === undefined ? rest : { ...rest, sealed: s }) as StoredRecord)
    }
    tx.setHeader(after.snap.header)
  })
}
