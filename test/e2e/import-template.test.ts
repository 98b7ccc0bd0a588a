import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseEnvFile } from '../../src/credentials/envfile.js'
import { parseReference } from '../../src/credentials/references.js'
import { createClient } from '../../src/index.js'
import { assertNoLeak, runCli, tempVault } from '../helpers/cli.js'

/**
 * Issue 12, point 2: `import --from-env .env --template .env.credctl` migrates a realistic .env in one
 * command. The template keeps comments, order, `export`, quoting of configuration and CRLF; holds no
 * secret (canaries); and, with each reference replaced by the stored credential's value (the SDK's
 * resolve path, as `run --dotenv` does), gives a child process exactly the original values.
 */
const STRIPE = 'sk_live_51HCANARYstripe0123456789abcdef'
const TWILIO = 'CANARYtwilio0123456789abcdef0123'
const GITHUB_OLD = 'ghp_CANARYgithubOLD0123456789abcdefABCD'
const GITHUB = 'ghp_CANARYgithub0123456789abcdefABCDEF'
const REDIS_PW = 'CANARYredisPW0123'
const PEM_BODY = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjCANARYpem0123456789'
const PRIVATE_KEY = `-----BEGIN PRIVATE KEY-----\n${PEM_BODY}\nAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n`
const OPENAI = 'sk-proj-CANARYopenai0123456789abcdefghij'
const PG_PW = 'CANARYpgPW0123'
const OLD_COMMENTED = 'sk_live_51HCANARYcommentedOUT0123456789'
const SA_KEY = 'CANARYsaPEMbody0123456789'
const SA = JSON.stringify({ type: 'service_account', client_email: 'm@p.iam.gserviceaccount.com', private_key: `-----BEGIN PRIVATE KEY-----\n${SA_KEY}\n-----END PRIVATE KEY-----\n` })
const SECRETS = [SA_KEY, STRIPE, TWILIO, GITHUB_OLD, GITHUB, REDIS_PW, PEM_BODY, OPENAI, PG_PW, OLD_COMMENTED]

const LINES = [
  '# Application settings',
  'NODE_ENV=production',
  'export PORT=3000',
  "LOG_LEVEL='info'   # verbose in staging",
  'PUBLIC_URL=https://app.example.com',
  'GREETING=`it\'s "backticked" # not a comment`',
  '',
  '# Payments',
  `STRIPE_SECRET_KEY=${STRIPE}`,
  `#STRIPE_SECRET_KEY=${OLD_COMMENTED}`,
  `export TWILIO_AUTH_TOKEN='${TWILIO}'`,
  `GITHUB_TOKEN=${GITHUB_OLD}`,
  `REDIS_URL="redis://:${REDIS_PW}@cache.internal:6379/0"`,
  `PRIVATE_KEY="-----BEGIN PRIVATE KEY-----`,
  PEM_BODY,
  'AgEAAoIBAQC7',
  '-----END PRIVATE KEY-----',
  '"',
  `OPENAI_API_KEY=\`${OPENAI}\``,
  `DATABASE_URL=postgres://app:${PG_PW}@db.internal:5432/app`,
  `POSTGRES_URL=postgres://app:${PG_PW}@db.internal:5432/app`,
  'GOOGLE_APPLICATION_CREDENTIALS=./sa.json',
  'FEATURE_FLAGS="a,b # c"',
  `GITHUB_TOKEN=${GITHUB}  # rotated`,
  'EMPTY=',
]
const ENV = `${LINES.join('\r\n')}\r\n`

const EXPECTED = `${[
  '# Application settings',
  'NODE_ENV=production',
  'export PORT=3000',
  "LOG_LEVEL='info'   # verbose in staging",
  'PUBLIC_URL=https://app.example.com',
  'GREETING=`it\'s "backticked" # not a comment`',
  '',
  '# Payments',
  'STRIPE_SECRET_KEY=credctl://STRIPE_SECRET_KEY',
  '#STRIPE_SECRET_KEY=[secret removed]',
  'export TWILIO_AUTH_TOKEN=credctl://TWILIO_AUTH_TOKEN',
  'GITHUB_TOKEN=credctl://GITHUB_TOKEN',
  'REDIS_URL=credctl://REDIS_URL',
  'PRIVATE_KEY=credctl://PRIVATE_KEY',
  'OPENAI_API_KEY=credctl://OPENAI_API_KEY',
  'DATABASE_URL=credctl://DATABASE_URL',
  'POSTGRES_URL=credctl://DATABASE_URL',
  'GOOGLE_APPLICATION_CREDENTIALS=./sa.json',
  'FEATURE_FLAGS="a,b # c"',
  'GITHUB_TOKEN=credctl://GITHUB_TOKEN  # rotated',
  'EMPTY=',
].join('\r\n')}\r\n`

let t: ReturnType<typeof tempVault>
let env: string
let tpl: string
const outputs: string[] = []
beforeEach(() => {
  t = tempVault('credctl-tpl')
  env = path.join(t.dir, '.env')
  tpl = path.join(t.dir, '.env.credctl')
  writeFileSync(env, ENV)
  writeFileSync(path.join(t.dir, 'sa.json'), SA)
})
afterEach(() => {
  assertNoLeak(SECRETS, outputs.splice(0))
  if (existsSync(tpl)) assertNoLeak(SECRETS, [readFileSync(tpl, 'utf8')])
  t.cleanup()
})
const cli = async (args: string[]) => {
  const r = await runCli(args, { env: t.env })
  outputs.push(r.stdout, r.stderr)
  return r
}

/** The template's variables with each reference replaced by the credential's value, through the SDK. */
async function resolveTemplate(text: string): Promise<[string, string][]> {
  const client = createClient({ vault: t.vault, env: { CREDCTL_MASTER_KEY: t.key } })
  const parsed = parseEnvFile(text)
  const names = [...new Set(parsed.map((e) => parseReference(e.value)).filter((n): n is string => n !== undefined))]
  const values = new Map((await client.credentials.resolveMany(names, { action: 'test', detail: () => 'template' })).map((x) => [x.credential.name, x.value]))
  return parsed.map((e) => {
    const ref = parseReference(e.value)
    if (ref !== undefined && !values.has(ref)) throw new Error(`unresolved reference ${ref}`)
    return [e.name, ref === undefined ? e.value : values.get(ref)!]
  })
}

describe('credctl import --from-env --template', () => {
  it('migrates a realistic CRLF .env: exact template text, no secret in it, values byte-identical in a child process', async () => {
    const r = await cli(['import', '--from-env', env, '--template', tpl])
    expect(r.stderr).toContain(`Wrote ${tpl}: 8 references to credentials, 8 literal values; it holds no secret.`)
    expect(r.code).toBe(0)
    const text = readFileSync(tpl, 'utf8')
    expect(text).toBe(EXPECTED)
    expect(statSync(tpl).mode & 0o777).toBe(0o644)
    const list = JSON.parse((await cli(['list', '--json'])).stdout) as { name: string; type: string }[]
    expect(list.map((c) => [c.name, c.type])).toEqual([
      ['STRIPE_SECRET_KEY', 'api_key'],
      ['TWILIO_AUTH_TOKEN', 'api_key'],
      ['REDIS_URL', 'api_key'],
      ['PRIVATE_KEY', 'api_key'],
      ['OPENAI_API_KEY', 'openai'],
      ['DATABASE_URL', 'postgresql'],
      // The credential holds the file; the template keeps the path (no secret), so the bytes match.
      ['GOOGLE_APPLICATION_CREDENTIALS', 'bigquery'],
      ['GITHUB_TOKEN', 'api_key'],
    ])
    const original = parseEnvFile(ENV).map((e): [string, string] => [e.name, e.value])
    const resolved = await resolveTemplate(text)
    expect(resolved).toEqual(original)
    expect(Object.fromEntries(resolved)).toMatchObject({ PRIVATE_KEY, GREETING: 'it\'s "backticked" # not a comment', GITHUB_TOKEN: GITHUB, REDIS_URL: `redis://:${REDIS_PW}@cache.internal:6379/0` })
    // Into a real child process: every variable arrives byte for byte.
    const child = spawnSync(process.execPath, ['-e', `process.stdout.write(JSON.stringify(${JSON.stringify(original.map(([k]) => k))}.map((k) => [k, process.env[k]])))`], {
      env: { PATH: process.env.PATH, ...Object.fromEntries(resolved) },
      encoding: 'utf8',
    })
    expect(JSON.parse(child.stdout)).toEqual(original)
  })

  it('--dry-run writes nothing; an existing template is kept unless --force; the .env itself is never the template', async () => {
    const dry = await cli(['import', '--from-env', env, '--template', tpl, '--dry-run'])
    expect(dry.code).toBe(0)
    expect(dry.stderr).toContain(`Would write ${tpl}`)
    expect(existsSync(tpl)).toBe(false)
    expect(existsSync(t.vault)).toBe(false)
    writeFileSync(tpl, 'MINE=1\n')
    const kept = await cli(['import', '--from-env', env, '--template', tpl])
    expect(kept.code).toBe(2)
    expect(kept.stderr).toBe(`credctl: --template ${tpl} already exists: pass --force to replace it\n`)
    expect(readFileSync(tpl, 'utf8')).toBe('MINE=1\n')
    expect(existsSync(t.vault)).toBe(false)
    const forced = await cli(['import', '--from-env', env, '--template', tpl, '--force'])
    expect(forced.code).toBe(0)
    expect(readFileSync(tpl, 'utf8')).toBe(EXPECTED)
    const self = await cli(['import', '--from-env', env, '--template', env, '--force'])
    expect(self.code).toBe(2)
    expect(readFileSync(env, 'utf8')).toBe(ENV)
    expect((await cli(['import', '--bundle', env, '--template', tpl])).code).toBe(2)
    // Refused before anything is imported: a directory, the vault's own file.
    const dir = await cli(['import', '--from-env', env, '--template', t.dir, '--force'])
    expect([dir.code, dir.stderr]).toEqual([2, `credctl: --template ${t.dir} is not a regular file: write the template to a file\n`])
    const vaultFile = await cli(['import', '--from-env', env, '--template', t.vault, '--force'])
    expect([vaultFile.code, vaultFile.stderr]).toEqual([2, `credctl: --template ${t.vault} is one of the vault's own files: write the template somewhere else\n`])
    expect((JSON.parse((await cli(['list', '--json'])).stdout) as unknown[]).length).toBe(8)
  })

  it('a secret that cannot be imported (a name clash): exit 1, nothing imported, no template; --rename points the template at the new name', async () => {
    expect((await runCli(['create', '--name', 'STRIPE_SECRET_KEY', '--type', 'api_key', '--value-stdin'], { env: t.env, input: 'sk_test_existing0123456789' })).code).toBe(0)
    const r = await cli(['import', '--from-env', env, '--template', tpl, '--json'])
    expect(r.code).toBe(1)
    const rep = JSON.parse(r.stdout) as { imported: unknown[]; skipped: { source: string; reason: string; secret: boolean }[]; template: { written: boolean } }
    expect(rep.imported).toEqual([])
    expect(rep.template.written).toBe(false)
    expect(rep.skipped.filter((s) => s.secret)).toEqual([{ source: 'STRIPE_SECRET_KEY', name: 'STRIPE_SECRET_KEY', reason: expect.stringMatching(/already exists.*--rename/), secret: true }])
    expect(existsSync(tpl)).toBe(false)
    expect((JSON.parse((await cli(['list', '--json'])).stdout) as unknown[]).length).toBe(1)
    const renamed = await cli(['import', '--from-env', env, '--template', tpl, '--rename'])
    expect(renamed.code).toBe(0)
    const text = readFileSync(tpl, 'utf8')
    expect(text).toContain('STRIPE_SECRET_KEY=credctl://STRIPE_SECRET_KEY%20(2)\r\n')
    expect(Object.fromEntries(await resolveTemplate(text)).STRIPE_SECRET_KEY).toBe(STRIPE)
  })

  it('without --template, a skipped secret still makes import exit 1 (and the rest is imported)', async () => {
    expect((await runCli(['create', '--name', 'GITHUB_TOKEN', '--type', 'api_key', '--value-stdin'], { env: t.env, input: 'ghp_existing0123456789' })).code).toBe(0)
    const r = await cli(['import', '--from-env', env])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain('Imported 7 credentials from')
    expect(r.stderr).toContain('(1 holding a secret)')
  })
})

describe('import --template: the security review (F2, F9, F12)', () => {
  const ADO_PW = 'Winter2024!CANARYado'
  const PG_PW = 'Summer2023!CANARYpg'
  const REDIS = 'Autumn2022!CANARYredis'
  const COMMENT_PW = 'Winter2024!CANARYcomment'
  const LEGACY = 'Summer2023!CANARYlegacy'
  const QUOTED = 'pa\\"ssw0rd-CANARY-long-enough'
  const F2 = [ADO_PW, PG_PW, REDIS, COMMENT_PW, LEGACY, QUOTED, 'pa"ssw0rd-CANARY-long-enough']

  it('F2: passwords in connection strings, flags and comments are imported or removed; the copy as written too', async () => {
    const text = [
      `ConnectionStrings__Default="Server=sql;Database=app;User Id=sa;Password=${ADO_PW}"`,
      `PG_CONNINFO="host=db user=app password=${PG_PW}"`,
      `REDIS_OPTS=--requirepass ${REDIS}`,
      `# staging db: postgres://admin:${COMMENT_PW}@staging-db.internal/app`,
      `# legacy: export DB_PASS=${LEGACY} ; keep`,
      `# copy: "${QUOTED}"`,
      `ADMIN_PASSWORD="${QUOTED}"`,
      'NODE_ENV=production',
      '',
    ].join('\n')
    writeFileSync(env, text)
    const r = await cli(['import', '--from-env', env, '--template', tpl])
    expect(r.code).toBe(0)
    const out = readFileSync(tpl, 'utf8')
    assertNoLeak(F2, [out, r.stdout, r.stderr])
    expect(out).toBe([
      'ConnectionStrings__Default=credctl://ConnectionStrings__Default',
      'PG_CONNINFO=credctl://PG_CONNINFO',
      'REDIS_OPTS=credctl://REDIS_OPTS',
      '# staging db: [secret removed]',
      '# legacy: export DB_PASS=[secret removed] ; keep',
      '# copy: [secret removed]',
      'ADMIN_PASSWORD=credctl://ADMIN_PASSWORD',
      'NODE_ENV=production',
      '',
    ].join('\n'))
    expect(await resolveTemplate(out)).toEqual(parseEnvFile(text).map((e) => [e.name, e.value]))
  })

  it('F9: a stray base64 line is refused with its line number and nothing of it, by import and run --dry-run', async () => {
    const piece = 'dGhpc2lzYXNlY3JldGtleXZhbHVlMTIzNDU2Nzg5MA'
    writeFileSync(env, `NODE_ENV=production\n${piece}=\n`)
    for (const args of [['import', '--from-env', env, '--template', tpl], ['import', '--from-env', env], ['run', '--dotenv', env, '--dry-run', '--', 'true']]) {
      const r = await cli(args)
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stderr).toContain(`${env}:2: expected NAME=VALUE (this line looks like part of a pasted key`)
      assertNoLeak([piece, piece.slice(0, 16)], [r.stdout, r.stderr])
    }
    expect(existsSync(tpl)).toBe(false)
  })

  it('F12: STATIC_FILE_PATH stays a literal line with --template, and resolves against the .env directory without', async () => {
    writeFileSync(env, 'STATIC_FILE_PATH=./data/x.csv\n')
    const withTpl = await runCli(['import', '--from-env', env, '--template', tpl], { env: t.env, cwd: '/' })
    outputs.push(withTpl.stdout, withTpl.stderr)
    expect(withTpl.code).toBe(0)
    expect(readFileSync(tpl, 'utf8')).toBe('STATIC_FILE_PATH=./data/x.csv\n')
    const t2 = tempVault('credctl-tpl2')
    try {
      const plain = await runCli(['import', '--from-env', env], { env: t2.env, cwd: '/' })
      expect(plain.code).toBe(0)
      const list = JSON.parse((await runCli(['list', '--json'], { env: t2.env })).stdout) as { name: string; masked_content: string }[]
      expect(list.find((c) => c.name === 'STATIC_FILE_PATH')?.masked_content).toBe(path.join(t.dir, 'data/x.csv'))
    } finally {
      t2.cleanup()
    }
  })

  it('F12: a value that is already a credctl:// reference is refused with --template (exit 2, the line named)', async () => {
    writeFileSync(env, 'A=1\nLITERAL=credctl://something\n')
    const r = await cli(['import', '--from-env', env, '--template', tpl])
    expect([r.code, r.stderr.split('\n')[0]]).toEqual([2, `credctl: ${env}:2: LITERAL already holds a credctl:// reference, which the template cannot keep as literal text (import without --template, or replace that value first)`])
    expect(existsSync(tpl)).toBe(false)
    expect(existsSync(t.vault)).toBe(false)
  })
})
