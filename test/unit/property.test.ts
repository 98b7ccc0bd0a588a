import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { redact } from '../../src/checks/redact.js'
import { FormatError, parseVault, serializeVault } from '../../src/vault/format.js'
import { sampleVault } from '../fixtures/hostile/sample-vault.js'

// security.md 8.5 (30): the parser never throws anything but FormatError, never hangs, never pollutes.
const onlyFormatErrors = (text: string) => {
  try {
    const v = parseVault(text)
    // Whatever it accepts serialises back to something it accepts again, identically.
    expect(parseVault(serializeVault(v))).toEqual(v)
  } catch (e) {
    if (!(e instanceof FormatError)) throw new Error(`parseVault threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`)
  }
  expect(({} as Record<string, unknown>).polluted).toBeUndefined()
}

const base = sampleVault()
const baseObj = () => JSON.parse(base.text) as Record<string, unknown>

/** Every path (list of keys) into a JSON value. */
function paths(x: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix]
  if (Array.isArray(x)) x.forEach((v, i) => out.push(...paths(v, [...prefix, i])))
  else if (x && typeof x === 'object') for (const [k, v] of Object.entries(x)) out.push(...paths(v, [...prefix, k]))
  return out
}
const ALL_PATHS = paths(baseObj()).filter((p) => p.length > 0)

const hostileValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(null, true, false, 0, -1, 1e308, -0, 2 ** 53 + 1, '', '\u0000', '__proto__', 'x'.repeat(5000), [], {}, { __proto__: 1 }),
  fc.string({ maxLength: 40 }),
)

describe('parseVault properties', () => {
  it('arbitrary strings: FormatError or a vault, nothing else', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), onlyFormatErrors), { numRuns: 1000 })
  })

  it('arbitrary JSON documents (with __proto__ / constructor keys)', () => {
    const key = fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'prototype', 'format', 'version', 'credentials', 'key', 'mac'))
    const doc = fc.dictionary(key, hostileValue, { maxKeys: 10 }).map((o) => ({ format: 'credctl-vault', version: 1, ...o }))
    fc.assert(fc.property(doc, (o) => onlyFormatErrors(JSON.stringify(o))), { numRuns: 1000 })
  })

  it('a valid vault with one field replaced by a hostile value', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ALL_PATHS), hostileValue, (p, value) => {
        const o = baseObj()
        let cur: any = o
        for (const k of p.slice(0, -1)) cur = cur[k]
        cur[p.at(-1)!] = value
        onlyFormatErrors(JSON.stringify(o))
      }),
      { numRuns: 1500 },
    )
  })

  it('a valid vault with one field deleted, or a raw __proto__ key injected anywhere', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ALL_PATHS), fc.boolean(), (p, inject) => {
        const o = baseObj()
        let cur: any = o
        for (const k of p.slice(0, -1)) cur = cur[k]
        if (Array.isArray(cur)) cur.splice(Number(p.at(-1)), 1)
        else delete cur[p.at(-1)!]
        let text = JSON.stringify(o)
        if (inject) text = text.replace(/\{"/, '{"__proto__":{"polluted":1},"')
        onlyFormatErrors(text)
      }),
      { numRuns: 600 },
    )
  })

  it('byte-level damage to a valid vault: flips, cuts, insertions', () => {
    const text = base.text
    fc.assert(
      fc.property(fc.nat({ max: text.length - 1 }), fc.oneof(fc.string({ minLength: 1, maxLength: 3 }), fc.constant('')), fc.nat({ max: 20 }), (at, insert, cut) => {
        onlyFormatErrors(text.slice(0, at) + insert + text.slice(at + cut))
      }),
      { numRuns: 1500 },
    )
  })
})

describe('redaction properties', () => {
  const secretArb = fc.stringMatching(/^[A-Za-z0-9_\-+/]{8,60}$/)
  const noise = fc.string({ maxLength: 60 })

  it('a secret never survives redact(), wherever it sits in the text', () => {
    fc.assert(
      fc.property(secretArb, noise, noise, (secret, a, b) => {
        fc.pre(!(a + b).includes(secret))
        expect(redact(`${a}${secret}${b}`, [secret])).not.toContain(secret)
        expect(redact(JSON.stringify({ error: `${a} ${secret} ${b}` }), [secret])).not.toContain(secret)
      }),
      { numRuns: 800 },
    )
  })

  it('the password of a connection URI never survives, raw or percent-decoded', () => {
    const pw = fc.stringMatching(/^[A-Za-z0-9!$&'()*+,;=~._-]{6,30}$/)
    fc.assert(
      fc.property(pw, (password) => {
        const enc = encodeURIComponent(password)
        const uri = `postgresql://analytics:${enc}@db.internal:5432/analytics`
        for (const text of [`connect ${uri} failed`, `password authentication failed for ${password}`, `bad dsn "${uri}"`]) {
          const out = redact(text, [uri])
          expect(out).not.toContain(password)
          expect(out).not.toContain(enc)
        }
        // Even without being told the value: the userinfo password of any URI is masked.
        expect(redact(`error at ${uri}`)).not.toContain(`:${enc}@`)
      }),
      { numRuns: 500 },
    )
  })
})
