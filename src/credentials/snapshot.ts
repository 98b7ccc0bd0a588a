import { CredctlError } from '../errors.js'
import { canonical, FormatError, macHolds, parseRecordText, serializeRecord, serializeRecordWritable, type CredentialRecord, type VaultFile } from '../vault/format.js'
import { headMac, headMacHolds, recordMac, recordMacHolds, teamManifest, type ManifestHead } from '../vault/integrity.js'
import { isSealed } from '../vault/cipher.js'
import { crypto } from '../lazy-crypto.js'
import type { StoredRecord, StoreTx, VaultHeader, VaultSnapshot } from '../store/types.js'
import { vaultDamaged } from '../store/vault-file.js'

/**
 * A loaded vault as the SDK works with it: the parsed records (a VaultFile, the shape every domain
 * function takes) and, beside them, what was stored (each record's exact body, revision and MAC), so a
 * reader verifies only what it uses and a writer re-seals only what it changed (issue 13, point 5).
 */
export interface Loaded {
  /** What the domain code reads and mutations change. */
  vault: VaultFile
  /** The header as stored. */
  header: VaultHeader
  /** Each stored record by id: the exact bytes the MACs cover. */
  stored: Map<string, StoredRecord>
}

// A record that does not parse is the vault's damage, worded as the store words it (one rule).
const damaged = vaultDamaged

function changedOutside(location: string): CredctlError {
  return new CredctlError('VAULT_DAMAGED', `vault ${location} was changed outside credctl (its integrity check fails)`, {
    hint: 'credctl will not use it; `credctl recover --output FILE` saves every value that still decrypts, or restore it from a backup',
  })
}

/**
 * Parse every record body of a snapshot with the one record schema. No key, no MAC: what `list` and
 * completion need (metadata is not secret); value-using commands verify with verifyHead/verifyRecords.
 * With `only`, only the bodies it accepts are parsed (the others stay bytes in `stored`): a reader of
 * one record does not pay for the rest.
 */
export function parseSnapshot(snap: VaultSnapshot, location: string, only?: (r: StoredRecord) => boolean): Loaded {
  // Format 1's one MAC covers every record parsed: a partial parse could not be verified.
  if (snap.header.format === 1) only = undefined
  const stored = new Map<string, StoredRecord>()
  const credentials: CredentialRecord[] = []
  snap.records.forEach((r, i) => {
    if (stored.has(r.id)) throw damaged(location, `credential #${i + 1}: another record has the same id`)
    stored.set(r.id, r)
    if (only && !only(r)) return
    let rec: CredentialRecord
    try {
      rec = parseRecordText(r.body, `credential #${i + 1}`)
    } catch (e) {
      if (e instanceof FormatError) throw damaged(location, e.message)
      throw e
    }
    // The manifest names the record by its id: a body claiming another id is a swap.
    if (rec.id !== r.id) throw damaged(location, `credential #${i + 1}: its id does not match its entry`)
    credentials.push(rec)
  })
  const h = snap.header
  return {
    header: h,
    stored,
    vault: { version: h.format, vault_id: h.vault_id, created_at: h.created_at, key: h.key, credentials, mac: h.mac, ...(h.team ? { team: structuredClone(h.team) } : {}) },
  }
}

/**
 * Which stored records a lookup of `idOrName` (records.ts find) could mean, judged from the bytes: the
 * id, an id prefix (ID_PREFIX_MIN+ characters, any case), or the name as serializeRecord writes it. A
 * superset of find's matches among records written by credctl; a body written otherwise (an edit from
 * outside) may be missed, so a caller that finds nothing among these parses everything and looks again.
 */
export function mayMean(idOrName: string, prefixMin: number): (r: StoredRecord) => boolean {
  const names = [...new Set([idOrName, idOrName.normalize('NFC')])].map((n) => `"name":${JSON.stringify(n)}`)
  const prefix = idOrName.length >= prefixMin ? idOrName.toLowerCase() : undefined
  return (r) => r.id === idOrName || (prefix !== undefined && r.id.toLowerCase().startsWith(prefix)) || names.some((n) => r.body.includes(n))
}

const headOf = (h: Pick<VaultHeader, 'vault_id' | 'created_at' | 'key' | 'sequence' | 'team'>): ManifestHead => ({
  vault_id: h.vault_id,
  created_at: h.created_at,
  key: h.key,
  sequence: h.sequence,
  ...(h.team ? { members: teamManifest(h.team) } : {}),
})

/** A team record's `secret` as stored (issue 14): `d1.` and the base64 SHA-256 of its sealed value. */
export const secretDigest = (sealed: string): string => `d1.${crypto().createHash('sha256').update(sealed, 'utf8').digest('base64')}`

/**
 * Whether two `secret` fields hold the same value: equal, or one a team record's digest of the other
 * (a team value fetched for a check, compared with the record re-read in the transaction).
 */
export const sameSecret = (a: string, b: string): boolean => a === b || (isSealed(a) && secretDigest(a) === b) || (isSealed(b) && secretDigest(b) === a)

/**
 * A record as a team store keeps it: the sealed value out of the body (replaced by its digest, which the
 * record MAC covers) and beside it, for the store's values table. Local vaults keep it in the body.
 */
function storedForm(rec: CredentialRecord, team: boolean): { rec: CredentialRecord; sealed?: string } {
  if (!team || !isSealed(rec.secret)) return { rec }
  return { rec: { ...rec, secret: secretDigest(rec.secret) }, sealed: rec.secret }
}

/**
 * The vault-wide check, under the vault key. Format 2: the head MAC over the manifest (every record's
 * id, revision and MAC, the sequence): a record deleted, resurrected or swapped fails it. Format 1: the
 * one MAC over a canonical copy of everything (the old rule, kept so version 1 vaults stay readable).
 */
export function verifyHead(l: Loaded, key: Buffer, location: string): void {
  const ok =
    l.header.format === 1 ? macHolds(key, l.vault) : headMacHolds(key, headOf(l.header), [...l.stored.values()], l.header.mac)
  if (!ok) throw changedOutside(location)
}

/** Format 2: each given record's MAC over its exact stored bytes (format 1: verifyHead covered them). */
export function verifyRecords(l: Loaded, key: Buffer, ids: Iterable<string>, location: string): void {
  if (l.header.format === 1) return
  for (const id of ids) {
    const s = l.stored.get(id)
    if (!s || !recordMacHolds(key, s.body, s.mac)) throw changedOutside(location)
  }
}

/**
 * Apply a mutated VaultFile to a transaction as format 2: each record whose text changed is checked
 * against its old MAC first (so a record edited outside credctl is never laundered by a fresh MAC),
 * then stored with revision + 1 and a new MAC; a removed record is checked the same way, then removed;
 * untouched records keep their bytes and are not hashed at all. The header gets the next sequence and a new head MAC. A format 1
 * vault is rewritten whole (its one MAC was checked by verifyHead). Returns the new sequence, or
 * undefined when nothing changed (nothing is written). `oldKey`: the key the stored MACs are under
 * (rotate-key re-seals under a new one).
 */
export function applyChanges(l: Loaded | undefined, next: VaultFile, key: Buffer, tx: StoreTx, location: string, oldKey: Buffer = key): number | undefined {
  const out = new Map<string, StoredRecord>()
  const team = next.key.source === 'team'
  // A new key header (rotate-key), or a changed member list (issue 14), is a change even when no record's text changes.
  let changed = !l || l.header.format === 1 || canonical(next.key) !== canonical(l.header.key) || canonical(next.team ?? null) !== canonical(l.header.team ?? null)
  for (const full of next.credentials) {
    const { rec, sealed } = storedForm(full, team)
    const before = l?.stored.get(rec.id)
    // Unchanged text: kept as stored, neither read back nor hashed.
    if (before && l!.header.format === 2 && before.body === serializeRecord(rec)) {
      out.set(rec.id, before)
      continue
    }
    let body: string
    try {
      body = serializeRecordWritable(rec) // what is written is read back by the reader's rules first
    } catch (e) {
      if (!(e instanceof FormatError)) throw e
      throw new CredctlError('INTERNAL', `${e.message} (nothing was written; vault ${location} is unchanged)`, {
        hint: 'this is a bug in credctl; please report it with the command you ran (never the value)',
      })
    }
    if (before && l!.header.format === 2) verifyRecords(l!, oldKey, [rec.id], location)
    out.set(rec.id, { id: rec.id, revision: before && l!.header.format === 2 ? before.revision + 1 : 1, mac: recordMac(key, body), body, ...(sealed !== undefined ? { sealed } : {}) })
    changed = true
  }
  // A record is removed (purge) because of what it says (its name, its deleted_at): like a rewritten
  // one, it is checked first, so an edit from outside cannot steer a purge onto another credential.
  if (l) {
    for (const id of l.stored.keys()) {
      if (out.has(id)) continue
      if (l.header.format === 2) verifyRecords(l, oldKey, [id], location)
      changed = true
    }
  }
  if (!changed) return undefined
  for (const id of l?.stored.keys() ?? []) if (!out.has(id)) tx.remove(id)
  for (const [id, r] of out) if (l?.stored.get(id) !== r) tx.put(r)
  const sequence = (l?.header.sequence ?? 0) + 1
  const head = { vault_id: next.vault_id, created_at: next.created_at, key: next.key, sequence, ...(next.team ? { team: next.team } : {}) }
  tx.setHeader({ format: 2, ...head, mac: headMac(key, headOf(head), [...out.values()]) })
  return sequence
}

