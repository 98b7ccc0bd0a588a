import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseMssql } from '../../src/checks/databases/mssql-config.js'
import { parsePgUri } from '../../src/checks/databases/pg-uri.js'
import { checkValue } from '../../src/credentials/input.js'
import { mask } from '../../src/credentials/mask.js'
import { tokenizeKeyValues } from '../../src/lib/keyvalues.js'
import { parseUri, showParts, valueParts } from '../../src/lib/value-parts.js'
import { SPECIAL } from '../helpers/canary-values.js'

// The one structural parse (src/lib/value-parts.ts) that the input check, the mask and redaction share.

describe('parseUri: one reading of the userinfo, or a refusal', () => {
  it.each([
    ['a "/" after a digits-only prefix (host "analytics", port 2024)', 'postgresql://analytics:2024/Spring-Rain@db:5432/wh'],
    ['a "?" after a digits-only prefix', 'postgresql://analytics:2024?Spring@db:5432/wh'],
    ['a "#" after a digits-only prefix', 'mysql://root:12#34@db/shop'],
    ['a "\\" in an http(s) password (WHATWG reads it as "/")', 'https://u:12\\ab@ch.internal:8443/db'],
    ['an "@" in a query value', 'postgresql://u@db/wh?application_name=a@b'],
    ['a ";" in an opaque host', 'sqlserver://sa:pw@db;password=x'],
  ])('refuses %s, with the encoding hint', (_why, v) => {
    expect(() => parseUri(v)).toThrow(/ambiguous URI|host name/)
    // The driver's parser is the same parse: it refuses too.
    if (!v.startsWith('http')) expect(() => parsePgUri(v.replace(/^\w+:/, 'postgresql:'))).toThrow()
  })

  it('accepts an "@" and ":" inside the userinfo (the last "@" of the authority ends it)', () => {
    expect(mask('postgresql', checkValue('postgresql', 'postgresql://u:p@ss:w0rd@db.example.com:5432/db'))).toBe('postgresql://u:****@db.example.com:5432/db')
  })

  it('whatever the password, percent-encoded it is accepted, read back exactly by the driver parser, and masked whole', () => {
    const pw = fc.string({ unit: fc.oneof(fc.constantFrom(...SPECIAL), fc.stringMatching(/^[A-Za-z0-9 é]$/)), minLength: 1, maxLength: 30 })
    fc.assert(
      fc.property(pw, (password) => {
        const v = `postgresql://analytics:${encodeURIComponent(password)}@db.internal:5432/warehouse?sslmode=require`
        expect(parsePgUri(checkValue('postgresql', v)).password).toBe(password)
        expect(mask('postgresql', v)).toBe('postgresql://analytics:****@db.internal:5432/warehouse?sslmode=require')
      }),
      { numRuns: 500 },
    )
  })

  it('an accepted URI has the same password under WHATWG and under a last-"@" split of the whole value', () => {
    const part = fc.string({ unit: fc.oneof(fc.constantFrom(...SPECIAL), fc.stringMatching(/^[A-Za-z0-9]$/)), maxLength: 12 })
    fc.assert(
      fc.property(part, part, part, (user, password, tail) => {
        const v = `postgresql://${user}:${password}@db.internal:5432/${tail}`
        let ok = true
        try {
          checkValue('postgresql', v)
        } catch {
          ok = false
        }
        fc.pre(ok)
        const lastAt = v.slice('postgresql://'.length, v.lastIndexOf('@'))
        expect(new URL(v).password).toBe(new URL(`postgresql://${lastAt}@h`).password)
        // The mask is cut where the driver cuts: user as written, the whole password hidden.
        if (new URL(v).password) expect(mask('postgresql', v)).toMatch(new RegExp(`^postgresql://[^@]*:\\*{4}@db\\.internal:5432/`))
      }),
      { numRuns: 1000 },
    )
  })
})

describe('key=value strings: one tokenizer for the check and the mask', () => {
  it('refuses a segment without "=" and text after a closing quote, instead of reading a password tail as a key', () => {
    expect(() => tokenizeKeyValues('Server=h;Password=ab;cd;Database=x')).toThrow(/key=value/)
    expect(() => tokenizeKeyValues('Server=h;Password="ab"cd;Database=x')).toThrow(/closing quote/)
    expect(() => parseMssql('Server=h;Password=ab;cd;Database=x')).toThrow(/key=value/)
  })

  it('masks quoted, braced and plain passwords and every secret JDBC property, and shows the rest as written', () => {
    const v = 'Server=tcp:db,1433;Database=sales;User Id=sa;Password={a;b}}c};Encrypt=true;TrustServerCertificate=false'
    expect(showParts(valueParts('mssql', v))).toBe('Server=tcp:db,1433;Database=sales;User Id=sa;Password=****;Encrypt=true;TrustServerCertificate=false')
    expect(mask('mssql', 'jdbc:sqlserver://db:1433;user=sa;password=p1;trustStorePassword="t;2";encrypt=true')).toBe(
      'jdbc:sqlserver://db:1433;user=sa;password=****;trustStorePassword=****;encrypt=true',
    )
  })

  it('refuses an unknown keyword (most often a password tail after an unquoted ";") and masks such a stored value whole', () => {
    expect(() => checkValue('mssql', 'Server=h;User Id=sa;Password=ab;Spring=Rain')).toThrow(/unknown keyword/)
    expect(mask('mssql', 'Server=h;User Id=sa;Password=ab;Spring=Rain')).toBe('********')
  })
})

describe('JSON values', () => {
  it('a service account shows only its client_email; an oauth value only its masked access token', () => {
    const sa = JSON.stringify({ type: 'service_account', client_email: 'bot@p.iam.gserviceaccount.com', private_key: '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n' })
    expect(mask('bigquery', sa)).toBe('service account bot@p.iam.gserviceaccount.com')
    expect(valueParts('json', sa).filter((p) => p.secret).map((p) => p.text)).toEqual([expect.stringContaining('PRIVATE KEY')])
  })
})
