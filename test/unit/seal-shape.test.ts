import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { aadFor, decodeB64, isSealed, open, seal } from '../../src/vault/cipher.js'

describe('sealed-value shape check (no decoding)', () => {
  it('accepts every real seal and agrees with a decode/re-encode check', () => {
    const key = randomBytes(32)
    for (let n = 0; n < 300; n++) {
      const s = seal(key, randomBytes(n).toString('latin1'), aadFor('v', 'c', 'value'))
      expect(isSealed(s)).toBe(true)
    }
    for (let n = 0; n < 64; n++) {
      const b = randomBytes(n).toString('base64')
      expect(decodeB64(b)?.toString('base64')).toBe(b)
    }
  })

  it('refuses non-canonical base64, short tags and wrong nonce sizes', () => {
    const key = randomBytes(32)
    const s = seal(key, 'hello', aadFor('v', 'c', 'value'))
    const [, n, body] = s.split('.') as [string, string, string]
    expect(isSealed(`v1.${n}.${Buffer.from(body, 'base64').subarray(0, 15).toString('base64')}`)).toBe(false)
    expect(isSealed(`v1.${randomBytes(16).toString('base64')}.${body}`)).toBe(false)
    expect(isSealed(`v2.${n}.${body}`)).toBe(false)
    expect(decodeB64('QR==')).toBeUndefined() // 'Q' carries stray bits: canonical is 'QQ=='
    expect(decodeB64('QUJ=')).toBeUndefined()
    expect(decodeB64('QUI=')?.toString()).toBe('AB')
    expect(open(key, s, aadFor('v', 'c', 'value')).toString()).toBe('hello')
  })
})
