import { isSealed } from './cipher.js'
import { ISO_TIME } from './record-schema.js'

/**
 * A team vault's header beyond a local one's (issue 14): its members, each with the vault key wrapped for
 * their age recipient, and the key epochs. Defined here, in the vault layer, because the record codec, the
 * integrity rules (integrity.ts teamManifest) and every store share it; store/types.ts re-exports it.
 */

/** What a member may do (issue 14), enforced by credctl and, for PostgreSQL, by the database's grants. */
export type TeamRole = 'reader' | 'writer' | 'admin'
export const TEAM_ROLES: readonly TeamRole[] = ['reader', 'writer', 'admin']

/** A person's device, a CI job, or a recovery identity kept offline. */
export type MemberKind = 'human' | 'ci' | 'recovery'
export const MEMBER_KINDS: readonly MemberKind[] = ['human', 'ci', 'recovery']

/**
 * One member of a team vault: one age X25519 recipient (one device or CI job; a person with two devices
 * is two members, e.g. `alice@laptop`, `alice@desktop`). The whole row is covered by the head MAC
 * (vault/integrity.ts teamManifest), so a database admin cannot slip in a recipient or raise a role.
 */
export interface TeamMember {
  /** Who: 1-64 of [A-Za-z0-9._@+-] (MEMBER_NAME). */
  member: string
  /** The age X25519 recipient, `age1…`: given by the person, never taken from the database. */
  recipient: string
  role: TeamRole
  kind: MemberKind
  /** The database login role this member connects as (history's actor), or null when not said. */
  db_role: string | null
  /** The current epoch's vault key wrapped for `recipient`: a standard binary age file, base64. */
  wrap: string
  /** ISO 8601 UTC. */
  added_at: string
}

/**
 * One vault key generation. Epoch 1 is the key the vault was created with; each rotation (member remove,
 * rotate-key) adds one. `back` is the previous epoch's key sealed under this epoch's key (vault/cipher
 * seal, AAD `<vault id>/epoch/<n>`): a device that pinned an older key_id walks back from the current key
 * to it, so a key the database made up (a forged wrap) cannot pass for a rotation (keys/team.ts).
 */
export interface TeamEpoch {
  epoch: number
  /** keyId(K): 22 characters of base64url HMAC under macKey(K) (keys/team-key.ts). */
  key_id: string
  /** null for epoch 1. */
  back: string | null
}

/** A team vault's header beyond a local one's. */
export interface TeamHeader {
  /** The vault's team name (VAULT_NAME). */
  name: string
  /** The current epoch (the last of `epochs`). */
  epoch: number
  /** Whether devices may keep sealed values in their offline cache (an admin sets it). */
  offline: 'allow' | 'deny'
  /** Sorted by member name; names and recipients unique. */
  members: TeamMember[]
  /** Every epoch from 1, ascending. */
  epochs: TeamEpoch[]
}


/** A member's name: a person, a device or a CI job (`alice`, `alice@laptop`, `ci-deploy`). */
export const MEMBER_NAME = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$/
/**
 * A team vault's name: what `--vault NAME` says and what names its database objects (schema
 * `credctl_<name>` with `-` as `_`). No `_` of its own, so two names never map to one schema.
 */
export const TEAM_VAULT_NAME = /^[a-z][a-z0-9-]{0,39}$/
/** An age X25519 recipient as age prints it (bech32 `age1` + 58): the only kind a team vault wraps for. */
export const X25519_RECIPIENT = /^age1[02-9ac-hj-np-z]{58}$/
/** A key id (keys/team.ts keyId): 22 base64url characters. */
export const KEY_ID = /^[A-Za-z0-9_-]{22}$/
const B64 = /^[A-Za-z0-9+/]+={0,2}$/

/**
 * Why `t` is not a well-formed team header, or undefined when it is: the shape every store accepts and
 * every reader checks before anything else looks at it (shapes only: the head MAC is checked above).
 */
export function teamProblem(t: unknown): string | undefined {
  if (typeof t !== 'object' || t === null) return 'has no team header'
  const h = t as Record<string, unknown>
  if (typeof h.name !== 'string' || !TEAM_VAULT_NAME.test(h.name)) return 'has a malformed team vault name'
  if (!Number.isSafeInteger(h.epoch) || (h.epoch as number) < 1) return 'has a malformed key epoch'
  if (h.offline !== 'allow' && h.offline !== 'deny') return 'has a malformed offline policy'
  if (!Array.isArray(h.epochs) || h.epochs.length !== h.epoch) return 'does not list every key epoch'
  for (const [i, e] of (h.epochs as Record<string, unknown>[]).entries()) {
    if (typeof e !== 'object' || e === null || e.epoch !== i + 1) return 'has key epochs out of order'
    if (typeof e.key_id !== 'string' || !KEY_ID.test(e.key_id)) return `has a malformed key id for epoch ${i + 1}`
    if (i === 0 ? e.back !== null : !isSealed(e.back)) return `has a malformed back key for epoch ${i + 1}`
  }
  if (!Array.isArray(h.members)) return 'has no member list'
  const names = new Set<string>()
  const recipients = new Set<string>()
  for (const m of h.members as Record<string, unknown>[]) {
    if (typeof m !== 'object' || m === null) return 'has a malformed member'
    if (typeof m.member !== 'string' || !MEMBER_NAME.test(m.member)) return 'has a malformed member name'
    if (typeof m.recipient !== 'string' || !X25519_RECIPIENT.test(m.recipient)) return `has a malformed recipient for member ${m.member}`
    if (!(TEAM_ROLES as readonly unknown[]).includes(m.role)) return `has a malformed role for member ${m.member}`
    if (!(MEMBER_KINDS as readonly unknown[]).includes(m.kind)) return `has a malformed kind for member ${m.member}`
    if (m.db_role !== null && (typeof m.db_role !== 'string' || m.db_role === '' || m.db_role.length > 63)) return `has a malformed database role for member ${m.member}`
    if (typeof m.wrap !== 'string' || !B64.test(m.wrap) || m.wrap.length > 4096) return `has a malformed wrap for member ${m.member}`
    if (typeof m.added_at !== 'string' || !ISO_TIME.test(m.added_at)) return `has a malformed time for member ${m.member}`
    if (names.has(m.member)) return `lists member ${m.member} twice`
    if (recipients.has(m.recipient)) return 'lists one recipient twice'
    names.add(m.member)
    recipients.add(m.recipient)
  }
  return undefined
}
