import { CredctlError } from '../errors.js'

/**
 * The one text form of a kept sequence number (keychain entry value, `<key file>.<vault id>.sequence`): decimal
 * digits, nothing else. Anything else reads as "nothing kept" rather than failing: a damaged keeper must
 * not lock the user out of a vault whose key is fine (the vault's own head MAC still protects it).
 */
export function parseSequence(text: string | null | undefined): number | undefined {
  const t = text?.trim()
  if (!t || !/^\d{1,16}$/.test(t)) return undefined
  const n = Number(t)
  return Number.isSafeInteger(n) ? n : undefined
}

/** The stored text of `n`; throws INVALID_INPUT for anything but a non-negative safe integer (a caller bug). */
export function formatSequence(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new CredctlError('INVALID_INPUT', `a vault sequence number must be a whole number from 0 to 2^53 - 1, not ${String(n)}`)
  return String(n)
}
