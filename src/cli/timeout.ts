import { CredctlError } from '../errors.js'

/** The bounds of --timeout (validate, discover): long enough for a slow warehouse, short of "for ever". */
export const TIMEOUT_MIN_S = 0.1
export const TIMEOUT_MAX_S = 600

/** --timeout SECONDS as milliseconds; anything but a number within the bounds is a usage error (exit 2). */
export function timeoutMs(raw: string | undefined, dfltSeconds: number): number {
  if (raw === undefined) return dfltSeconds * 1000
  const n = /^\s*\d*\.?\d+\s*$/.test(raw) ? Number(raw) : NaN
  if (!(n >= TIMEOUT_MIN_S && n <= TIMEOUT_MAX_S)) {
    throw new CredctlError('USAGE', `--timeout must be a number of seconds from ${TIMEOUT_MIN_S} to ${TIMEOUT_MAX_S}`, { hint: `e.g. --timeout ${dfltSeconds}` })
  }
  return Math.round(n * 1000)
}
