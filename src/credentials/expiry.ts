import type { Credential } from './view.js'

/**
 * Optional expiry (`--expires YYYY-MM-DD`, stored as `expires_at`). A credential "expires soon" within
 * EXPIRY_WARNING_DAYS of its date: two weeks is enough to rotate a key through a review cycle, short
 * enough that the flag is not permanent noise. Plain functions over the safe view: no key, no I/O.
 */
export const EXPIRY_WARNING_DAYS = 14

export type ExpiryState = 'expired' | 'expiring' | 'ok' | 'none'

export interface Expiry {
  state: ExpiryState
  /** Whole days until the expiry date (negative once expired); null without a date. */
  days: number | null
}

const DAY = 86_400_000

export function expiryOf(c: Pick<Credential, 'expires_at'>, now: Date): Expiry {
  if (!c.expires_at) return { state: 'none', days: null }
  const at = Date.parse(c.expires_at)
  if (Number.isNaN(at)) return { state: 'none', days: null }
  const days = Math.ceil((at - now.getTime()) / DAY)
  if (at <= now.getTime()) return { state: 'expired', days }
  return { state: days <= EXPIRY_WARNING_DAYS ? 'expiring' : 'ok', days }
}

/** A short cell for tables: "expired 2025-01-31", "in 3 days (2025-01-31)", "2026-06-30" or "". */
export function expiryLabel(c: Pick<Credential, 'expires_at'>, now: Date): string {
  const e = expiryOf(c, now)
  if (e.state === 'none') return ''
  const date = c.expires_at!.slice(0, 10)
  if (e.state === 'expired') return `EXPIRED ${date}`
  if (e.state === 'expiring') return `in ${e.days} day${e.days === 1 ? '' : 's'} (${date})`
  return date
}

/** Credentials that have expired or expire within EXPIRY_WARNING_DAYS (deleted ones are ignored). */
export function expiryWarnings(items: Credential[], now: Date): { expired: Credential[]; expiring: Credential[] } {
  const live = items.filter((c) => !c.deleted_at)
  return {
    expired: live.filter((c) => expiryOf(c, now).state === 'expired'),
    expiring: live.filter((c) => expiryOf(c, now).state === 'expiring'),
  }
}

/** One stderr line per problem, for list and status (never a value: names and dates only). */
export function expiryNotes(items: Credential[], now: Date): string[] {
  const { expired, expiring } = expiryWarnings(items, now)
  return [
    ...expired.map((c) => `warning: ${c.name} (${c.type}) expired on ${c.expires_at!.slice(0, 10)}; rotate it with: credctl update ${JSON.stringify(c.name)} --value-stdin`),
    ...expiring.map((c) => `warning: ${c.name} (${c.type}) expires on ${c.expires_at!.slice(0, 10)} (in ${expiryOf(c, now).days} days)`),
  ]
}
