import type { CredentialRecord } from '../vault/format.js'
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto'
import { CredctlError } from '../errors.js'
import { decodeB64, sameMac } from '../vault/cipher.js'
import { scrypt, SCRYPT_BOUNDS, SCRYPT_MAX_WORK, scryptTooCostly } from '../vault/scrypt.js'
import type { DiscoveredColumn, DiscoveredTable, TableKind } from '../checks/types.js'
import { isIntIn, isIsoTime, isJsonObject, strictReader, type JsonObject } from '../lib/strict.js'
import { isSettingKey, textProblem } from '../vault/record-schema.js'

/**
 * The encrypted export bundle (`credctl export` / `credctl import --bundle`): every credential's value
 * and metadata under a passphrase, readable by any vault whatever its own key.
 *
 * A text file of exactly three lines:
 *
 *     credctl-bundle/1
 *     {"kdf":{"name":"scrypt","salt":"…","N":131072,"r":8,"p":1},"cipher":"aes-256-gcm","nonce":"…","check":"…","created_at":"…","count":3}
 *     <base64 of ciphertext || 16-byte tag>
 *
 * - scrypt (N=2^17, r=8, p=1: the OWASP recommendation; a bundle travels, so it is worth ~0.3 s) turns
 *   the passphrase into 64 bytes: an AES-256-GCM key and a separate key for `check`, an HMAC that tells
 *   "wrong passphrase" apart from "damaged bundle". It adds nothing for an attacker: the GCM tag already
 *   lets anyone test a guess offline.
 * - The first two lines, byte for byte, are the GCM associated data: changing the header (count, KDF
 *   parameters, ...) breaks the tag.
 * - Parsing is strict: unknown or missing fields, non-canonical base64, KDF parameters out of bounds
 *   (a hostile bundle must not make scrypt eat gigabytes), trailing data or an oversized file are all
 *   "damaged" errors, before any key derivation. The decrypted payload is checked field by field too.
 */
export const BUNDLE_MAGIC = 'credctl-bundle/1'
export const BUNDLE_SCRYPT = { N: 1 << 17, r: 8, p: 1 } as const
export const MAX_BUNDLE_BYTES = 32 * 1024 * 1024
export const MIN_PASSPHRASE = 8
const CHECK_LABEL = 'credctl-bundle/1 passphrase check'

/** One credential in a bundle: the metadata of the safe representation, the settings, and the value. */
export interface BundleEntry
  extends Pick<
    CredentialRecord,
    | 'id' | 'name' | 'type' | 'category' | 'description' | 'schema_type' | 'base_url' | 'settings' | 'expires_at'
    | 'is_default' | 'is_valid' | 'validated_at' | 'validation_message' | 'created_at' | 'updated_at'
  > {
  value: string
  /** The discovered schema, when there is one (non-secret). */
  schema?: { updated_at: string; tables: DiscoveredTable[]; stale_since?: string }
}

interface Header {
  kdf: { name: 'scrypt'; salt: string; N: number; r: number; p: number }
  cipher: 'aes-256-gcm'
  nonce: string
  check: string
  created_at: string
  count: number
}

const damaged = (why: string) =>
  new CredctlError('INVALID_INPUT', `not a valid credctl bundle: ${why}`, { hint: 'the file is damaged, truncated or not a credctl export; nothing was imported' })

async function derive(passphrase: string, salt: Buffer, p: { N: number; r: number; p: number }): Promise<{ key: Buffer; checkKey: Buffer }> {
  const k = await scrypt(passphrase, salt, 64, p)
  return { key: k.subarray(0, 32), checkKey: k.subarray(32) }
}

const checkOf = (checkKey: Buffer) => createHmac('sha256', checkKey).update(CHECK_LABEL).digest()

/** Seal entries under a passphrase. */
export async function sealBundle(entries: BundleEntry[], passphrase: string, now: Date = new Date()): Promise<string> {
  if (typeof passphrase !== 'string' || [...passphrase].length < MIN_PASSPHRASE) {
    throw new CredctlError('INVALID_INPUT', `the export passphrase must have at least ${MIN_PASSPHRASE} characters`)
  }
  const salt = randomBytes(16)
  const nonce = randomBytes(12)
  const { key, checkKey } = await derive(passphrase, salt, BUNDLE_SCRYPT)
  const header: Header = {
    kdf: { name: 'scrypt', salt: salt.toString('base64'), ...BUNDLE_SCRYPT },
    cipher: 'aes-256-gcm',
    nonce: nonce.toString('base64'),
    check: checkOf(checkKey).toString('base64'),
    created_at: now.toISOString(),
    count: entries.length,
  }
  const head = `${BUNDLE_MAGIC}\n${JSON.stringify(header)}\n`
  const payload = JSON.stringify({ format: 'credctl-bundle-payload', version: 1, credentials: entries })
  const c = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: 16 })
  c.setAAD(Buffer.from(head, 'utf8'))
  const body = Buffer.concat([c.update(payload, 'utf8'), c.final(), c.getAuthTag()])
  return `${head}${body.toString('base64')}\n`
}

type Json = unknown
const isObj = isJsonObject
// The toolkit's getters (src/lib/strict.ts), refusing with "not a valid credctl bundle": a bad field's
// value is named without the detail ("entry #2: \"name\""), an unknown or missing field as the toolkit says.
const S = strictReader((r) => damaged(r.kind === 'value' ? `${r.where}: "${r.key}"` : r.message))

/** Every key of `o` is in `keys` or `optional`, and every key of `keys` is there. */
const exactKeys = (o: JsonObject, keys: readonly string[], optional: readonly string[], where: string): void => S.only(o, [...keys, ...optional], where, keys)

function intIn(x: Json, [lo, hi]: readonly [number, number], what: string): number {
  if (!isIntIn(x, lo, hi)) throw damaged(`${what} out of bounds`)
  return x
}

function b64(x: Json, len: number | [number, number], what: string): Buffer {
  const b = typeof x === 'string' ? decodeB64(x) : undefined
  const ok = b && (typeof len === 'number' ? b.length === len : b.length >= len[0] && b.length <= len[1])
  if (!ok) throw damaged(`malformed ${what}`)
  return b!
}

/** Parse the outer form strictly; no key derivation happens before this passes. */
export function parseBundle(text: string): { header: Header; head: string; body: Buffer } {
  if (typeof text !== 'string' || text.length > MAX_BUNDLE_BYTES * 2) throw damaged('too large')
  // Tolerate CRLF line ends and a missing final newline (mail and editors); the AAD is rebuilt from the
  // lines, so any other change still fails the tag.
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''))
  if (lines.length === 3) lines.push('')
  if (lines[0] !== BUNDLE_MAGIC) {
    throw damaged(lines[0]?.startsWith('credctl-bundle/') ? `unsupported bundle version "${lines[0].slice(15, 30)}" (this credctl reads 1)` : 'it does not start with "credctl-bundle/1"')
  }
  if (lines.length !== 4 || lines[3] !== '') throw damaged(lines.length < 3 ? 'truncated' : 'unexpected lines')
  let raw: Json
  try {
    raw = JSON.parse(lines[1]!)
  } catch {
    throw damaged('the header is not JSON')
  }
  if (!isObj(raw)) throw damaged('the header is not an object')
  exactKeys(raw, ['kdf', 'cipher', 'nonce', 'check', 'created_at', 'count'], [], 'header')
  const kdf = raw.kdf
  if (!isObj(kdf)) throw damaged('header: kdf')
  exactKeys(kdf, ['name', 'salt', 'N', 'r', 'p'], [], 'header kdf')
  if (kdf.name !== 'scrypt') throw damaged('header: unknown kdf')
  const N = intIn(kdf.N, SCRYPT_BOUNDS.N, 'scrypt N')
  if ((N & (N - 1)) !== 0) throw damaged('scrypt N is not a power of two')
  const r = intIn(kdf.r, SCRYPT_BOUNDS.r, 'scrypt r')
  const p = intIn(kdf.p, SCRYPT_BOUNDS.p, 'scrypt p')
  // Jointly too, before any derivation: N=2^20, r=16, p=4 are each in range but cost 2 GiB and ~36 s.
  if (scryptTooCostly({ N, r, p })) throw damaged(`scrypt parameters too costly (N*r*p above ${SCRYPT_MAX_WORK})`)
  b64(kdf.salt, [16, 64], 'salt')
  if (raw.cipher !== 'aes-256-gcm') throw damaged('header: unknown cipher')
  b64(raw.nonce, 12, 'nonce')
  b64(raw.check, 32, 'check')
  if (!isIsoTime(raw.created_at)) throw damaged('header: created_at')
  const count = intIn(raw.count, [0, 100_000], 'count')
  const body = b64(lines[2], [16, MAX_BUNDLE_BYTES], 'body')
  const header: Header = {
    kdf: { name: 'scrypt', salt: kdf.salt as string, N, r, p },
    cipher: 'aes-256-gcm',
    nonce: raw.nonce as string,
    check: raw.check as string,
    created_at: raw.created_at,
    count,
  }
  return { header, head: `${lines[0]}\n${lines[1]}\n`, body }
}

const str = (o: JsonObject, k: string, where: string, max: number): string => S.str(o, k, where, { max })
const strOrNull = S.nullable(str)
const timeOrNull = S.nullable(S.isoTime)

const ENTRY_FIELDS = [
  'id', 'name', 'type', 'category', 'description', 'schema_type', 'base_url', 'settings', 'expires_at', 'is_default',
  'is_valid', 'validated_at', 'validation_message', 'created_at', 'updated_at', 'value',
] as const

function parseEntry(raw: Json, i: number): BundleEntry {
  const w = `entry #${i + 1}`
  const x = S.obj(raw, w)
  exactKeys(x, ENTRY_FIELDS, ['schema'], w)
  const settingsRaw = x.settings
  if (!isObj(settingsRaw)) throw damaged(`${w}: settings`)
  const settings: Record<string, string> = {}
  for (const [k, v] of Object.entries(settingsRaw)) {
    // The record schema's rule for a stored setting (key and value), so a bundle brings nothing the vault would refuse.
    if (!isSettingKey(k) || typeof v !== 'string' || textProblem('setting', v)) throw damaged(`${w}: settings`)
    settings[k] = v
  }
  if (typeof x.is_default !== 'boolean') throw damaged(`${w}: is_default`)
  if (x.is_valid !== null && typeof x.is_valid !== 'boolean') throw damaged(`${w}: is_valid`)
  const created_at = str(x, 'created_at', w, 40)
  const updated_at = str(x, 'updated_at', w, 40)
  if (!isIsoTime(created_at) || !isIsoTime(updated_at)) throw damaged(`${w}: times`)
  const e: BundleEntry = {
    id: str(x, 'id', w, 64),
    name: str(x, 'name', w, 200),
    type: str(x, 'type', w, 40),
    category: str(x, 'category', w, 40),
    description: strOrNull(x, 'description', w, 4096),
    schema_type: strOrNull(x, 'schema_type', w, 40),
    base_url: strOrNull(x, 'base_url', w, 4096),
    settings,
    expires_at: timeOrNull(x, 'expires_at', w),
    is_default: x.is_default,
    is_valid: x.is_valid,
    validated_at: timeOrNull(x, 'validated_at', w),
    validation_message: strOrNull(x, 'validation_message', w, 4096),
    created_at,
    updated_at,
    value: str(x, 'value', w, 70_000),
  }
  if (x.schema !== undefined) {
    const s = x.schema
    if (!isObj(s) || !isIsoTime(s.updated_at) || !Array.isArray(s.tables)) throw damaged(`${w}: schema`)
    e.schema = {
      updated_at: s.updated_at,
      tables: s.tables.map((t) => parseTable(t, `${w} schema`)),
      ...(Array.isArray(s.partial) ? { partial: s.partial as string[] } : {}),
      // A schema exported stale (the value changed after discovery) is imported stale.
      ...(isIsoTime(s.stale_since) ? { stale_since: s.stale_since } : {}),
    }
  }
  return e
}

const KINDS: readonly TableKind[] = ['table', 'view', 'materialized_view', 'external']

/** Discovered tables are rebuilt field by field: `credctl schema` must be able to print whatever comes in. */
function parseTable(t: Json, w: string): DiscoveredTable {
  if (!isObj(t) || !Array.isArray(t.columns) || !KINDS.includes(t.kind as TableKind)) throw damaged(`${w}: table`)
  const columns = t.columns.map((c): DiscoveredColumn => {
    if (!isObj(c) || typeof c.nullable !== 'boolean' || typeof c.position !== 'number') throw damaged(`${w}: column`)
    return {
      name: str(c, 'name', w, 1024),
      data_type: str(c, 'data_type', w, 1024),
      nullable: c.nullable,
      default: strOrNull(c, 'default', w, 4096),
      comment: strOrNull(c, 'comment', w, 4096),
      position: c.position,
      // Optional facts: their shape is checked by normaliseSchema (schema-text.ts), the one boundary.
      ...(c.primary_key !== undefined ? { primary_key: c.primary_key as boolean } : {}),
      ...(c.identity !== undefined ? { identity: c.identity as boolean } : {}),
    }
  })
  return {
    schema: str(t, 'schema', w, 1024),
    name: str(t, 'name', w, 1024),
    kind: t.kind as TableKind,
    comment: strOrNull(t, 'comment', w, 4096),
    columns,
    ...(t.readable !== undefined ? { readable: t.readable as boolean } : {}),
    ...(t.foreign_keys !== undefined ? { foreign_keys: t.foreign_keys as unknown as DiscoveredTable['foreign_keys'] } : {}),
  }
}

/** Open a bundle: strict parse, derive, check the passphrase, decrypt, parse the payload strictly. */
export async function openBundle(text: string, passphrase: string): Promise<{ created_at: string; entries: BundleEntry[] }> {
  const { header, head, body } = parseBundle(text)
  const { key, checkKey } = await derive(passphrase, Buffer.from(header.kdf.salt, 'base64'), header.kdf)
  const expected = Buffer.from(header.check, 'base64')
  if (!sameMac(checkOf(checkKey), expected)) {
    throw new CredctlError('KEY_WRONG', 'wrong passphrase for this bundle; nothing was imported', { hint: 'use the passphrase given to `credctl export` (CREDCTL_EXPORT_PASSPHRASE or the prompt)' })
  }
  let plain: string
  try {
    const d = createDecipheriv('aes-256-gcm', key, Buffer.from(header.nonce, 'base64'), { authTagLength: 16 })
    d.setAAD(Buffer.from(head, 'utf8'))
    d.setAuthTag(body.subarray(body.length - 16))
    plain = Buffer.concat([d.update(body.subarray(0, body.length - 16)), d.final()]).toString('utf8')
  } catch {
    throw damaged('the contents do not decrypt (the passphrase is right, so the file was changed or truncated)')
  }
  let raw: Json
  try {
    raw = JSON.parse(plain)
  } catch {
    throw damaged('the payload is not JSON')
  }
  if (!isObj(raw)) throw damaged('the payload is not an object')
  exactKeys(raw, ['format', 'version', 'credentials'], [], 'payload')
  if (raw.format !== 'credctl-bundle-payload' || raw.version !== 1) throw damaged('unknown payload format')
  if (!Array.isArray(raw.credentials)) throw damaged('payload: credentials')
  if (raw.credentials.length !== header.count) throw damaged('the credential count does not match the header')
  return { created_at: header.created_at, entries: raw.credentials.map(parseEntry) }
}
