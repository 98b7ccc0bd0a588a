import { describe, expect, it } from 'vitest'
import { mapVariable, parseEnvFile, planEnvImport, VARIABLE_TYPES } from '../../src/credentials/envfile.js'
import { CredctlError, TYPES } from '../../src/index.js'

const parse = (text: string) => Object.fromEntries(parseEnvFile(text).map((e) => [e.name, e.value]))

describe('.env parsing', () => {
  it('reads comments, blank lines, export prefixes, bare, single- and double-quoted values', () => {
    const text = [
      '# a comment',
      '',
      'A=plain',
      'export B=exported',
      '  C = spaced  ',
      "D='single # not a comment $HOME \\n'",
      'E="double \\"q\\" \\n line"',
      'F=bare # a trailing comment',
      'G=with#hash',
      'H=',
      "I='' # empty",
      'J="multi',
      'line"',
      'export K="x" # after',
      'URL=postgres://u:p@h:5432/d?sslmode=require',
    ].join('\r\n')
    expect(parse(text)).toEqual({
      A: 'plain',
      B: 'exported',
      C: 'spaced',
      D: 'single # not a comment $HOME \\n',
      E: 'double "q" \n line',
      F: 'bare',
      G: 'with#hash',
      H: '',
      I: '',
      J: 'multi\nline',
      K: 'x',
      URL: 'postgres://u:p@h:5432/d?sslmode=require',
    })
  })

  it('keeps the last definition, with its line number', () => {
    const e = parseEnvFile('A=1\nB=2\nA=3\n')
    expect(e).toEqual([
      { name: 'B', value: '2', line: 2, quoted: false },
      { name: 'A', value: '3', line: 3, quoted: false },
    ])
    expect(parseEnvFile(`A='x'\nB="y"\nC=z`).map((x) => x.quoted)).toEqual([true, true, false])
    expect(parseEnvFile('X="a\nb"\nY=1').find((x) => x.name === 'Y')?.line).toBe(3)
  })

  it('refuses malformed lines with the line number and never the value', () => {
    const cases: [string, RegExp][] = [
      ['A=1\njust-a-word-SECRETVALUE\n', /f\.env:2: expected NAME=VALUE/],
      ['export ONLY\n', /f\.env:1: an `export NAME` line without a value/],
      ['A="SECRETVALUE\n', /f\.env:1: unterminated double quote in A/],
      ["A='SECRETVALUE\n", /f\.env:1: unterminated single quote in A/],
      ['A="x"SECRETVALUE\n', /f\.env:1: unexpected text after the closing quote of A/],
      ['9A=SECRETVALUE\n', /f\.env:1: invalid variable name/],
    ]
    for (const [text, re] of cases) {
      let err: unknown
      try {
        parseEnvFile(text, 'f.env')
      } catch (e) {
        err = e
      }
      expect(err, text).toBeInstanceOf(CredctlError)
      expect((err as CredctlError).message).toMatch(re)
      expect((err as CredctlError).message).not.toContain('SECRETVALUE')
      expect((err as CredctlError).exitCode).toBe(2)
    }
  })
})

describe('variable -> type', () => {
  it("recognises every provider's conventional variables from the catalogue", () => {
    for (const t of TYPES) {
      for (const v of t.env) {
        const expected = VARIABLE_TYPES.get(v)!
        // the first type listing a variable owns it (openai before openai_audio/openai_image, fal before pika)
        expect(TYPES.findIndex((x) => x.type === expected)).toBeLessThanOrEqual(TYPES.indexOf(t))
        const value = t.type === 'bigquery' ? '{"client_email":"a","private_key":"b"}' : 'k-123456789'
        const m = mapVariable(v, value)
        expect(m, v).toMatchObject({ type: expected })
      }
    }
    expect(mapVariable('OPENAI_API_KEY', 'sk-1')).toMatchObject({ type: 'openai' })
    expect(mapVariable('FAL_KEY', 'x')).toMatchObject({ type: 'fal' })
    expect(mapVariable('GOOGLE_API_KEY', 'x')).toMatchObject({ type: 'gemini' })
    expect(mapVariable('CO_API_KEY', 'x')).toMatchObject({ type: 'cohere' })
  })

  it('lets a URL scheme decide, whatever the variable is called', () => {
    const cases: [string, string, string][] = [
      ['DATABASE_URL', 'postgres://u:p@h/db', 'postgresql'],
      ['WAREHOUSE', 'postgresql://u:p@h/db', 'postgresql'],
      ['DATABASE_URL', 'mysql://u:p@h/db', 'mysql'],
      ['X', 'mariadb://u:p@h/db', 'mysql'],
      ['X', 'redshift://u:p@c:5439/db', 'redshift'],
      ['X', 'snowflake://u:p@acct/db', 'snowflake'],
      ['X', 'sqlserver://u:p@h/db', 'mssql'],
      ['X', 'clickhouse://u:p@h/db', 'clickhouse'],
      ['MAIL', 'smtps://u:p@h:465', 'smtp'],
    ]
    for (const [name, value, type] of cases) expect(mapVariable(name, value), `${name}=${value}`).toMatchObject({ type })
  })

  it('maps generic *_API_KEY/*_API_TOKEN to api_key and skips what it cannot map', () => {
    expect(mapVariable('STRIPE_API_KEY', 'sk_live_x')).toMatchObject({ type: 'api_key' })
    expect(mapVariable('LINEAR_API_TOKEN', 'lin_x')).toMatchObject({ type: 'api_key' })
    expect(mapVariable('REDIS_URL', 'redis://localhost')).toEqual({ skip: 'redis:// URL of no known type' })
    expect(mapVariable('DEBUG', 'true')).toEqual({ skip: 'no known type uses this variable' })
    expect(mapVariable('CREDCTL_MASTER_KEY', 'abc')).toEqual({ skip: 'a credctl setting, not a credential' })
    expect(mapVariable('OPENAI_API_KEY', '  ')).toEqual({ skip: 'empty value' })
  })

  it('imports duplicates once and reads GOOGLE_APPLICATION_CREDENTIALS from the file it names', async () => {
    const sa = '{"client_email":"a@b.iam.gserviceaccount.com","private_key":"k"}'
    const reads: string[] = []
    const plan = await planEnvImport(
      parseEnvFile('DATABASE_URL=postgres://u:p@h/db\nPOSTGRES_URL=postgres://u:p@h/db\nGOOGLE_APPLICATION_CREDENTIALS=./sa.json\nDEBUG=1\n'),
      async (p) => {
        reads.push(p)
        return sa
      },
    )
    expect(reads).toEqual(['./sa.json'])
    expect(plan.items.map((i) => [i.name, i.type])).toEqual([
      ['DATABASE_URL', 'postgresql'],
      ['GOOGLE_APPLICATION_CREDENTIALS', 'bigquery'],
    ])
    expect(plan.items[1]!.value).toBe(sa)
    expect(plan.skipped.map((s) => [s.name, s.reason])).toEqual([
      ['POSTGRES_URL', 'same postgresql value as DATABASE_URL, imported once'],
      ['DEBUG', 'no known type uses this variable'],
    ])
    const missing = await planEnvImport(parseEnvFile('GOOGLE_APPLICATION_CREDENTIALS=/nope.json'), async () => {
      throw Object.assign(new Error('x'), { code: 'ENOENT' })
    })
    expect(missing.skipped[0]!.reason).toContain('ENOENT')
  })
})
