import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { assertNoLeak, runCli, tempVault } from '../helpers/cli.js'

const OPENAI = 'sk-proj-CANARYimport0123456789abcdefghij'
const ANTHROPIC = 'sk-ant-CANARYimport0123456789abcdefghijk'
const GROQ = 'gsk_CANARYimport0123456789abcdefghijklmn'
const STRIPE = 'sk_live_CANARYimport0123456789abcdef'
const PG = 'postgres://app:CANARYpgpw@db.internal:5432/app'
const MYSQL = 'mysql://ro:CANARYmypw@mysql.internal:3306/analytics'
const SMTP = 'smtps://mailer:CANARYsmtp@smtp.example.com:465'
const SA = JSON.stringify({ type: 'service_account', client_email: 'imp@proj.iam.gserviceaccount.com', private_key: '-----BEGIN PRIVATE KEY-----\nCANARYsaKEY\n-----END PRIVATE KEY-----\n' })
const REDIS = 'redis://:CANARYredis@localhost:6379'
const DEBUG_TOKEN = 'CANARYunmapped-value'
const SECRETS = [OPENAI, ANTHROPIC, GROQ, STRIPE, 'CANARYpgpw', 'CANARYmypw', 'CANARYsmtp', 'CANARYsaKEY', 'CANARYredis', DEBUG_TOKEN]

const ENV = `# project secrets
export OPENAI_API_KEY="${OPENAI}"
ANTHROPIC_API_KEY='${ANTHROPIC}'   # Claude
GROQ_API_KEY=${GROQ}
STRIPE_API_KEY=${STRIPE}

DATABASE_URL=${PG}
POSTGRES_URL=${PG}
ANALYTICS_DB=${MYSQL}
SMTP_URL=${SMTP}
GOOGLE_APPLICATION_CREDENTIALS=./sa.json
REDIS_URL=${REDIS}
SESSION_SECRET=${DEBUG_TOKEN}
CREDCTL_MASTER_KEY=not-a-credential
EMPTY=
`

let t: ReturnType<typeof tempVault>
const outputs: string[] = []
beforeEach(() => {
  t = tempVault('credctl-import')
  writeFileSync(path.join(t.dir, '.env'), ENV)
  writeFileSync(path.join(t.dir, 'sa.json'), SA)
})
afterEach(() => {
  // Nothing printed, and no file but the vault's ciphertext (and the .env/sa.json inputs) holds a value.
  assertNoLeak(SECRETS, outputs.splice(0))
  for (const f of [t.vault, t.vault.replace(/\.json$/, '.history.jsonl')]) if (existsSync(f)) assertNoLeak(SECRETS, [readFileSync(f, 'utf8')])
  t.cleanup()
})
const cli = async (args: string[], input?: string) => {
  const r = await runCli(args, { env: t.env, ...(input !== undefined ? { input } : {}) })
  outputs.push(r.stdout, r.stderr)
  return r
}

type Report = { dry_run: boolean; imported: { source: string; renamed_from?: string; credential: Record<string, unknown> }[]; skipped: { source: string; reason: string; secret: boolean }[] }

describe('credctl import --from-env', () => {
  it('--dry-run reports the mapping and writes nothing', async () => {
    const r = await cli(['import', '--from-env', path.join(t.dir, '.env'), '--dry-run', '--json'])
    // CREDCTL_MASTER_KEY holds a secret that is never imported: exit 1, so `import && rm .env` keeps it.
    expect(r.code).toBe(1)
    const rep = JSON.parse(r.stdout) as Report
    expect(rep.dry_run).toBe(true)
    expect(rep.imported.map((i) => [i.source, i.credential.type, i.credential.masked_content])).toEqual([
      ['OPENAI_API_KEY', 'openai', 'sk-pr...ghij'],
      ['ANTHROPIC_API_KEY', 'anthropic', 'sk-an...hijk'],
      ['GROQ_API_KEY', 'groq', 'gsk_C...klmn'],
      ['STRIPE_API_KEY', 'api_key', 'sk_li...cdef'],
      ['DATABASE_URL', 'postgresql', 'postgres://app:****@db.internal:5432/app'],
      ['ANALYTICS_DB', 'mysql', 'mysql://ro:****@mysql.internal:3306/analytics'],
      ['SMTP_URL', 'smtp', 'smtps://mailer:****@smtp.example.com:465'],
      ['GOOGLE_APPLICATION_CREDENTIALS', 'bigquery', 'service account imp@proj.iam.gserviceaccount.com'],
      // Secrets of no provider type (issue 12): api_key credentials named after the variable.
      ['REDIS_URL', 'api_key', 'redi...6379'],
      ['SESSION_SECRET', 'api_key', 'C...alue'],
    ])
    expect(Object.fromEntries(rep.skipped.map((s) => [s.source, [s.reason, s.secret]]))).toEqual({
      POSTGRES_URL: ['same postgresql value as DATABASE_URL, imported once', false],
      CREDCTL_MASTER_KEY: ['a credctl setting, not a credential', true],
      EMPTY: ['empty value', false],
    })
    expect(existsSync(t.vault)).toBe(false)
    expect(existsSync(path.dirname(t.vault))).toBe(false)
  })

  it('creates credentials named after the variables, in one write, defaults set; values intact', async () => {
    const r = await cli(['import', '--from-env', path.join(t.dir, '.env')])
    expect(r.code).toBe(1) // CREDCTL_MASTER_KEY: a secret left behind
    expect(r.stderr).toContain('Imported 10 credentials from')
    expect(r.stderr).toContain('skipped 3 (1 holding a secret)')
    // TSV table: SOURCE NAME TYPE VALUE RESULT
    expect(r.stdout.split('\n')).toContain('CREDCTL_MASTER_KEY\tCREDCTL_MASTER_KEY\t\t\tskipped: a credctl setting, not a credential')
    const list = JSON.parse((await cli(['list', '--json'])).stdout) as Record<string, unknown>[]
    expect(list.map((c) => [c.name, c.type, c.is_default])).toEqual([
      ['OPENAI_API_KEY', 'openai', true],
      ['ANTHROPIC_API_KEY', 'anthropic', true],
      ['GROQ_API_KEY', 'groq', true],
      ['STRIPE_API_KEY', 'api_key', false],
      ['DATABASE_URL', 'postgresql', true],
      ['ANALYTICS_DB', 'mysql', true],
      ['SMTP_URL', 'smtp', true],
      ['GOOGLE_APPLICATION_CREDENTIALS', 'bigquery', true],
      ['REDIS_URL', 'api_key', false],
      ['SESSION_SECRET', 'api_key', false],
    ])
    const reveal = async (n: string) => (await runCli(['reveal', n], { env: t.env })).stdout
    expect(await reveal('OPENAI_API_KEY')).toBe(OPENAI)
    expect(await reveal('DATABASE_URL')).toBe(PG)
    expect(await reveal('GOOGLE_APPLICATION_CREDENTIALS')).toBe(SA)
    const hist = JSON.parse((await cli(['history', '--json'])).stdout) as { action: string; detail: string; credentials: { name: string }[] }[]
    // One import is one entry listing its ten credentials and their sources.
    expect(hist.filter((h) => h.action === 'import')).toHaveLength(1)
    expect(hist[0]!.credentials).toHaveLength(10)
    expect(hist[0]).toMatchObject({ action: 'import', credentials: expect.arrayContaining([expect.objectContaining({ name: 'OPENAI_API_KEY' })]) })
    expect(hist[0]!.detail).toMatch(/^\.env \.env: OPENAI_API_KEY, /)
    expect(await reveal('REDIS_URL')).toBe(REDIS)
    // run gives the provider types' variables back as defaults; generic secrets (api_key named after
    // their variable) are never defaults: they come back through a template (--template) or --env.
    const run = await cli(['run', '--dry-run', '--json'])
    const vars = (JSON.parse(run.stdout) as { variables: { variable: string }[] }).variables.map((v) => v.variable)
    expect(vars).toEqual(expect.arrayContaining(['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'GROQ_API_KEY', 'DATABASE_URL', 'MYSQL_URL', 'SMTP_URL', 'GOOGLE_APPLICATION_CREDENTIALS']))
    expect(vars).not.toContain('STRIPE_API_KEY')
  })

  it('skips name clashes with a report, or renames them with --rename', async () => {
    expect((await cli(['create', '--name', 'OPENAI_API_KEY', '--type', 'openai', '--value-stdin'], 'sk-proj-existing-0123456789')).code).toBe(0)
    const r = await cli(['import', '--from-env', path.join(t.dir, '.env'), '--json'])
    const rep = JSON.parse(r.stdout) as Report
    expect(r.code).toBe(1)
    expect(rep.imported).toHaveLength(9)
    expect(rep.skipped.find((s) => s.source === 'OPENAI_API_KEY')).toMatchObject({ reason: expect.stringMatching(/already exists.*--rename/), secret: true })
    const again = JSON.parse((await cli(['import', '--from-env', path.join(t.dir, '.env'), '--rename', '--json'])).stdout) as Report & {
      imported: { renamed_from?: string; credential: { name: string } }[]
    }
    expect(again.imported.map((i) => i.credential.name)).toContain('OPENAI_API_KEY (2)')
    expect(again.imported.find((i) => i.credential.name === 'DATABASE_URL (2)')?.renamed_from).toBe('DATABASE_URL')
    // Everything clashing and no --rename: nothing to do, the vault is not rewritten.
    const before = readFileSync(t.vault, 'utf8')
    const none = await cli(['import', '--from-env', path.join(t.dir, '.env')])
    expect(none.code).toBe(1)
    expect(none.stderr).toContain('Imported 0 credentials')
    expect(readFileSync(t.vault, 'utf8')).toBe(before)
  })

  it('a malformed file or a missing one is one clear line, exit 2, nothing written', async () => {
    const bad = path.join(t.dir, 'bad.env')
    writeFileSync(bad, `OPENAI_API_KEY=${OPENAI}\nthis line is ${DEBUG_TOKEN} broken\n`)
    const r = await cli(['import', '--from-env', bad])
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(`credctl: ${bad}:2: expected NAME=VALUE\n`)
    expect(existsSync(t.vault)).toBe(false)
    const missing = await cli(['import', '--from-env', path.join(t.dir, 'nope.env')])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/cannot read --from-env .*nope\.env: no such file or directory/)
    const both = await cli(['import', '--from-env', bad, '--bundle', bad])
    expect(both.code).toBe(2)
    expect((await cli(['import'])).code).toBe(2)
    expect(existsSync(t.vault)).toBe(false)
  })

  it('reads the .env from stdin with -', async () => {
    const r = await cli(['import', '--from-env', '-', '--json'], `OPENAI_API_KEY=${OPENAI}\nDEBUG=1\n`)
    expect(r.code).toBe(0)
    const rep = JSON.parse(r.stdout) as Report
    expect(rep.imported.map((i) => i.credential.name)).toEqual(['OPENAI_API_KEY'])
    expect((await runCli(['reveal', 'OPENAI_API_KEY'], { env: t.env })).stdout).toBe(OPENAI)
  })

  it('a value of the wrong shape for its variable is skipped with the expected shape, never the value', async () => {
    const f = path.join(t.dir, 'shape.env')
    writeFileSync(f, `OPENAI_API_KEY="has ${DEBUG_TOKEN} spaces"\nDATABASE_URL=${REDIS}\n`)
    const r = await cli(['import', '--from-env', f, '--json'])
    expect(r.code).toBe(1)
    const rep = JSON.parse(r.stdout) as Report
    expect(rep.imported).toEqual([])
    expect(rep.skipped.map((s) => s.reason)).toEqual([
      'invalid value for type openai: expected a non-empty key without whitespace',
      'invalid value for type postgresql: expected a postgresql:// or postgres:// URI (postgresql://user:password@host:5432/db, or postgresql:///db?host=/var/run/postgresql&user=app for a Unix socket)',
    ])
  })
})
