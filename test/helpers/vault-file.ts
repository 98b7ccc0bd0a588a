import { readFileSync, writeFileSync } from 'node:fs'
import { formatVersionOf, parseV2, serializeV2 } from '../../src/store/file-format.js'
import type { StoredRecord, VaultHeader } from '../../src/store/types.js'
import { parseRecordText, parseVault, serializeRecord, serializeVault, type VaultFile } from '../../src/vault/format.js'

/**
 * Tests' view of a vault file in either format (issue 13): the records as objects (a VaultFile), plus
 * format 2's sequence. For reading what the CLI wrote, and for an outsider's edit (editVaultFile).
 */
export interface VaultDoc extends VaultFile {
  format: 1 | 2
  /** Format 2's sequence (0 for format 1). */
  sequence: number
  /** Format 2: each record's stored revision, MAC and exact body text (what its MAC covers), by id. */
  stored: Map<string, { revision: number; mac: string; body?: string }>
}

/** Parse a vault file's text, format 1 or 2, strictly (the reader's own rules). */
export function parseVaultText(text: string): VaultDoc {
  if (formatVersionOf(text) === 1) {
    const v = parseVault(text)
    return { ...v, format: 1, sequence: 0, stored: new Map() }
  }
  const snap = parseV2(text)
  const h = snap.header
  return {
    version: 2,
    vault_id: h.vault_id,
    created_at: h.created_at,
    key: h.key,
    mac: h.mac,
    credentials: snap.records.map((r, i) => parseRecordText(r.body, `credential #${i + 1}`)),
    format: 2,
    sequence: h.sequence,
    stored: new Map(snap.records.map((r) => [r.id, { revision: r.revision, mac: r.mac, body: r.body }])),
  }
}

export const readVaultFile = (file: string): VaultDoc => parseVaultText(readFileSync(file, 'utf8'))

/**
 * The text of `doc` in its format, as an outsider with no key would write it: bodies re-serialized from
 * the (edited) objects, each record keeping the revision and MAC stored for its id (a new id borrows a
 * well-formed MAC that matches nothing), the header's sequence and MAC as in `doc`. So every MAC still
 * describes the old content, and credctl must notice.
 */
export function serializeVaultDoc(doc: VaultDoc): string {
  if (doc.format === 1) {
    const { format: _f, sequence: _s, stored: _st, ...v } = doc
    return serializeVault({ ...v, version: 1 })
  }
  const header: VaultHeader = { format: 2, vault_id: doc.vault_id, created_at: doc.created_at, key: doc.key, sequence: doc.sequence, mac: doc.mac }
  const records: StoredRecord[] = doc.credentials.map((rec) => {
    const s = doc.stored.get(rec.id) ?? { revision: 1, mac: `${'A'.repeat(43)}=` }
    return { id: rec.id, revision: s.revision, mac: s.mac, body: serializeRecord(rec) }
  })
  return serializeV2(header, records)
}

/** Edit a vault file in place as an outsider would (see serializeVaultDoc). */
export function editVaultFile(file: string, edit: (doc: VaultDoc) => void): void {
  const doc = readVaultFile(file)
  edit(doc)
  writeFileSync(file, serializeVaultDoc(doc))
}
