import { hmac, macKey, sameMac } from './cipher.js'
import { crypto } from '../lazy-crypto.js'
import { canonical, type KeyHeader } from './format.js'
import type { TeamHeader } from './team-header.js'

/**
 * Format 2's integrity (issue 13, point 5; DESIGN section 5), computed and checked by the SDK above the
 * storage interface, because no store is trusted to enforce it:
 *
 * - a **record MAC** over each record's exact stored text (metadata and sealed value together), so a
 *   reader checks the one record it uses without hashing the others;
 * - a **head MAC** over the manifest: the vault id, its creation time and key header, a sequence number
 *   that grows with every write, and each record's id, revision and MAC. A record deleted, resurrected
 *   from an older copy, swapped with another, or edited fails it, and so does the whole vault rolled
 *   back, once the key source has kept a higher sequence (keys).
 *
 * Both are HMAC-SHA-256 under macKey(vault key), the key that already signs format 1, with a distinct
 * prefix for each kind of input so one can never stand in for the other.
 */

/** What the head MAC covers about one record. */
export interface ManifestEntry {
  id: string
  revision: number
  mac: string
}

/** What the head MAC covers about the vault. `members` is for team vaults (issue 14): their member rows. */
export interface ManifestHead {
  vault_id: string
  created_at: string
  key: KeyHeader
  sequence: number
  members?: readonly string[]
}

const RECORD_PREFIX = 'credctl-record-v2\n'
const HEAD_PREFIX = 'credctl-head-v2\n'

/** Base64 HMAC-SHA-256 over a record's exact stored text. */
export const recordMac = (key: Buffer, body: string): string => hmac(macKey(key), RECORD_PREFIX + body)

/** Whether `mac` is the record MAC of `body`: constant-time (cipher.sameMac). */
export const recordMacHolds = (key: Buffer, body: string, mac: string): boolean => sameMac(recordMac(key, body), mac)

/**
 * The manifest's bytes: one line per field of the head, then one line `id revision mac` per record,
 * sorted by id (code-unit order), so the order a backend returns rows in does not matter. Ids, MACs
 * and revisions contain no blank or newline (their stored shapes), so the lines cannot be confused.
 */
export function manifestText(head: ManifestHead, records: readonly ManifestEntry[]): string {
  const lines = [head.vault_id, head.created_at, canonical(head.key), String(head.sequence)]
  lines.push(`members ${head.members ? JSON.stringify(head.members) : '-'}`)
  const sorted = [...records].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
  for (const r of sorted) lines.push(`${r.id} ${r.revision} ${r.mac}`)
  return HEAD_PREFIX + lines.join('\n')
}

/** Base64 HMAC-SHA-256 over manifestText. */
export const headMac = (key: Buffer, head: ManifestHead, records: readonly ManifestEntry[]): string =>
  hmac(macKey(key), manifestText(head, records))

/** Whether `mac` is the head MAC of this manifest: constant-time. */
export const headMacHolds = (key: Buffer, head: ManifestHead, records: readonly ManifestEntry[], mac: string): boolean =>
  sameMac(headMac(key, head, records), mac)

/**
 * The manifest lines of a team header (issue 14), for ManifestHead.members: the vault's team name,
 * epoch and offline policy, each epoch (its key id and a hash of its back-sealed key), and each member
 * (every field; the wrap by its SHA-256). Under the head MAC, a member row the database added, changed
 * (a role raised, a recipient or wrap swapped) or removed fails the check before any value is used.
 */
export function teamManifest(team: TeamHeader): string[] {
  const sha = (s: string): string => crypto().createHash('sha256').update(s, 'utf8').digest('base64')
  const lines = [`team ${canonical({ name: team.name, epoch: team.epoch, offline: team.offline })}`]
  for (const e of [...team.epochs].sort((a, b) => a.epoch - b.epoch)) lines.push(`epoch ${e.epoch} ${e.key_id} ${e.back === null ? '-' : sha(e.back)}`)
  const members = [...team.members].sort((a, b) => (a.member < b.member ? -1 : a.member > b.member ? 1 : 0))
  for (const m of members) {
    lines.push(`member ${canonical({ member: m.member, recipient: m.recipient, role: m.role, kind: m.kind, db_role: m.db_role, added_at: m.added_at, wrap: sha(m.wrap) })}`)
  }
  return lines
}
