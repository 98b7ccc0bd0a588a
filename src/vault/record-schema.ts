/**
 * The one record schema: what a credential record's text fields may hold. The strict parser
 * (format.ts) reads a file with these rules, the writer (store/vault-file.ts, through format.ts's
 * `assertWritable`) refuses to write anything they refuse, and the SDK's input checks (records.ts)
 * derive their limits from here, so "the SDK wrote it but the reader refuses it" cannot happen: a vault
 * that one credctl wrote, every later command opens.
 *
 * Only two things are refused in stored text: NUL (C strings, `\0`-terminated tools and some JSON
 * consumers cut there) and lengths over the field's limit. Everything else that is hostile to a
 * terminal is escaped when printed (src/lib/text.ts), not at rest.
 */
export const FIELD_MAX = {
  id: 64,
  name: 200,
  type: 40,
  category: 40,
  schema_type: 40,
  description: 4096,
  base_url: 4096,
  masked_content: 4096,
  validation_message: 4096,
  setting: 4096,
  secret: 200_000,
} as const

export type TextField = keyof typeof FIELD_MAX

/** Stored times: ISO 8601 UTC, as Date.prototype.toISOString writes them (the strict toolkit's rule). */
export { ISO_TIME } from '../lib/strict.js'
/** Vault and record ids as the reader accepts them (credctl writes UUIDs; see ID_SHAPE in records.ts). */
export const STORED_ID = /^[A-Za-z0-9_-]{8,64}$/

/** Setting keys: lowercase words; never a name that could reach an object's prototype. */
export const SETTING_KEY = /^[a-z_]{1,40}$/
export const isSettingKey = (k: string) => SETTING_KEY.test(k) && k !== '__proto__' && k !== 'constructor' && k !== 'prototype'

/** Why `s` cannot be stored in `field`, or undefined when it can. */
export function textProblem(field: TextField, s: string): string | undefined {
  const max = FIELD_MAX[field]
  if (s.length > max) return `is too long (${s.length} characters, at most ${max})`
  if (s.includes('\0')) return 'contains a NUL character'
  return undefined
}

/**
 * Cut `s` so that it fits `field`: for text credctl derives itself (a masked form of a long connection
 * string) where cutting only hides more. The marker says it was cut.
 */
export function fitField(field: TextField, s: string): string {
  const max = FIELD_MAX[field]
  const clean = s.replaceAll('\0', '\\x00')
  if (clean.length <= max) return clean
  const marker = '…'
  let cut = max - marker.length
  const code = clean.charCodeAt(cut - 1)
  if (code >= 0xd800 && code <= 0xdbff) cut-- // never half a surrogate pair
  return clean.slice(0, cut) + marker
}
