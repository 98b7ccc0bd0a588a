import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { redact, secretPieces } from '../../src/checks/redact.js'
import { TYPES, WAREHOUSE_TYPES } from '../../src/credentials/catalogue.js'
import { checkValue } from '../../src/credentials/input.js'
import { mask, remask } from '../../src/credentials/mask.js'
import { CredctlError } from '../../src/errors.js'
import { canaryArb, CASES, pieces, valuesOf } from '../helpers/canary-values.js'

// Issue 10, section 2: no secret may reach the masked form. The masked form is stored in the clear, so
// a canary secret is put in every syntactic position a secret can take in every type's value, and for
// each value either the input check refuses it (exit 2) or the mask shows no 8-character piece of it,
// and redaction removes it and its partial echoes from a message.

/** Accepted, or refused as input; anything else (a crash) fails the test. */
function accepted(type: string, value: string, schemaType?: string): string | undefined {
  try {
    return checkValue(type, value, schemaType)
  } catch (e) {
    if (e instanceof CredctlError && e.code === 'INVALID_INPUT') {
      // The refusal itself must not quote the value.
      return undefined
    }
    throw e
  }
}

describe('no secret reaches the masked form (issue 10, section 2)', () => {
  it('covers all 34 types and tools/database with every schema type', () => {
    expect(TYPES.length).toBe(34)
    expect(CASES.length).toBe(33 + WAREHOUSE_TYPES.length)
  })

  it('a canary in every secret position: refused at input, or absent from the mask, and redacted with its partial echoes', () => {
    fc.assert(
      fc.property(fc.constantFrom(...CASES), canaryArb, ([type, schemaType, shapeOf], c) => {
        for (const value of valuesOf(shapeOf, c)) {
          let refusal = ''
          try {
            checkValue(type, value, schemaType)
          } catch (e) {
            refusal = `${(e as Error).message} ${(e as CredctlError).hint ?? ''}`
          }
          for (const p of pieces(c)) expect(refusal, `refusal of ${type} quotes the value`).not.toContain(p)
          const stored = accepted(type, value, schemaType)
          if (stored === undefined) continue
          const m = mask(schemaType ?? type, stored)
          for (const p of pieces(c)) expect(m, `${type}: mask ${m} shows a piece of the secret`).not.toContain(p)
          // Showing a stored mask masks it again: a no-op on every mask written today.
          expect(remask(schemaType ?? type, m)).toBe(m)
          // Redaction, where the canary is a secret part on its own (a password, a token; not a fragment
          // of a PEM line): raw and JSON-quoted in a driver's message, and a partial echo, the secret minus
          // its last characters, as a server that cuts what it quotes would print it.
          if (secretPieces(stored).includes(c)) {
            const said = redact(`login failed for ${c} (${JSON.stringify(c)})`, [stored])
            for (const p of pieces(c)) expect(said).not.toContain(p)
            const cut = c.slice(0, Math.max(8, Math.ceil(c.length / 2)))
            expect(redact(`server said "${cut}..."`, [stored])).not.toContain(cut)
          } else expect(redact(`failed: ${stored}`, [stored])).not.toContain(c)
        }
      }),
      { numRuns: Number(process.env.CANARY_RUNS ?? 600) },
    )
  })

  it('any run of at least 8 characters and half a secret is redacted, wherever it sits', () => {
    const secretArb = fc.stringMatching(/^[A-Za-z0-9_\-+/]{8,80}$/)
    const noise = fc.string({ maxLength: 40 })
    fc.assert(
      fc.property(secretArb, fc.nat(), fc.nat(), noise, noise, (secret, a, b, pre, post) => {
        const need = Math.max(8, Math.ceil(secret.length / 2))
        const start = a % (secret.length - need + 1)
        const end = start + need + (b % (secret.length - start - need + 1))
        const run = secret.slice(start, end)
        expect(redact(`${pre}${run}${post}`, [secret])).not.toContain(run)
      }),
      { numRuns: 800 },
    )
  })

  // A run of 8 (and more than a quarter of a key in total) is masked since the echo bound became a
  // bound on the total (src/checks/redact.ts): these runs were 8 and 10 characters before.
  it('a short run is left alone: ordinary words in messages survive', () => {
    const key = 'sk-proj-Zx81QmTq0123456789abcdefPLMN'
    expect(redact('error near sk-proj (expected a key)', [key])).toBe('error near sk-proj (expected a key)')
    expect(redact('the key ends in ...efPLMN', [key])).toBe('the key ends in ...efPLMN')
    expect(redact('you sent sk-proj-Zx81QmTq0123456789', [key])).toBe('you sent ****')
  })
})

describe('the examples of issue 10, section 2', () => {
  it('a "/" after a digits-only prefix in the password is refused with the encoding hint (WHATWG reads host "analytics", port 2024)', () => {
    const v = 'postgresql://analytics:2024/Spring-Rain@db.internal:5432/warehouse'
    let err: CredctlError | undefined
    try {
      checkValue('postgresql', v)
    } catch (e) {
      err = e as CredctlError
    }
    expect(err?.code).toBe('INVALID_INPUT')
    expect(err?.message).toMatch(/ambiguous URI/)
    expect(err?.hint).toMatch(/%2F for \//)
    expect(`${err?.message} ${err?.hint}`).not.toContain('Spring-Rain')
    // Stored before the fix (or handed straight to mask()): scheme and host only.
    expect(mask('postgresql', v)).toBe('postgresql://****@db.internal:5432/****')
    expect(checkValue('postgresql', 'postgresql://analytics:2024%2FSpring-Rain@db.internal:5432/warehouse')).toBeTruthy()
    expect(mask('postgresql', 'postgresql://analytics:2024%2FSpring-Rain@db.internal:5432/warehouse')).toBe('postgresql://analytics:****@db.internal:5432/warehouse')
  })

  it('sqlserver://host;…;password=… (JDBC form without jdbc:) masks the password', () => {
    const v = 'sqlserver://db.internal:1433;databaseName=sales;user=sa;password=Hunter2-Secret'
    expect(mask('mssql', checkValue('mssql', v))).toBe('sqlserver://db.internal:1433;databaseName=sales;user=sa;password=****')
    expect(mask('mssql', 'jdbc:sqlserver://h;user=sa;password={a;b}};c}')).toBe('jdbc:sqlserver://h;user=sa;password=****')
  })

  it('an unquoted ";" in an ADO password is refused, never read as a key that the mask would show', () => {
    expect(() => checkValue('mssql', 'Server=h;User Id=sa;Password=ab;cdSecretTail;Database=x')).toThrow(/key=value/)
    expect(() => checkValue('mssql', 'Server=h;User Id=sa;Password=ab;cdSecretTail=x')).toThrow(/unknown keyword/)
    expect(mask('mssql', 'Server=h;User Id=sa;Password=ab;cdSecretTail=x')).toBe('********')
  })

  it('a mask that failed open in an older version is shown safely (remask, applied by the safe view)', () => {
    expect(remask('postgresql', 'postgresql://analytics:2024/Spring-Rain@db.internal:5432/warehouse')).toBe('postgresql://****@db.internal:5432/****')
    expect(remask('mssql', 'sqlserver://db.internal:1433;databaseName=sales;user=sa;password=Hunter2-Secret')).toBe('sqlserver://db.internal:1433;databaseName=sales;user=sa;password=****')
    expect(remask('openai', 'sk-pr...abcd')).toBe('sk-pr...abcd')
    expect(remask('bigquery', 'service account bot@p.iam.gserviceaccount.com')).toBe('service account bot@p.iam.gserviceaccount.com')
  })

  it('unknown query parameters and fragments are masked whole; listed ones are shown', () => {
    expect(mask('postgresql', 'postgresql://u:pw@h/db?sslmode=require&application_name=etl&x=SecretTail#frag')).toBe(
      'postgresql://u:****@h/db?sslmode=require&application_name=etl&****#****',
    )
  })
})

// Security review, finding 2: a parameter on the public list was shown whatever its value held.
describe('public query parameters show their value only when it is harmless', () => {
  it("mysql2's ssl JSON carrying a passphrase is masked (the name stays)", () => {
    const v = 'mysql://u:p@h/db?ssl=%7B%22passphrase%22%3A%22SECRETSSLPASS123%22%7D'
    const m = mask('mysql', checkValue('mysql', v))
    expect(m).toBe('mysql://u:****@h/db?ssl=****')
    expect(redact(`ssl config {"passphrase":"SECRETSSLPASS123"} rejected`, [v])).not.toContain('SECRETSSLPASS123')
  })

  it("libpq options setting a password is masked; options of plain settings are shown", () => {
    const v = 'postgresql://u:p@h:5432/db?options=-c%20password%3DSECRETOPT12345'
    expect(mask('postgresql', checkValue('postgresql', v))).toBe('postgresql://u:****@h:5432/db?options=****')
    expect(redact('unrecognized option password=SECRETOPT12345', [v])).not.toContain('SECRETOPT12345')
    const ok = 'postgresql://u:p@h:5432/db?options=-c%20search_path%3Danalytics%20-c%20statement_timeout%3D5000'
    expect(mask('postgresql', ok)).toBe('postgresql://u:****@h:5432/db?options=-c%20search_path%3Danalytics%20-c%20statement_timeout%3D5000')
  })

  it('flags, modes, numbers and names are shown; anything else in their place is masked', () => {
    expect(mask('postgresql', 'postgresql://u:p@h/db?sslmode=verify-full&ssl=true&connect_timeout=10&application_name=etl&sslrootcert=/etc/ssl/ca.pem')).toBe(
      'postgresql://u:****@h/db?sslmode=verify-full&ssl=true&connect_timeout=10&application_name=etl&sslrootcert=/etc/ssl/ca.pem',
    )
    expect(mask('postgresql', 'postgresql://u:p@h/db?sslmode=Hunter2Secret&port=Kq99x&ssl_key=-----BEGIN%20PRIVATE%20KEY-----MIIE')).toBe(
      'postgresql://u:****@h/db?sslmode=****&port=****&ssl_key=****',
    )
  })
})
