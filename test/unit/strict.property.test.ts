import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CredctlError } from '../../src/errors.js'
import { envWholeNumber, isIsoTime, ISO_TIME, isJsonObject, StrictError, strictReader, wholeNumber, type Refusal } from '../../src/lib/strict.js'

/**
 * The strict-parsing toolkit (src/lib/strict.ts), by generators: wholeNumber accepts exactly the decimal
 * integers in range (with optional surrounding blanks), and every getter refuses every JSON value of
 * the wrong type, naming where and which field.
 */

const BLANKS = [' ', '\t', '\n', '\r', '\v', '\f', '\u00a0', '\u2003', '\ufeff']
const blank = fc.constantFrom(...BLANKS)
const blanks = fc.array(blank, { maxLength: 3 }).map((a) => a.join(''))
/** Text that looks like a number but is not a plain decimal whole number. */
const notDecimal = fc.oneof(
  fc.constantFrom('', ' ', 'NaN', 'Infinity', '-0', '+0', '+5', '-5', '1e3', '1E3', '0x10', '0o7', '0b1', '1.0', '1.', '.5', '1_000', '1 000', '١٢', '٣', 'Ⅻ', '５', '\u0000', '1\u0000'),
  fc.double().map(String).filter((s) => !/^\d+$/.test(s)),
  fc.integer({ min: -1_000_000, max: -1 }).map(String),
  fc.string().filter((s) => !/^\s*\d+\s*$/.test(s)),
)

describe('wholeNumber', () => {
  it('accepts exactly the decimal whole numbers in range, blanks around allowed', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 1_000_000 }),
        fc.nat({ max: 4 }),
        blanks,
        blanks,
        fc.nat({ max: 1_000_000 }),
        fc.nat({ max: 1_000_000 }),
        (n, zeros, before, after, a, b) => {
          const [min, max] = a <= b ? [a, b] : [b, a]
          const text = `${before}${'0'.repeat(zeros)}${n}${after}`
          expect(wholeNumber(text, { min, max })).toBe(n >= min && n <= max ? n : undefined)
          // Without blanks: the bare digits only.
          const bare = `${'0'.repeat(zeros)}${n}`
          expect(wholeNumber(bare, { min, max, blanks: false })).toBe(n >= min && n <= max ? n : undefined)
          if (before + after !== '') expect(wholeNumber(text, { min, max, blanks: false })).toBeUndefined()
        },
      ),
      { numRuns: 2000 },
    )
  })

  it('never accepts a sign, fraction, exponent, other base, other digits, or nothing', () => {
    fc.assert(
      fc.property(notDecimal, blanks, (s, b) => {
        expect(wholeNumber(`${b}${s}${b}`)).toBeUndefined()
        expect(wholeNumber(s, { blanks: false })).toBeUndefined()
      }),
      { numRuns: 2000 },
    )
  })

  it('never answers NaN or a number past its bounds, whatever the text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.stringMatching(/^\s*\d{1,30}\s*$/)), (s) => {
        const n = wholeNumber(s, { min: 1, max: 2 ** 40 })
        if (n !== undefined) {
          expect(Number.isInteger(n)).toBe(true)
          expect(n >= 1 && n <= 2 ** 40).toBe(true)
          expect(String(n)).toBe(s.trim().replace(/^0+(?=\d)/, ''))
        }
      }),
      { numRuns: 2000 },
    )
    // Default bounds: 0 .. MAX_SAFE_INTEGER; past it is refused, not rounded.
    expect(wholeNumber('0')).toBe(0)
    expect(wholeNumber(String(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER)
    expect(wholeNumber('9007199254740993')).toBeUndefined()
    expect(wholeNumber('9'.repeat(400))).toBeUndefined()
  })
})

describe('envWholeNumber', () => {
  const o = { min: 1, max: 600_000, default: 5000, unit: 'milliseconds' }
  it('unset or empty is the default; a whole number in range is itself; anything else is USAGE with the hint', () => {
    expect(envWholeNumber({}, 'X_MS', o)).toBe(5000)
    expect(envWholeNumber({ X_MS: '' }, 'X_MS', o)).toBe(5000)
    fc.assert(
      fc.property(fc.oneof(notDecimal.filter((s) => s !== ''), fc.integer({ min: -10, max: 700_000 }).map(String)), (raw) => {
        const want = wholeNumber(raw, o)
        if (want !== undefined) {
          expect(envWholeNumber({ X_MS: raw }, 'X_MS', o)).toBe(want)
          return
        }
        let err: unknown
        try {
          envWholeNumber({ X_MS: raw }, 'X_MS', o)
        } catch (e) {
          err = e
        }
        expect(err).toBeInstanceOf(CredctlError)
        const c = err as CredctlError
        expect([c.code, c.exitCode, c.message, c.hint]).toEqual(['USAGE', 2, 'X_MS must be a whole number of milliseconds from 1 to 600000', 'unset it for the default (5000)'])
      }),
      { numRuns: 1000 },
    )
    expect(() => envWholeNumber({ B: '0' }, 'B', { min: 1, max: 2 ** 40, default: 1 << 20, unit: 'bytes', maxText: '2^40' })).toThrow('B must be a whole number of bytes from 1 to 2^40')
  })
})

/** Every JSON value, by its JSON type. */
const jsonOf = {
  string: fc.string({ maxLength: 30 }),
  number: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })),
  boolean: fc.boolean(),
  null: fc.constant(null),
  array: fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
  object: fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
}
type JsonType = keyof typeof jsonOf
const others = (...keep: JsonType[]) => fc.oneof(...(Object.keys(jsonOf) as JsonType[]).filter((t) => !keep.includes(t)).map((t) => jsonOf[t]))

class Caught extends Error {
  readonly r: Refusal
  constructor(r: Refusal) {
    super(r.message)
    this.r = r
  }
}
const S = strictReader((r) => new Caught(r))
const refusal = (f: () => unknown): Refusal => {
  try {
    f()
  } catch (e) {
    if (e instanceof Caught) return e.r
    throw e
  }
  throw new Error('expected a refusal')
}
const key = fc.string({ minLength: 1, maxLength: 10 })

describe('strictReader getters', () => {
  it('each getter refuses every JSON value of the wrong type (and a missing field), naming where and the field', () => {
    const getters: [string, JsonType[], (o: Record<string, unknown>, k: string) => unknown, string][] = [
      ['str', ['string'], (o, k) => S.str(o, k, 'here'), 'must be a string'],
      ['int', ['number'], (o, k) => S.int(o, k, 'here', { min: -1e9, max: 1e9 }), 'must be an integer between -1000000000 and 1000000000'],
      ['bool', ['boolean'], (o, k) => S.bool(o, k, 'here'), 'must be true or false'],
      ['isoTime', ['string'], (o, k) => S.isoTime(o, k, 'here'), 'must be a string'],
      ['nullable(str)', ['string', 'null'], (o, k) => S.nullable(S.str)(o, k, 'here'), 'must be a string'],
    ]
    for (const [name, ok, get, problem] of getters) {
      fc.assert(
        fc.property(key, fc.oneof(others(...ok), fc.constant(undefined)), (k, v) => {
          const o: Record<string, unknown> = v === undefined ? {} : { [k]: v }
          const r = refusal(() => get(o, k))
          expect(r, name).toEqual({ where: 'here', key: k, kind: 'value', message: `here: "${k}" ${problem}` })
        }),
        { numRuns: 300 },
      )
    }
  })

  it('the right type passes through unchanged, within the rules', () => {
    fc.assert(
      fc.property(key, fc.string({ maxLength: 50 }), fc.integer({ min: -5, max: 5 }), fc.boolean(), fc.date({ noInvalidDate: true, min: new Date(0), max: new Date(253402300799000) }), (k, s, n, b, d) => {
        const o = (v: unknown) => ({ [k]: v })
        if (s.includes('\0')) expect(refusal(() => S.str(o(s), k, 'w')).message).toBe(`w: "${k}" contains a NUL character`)
        else expect(S.str(o(s), k, 'w')).toBe(s)
        if (s.length > 3) expect(refusal(() => S.str(o(s), k, 'w', { max: 3 })).message).toBe(`w: "${k}" is too long (over 3 characters)`)
        expect(S.str(o(s), k, 'w', { why: () => undefined })).toBe(s)
        expect(refusal(() => S.str(o(s), k, 'w', { why: () => 'is wrong' })).message).toBe(`w: "${k}" is wrong`)
        if (Math.abs(n) <= 2) expect(S.int(o(n), k, 'w', { min: -2, max: 2 })).toBe(n)
        else expect(refusal(() => S.int(o(n), k, 'w', { min: -2, max: 2 })).message).toBe(`w: "${k}" must be an integer between -2 and 2`)
        expect(refusal(() => S.int(o(n + 0.5), k, 'w', { min: -10, max: 10 })).kind).toBe('value')
        expect(S.bool(o(b), k, 'w')).toBe(b)
        expect(S.isoTime(o(d.toISOString()), k, 'w')).toBe(d.toISOString())
        expect(S.nullable(S.isoTime)(o(null), k, 'w')).toBeNull()
        if (!ISO_TIME.test(s) && s.length <= 40 && !s.includes('\0')) expect(refusal(() => S.isoTime(o(s), k, 'w')).message).toBe(`w: "${k}" must be an ISO 8601 UTC time`)
      }),
      { numRuns: 500 },
    )
  })

  it('obj refuses every non-object; only refuses the first unknown key, then a missing required one', () => {
    fc.assert(
      fc.property(others('object'), (v) => {
        expect(isJsonObject(v)).toBe(false)
        expect(refusal(() => S.obj(v, 'entry #2'))).toEqual({ where: 'entry #2', kind: 'object', message: 'entry #2 is not an object' })
      }),
    )
    fc.assert(
      fc.property(jsonOf.object, fc.uniqueArray(key, { maxLength: 4 }), (o, allowed) => {
        const unknown = Object.keys(o).find((k) => !allowed.includes(k))
        const missing = allowed.find((k) => !Object.hasOwn(o, k))
        if (unknown !== undefined) expect(refusal(() => S.only(o, allowed, 'w', allowed))).toMatchObject({ kind: 'unknown', key: unknown, message: `w: unknown field "${unknown.slice(0, 40)}"` })
        else if (missing !== undefined) expect(refusal(() => S.only(o, allowed, 'w', allowed))).toMatchObject({ kind: 'missing', key: missing, message: `w: missing field "${missing}"` })
        else expect(() => S.only(o, allowed, 'w', allowed)).not.toThrow()
        if (unknown === undefined) expect(() => S.only(o, allowed, 'w')).not.toThrow()
      }),
    )
    // `__proto__` from JSON.parse is an own key like any other: refused when not allowed.
    expect(refusal(() => S.only(JSON.parse('{"__proto__":1}') as Record<string, unknown>, ['a'], 'w')).message).toBe('w: unknown field "__proto__"')
  })

  it('without a callback the getters throw StrictError carrying the refusal', () => {
    const plain = strictReader()
    expect(() => plain.str({}, 'a', 'w')).toThrow(StrictError)
    expect(() => plain.refuse('w', 'a', 'is odd')).toThrow('w: "a" is odd')
    expect(isIsoTime('2025-01-01T00:00:00Z')).toBe(true)
    expect(isIsoTime('2025-01-01T00:00:00+00:00')).toBe(false)
  })
})
