import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { canonical } from '../../src/vault/format.js'

/** The straightforward definition the fast version must match byte for byte (the MAC depends on it). */
function reference(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(reference).join(',')}]`
  if (x && typeof x === 'object') {
    const o = x as Record<string, unknown>
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${reference(o[k])}`)
      .join(',')}}`
  }
  return JSON.stringify(x)
}

describe('canonical JSON (the MAC input)', () => {
  it('matches the reference definition on arbitrary vault-like values', () => {
    const key = fc.stringMatching(/^[a-z_]{1,12}$/)
    const leaf = fc.oneof(fc.string(), fc.boolean(), fc.constant(null), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }))
    const value = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(key, tie('v'), { maxKeys: 6 })),
    })).v
    fc.assert(fc.property(fc.dictionary(key, value, { maxKeys: 8 }), (o) => canonical(o) === reference(o)), { numRuns: 2000 })
  })

  it('sorts keys at every depth and drops undefined members', () => {
    expect(canonical({ b: 1, a: { d: [1, { z: true, y: null }], c: undefined } })).toBe('{"a":{"d":[1,{"y":null,"z":true}]},"b":1}')
  })
})
