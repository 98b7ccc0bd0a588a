import { randomBytes } from 'node:crypto'
import { createClient } from '../../src/index.js'
import { applyChanges, parseSnapshot } from '../../src/credentials/snapshot.js'
import { sealCheck } from '../../src/keys/check.js'
import { keyId, nextEpoch, rewrapAll, wrapKey } from '../../src/keys/team.js'
import type { KeyContext } from '../../src/keys/types.js'
import { memoryStore } from '../../src/store/memory.js'
import type { StoredRecord, VaultSnapshot } from '../../src/store/types.js'
import { aadFor, open, seal } from '../../src/vault/cipher.js'
import type { VaultFile } from '../../src/vault/format.js'
import type { MemberKind, TeamHeader, TeamMember, TeamRole } from '../../src/vault/team-header.js'
import type { Person } from './people.js'

/**
 * A team vault in memory (memoryStore with values: the team store's contract), made and changed the way
 * the SDK's team session does it, from the pieces it uses: keys/team.ts (wraps, key ids, epochs) and
 * credentials/snapshot.ts (record and head MACs, sealed values kept apart). For the tamper and recovery
 * suites, which need a genuine vault to damage, and for the bench. Records are made by the SDK itself
 * (a local vault under the same key, then moved under the team header), so their bodies are exactly
 * what credctl writes.
 */

export type MemoryTeamStore = ReturnType<typeof memoryStore>

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
  store: MemoryTeamStore
  /** The vault's location in messages. */
  location: string
  /** The current vault key (the test knows it; a database admin does not). */
  key: Buffer
  /** Every key so far, epoch 1 first. */
  keys: Buffer[]
  vaultId: string
  /** Credential ids by name. */
  ids: Map<string, string>
}

/** Key context of a person: their identity from CREDCTL_IDENTITY_FILE; no keychain. */
export function keyContextOf(p: Person): KeyContext {
  return {
    env: p.env,
    keychain: () => {
      throw new Error('the team-vault tests use identity files, not the keychain')
    },
  }
}

const byMember = (a: TeamMember, b: TeamMember) => (a.member < b.member ? -1 : a.member > b.member ? 1 : 0)

async function memberRow(m: MemberSpec, key: Buffer, at: string): Promise<TeamMember> {
  return { member: m.member ?? m.person.name, recipient: m.person.recipient, role: m.role, kind: m.kind ?? 'human', db_role: null, wrap: await wrapKey(key, m.person.recipient), added_at: at }
}

/** The loaded snapshot of `tv`, parsed (no key). */
export async function loaded(tv: Pick<TeamVault, 'store' | 'location'>) {
  return parseSnapshot((await tv.store.load())!, tv.location)
}

/**
 * A new team vault `name` with `members` and `credentials`, made by an admin who holds the key
 * (sequence 1 after creation, as the SDK's first write gives).
 */
export async function makeTeamVault(name: string, members: MemberSpec[], credentials: CredentialSpec[]): Promise<TeamVault> {
  const key = randomBytes(32)
  // The records as the SDK writes them, sealed under `key` (the env source takes the key as is).
  const local = memoryStore(`local ${name}`)
  const c = createClient({ store: local, env: { CREDCTL_MASTER_KEY: key.toString('base64') } })
  for (const cr of credentials) await c.credentials.create({ name: cr.name, type: cr.type, value: cr.value, ...(cr.base_url ? { base_url: cr.base_url } : {}) })
  const v = parseSnapshot((await local.load())!, 'local').vault
  const at = new Date().toISOString()
  const team: TeamHeader = {
    name,
    epoch: 1,
    offline: 'allow',
    members: (await Promise.all(members.map((m) => memberRow(m, key, at)))).sort(byMember),
    epochs: [{ epoch: 1, key_id: keyId(key), back: null }],
  }
  const next: VaultFile = { ...v, version: 2, key: { source: 'team', check: sealCheck(v.vault_id, key) }, team }
  const location = `team vault ${name}`
  const store = memoryStore(location, { values: true })
  await store.transact(async (tx) => {
    applyChanges(undefined, next, key, tx, location)
  })
  return { store, location, key, keys: [key], vaultId: v.vault_id, ids: new Map(v.credentials.map((r) => [r.name, r.id])) }
}

/** An admin's change to the vault under the current key (applyChanges: the SDK's one writer). */
export async function change(tv: TeamVault, f: (v: VaultFile) => void | Promise<void>): Promise<void> {
  const l = await loaded(tv)
  const next = structuredClone(l.vault)
  await f(next)
  await tv.store.transact(async (tx) => {
    applyChanges(l, next, tv.key, tx, tv.location)
  })
}

/** A value changed by a member who holds the key: sealed anew, so its digest and record change. */
export function setValue(tv: TeamVault, name: string, value: string): Promise<void> {
  return change(tv, (v) => {
    const r = v.credentials.find((x) => x.name === name)!
    r.secret = seal(tv.key, value, aadFor(v.vault_id, r.id, 'value'))
    r.updated_at = new Date().toISOString()
  })
}

/** `member add`: one wrap for the new member, nothing re-encrypted. */
export function addMember(tv: TeamVault, m: MemberSpec): Promise<void> {
  return change(tv, async (v) => {
    v.team!.members = [...v.team!.members, await memberRow(m, tv.key, new Date().toISOString())].sort(byMember)
  })
}

/**
 * `member remove` with rotation: a new key and epoch (its `back` seals the old key), every value re-sealed
 * and every remaining member re-wrapped, in one transaction.
 */
export async function removeMember(tv: TeamVault, member: string): Promise<void> {
  const l = await loaded(tv)
  const old = tv.key
  const key = randomBytes(32)
  const next = structuredClone(l.vault)
  const t = next.team!
  const values = new Map((await tv.store.values!.fetch([...l.stored.keys()], 'member-remove')).map((x) => [x.id, x.sealed]))
  for (const r of next.credentials) {
    const aad = aadFor(next.vault_id, r.id, 'value')
    r.secret = seal(key, open(old, values.get(r.id)!, aad), aad)
  }
  t.members = await rewrapAll(t.members.filter((m) => m.member !== member), key)
  t.epoch += 1
  t.epochs = [...t.epochs, nextEpoch(next.vault_id, old, key, t.epoch)]
  next.key = { source: 'team', check: sealCheck(next.vault_id, key) }
  await tv.store.transact(async (tx) => {
    applyChanges(l, next, key, tx, tv.location, old)
  })
  tv.key = key
  tv.keys.push(key)
}

/** What the store holds, sealed values included: a database admin's copy (pg_dump). */
export interface FullCopy {
  snap: VaultSnapshot
  sealed: Map<string, string>
}

export async function fullCopy(store: MemoryTeamStore): Promise<FullCopy> {
  return { snap: (await store.load())!, sealed: store.sealedValues() }
}

/**
 * A database superuser's write: straight into the store's rows, no key, no MAC. `f` gets the header, the
 * records (with their sealed values) and returns what to store instead; the store keeps exactly that.
 */
export async function superuserWrite(store: MemoryTeamStore, f: (copy: FullCopy) => FullCopy | void): Promise<void> {
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
