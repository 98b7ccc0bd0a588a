import { createCipheriv, randomBytes } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { aadFor, decodeB64, hmac, isSealed, macKey, open, sameMac, seal, TagMismatch } from '../../src/vault/cipher.js'

// security.md 8.1: round trip, single-bit tamper of every part, swap/move, nonce uniqueness, strict decode.
const key = randomBytes(32)
const aad = aadFor('vault-0001', 'cred-0001', 'value')

const parts = (s: string) => {
  const [v, n, body] = s.split('.') as [string, string, string]
  return { v, nonce: Buffer.from(n, 'base64'), body: Buffer.from(body, 'base64') }
}
const join = (nonce: Buffer, body: Buffer) => `v1.${nonce.toString('base64')}.${body.toString('base64')}`

describe('AES-256-GCM seal/open', () => {
  it('round-trips any value, record and field (property)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.stringMatching(/^[A-Za-z0-9_-]{8,64}$/), fc.constantFrom('value', 'password', 'host'), (value, rec, field) => {
        const a = aadFor('vault-0001', rec, field)
        expect(open(key, seal(key, value, a), a).toString('utf8')).toBe(value)
      }),
      { numRuns: 300 },
    )
  })

  it('round-trips binary and empty plaintexts', () => {
    const bin = randomBytes(1000)
    expect(open(key, seal(key, bin, aad), aad).equals(bin)).toBe(true)
    const empty = seal(key, '', aad)
    expect(parts(empty).body.length).toBe(16) // the tag alone
    expect(open(key, empty, aad).length).toBe(0)
  })

  it('any single-bit flip of the nonce, ciphertext or tag is a TagMismatch (every bit)', () => {
    const s = seal(key, 'sk-live-0123456789abcdef', aad)
    const { nonce, body } = parts(s)
    let flips = 0
    for (const [which, buf] of [['nonce', nonce], ['body', body]] as const) {
      for (let i = 0; i < buf.length; i++) {
        for (let bit = 0; bit < 8; bit++) {
          const copy = Buffer.from(buf)
          copy[i]! ^= 1 << bit
          const t = which === 'nonce' ? join(copy, body) : join(nonce, copy)
          expect(() => open(key, t, aad), `${which} byte ${i} bit ${bit}`).toThrow(TagMismatch)
          flips++
        }
      }
    }
    expect(flips).toBe((12 + 24 + 16) * 8)
  })

  it('a changed version prefix or a mangled string is a TagMismatch, never a value or empty string', () => {
    const s = seal(key, 'secret-value', aad)
    const { nonce, body } = parts(s)
    for (const bad of [
      s.replace(/^v1/, 'v2'),
      s.replace(/^v1/, 'v0'),
      `v1.${nonce.toString('base64')}`,
      `v1..${body.toString('base64')}`,
      `${s}.`,
      `${s}=`,
      ` ${s}`,
      '',
      'v1.AAAAAAAAAAAAAAAA.',
    ]) {
      expect(() => open(key, bad, aad), JSON.stringify(bad)).toThrow(TagMismatch)
    }
  })

  it('random mutations of the sealed string never open (property)', () => {
    const s = seal(key, 'postgresql://u:p4ssw0rd@db:5432/x', aad)
    fc.assert(
      fc.property(fc.nat({ max: s.length - 1 }), fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=.'), (i, ch) => {
        fc.pre(s[i] !== ch)
        const t = s.slice(0, i) + ch + s.slice(i + 1)
        expect(() => open(key, t, aad)).toThrow(TagMismatch)
      }),
      { numRuns: 500 },
    )
  })

  it('binds the ciphertext to vault, record and field: moved ciphertexts fail', () => {
    const s = seal(key, 'moved-secret', aadFor('vault-A', 'rec-0001', 'value'))
    expect(() => open(key, s, aadFor('vault-A', 'rec-0002', 'value'))).toThrow(TagMismatch)
    expect(() => open(key, s, aadFor('vault-A', 'rec-0001', 'password'))).toThrow(TagMismatch)
    expect(() => open(key, s, aadFor('vault-B', 'rec-0001', 'value'))).toThrow(TagMismatch)
    expect(open(key, s, aadFor('vault-A', 'rec-0001', 'value')).toString()).toBe('moved-secret')
  })

  it('a different 32-byte key fails the tag', () => {
    const s = seal(key, 'x', aad)
    expect(() => open(randomBytes(32), s, aad)).toThrow(TagMismatch)
  })

  it('10,000 seals of the same value under the same key and AAD: 10,000 distinct nonces and ciphertexts', () => {
    const nonces = new Set<string>()
    const sealed = new Set<string>()
    for (let i = 0; i < 10_000; i++) {
      const s = seal(key, 'the same value every time', aad)
      sealed.add(s)
      nonces.add(s.split('.')[1]!)
    }
    expect(nonces.size).toBe(10_000)
    expect(sealed.size).toBe(10_000)
  })

  it('checks the tag with an explicit 16-byte length: a truncated tag is refused', () => {
    const s = seal(key, 'truncate me', aad)
    const { nonce, body } = parts(s)
    // Cut 1, 4 and 8 bytes off the end: a shorter GCM tag (12, 8 bytes) is valid GCM elsewhere, never here.
    for (const cut of [1, 4, 8]) expect(() => open(key, join(nonce, body.subarray(0, body.length - cut)), aad)).toThrow(TagMismatch)
    // A body shorter than a tag is not even a sealed value.
    const tiny = join(nonce, body.subarray(0, 15))
    expect(isSealed(tiny)).toBe(false)
    expect(() => open(key, tiny, aad)).toThrow(TagMismatch)
    // A genuine 12-byte-tag GCM ciphertext (what a lax decrypter would accept) is refused.
    const n = randomBytes(12)
    const c = createCipheriv('aes-256-gcm', key, n, { authTagLength: 12 })
    c.setAAD(aad)
    const ct = Buffer.concat([c.update('short tag'), c.final(), c.getAuthTag()])
    expect(() => open(key, join(n, ct), aad)).toThrow(TagMismatch)
  })

  it('refuses nonces that are not 96 bits', () => {
    const { body } = parts(seal(key, 'x', aad))
    for (const len of [0, 8, 11, 13, 16]) expect(isSealed(join(randomBytes(len), body))).toBe(false)
  })
})

describe('strict base64', () => {
  it('accepts only canonical base64 (property: every encoding round-trips)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        const b64 = Buffer.from(bytes).toString('base64')
        expect(decodeB64(b64)?.equals(Buffer.from(bytes))).toBe(true)
      }),
    )
  })

  it('refuses non-canonical, padded-wrong, URL-safe and whitespace forms', () => {
    for (const bad of ['QR==', 'QUJ=', 'QQ', 'QQ=', 'Q===', 'QUJD\n', ' QUJD', 'QU JD', '-_-_', 'QUJD====', 'QUJDRA', '\u0000QUJD']) {
      expect(decodeB64(bad), JSON.stringify(bad)).toBeUndefined()
    }
    expect(decodeB64('')?.length).toBe(0)
    expect(decodeB64(undefined as unknown as string)).toBeUndefined()
  })

  it('a sealed value whose base64 carries stray bits is not a sealed value', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
    // 3 + 16 = 19 bytes of body ('==' padding), 4 + 16 = 20 bytes ('=' padding)
    for (const plain of ['abc', 'abcd']) {
      const s = seal(key, plain, aad)
      const pad = s.endsWith('==') ? 2 : 1
      const i = s.length - pad - 1
      // The canonical last character has its unused low bits clear; the next letter sets one.
      const t = `${s.slice(0, i)}${alphabet[alphabet.indexOf(s[i]!) + 1]!}${'='.repeat(pad)}`
      expect(Buffer.from(t.split('.')[2]!, 'base64').equals(Buffer.from(s.split('.')[2]!, 'base64'))).toBe(true) // same bytes, lax decoders agree
      expect(isSealed(t)).toBe(false)
      expect(() => open(key, t, aad)).toThrow(TagMismatch)
    }
  })
})

describe('metadata MAC helpers', () => {
  it('derives a MAC key distinct from the vault key; the MAC changes with any byte of input', () => {
    const mk = macKey(key)
    expect(mk.length).toBe(32)
    expect(mk.equals(key)).toBe(false)
    expect(macKey(key).equals(mk)).toBe(true)
    const m = hmac(mk, '{"a":1}')
    expect(hmac(mk, '{"a":2}')).not.toBe(m)
    expect(hmac(macKey(randomBytes(32)), '{"a":1}')).not.toBe(m)
  })
})

describe('sameMac: the one MAC comparison', () => {
  it('is equality of bytes or of their text, false on any change or any length difference', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (bytes, at, flip) => {
        const a = Buffer.from(bytes)
        expect(sameMac(a, Buffer.from(a))).toBe(true)
        expect(sameMac(a.toString('base64'), a.toString('base64'))).toBe(true)
        const b = Buffer.from(a)
        b[at % b.length]! ^= flip
        expect(sameMac(a, b)).toBe(false)
        expect(sameMac(a, a.subarray(0, a.length - 1))).toBe(false)
        expect(sameMac(a, Buffer.concat([a, Buffer.alloc(1)]))).toBe(false)
      }),
    )
  })
})
