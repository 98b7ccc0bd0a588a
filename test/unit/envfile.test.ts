import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { holdsSecret, mapVariable, parseEnvFile, planEnvImport, scanEnvFile, VARIABLE_TYPES } from '../../src/credentials/envfile.js'
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
      { name: 'B', value: '2', line: 2, span: { start: 6, end: 7 }, quoted: false },
      { name: 'A', value: '3', line: 3, span: { start: 10, end: 11 }, quoted: false },
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
      // F9: a stray base64 line of a pasted key parses as NAME with an empty value (or a random name)
      ['A=1\ndGhpc2lzYXNlY3JldGtleXZhbHVlMTIzNDU2Nzg5MA=\n'.replace('dGhpc2lz', 'SECRETVALUE'), /f\.env:2: expected NAME=VALUE \(this line looks like part of a pasted key/],
      ['dGhpc2lzYXNlY3JldGtleXZhbHVlMTIzNDU2Nzg5MA=\n', /f\.env:1: expected NAME=VALUE \(this line looks like part of a pasted key/],
      ['kQ3vT9zL1mB7xW2rSECRETVALUE=x\n', /f\.env:1: expected NAME=VALUE \(this line looks like part of a pasted key/],
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
      expect((err as CredctlError).message).not.toContain('dGhpc2lz')
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
    expect(mapVariable('REDIS_URL', 'redis://localhost')).toEqual({ skip: 'not a secret: a redis:// URL without credentials', secret: false })
    expect(mapVariable('DEBUG', 'true')).toEqual({ skip: 'not a secret: configuration', secret: false })
    expect(mapVariable('CREDCTL_MASTER_KEY', 'abc')).toEqual({ skip: 'a credctl setting, not a credential', secret: true })
    expect(mapVariable('CREDCTL_VAULT', '/srv/vault.json')).toEqual({ skip: 'a credctl setting, not a credential', secret: false })
    expect(mapVariable('OPENAI_API_KEY', '  ')).toEqual({ skip: 'empty value', secret: false })
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
    expect(plan.skipped.map((s) => [s.name, s.reason, s.same_as])).toEqual([
      ['POSTGRES_URL', 'same postgresql value as DATABASE_URL, imported once', 'DATABASE_URL'],
      ['DEBUG', 'not a secret: configuration', undefined],
    ])
    const missing = await planEnvImport(parseEnvFile('GOOGLE_APPLICATION_CREDENTIALS=/nope.json'), async () => {
      throw Object.assign(new Error('x'), { code: 'ENOENT' })
    })
    expect(missing.skipped[0]!.reason).toContain('ENOENT')
  })
})

describe('backticks, spans and every definition (issue 12)', () => {
  it('reads backtick-quoted values as dotenv does: literal, multi-line, \\` kept as written', () => {
    // motdotla/dotenv lib/main.js: LINE matches `(?:\\`|[^`])*`, strips the quotes, unescapes nothing.
    expect(parse("A=`it's \"both\" $HOME \\n`\nB=`multi\nline` # c\nC=`a\\`b`\nD=``\n")).toEqual({ A: 'it\'s "both" $HOME \\n', B: 'multi\nline', C: 'a\\`b', D: '' })
    expect(() => parseEnvFile('A=`SECRETVALUE\n', 'f.env')).toThrow(/^f\.env:1: unterminated backtick in A$/)
    expect(() => parseEnvFile('A=`x`SECRETVALUE\n', 'f.env')).toThrow(/^f\.env:1: unexpected text after the closing backtick of A$/)
  })

  it('reports each value span in the original text (quotes included, CRLF and BOM counted), and each comment', () => {
    const text = '\uFEFF# top\r\nexport A = "x\r\ny" # after\r\nB=bare # c\r\nC=\r\nD=`q`\rE=\'s\''
    const scan = scanEnvFile(text)
    const spans = Object.fromEntries(scan.definitions.map((d) => [d.name, text.slice(d.span.start, d.span.end)]))
    expect(spans).toEqual({ A: '"x\r\ny"', B: 'bare', C: '', D: '`q`', E: "'s'" })
    expect(scan.comments.map((c) => text.slice(c.start, c.end))).toEqual(['# top', '# after', '# c'])
    expect(scan.definitions.find((d) => d.name === 'A')).toMatchObject({ value: 'x\ny', line: 2 })
  })

  it('lists overridden definitions too, and parseEnvFile keeps only the last of each', () => {
    const scan = scanEnvFile('A=1\nB=2\nA=3\n')
    expect(scan.definitions.map((d) => [d.name, d.value, d.overridden])).toEqual([
      ['A', '1', true],
      ['B', '2', false],
      ['A', '3', false],
    ])
  })
})

describe('secrets of no provider type (issue 12)', () => {
  it('become api_key credentials named after the variable; configuration stays skipped', () => {
    const secret: [string, string][] = [
      ['STRIPE_SECRET_KEY', 'sk_live_51HxyzABCDEF0123456789'],
      ['TWILIO_AUTH_TOKEN', '0123456789abcdef0123456789abcdef'],
      ['GITHUB_TOKEN', 'ghp_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5'],
      ['PRIVATE_KEY', '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----\n'],
      ['REDIS_URL', 'redis://:pw@cache:6379'],
      ['SESSION_SECRET', 'x'],
    ]
    for (const [n, v] of secret) expect(mapVariable(n, v), n).toMatchObject({ type: 'api_key' })
    for (const [n, v] of [['NODE_ENV', 'production'], ['PORT', '3000'], ['LOG_LEVEL', 'info'], ['API_URL', 'https://api.example.com/v1']]) expect(mapVariable(n!, v!), n).toMatchObject({ secret: false })
  })

  it('holdsSecret: a provider type claims it, or the rule says so; a service-account path is not a secret', () => {
    expect(holdsSecret('OPENAI_API_KEY', 'sk-x')).toBe(true)
    expect(holdsSecret('GOOGLE_APPLICATION_CREDENTIALS', './sa.json')).toBe(false)
    expect(holdsSecret('GOOGLE_APPLICATION_CREDENTIALS', '{"private_key":"k"}')).toBe(true)
    expect(holdsSecret('NODE_ENV', 'production')).toBe(false)
    expect(holdsSecret('STATIC_FILE_PATH', './data/x.csv')).toBe(false)
  })

  it('configuration that contains a secret value of another variable is a secret too', async () => {
    const plan = await planEnvImport(parseEnvFile('DB_PASSWORD=hunter2hunter2\nGREETING="hi hunter2hunter2"\nPORT=1\n'), async () => '')
    expect(plan.items.map((i) => [i.name, i.type])).toEqual([
      ['DB_PASSWORD', 'api_key'],
      ['GREETING', 'api_key'],
    ])
  })
})

describe('a NUL byte in a value (issue 12, F10)', () => {
  it('is refused naming FILE:LINE and never the value, bare or quoted', () => {
    for (const text of ['OK=1\nAPI_SECRET=sk_live_CANARY\0x\n', 'OK=1\nAPI_SECRET="sk_live_CANARY\0x"\n']) {
      let msg = ''
      try {
        parseEnvFile(text, 'app.env')
      } catch (e) {
        expect(e).toBeInstanceOf(CredctlError)
        msg = (e as Error).message
      }
      expect(msg).toMatch(/^app\.env:2: a NUL byte in the value of API_SECRET/)
      expect(msg).not.toContain('CANARY')
    }
  })
})

describe('variable names are not taken for pieces of a key (F9)', () => {
  const word = fc.constantFrom('DATABASE', 'URL', 'API', 'KEY', 'SECRET', 'AWS', 'S3', 'BUCKET', 'NAME', 'REGION', 'V2', 'PORT', 'HOST', 'MAX', 'CONNECTIONS', 'TIMEOUT', 'MS', 'NEXT', 'PUBLIC', 'ANALYTICS', 'ID', 'OAUTH2', 'CLIENT', 'LEVEL', 'X509')
  const nameArb = fc.oneof(
    fc.array(word, { minLength: 1, maxLength: 6 }).map((w) => w.join('_')),
    fc.array(word, { minLength: 1, maxLength: 6 }).map((w) => w.join('_').toLowerCase()),
    fc.array(word, { minLength: 2, maxLength: 5 }).map((w) => w.join('.').toLowerCase()),
  )
  it('UPPER_SNAKE, lower_snake and dotted names parse, with an empty value or any other', () => {
    fc.assert(
      fc.property(nameArb, fc.constantFrom('', 'x', '"quoted value"', 'kQ3vT9zL1mB7xW2r'), (name, value) => {
        expect(parseEnvFile(`${name}=${value}\n`)).toMatchObject([{ name, line: 1 }])
      }),
      { numRuns: 300 },
    )
  })

  it('a stray base64 line of a pasted key (ending in "=" or "==") is refused, naming the line and nothing of it', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 12, maxLength: 60 }), fc.nat(3), (bytes, at) => {
        const b64 = Buffer.from(bytes).toString('base64')
        fc.pre(/=$/.test(b64) && /[a-z]/.test(b64) && /[A-Z]/.test(b64) && /[0-9]/.test(b64))
        const lines = ['A=1', 'B=2', 'C=3']
        lines.splice(at, 0, b64)
        let err: unknown
        try {
          parseEnvFile(lines.join('\n'), 'f.env')
        } catch (e) {
          err = e
        }
        expect(err).toBeInstanceOf(CredctlError)
        expect((err as CredctlError).message).toMatch(new RegExp(`^f\\.env:${at + 1}: `))
        expect((err as CredctlError).message).not.toContain(b64.slice(0, 8))
      }),
      { numRuns: 300 },
    )
  })
})
