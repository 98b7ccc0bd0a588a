import { FormatError, parseKeyHeader } from '../vault/format.js'
import { ISO_TIME, STORED_ID } from '../vault/record-schema.js'
import { isJsonObject } from '../lib/strict.js'
import { teamProblem } from '../vault/team-header.js'
import { isSealed } from '../vault/cipher.js'
import type { StoredRecord, VaultHeader } from './types.js'

/**
 * What every store accepts to keep (the shapes of types.ts, checked): each adapter refuses anything
 * else at setHeader / put, so a bug shows where it is made, and an adapter never holds what another
 * could not store. The file's reader (file-format.ts) checks a header it reads by the same rule.
 * Shapes only: the MACs themselves are checked above the store.
 */

/** A base64 HMAC-SHA-256: 32 bytes, 44 characters ending in one `=`. */
export const MAC_SHAPE = /^[A-Za-z0-9+/]{43}=$/

/** Why `h` cannot be written, or undefined when it can. */
export function headerProblem(h: VaultHeader): string | undefined {
  // Every write is format 2: a version 1 vault becomes version 2 at its first write.
  if (h.format !== 2) return `is format ${String(h.format)}, and every write is format 2`
  if (typeof h.vault_id !== 'string' || !STORED_ID.test(h.vault_id)) return 'has a malformed vault_id'
  if (typeof h.created_at !== 'string' || !ISO_TIME.test(h.created_at)) return 'has a "created_at" that is not an ISO 8601 UTC time'
  if (!Number.isSafeInteger(h.sequence) || h.sequence < 1) return 'has a "sequence" that is not a whole number from 1'
  if (typeof h.mac !== 'string' || !MAC_SHAPE.test(h.mac)) return 'has a malformed head MAC'
  let key
  try {
    key = parseKeyHeader(h.key)
  } catch (e) {
    if (e instanceof FormatError) return `has a refused key header (${e.message})`
    throw e
  }
  if (key.account !== undefined && !key.account.startsWith(`${h.vault_id}:`)) return 'has the keychain account of another vault'
  // A team vault's key is wrapped for its members (issue 14): its header carries them, and only it does.
  if (key.source === 'team') return teamProblem(h.team)
  if (h.team !== undefined) return 'has team members but a local key source'
  return undefined
}

/** Why `r` cannot be stored, or undefined when it can. The body must be one JSON object on one line. */
export function recordProblem(r: StoredRecord): string | undefined {
  if (typeof r.id !== 'string' || !STORED_ID.test(r.id)) return 'has a malformed id'
  if (!Number.isSafeInteger(r.revision) || r.revision < 1) return 'has a revision that is not a whole number from 1'
  if (typeof r.mac !== 'string' || !MAC_SHAPE.test(r.mac)) return 'has a malformed record MAC'
  if (typeof r.body !== 'string' || /[\n\r]/.test(r.body)) return 'has a body that is not one line'
  if (r.sealed !== undefined && !isSealed(r.sealed)) return 'has a malformed sealed value'
  try {
    if (!isJsonObject(JSON.parse(r.body))) return 'has a body that is not a JSON object'
  } catch {
    return 'has a body that is not JSON'
  }
  return undefined
}

/** setHeader's check: throws Error (a bug in the caller) naming the problem. */
export function assertWritableHeader(h: VaultHeader): void {
  const why = headerProblem(h)
  if (why) throw new Error(`store: refusing a vault header that ${why} (a bug in the caller)`)
}

/** put's check: throws Error (a bug in the caller) naming the record and the problem. */
export function assertStorable(r: StoredRecord): void {
  const why = recordProblem(r)
  if (why) throw new Error(`store: refusing to store record ${JSON.stringify(String(r.id).slice(0, 64))}: it ${why} (a bug in the caller)`)
}
