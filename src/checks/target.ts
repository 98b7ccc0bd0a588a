import { CredctlError } from '../errors.js'
import type { Check, CheckInput } from './types.js'

/**
 * Where a check goes, as a key for the per-host cap of `validate` (issue 13, point 7): "host:port",
 * the host lower-cased and without IPv6 brackets, the port always written (a URL's default port
 * included), so https://API.openai.com and https://api.openai.com:443/v1 are one key.
 *
 * Host means host and port: two ports are two services (two origins, RFC 6454; HTTP clients pool
 * connections per origin too), and a database server and a web API on one machine do not share a
 * rate limit. Each check module says where it goes with an optional `target(input)` (types.ts); a
 * module without one, or a value it cannot read, gives `undefined`: that credential has a key of its
 * own, limited only by the global cap. The key is never printed (a host may be part of the secret).
 */
export const DEFAULT_PORT: Readonly<Record<string, number>> = { 'http:': 80, 'https:': 443 }

/** "host:port" from parts; `undefined` when the host is empty. */
export function hostKey(host: string, port: number | string): string | undefined {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase()
  return h ? `${h}:${port}` : undefined
}

/** The key of an http(s) URL (its host and its port, the scheme's default when none is written). */
export function urlKey(url: string): string | undefined {
  const u = new URL(url)
  const port = u.port || DEFAULT_PORT[u.protocol]
  return port === undefined ? undefined : hostKey(u.hostname, port)
}

/** The check's own target for this input, or `undefined` (no `target`, or it threw on a value it cannot read). */
export function targetOf(check: Check, input: CheckInput): string | undefined {
  try {
    return check.target?.(input) ?? undefined
  } catch {
    // The check itself reports an unreadable value when it runs; here it only loses the per-host cap.
    return undefined
  }
}

/**
 * How many checks run at once (validateMany, `validate --concurrency/--per-host`). 32 in all keeps
 * 100 checks over 10 hosts to 4 rounds; 8 per host is the old global default, what one provider saw
 * before. 256 bounds open sockets and file descriptors.
 */
export const VALIDATE_LIMITS = { concurrency: 32, perHost: 8, max: 256 } as const

/**
 * validateMany's `concurrency` and `perHost` (defaults above) as limiter caps. Throws INVALID_INPUT
 * (exit 2) unless each is a whole number from 1 to VALIDATE_LIMITS.max.
 */
export function validateLimits(o: { concurrency?: number | undefined; perHost?: number | undefined }): { limit: number; perKey: number } {
  const whole = (name: string, n: number) => {
    if (!Number.isInteger(n) || n < 1 || n > VALIDATE_LIMITS.max) throw new CredctlError('INVALID_INPUT', `${name} must be a whole number from 1 to ${VALIDATE_LIMITS.max}`)
    return n
  }
  return { limit: whole('concurrency', o.concurrency ?? VALIDATE_LIMITS.concurrency), perKey: whole('perHost', o.perHost ?? VALIDATE_LIMITS.perHost) }
}
