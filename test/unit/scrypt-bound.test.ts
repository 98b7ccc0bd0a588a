import fc from 'fast-check'
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { BUNDLE_MAGIC, openBundle, parseBundle } from '../../src/credentials/bundle.js'
import { scrypt, SCRYPT_BOUNDS, SCRYPT_MAX_MEMORY, SCRYPT_MAX_WORK, scryptTooCostly } from '../../src/vault/scrypt.js'
import { CredctlError } from '../../src/index.js'

// Issue 10, kind 6: hostile files cost bounded work. A bundle's KDF parameters are bounded jointly
// (memory 128*N*r*p, work N*r*p) before any derivation, by the same bound as the vault's header.
const header = (kdf: { N: number; r: number; p: number }) =>
  JSON.stringify({
    kdf: { name: 'scrypt', salt: randomBytes(16).toString('base64'), ...kdf },
    cipher: 'aes-256-gcm',
    nonce: randomBytes(12).toString('base64'),
    check: randomBytes(32).toString('base64'),
    created_at: '2025-01-01T00:00:00.000Z',
    count: 1,
  })
const bundle = (kdf: { N: number; r: number; p: number }) => `${BUNDLE_MAGIC}\n${header(kdf)}\n${randomBytes(48).toString('base64')}\n`

describe('scrypt parameters from files are bounded jointly before any derivation', () => {
  it('a 400-byte bundle asking for N=2^20, r=16, p=4 (2 GiB, ~36 s) is "damaged", not derived', async () => {
    const text = bundle({ N: 1 << 20, r: 16, p: 4 })
    expect(text.length).toBeLessThan(420)
    expect(() => parseBundle(text)).toThrow(/scrypt parameters too costly/)
    // openBundle would derive first and then say "wrong passphrase" (KEY_WRONG); it must stop at parsing.
    const e = await openBundle(text, 'any passphrase at all').catch((x: unknown) => x)
    expect(e).toBeInstanceOf(CredctlError)
    expect((e as CredctlError).code).toBe('INVALID_INPUT')
    expect((e as Error).message).toMatch(/too costly/)
  })

  it('the one scrypt() refuses over-bound parameters itself, whoever calls it', async () => {
    await expect(scrypt('p', randomBytes(16), 32, { N: 1 << 20, r: 16, p: 4 })).rejects.toThrow(RangeError)
    await expect(scrypt('p', randomBytes(16), 32, { N: 1 << 21, r: 8, p: 1 })).rejects.toThrow(RangeError)
    await expect(scrypt('p', randomBytes(16), 32, { N: 3 << 14, r: 8, p: 1 })).rejects.toThrow(RangeError)
    expect((await scrypt('p', randomBytes(16), 32, { N: 1 << 14, r: 8, p: 1 })).length).toBe(32)
  })

  it('generated: parseBundle accepts exactly the parameters within the joint bound, and never derives', () => {
    const pow2 = fc.integer({ min: 8, max: 24 }).map((e) => 2 ** e)
    fc.assert(
      fc.property(fc.oneof(pow2, fc.integer({ min: 1, max: 1 << 22 })), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 10 }), (N, r, p) => {
        const within =
          N >= SCRYPT_BOUNDS.N[0] && N <= SCRYPT_BOUNDS.N[1] && (N & (N - 1)) === 0 &&
          r >= SCRYPT_BOUNDS.r[0] && r <= SCRYPT_BOUNDS.r[1] && p >= SCRYPT_BOUNDS.p[0] && p <= SCRYPT_BOUNDS.p[1] &&
          128 * N * r * p <= SCRYPT_MAX_MEMORY && N * r * p <= SCRYPT_MAX_WORK
        let accepted = true
        try {
          parseBundle(bundle({ N, r, p }))
        } catch (e) {
          expect(e).toBeInstanceOf(CredctlError)
          accepted = false
        }
        expect(accepted, `N=${N} r=${r} p=${p}`).toBe(within)
        if (within) expect(scryptTooCostly({ N, r, p })).toBe(false)
      }),
      { numRuns: 1000 },
    )
  })
})
