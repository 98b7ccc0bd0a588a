import type { TeamHeader } from './team-header.js'
import { decodeB64, hmac, isSealed, macKey, sameMac } from './cipher.js'
import { isJsonObject, strictReader, type JsonObject } from '../lib/strict.js'
import { isSettingKey, STORED_ID, textProblem, type TextField } from './record-schema.js'
import { SCRYPT_BOUNDS, SCRYPT_MAX_WORK, scryptTooCostly } from './scrypt.js'

/**
 * The vault file format, parsed strictly. Anything unexpected (unknown version, a field of the wrong
 * type, an unknown field, a duplicate id) is a FormatError naming what is wrong; the caller turns it into
 * exit 4 and never rewrites the file. Objects are rebuilt field by field, so `__proto__` or extra keys in
 * the file never reach the program's objects.
 */
export const FORMAT_VERSION = 1
export const KEY_SOURCES = ['keychain', 'env', 'passphrase', 'file'] as const
/** The sources a local vault may be created with (--key-source). */
export type KeySource = (typeof KEY_SOURCES)[number]
/**
 * Every source a header may name: a team vault's key (issue 14) is wrapped for each member's age identity
 * (keys/team.ts), and such a vault is made by `credctl vault create`, never chosen by --key-source.
 */
export type HeaderSource = KeySource | 'team'
export const HEADER_SOURCES: readonly HeaderSource[] = [...KEY_SOURCES, 'team']

/**
 * A team record's `secret` (issue 14): `d1.` and the base64 SHA-256 of its sealed value, which the
 * store keeps apart and hands out only through an audited fetch. The record MAC covers it, so the
 * fetched ciphertext is pinned exactly.
 */
export const SECRET_DIGEST = /^d1\.[A-Za-z0-9+/]{43}=$/

export interface ScryptParams {
  salt: string
  N: number
  r: number
  p: number
}

export interface KeyHeader {
  source: HeaderSource
  /** A sealed constant: tells "wrong key" apart from "damaged record". */
  check: string
  scrypt?: ScryptParams
  /** Absolute path of the key file (source `file`). */
  file?: string
  /**
   * Keychain account holding the key (source `keychain`): absent means the vault id (never rotated);
   * `<vault id>:<n>` after the n-th `rotate-key`. A fresh account per rotation lets the old entry stay
   * until the re-keyed vault is on disk.
   */
  account?: string
}

export interface CredentialRecord {
  id: string
  name: string
  type: string
  category: string
  description: string | null
  schema_type: string | null
  base_url: string | null
  /** Non-secret check settings (api_key check_url/auth_header, bigquery project/location, ...). */
  settings: Record<string, string>
  masked_content: string
  is_default: boolean
  is_valid: boolean | null
  validated_at: string | null
  validation_message: string | null
  has_schema: boolean
  schema_updated_at: string | null
  /**
   * Set when what discovery reads (the value, base URL or settings) changed after the stored schema was
   * discovered: the time of the first such change. Absent when the schema is current or there is none;
   * written only when set, so vaults without it read as before. `discover` clears it.
   */
  schema_stale_since?: string
  /**
   * Team vaults (issue 14): set when a member who could read this value was removed, at that time; the
   * value should be changed at its provider. Cleared when the value changes. Absent otherwise.
   */
  needs_rotation_since?: string
  expires_at: string | null
  created_at: string
  updated_at: string
  deleted_at: string | null
  /** AES-256-GCM sealed value, bound to (vault id, id, "value"). */
  secret: string
}

export interface VaultFile {
  version: number
  vault_id: string
  created_at: string
  key: KeyHeader
  credentials: CredentialRecord[]
  /** HMAC over everything else (keyed from the vault key): detects edits made outside credctl. */
  mac: string
  /** Team vaults (issue 14): members, wraps, epochs, as the store returned them (store/types.ts TeamHeader). */
  team?: TeamHeader
}

export class FormatError extends Error {}

type Json = unknown
const isObj = isJsonObject
const UUIDISH = STORED_ID
// The toolkit's getters (src/lib/strict.ts), refusing with this parser's FormatError.
const S = strictReader((r) => new FormatError(r.message))
const { only, bool, isoTime: time } = S
const timeOrNull = S.nullable(time)
const str = (o: JsonObject, k: string, where: string, max?: number): string => S.str(o, k, where, max === undefined ? {} : { max })
/** A record's text field, by the one record schema (record-schema.ts). */
const field = (o: JsonObject, k: TextField, where: string): string => S.str(o, k, where, { why: (v) => textProblem(k, v) })
const fieldOrNull = (o: JsonObject, k: TextField, where: string): string | null => (o[k] === null ? null : field(o, k, where))
const boundedInt = (o: JsonObject, k: string, where: string, [min, max]: readonly [number, number]): number => S.int(o, k, where, { min, max })

// The bounds live with the one scrypt() every derivation goes through; re-exported for the parser's users.
export { SCRYPT_BOUNDS, SCRYPT_MAX_MEMORY, SCRYPT_MAX_WORK } from './scrypt.js'

/** The key header alone (also for `recover`, which reads what is left of a damaged file). */
export function parseKeyHeader(x: Json): KeyHeader {
  const w = 'key header'
  if (!isObj(x)) throw new FormatError(`${w} missing`)
  only(x, ['source', 'check', 'scrypt', 'file', 'account'], w)
  const source = str(x, 'source', w, 20)
  if (!(HEADER_SOURCES as readonly string[]).includes(source)) throw new FormatError(`${w}: unknown key source "${source.slice(0, 20)}"`)
  const check = str(x, 'check', w, 200)
  if (!isSealed(check)) throw new FormatError(`${w}: malformed key check`)
  const out: KeyHeader = { source: source as HeaderSource, check }
  if (source === 'passphrase') {
    const s = x.scrypt
    if (!isObj(s)) throw new FormatError(`${w}: passphrase source needs scrypt parameters`)
    only(s, ['salt', 'N', 'r', 'p'], `${w} scrypt`)
    const N = boundedInt(s, 'N', `${w} scrypt`, SCRYPT_BOUNDS.N)
    if ((N & (N - 1)) !== 0) throw new FormatError(`${w} scrypt: N must be a power of two`)
    const salt = str(s, 'salt', `${w} scrypt`, 200)
    const saltBytes = decodeB64(salt) // canonical base64 only, like every other binary field
    if (!saltBytes || saltBytes.length < 16 || saltBytes.length > 64) throw new FormatError(`${w} scrypt: malformed salt`)
    out.scrypt = {
      salt,
      N,
      r: boundedInt(s, 'r', `${w} scrypt`, SCRYPT_BOUNDS.r),
      p: boundedInt(s, 'p', `${w} scrypt`, SCRYPT_BOUNDS.p),
    }
    if (scryptTooCostly(out.scrypt)) {
      throw new FormatError(`${w} scrypt: parameters too costly (N*r*p above ${SCRYPT_MAX_WORK} or over 1 GiB of memory)`)
    }
  } else if (x.scrypt !== undefined) throw new FormatError(`${w}: scrypt parameters on a ${source} vault`)
  if (source === 'file') out.file = str(x, 'file', w, 4096)
  else if (x.file !== undefined) throw new FormatError(`${w}: key file on a ${source} vault`)
  if (x.account !== undefined) {
    if (source !== 'keychain') throw new FormatError(`${w}: keychain account on a ${source} vault`)
    const account = str(x, 'account', w, 80)
    // Checked against the vault id in parseVault: `<vault id>:<n>`, n >= 1.
    if (!/^[A-Za-z0-9_-]{8,64}:[1-9][0-9]{0,8}$/.test(account)) throw new FormatError(`${w}: malformed keychain account`)
    out.account = account
  }
  return out
}

const RECORD_FIELDS = [
  'id', 'name', 'type', 'category', 'description', 'schema_type', 'base_url', 'settings', 'masked_content',
  'is_default', 'is_valid', 'validated_at', 'validation_message', 'has_schema', 'schema_updated_at',
  'schema_stale_since', 'needs_rotation_since', 'expires_at', 'created_at', 'updated_at', 'deleted_at', 'secret',
] as const

function parseRecord(raw: Json, i: number | string): CredentialRecord {
  const w = typeof i === 'string' ? i : `credential #${i + 1}`
  const x = S.obj(raw, w)
  only(x, RECORD_FIELDS, w)
  const id = field(x, 'id', w)
  if (!UUIDISH.test(id)) throw new FormatError(`${w}: malformed id`)
  const settingsRaw = x.settings
  if (!isObj(settingsRaw)) throw new FormatError(`${w}: "settings" must be an object`)
  const settings: Record<string, string> = Object.create(null) as Record<string, string>
  for (const [k, v] of Object.entries(settingsRaw)) {
    // `__proto__` matches [a-z_]: refused by name, like constructor/prototype, so no odd key ever reaches an object.
    if (!isSettingKey(k) || typeof v !== 'string' || textProblem('setting', v)) {
      throw new FormatError(`${w}: malformed setting`)
    }
    settings[k] = v
  }
  if (x.is_valid !== null && typeof x.is_valid !== 'boolean') throw new FormatError(`${w}: "is_valid" must be true, false or null`)
  const secret = field(x, 'secret', w)
  if (!isSealed(secret) && !SECRET_DIGEST.test(secret)) throw new FormatError(`${w}: malformed ciphertext`)
  return {
    id,
    name: field(x, 'name', w),
    type: field(x, 'type', w),
    category: field(x, 'category', w),
    description: fieldOrNull(x, 'description', w),
    schema_type: fieldOrNull(x, 'schema_type', w),
    base_url: fieldOrNull(x, 'base_url', w),
    settings: { ...settings },
    masked_content: field(x, 'masked_content', w),
    is_default: bool(x, 'is_default', w),
    is_valid: x.is_valid,
    validated_at: timeOrNull(x, 'validated_at', w),
    validation_message: fieldOrNull(x, 'validation_message', w),
    has_schema: bool(x, 'has_schema', w),
    schema_updated_at: timeOrNull(x, 'schema_updated_at', w),
    ...(x.schema_stale_since !== undefined ? { schema_stale_since: time(x, 'schema_stale_since', w) } : {}),
    ...(x.needs_rotation_since !== undefined ? { needs_rotation_since: time(x, 'needs_rotation_since', w) } : {}),
    expires_at: timeOrNull(x, 'expires_at', w),
    created_at: time(x, 'created_at', w),
    updated_at: time(x, 'updated_at', w),
    deleted_at: timeOrNull(x, 'deleted_at', w),
    secret,
  }
}

/**
 * One record's stored text (format 2's body, vault/integrity.ts's MAC input): JSON with the fields in
 * RECORD_FIELDS order, `schema_stale_since` only when set, no whitespace and no newline (JSON.stringify
 * escapes every control character). The one writer of a record's bytes.
 */
export function serializeRecord(r: CredentialRecord): string {
  const o: Record<string, unknown> = {}
  for (const k of RECORD_FIELDS) {
    if (k === 'schema_stale_since' && r.schema_stale_since === undefined) continue
    if (k === 'needs_rotation_since' && r.needs_rotation_since === undefined) continue
    o[k] = r[k]
  }
  return JSON.stringify(o)
}

/**
 * A record's stored text, parsed by the one record schema (parseRecord). `where` names it in messages
 * ("credential #3"). Throws FormatError, never anything else.
 */
export function parseRecordText(text: string, where = 'credential'): CredentialRecord {
  let raw: Json
  try {
    raw = JSON.parse(text)
  } catch {
    throw new FormatError(`${where} is not valid JSON (damaged or truncated)`)
  }
  return parseRecord(raw, where)
}

/**
 * The writer's side of the one record schema for a single record: its text read back by the reader's
 * rules before it is stored. A record the reader would refuse is a bug (records.ts refuses bad input
 * with exit 2 first), and nothing is written.
 */
export function serializeRecordWritable(r: CredentialRecord): string {
  return readBack(serializeRecord(r), parseRecordText, 'a record')
}

/** Parse a vault file's text. Throws FormatError (never anything else) on any problem. */
export function parseVault(text: string): VaultFile {
  let raw: Json
  try {
    raw = JSON.parse(text)
  } catch {
    throw new FormatError(text.trim() === '' ? 'the file is empty' : 'the file is not valid JSON (damaged or truncated)')
  }
  return parseVaultObject(raw)
}

/**
 * The writer's side of the one record schema: the text about to be written is read back with the
 * reader's own rules (the exact bytes, not an in-memory copy), so a write the reader would refuse never
 * reaches the disk. Input that breaks a rule is refused earlier with exit 2 (records.ts) and remote
 * text is normalised at its boundary (src/lib/text.ts); failing here is a bug, and the vault on disk
 * stays as it was.
 */
export function serializeWritable(v: VaultFile): string {
  return readBack(serializeVault(v), parseVault, 'a vault')
}

/**
 * The writer's side of a strict format, once: `text` is returned only if `parse` (the reader's own rules)
 * accepts it; otherwise a FormatError "refusing to write WHAT the reader would refuse: …". Used for a
 * record, a version 1 vault and a format 2 file (store/file-format.ts).
 */
export function readBack(text: string, parse: (t: string) => unknown, what: string): string {
  try {
    parse(text)
  } catch (e) {
    if (e instanceof FormatError) throw new FormatError(`refusing to write ${what} the reader would refuse: ${e.message}`)
    throw e
  }
  return text
}

function parseVaultObject(raw: Json): VaultFile {
  if (!isObj(raw)) throw new FormatError('the file is not a credctl vault')
  if (raw.format !== 'credctl-vault') throw new FormatError('the file is not a credctl vault (no "format": "credctl-vault")')
  if (raw.version !== FORMAT_VERSION) {
    throw new FormatError(
      `unsupported vault version ${JSON.stringify(raw.version)?.slice(0, 20)} (this credctl reads version ${FORMAT_VERSION}); use the credctl that wrote it`,
    )
  }
  only(raw, ['format', 'version', 'vault_id', 'created_at', 'key', 'credentials', 'mac'], 'vault')
  const vault_id = str(raw, 'vault_id', 'vault', 64)
  if (!UUIDISH.test(vault_id)) throw new FormatError('vault: malformed vault_id')
  if (!Array.isArray(raw.credentials)) throw new FormatError('vault: "credentials" must be a list')
  const credentials = raw.credentials.map(parseRecord)
  const ids = new Set<string>()
  for (const c of credentials) {
    if (ids.has(c.id)) throw new FormatError(`vault: duplicate credential id ${c.id}`)
    ids.add(c.id)
  }
  const mac = str(raw, 'mac', 'vault', 100)
  const key = parseKeyHeader(raw.key)
  if (key.account !== undefined && !key.account.startsWith(`${vault_id}:`)) throw new FormatError('key header: keychain account of another vault')
  return { version: FORMAT_VERSION, vault_id, created_at: time(raw, 'created_at', 'vault'), key, credentials, mac }
}

/** The bytes the MAC covers: the whole file but the MAC, in a canonical form (sorted keys). */
export function macInput(v: VaultFile): string {
  const { mac: _mac, ...rest } = v
  return canonical({ format: 'credctl-vault', ...rest })
}

/** The metadata MAC of `v` under the vault key: base64 HMAC-SHA-256 of macInput(v), keyed by macKey(key). */
export const vaultMac = (key: Buffer, v: VaultFile): string => hmac(macKey(key), macInput(v))

/** Whether `v.mac` holds under `key`: the one check of it (every reader and rotate-key), constant-time. */
export const macHolds = (key: Buffer, v: VaultFile): boolean => sameMac(vaultMac(key, v), v.mac)

export function canonical(x: unknown): string {
  // A sorted deep copy, then one native JSON.stringify: the same bytes as a hand-written canonical form
  // (test/unit/canonical.test.ts checks it), several times faster on a vault of thousands of records,
  // and this runs before every write and every decryption.
  return JSON.stringify(sortDeep(x)) ?? 'undefined'
}

function sortDeep(x: unknown): unknown {
  if (x === null || typeof x !== 'object') return x
  if (Array.isArray(x)) {
    const a = new Array<unknown>(x.length)
    for (let i = 0; i < x.length; i++) a[i] = sortDeep(x[i])
    return a
  }
  const o = x as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const k of Object.keys(o).sort()) {
    // A "__proto__" key must stay an ordinary member, not set the prototype.
    if (k === '__proto__') Object.defineProperty(out, k, { value: sortDeep(o[k]), enumerable: true, writable: true, configurable: true })
    else out[k] = sortDeep(o[k])
  }
  return out
}

export function serializeVault(v: VaultFile): string {
  return `${JSON.stringify({ format: 'credctl-vault', ...v }, null, 1)}\n`
}
