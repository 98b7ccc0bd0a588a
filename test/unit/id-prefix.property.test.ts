import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CredctlError } from '../../src/errors.js'
import { find, ID_PREFIX_MIN } from '../../src/credentials/records.js'

/**
 * Issue 12, point 5: a unique id prefix of 8+ characters is accepted wherever an id is, through the one
 * lookup (records.ts find). A prefix that matches several records, or one record's id and another's
 * name, is AMBIGUOUS; shorter strings are names only. Never the wrong record.
 */
interface Rec {
  id: string
  name: string
  deleted_at: string | null
}
const vault = (credentials: Rec[]) => ({ credentials })
const err = (f: () => unknown): string => {
  try {
    f()
  } catch (e) {
    if (e instanceof CredctlError) return e.code
    throw e
  }
  return 'none'
}

const A = '3f2b9c4e-1d2a-4b8c-9e7f-0a1b2c3d4e5f'
const B = '3f2b9c4e-9999-4b8c-9e7f-0a1b2c3d4e5f'
const C = '77aa0011-1d2a-4b8c-9e7f-0a1b2c3d4e5f'

describe('id prefixes in the one lookup (records.ts find)', () => {
  const v = vault([
    { id: A, name: 'alpha', deleted_at: null },
    { id: B, name: 'beta', deleted_at: null },
    { id: C, name: 'gamma', deleted_at: '2026-01-01T00:00:00.000Z' },
    { id: 'aa55aa55-0000-4000-8000-000000000000', name: 'deadbeef', deleted_at: null },
    { id: 'deadbeef-0000-4000-8000-000000000000', name: 'delta', deleted_at: null },
  ])
  it('a unique prefix of 8+ characters finds its record, in any letter case', () => {
    expect(find(v, '3f2b9c4e-1').name).toBe('alpha')
    expect(find(v, '3F2B9C4E-9').name).toBe('beta')
    expect(find(v, A).name).toBe('alpha')
  })
  it('a prefix of several records is AMBIGUOUS, listing their ids', () => {
    expect(() => find(v, '3f2b9c4e')).toThrow(/matches 2 credentials: 3f2b9c4e-1d2a.*3f2b9c4e-9999/)
    expect(err(() => find(v, '3f2b9c4e'))).toBe('AMBIGUOUS')
  })
  it('a prefix that is also another record’s name is AMBIGUOUS', () => {
    expect(err(() => find(v, 'deadbeef'))).toBe('AMBIGUOUS')
  })
  it('under 8 characters a string is a name only', () => {
    expect(ID_PREFIX_MIN).toBe(8)
    expect(err(() => find(v, '3f2b9c4'))).toBe('NOT_FOUND')
    expect(err(() => find(v, '77aa'))).toBe('NOT_FOUND')
  })
  it('deleted records count only where deleted ones are reachable', () => {
    expect(err(() => find(v, '77aa0011'))).toBe('NOT_FOUND')
    expect(find(v, '77aa0011', { deleted: true }).name).toBe('gamma')
  })

  // Ids drawn from a few shared stems so that prefixes collide often; names include id-like strings.
  const hex = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 4, maxLength: 4 })
  const idArb = fc.tuple(fc.constantFrom('3f2b9c4e', '3f2b9c4f', 'deadbeef'), hex, hex).map(([a, b, c]) => `${a}-${b}-4${c.slice(1)}-8000-00000000${b}`)
  const nameArb = fc.oneof(fc.constantFrom('alpha', 'deadbeef', '3f2b9c4e', '3f2b9c4e-1', 'x'), fc.string({ minLength: 1, maxLength: 12 }))
  const recArb = fc.record({ id: idArb, name: nameArb, deleted: fc.boolean() })

  it('property: a lookup returns the one record the string means, or AMBIGUOUS / NOT_FOUND; never the wrong one', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(recArb, { selector: (r) => r.id, minLength: 1, maxLength: 8 }),
        fc.nat(),
        fc.integer({ min: 1, max: 36 }),
        fc.constantFrom('prefix', 'upper', 'name', 'other'),
        fc.boolean(),
        fc.string({ maxLength: 12 }),
        (recs, pick, len, how, deleted, other) => {
          const credentials: Rec[] = recs.map((r, i) => ({ id: r.id, name: r.name, deleted_at: r.deleted ? `2026-01-0${(i % 9) + 1}T00:00:00.000Z` : null }))
          const target = credentials[pick % credentials.length]!
          const q = how === 'prefix' ? target.id.slice(0, len) : how === 'upper' ? target.id.slice(0, len).toUpperCase() : how === 'name' ? target.name : other
          if (q === '') return
          // What the string means, stated from the rules rather than from the code: the same id, the
          // same name, or (8+ characters) the start of an id in either case.
          const means = (r: Rec) => r.id === q || r.name === q || r.name === q.normalize('NFC') || (q.length >= 8 && r.id.startsWith(q.toLowerCase()))
          const eligible = credentials.filter((r) => (deleted || !r.deleted_at) && means(r))
          let got: Rec | undefined
          let code = 'none'
          try {
            got = find(vault(credentials), q, { deleted })
          } catch (e) {
            if (!(e instanceof CredctlError)) throw e
            code = e.code
            if (code === 'AMBIGUOUS') for (const r of eligible) expect(e.message).toContain(r.id)
          }
          if (eligible.length === 1) expect(got).toBe(eligible[0])
          else expect(code).toBe(eligible.length === 0 ? 'NOT_FOUND' : 'AMBIGUOUS')
        },
      ),
      { numRuns: 3000 },
    )
  })
})

describe('names are never id-prefix shaped (a reference to a short id cannot silently move to a new name)', () => {
  it('refuses a name that could be read as the start of an id; accepts near misses', async () => {
    const { checkName } = await import('../../src/credentials/records.js')
    for (const n of ['06fab429', 'DEADBEEF', '06fab429-1d', '3f2b9c4e-1d2a-4b8c-9e7f-0a1b2c3d', '06fab429\u20101d2a']) expect(err(() => checkName(n)), n).toBe('INVALID_INPUT')
    for (const n of ['06fab42', '06fab429x', 'deadbeef prod', '06fab429_1', 'gateway1']) expect(checkName(n)).toBe(n)
  })

  it('property: every prefix of 8+ characters of any UUID is refused as a name', async () => {
    const { checkName } = await import('../../src/credentials/records.js')
    fc.assert(
      fc.property(fc.uuid(), fc.integer({ min: ID_PREFIX_MIN, max: 36 }), fc.boolean(), (id, n, upper) => {
        const name = upper ? id.slice(0, n).toUpperCase() : id.slice(0, n)
        expect(err(() => checkName(name))).toBe('INVALID_INPUT')
      }),
      { numRuns: 300 },
    )
  })
})
