import { crypto } from '../lazy-crypto.js'

/**
 * scrypt parameters come from files (a vault header, an export bundle) that may be hostile, so every
 * derivation in credctl goes through `scrypt()` below, which refuses parameters over the bound before it
 * derives anything. Parsers call `scryptTooCostly()` first to say "damaged" in their own words.
 *
 * Each bound alone still allows N=2^20 with r=16 and p=4: 2 GiB of memory and ~36 s of CPU from a
 * 400-byte file. So the cost is bounded jointly too: memory, counted as 128*N*r*p bytes (what Node's
 * maxmem is given; OpenSSL needs 128*r*(N+p), never more), at most 1 GiB, and work (N*r*p) at most that
 * of N=2^20, r=8, p=1. Generous for real use: credctl writes N=2^15 (vault) and N=2^17 (bundle) with r=8.
 */
export const SCRYPT_BOUNDS = { N: [1 << 14, 1 << 20], r: [8, 16], p: [1, 4] } as const
export const SCRYPT_MAX_MEMORY = 1 << 30
export const SCRYPT_MAX_WORK = (1 << 20) * 8

export interface ScryptCost {
  N: number
  r: number
  p: number
}

/** True when the parameters together cost more than the bound (each is assumed within its own range). */
export function scryptTooCostly({ N, r, p }: ScryptCost): boolean {
  return 128 * N * r * p > SCRYPT_MAX_MEMORY || N * r * p > SCRYPT_MAX_WORK
}

const inRange = (x: number, [lo, hi]: readonly [number, number]) => Number.isInteger(x) && x >= lo && x <= hi

/** Derive `length` bytes; parameters outside the bounds are refused before any work is done. */
export function scrypt(passphrase: string, salt: Buffer, length: number, c: ScryptCost): Promise<Buffer> {
  const ok = inRange(c.N, SCRYPT_BOUNDS.N) && (c.N & (c.N - 1)) === 0 && inRange(c.r, SCRYPT_BOUNDS.r) && inRange(c.p, SCRYPT_BOUNDS.p) && !scryptTooCostly(c)
  if (!ok) return Promise.reject(new RangeError(`scrypt parameters out of bounds (N=${c.N}, r=${c.r}, p=${c.p})`))
  return new Promise((resolve, reject) =>
    crypto().scrypt(passphrase.normalize('NFC'), salt, length, { N: c.N, r: c.r, p: c.p, maxmem: 128 * c.N * c.r * c.p + (8 << 20) }, (e, k) =>
      e ? reject(e) : resolve(k),
    ),
  )
}
