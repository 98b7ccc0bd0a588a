import { FormatError, parseKeyHeader, readBack } from '../vault/format.js'
import { isJsonObject } from '../lib/strict.js'
import { headerProblem } from './storable.js'
import type { StoredRecord, VaultHeader, VaultSnapshot } from './types.js'

/**
 * The vault file's format 2 layout (issue 13, point 5): pure functions, no I/O. The file stays ONE valid
 * JSON document, so an older credctl's JSON.parse succeeds and its version check refuses it
 * ("unsupported vault version 2 ... use the credctl that wrote it"), but it is laid out in lines so a
 * reader takes it apart without parsing any record:
 *
 *     {"format":"credctl-vault","version":2,"vault_id":"…","created_at":"…","key":{…},"sequence":7,"mac":"…","credentials":[
 *     ["<id>",<revision>,"<record mac>",<body>],
 *     ["<id>",<revision>,"<record mac>",<body>]
 *     ]}
 *
 * followed by one "\n". An empty vault is the header line and `]}`. A body is the record's exact stored
 * text, one JSON object with no raw newline (JSON.stringify escapes every control character; U+2028 and
 * U+2029 may appear raw and are not line breaks here: lines are split on "\n" only).
 *
 * The reader is strict: the header line must be exactly what the writer makes of its own fields (so
 * spacing, field order, extra, missing or duplicate fields all fail), and each record line must match
 * RECORD_LINE. Anything else is a FormatError naming the line; integrity (record and head MACs) is
 * checked above the store (vault/integrity.ts).
 */

/** How every format 2 file starts; the v1 path (one pretty-printed JSON document) never does. */
const V2_PREFIX = '{"format":"credctl-vault","version":2,'
const HEADER_END = ',"credentials":['
const LAST_LINE = ']}'

/**
 * One record line: id (STORED_ID's characters need no JSON escape), revision (a positive integer, no
 * leading zero, checked safe below), record MAC (storable.ts MAC_SHAPE), then the body up to the
 * closing `]`, and a `,` on every record line but the last. `[^]*` (not `.`): a body may hold
 * U+2028/U+2029, which `.` does not match.
 */
const RECORD_LINE = /^\["([A-Za-z0-9_-]{8,64})",([1-9][0-9]{0,15}),"([A-Za-z0-9+/]{43}=)",(\{[^]*\})\](,?)$/

/**
 * Which reader a vault file's text goes to: 2 when it starts as every format 2 file does, else 1 (the
 * whole-document parser, vault/format.ts parseVault, which also refuses unknown versions and text that
 * is not a vault at all). Chosen once per read.
 */
export function formatVersionOf(text: string): 1 | 2 {
  return text.startsWith(V2_PREFIX) ? 2 : 1
}

/** The header line as the writer makes it: fields in a fixed order, the key header rebuilt by its one parser. */
function headerLine(h: VaultHeader): string {
  const head = {
    format: 'credctl-vault',
    version: 2,
    vault_id: h.vault_id,
    created_at: h.created_at,
    key: parseKeyHeader(h.key),
    sequence: h.sequence,
    mac: h.mac,
  }
  return JSON.stringify(head).slice(0, -1) + HEADER_END
}

function parseHeaderLine(line: string): VaultHeader {
  const where = 'line 1 (header)'
  if (!line.startsWith(V2_PREFIX) || !line.endsWith(HEADER_END)) throw new FormatError(`${where} is not a version 2 header`)
  let raw: unknown
  try {
    raw = JSON.parse(line.slice(0, -HEADER_END.length) + '}')
  } catch {
    throw new FormatError(`${where} is not valid JSON`)
  }
  if (!isJsonObject(raw)) throw new FormatError(`${where} is not valid JSON`)
  const h = { format: 2, vault_id: raw.vault_id, created_at: raw.created_at, key: raw.key, sequence: raw.sequence, mac: raw.mac } as VaultHeader
  const why = headerProblem(h)
  if (why) throw new FormatError(`${where}: ${why}`)
  h.key = parseKeyHeader(h.key)
  // The exact bytes the writer makes of these fields, or it is not a header credctl wrote.
  if (headerLine(h) !== line) throw new FormatError(`${where}: not in its stored layout (spacing, field order, or an extra or duplicate field)`)
  return h
}

/**
 * Parse a format 2 file's text: the header and every record's id, revision, MAC and body (an exact
 * substring of the line; never parsed here). Throws FormatError naming the line on any deviation from
 * the layout, a record field out of shape, or a duplicate id.
 */
export function parseV2(text: string): VaultSnapshot {
  if (!text.endsWith('\n')) throw new FormatError('the file does not end with a newline (truncated)')
  const lines = text.slice(0, -1).split('\n')
  if (lines.length < 2) throw new FormatError('the file has no record list (truncated)')
  const header = parseHeaderLine(lines[0]!)
  const last = lines.length - 1
  if (lines[last] !== LAST_LINE) throw new FormatError(`line ${last + 1}: expected "${LAST_LINE}" closing the file (truncated or edited)`)
  const records: StoredRecord[] = []
  const ids = new Set<string>()
  for (let i = 1; i < last; i++) {
    const where = `line ${i + 1}`
    const m = RECORD_LINE.exec(lines[i]!)
    if (!m) throw new FormatError(`${where} is not a record line ["id",revision,"mac",{…}]`)
    const comma = m[5] === ','
    if (comma !== (i < last - 1)) throw new FormatError(i < last - 1 ? `${where}: missing "," after the record` : `${where}: "," after the last record`)
    const id = m[1]!
    const revision = Number(m[2])
    if (!Number.isSafeInteger(revision)) throw new FormatError(`${where}: revision out of range`)
    if (ids.has(id)) throw new FormatError(`${where}: duplicate credential id ${id}`)
    ids.add(id)
    records.push({ id, revision, mac: m[3]!, body: m[4]! })
  }
  return { header, records }
}

/**
 * The format 2 text of a vault, read back with parseV2 before it is returned, so nothing the reader
 * would refuse is ever written. Throws FormatError when the header or a record is out of shape (a format
 * 1 header, revision 0, an empty MAC, a body with a newline): always a bug in the caller.
 */
export function serializeV2(header: VaultHeader, records: readonly StoredRecord[]): string {
  const why = headerProblem(header)
  if (why) throw new FormatError(`refusing to write a vault header that ${why}`)
  const lines = [headerLine(header)]
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!
    lines.push(`[${JSON.stringify(r.id)},${r.revision},${JSON.stringify(r.mac)},${r.body}]${i < records.length - 1 ? ',' : ''}`)
  }
  lines.push(LAST_LINE)
  return readBack(lines.join('\n') + '\n', parseV2, 'a vault')
}
