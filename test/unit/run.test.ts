import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { run, exitCodeOf, type Concealment, type Exec } from '../../src/cli/commands/run.js'
import type { Factory } from '../../src/cli/factory.js'
import type { IOStreams } from '../../src/cli/io.js'
import { childEnv, envName, injectedValue, parseEnvRefs, planRun, variablesFor } from '../../src/credentials/inject.js'
import { materialize } from '../../src/credentials/run-files.js'
import { expiryLabel, expiryNotes, expiryOf } from '../../src/credentials/expiry.js'
import type { Credential } from '../../src/credentials/view.js'
import { createClient, CredctlError, TYPES, type Client } from '../../src/index.js'
import { credentialView } from '../helpers/credential-view.js'

const cred = credentialView

const vars = (plan: ReturnType<typeof planRun>) => Object.fromEntries(plan.vars.map((p) => [p.variable, p.credential.name]))

describe('run plan: which variables, from which credentials', () => {
  it("fills each provider type's conventional variables from the catalogue", () => {
    for (const t of TYPES.filter((x) => x.env.length && x.type !== 'bigquery')) {
      const c = cred(t.type)
      const plan = planRun([c])
      expect(plan.vars.map((p) => p.variable)).toEqual([...t.env])
    }
  })

  it('openai wins OPENAI_API_KEY over openai_audio and openai_image, whatever the order; the losers are reported', () => {
    const audio = cred('openai_audio', { name: 'audio' })
    const image = cred('openai_image', { name: 'image' })
    const main = cred('openai', { name: 'main' })
    const plan = planRun([audio, image, main])
    expect(vars(plan)).toEqual({ OPENAI_API_KEY: 'main' })
    expect(plan.shadowed.map((s) => [s.variable, s.credential.name, s.by?.name])).toEqual([
      ['OPENAI_API_KEY', 'audio', 'main'],
      ['OPENAI_API_KEY', 'image', 'main'],
    ])
    // Without the openai default, the next type in catalogue order (speech before image) wins.
    expect(vars(planRun([image, audio]))).toEqual({ OPENAI_API_KEY: 'audio' })
    // --only narrows the candidates; --env resolves the rest.
    expect(vars(planRun([audio, image, main], { only: ['openai_image'] }))).toEqual({ OPENAI_API_KEY: 'image' })
    expect(vars(planRun([audio, image, main], { env: parseEnvRefs(['OPENAI_API_KEY=audio']) }))).toEqual({ OPENAI_API_KEY: 'audio' })
    expect(planRun([audio, image, main], { env: parseEnvRefs(['OPENAI_API_KEY=audio']) }).shadowed.map((s) => s.credential.name)).toEqual(['main', 'image'])
  })

  it('fal wins FAL_KEY over pika; a postgresql default keeps DATABASE_URL from a tools/database one', () => {
    expect(vars(planRun([cred('pika', { name: 'p' }), cred('fal', { name: 'f' })]))).toEqual({ FAL_KEY: 'f' })
    const generic = cred('database', { name: 'generic', schema_type: 'postgresql' })
    const pg = cred('postgresql', { name: 'pg' })
    expect(vars(planRun([generic, pg]))).toEqual({ DATABASE_URL: 'pg', POSTGRES_URL: 'pg' })
    expect(vars(planRun([generic]))).toEqual({ DATABASE_URL: 'generic', POSTGRES_URL: 'generic' })
    expect(vars(planRun([cred('database', { name: 'm', schema_type: 'mysql' })]))).toEqual({ MYSQL_URL: 'm' })
  })

  it('derives a variable from the name for api_key and oauth', () => {
    expect(variablesFor({ type: 'api_key', name: 'Stripe Prod' })).toEqual(['STRIPE_PROD_API_KEY'])
    expect(variablesFor({ type: 'api_key', name: 'STRIPE_API_KEY' })).toEqual(['STRIPE_API_KEY'])
    expect(variablesFor({ type: 'api_key', name: 'github-token' })).toEqual(['GITHUB_TOKEN'])
    expect(variablesFor({ type: 'oauth', name: 'github' })).toEqual(['GITHUB_TOKEN'])
    expect(variablesFor({ type: 'oauth', name: 'Google Access Token' })).toEqual(['GOOGLE_ACCESS_TOKEN'])
    expect(variablesFor({ type: 'api_key', name: '日本' })).toEqual([])
    expect(envName('3rd party')).toBe('_3RD_PARTY')
    expect(envName('Café API')).toBe('CAFE_API')
    expect(variablesFor({ type: 'smtp', name: 'x' })).toEqual(['SMTP_URL'])
  })

  it('never injects a deleted credential, not even by name or id through --env', () => {
    const gone = cred('anthropic', { name: 'old', is_default: false, deleted_at: '2025-02-01T00:00:00.000Z' })
    expect(planRun([gone]).vars).toEqual([])
    for (const ref of ['old', gone.id]) {
      const e = (() => {
        try {
          planRun([gone], { env: parseEnvRefs([`X=${ref}`]) })
        } catch (err) {
          return err as CredctlError
        }
      })()
      expect(e?.code).toBe('NOT_FOUND')
      expect(e?.message).toContain('deleted')
    }
  })

  it('--only a type without a default is an error naming it; unknown types are refused', () => {
    expect(() => planRun([cred('openai')], { only: ['anthropic'] })).toThrow(/no default anthropic/)
    expect(() => planRun([], { only: ['nope'] })).toThrow(/unknown type "nope"/)
  })

  it('parses --env strictly and never lets a credctl setting through', () => {
    expect(parseEnvRefs(['A=b=c', 'B_2=x y'])).toEqual([
      { variable: 'A', ref: 'b=c' },
      { variable: 'B_2', ref: 'x y' },
    ])
    for (const bad of ['A', '=x', 'A=', '1A=x', 'A-B=x', 'CREDCTL_MASTER_KEY=x', 'credctl_vault=x']) {
      expect(() => parseEnvRefs([bad]), bad).toThrow(CredctlError)
    }
    expect(() => parseEnvRefs(['A=x', 'A=y'])).toThrow(/twice/)
  })

  it('builds the child env without any CREDCTL_* variable, replacing inherited values', () => {
    const env = childEnv(
      { PATH: '/bin', CREDCTL_MASTER_KEY: 'k', CREDCTL_PASSPHRASE: 'p', CREDCTL_VAULT: 'v', CREDCTL_EXPORT_PASSPHRASE: 'e', credctl_x: 'y', OPENAI_API_KEY: 'old' },
      { OPENAI_API_KEY: 'new' },
    )
    expect(env).toEqual({ PATH: '/bin', OPENAI_API_KEY: 'new' })
  })

  it('base URLs travel with their keys: the SDK key holder decides the base-URL variable', () => {
    const bases = (plan: ReturnType<typeof planRun>) => Object.fromEntries(plan.baseUrls.map((b) => [b.variable, `${b.credential.name} ${b.url}`]))
    const gw = cred('openai', { name: 'gw', base_url: 'https://gw.example.com/v1' })
    expect(bases(planRun([gw]))).toEqual({ OPENAI_BASE_URL: 'gw https://gw.example.com/v1' })
    // gemini fills two key variables; its base URL is set once.
    expect(planRun([cred('gemini', { name: 'g', base_url: 'https://proxy.example.com' })]).baseUrls.map((b) => b.variable)).toEqual(['GOOGLE_GEMINI_BASE_URL'])
    // The openai default (vendor endpoint) holds OPENAI_API_KEY, so the audio default's gateway is not
    // set: the key of "main" would go there. Reported, like the key variable it lost.
    const main = cred('openai', { name: 'main' })
    const audio = cred('openai_audio', { name: 'audio', base_url: 'https://gw.example.com/v1' })
    let plan = planRun([audio, main])
    expect(plan.baseUrls).toEqual([])
    expect(plan.shadowed.map((s) => [s.variable, s.credential.name, s.by?.name])).toEqual([['OPENAI_API_KEY', 'audio', 'main']])
    // A credential injected under another name with --env does not move the SDK key holder's endpoint.
    plan = planRun([main, audio], { env: parseEnvRefs(['AUDIO_KEY=audio']) })
    expect(vars(plan)).toEqual({ AUDIO_KEY: 'audio', OPENAI_API_KEY: 'main' })
    expect(plan.baseUrls).toEqual([])
    expect(plan.shadowed.map((s) => [s.variable, s.credential.name, s.by?.name, s.base_url])).toEqual([['OPENAI_API_KEY', 'audio', 'main', undefined], ['OPENAI_BASE_URL', 'audio', 'main', true]])
    // ... but with no openai key holder, it brings its base URL.
    expect(bases(planRun([audio], { only: [], env: parseEnvRefs(['AUDIO_KEY=audio']) }))).toEqual({ OPENAI_BASE_URL: 'audio https://gw.example.com/v1' })
    // --env choosing the key holder chooses the endpoint; --env on the base-URL variable itself wins.
    expect(bases(planRun([main, audio], { env: parseEnvRefs(['OPENAI_API_KEY=audio']) }))).toEqual({ OPENAI_BASE_URL: 'audio https://gw.example.com/v1' })
    plan = planRun([gw, cred('api_key', { name: 'proxy', is_default: false })], { env: parseEnvRefs(['OPENAI_BASE_URL=proxy']) })
    expect(plan.baseUrls).toEqual([])
    expect(plan.shadowed.map((s) => [s.variable, s.credential.name, s.base_url])).toEqual([['OPENAI_BASE_URL', 'gw', true]])
    // Types whose SDK reads no base-URL variable set none (deepseek's docs use the OpenAI SDK).
    expect(planRun([cred('deepseek', { base_url: 'https://gw.example.com' })]).baseUrls).toEqual([])
  })

  it('never injects a stored base URL a key must not be sent to, nor that credential at all', () => {
    const bad = cred('anthropic', { name: 'bad', base_url: 'https://user:CANARYpw@gw.example.com' })
    const plan = planRun([bad, cred('openai', { name: 'ok' })])
    expect(vars(plan)).toEqual({ OPENAI_API_KEY: 'ok' })
    expect(plan.baseUrls).toEqual([])
    expect(plan.refused).toEqual([expect.objectContaining({ variable: 'ANTHROPIC_BASE_URL', base_url: true, reason: expect.stringMatching(/must not contain a user or password/) })])
    expect(plan.refused[0]!.reason).not.toContain('CANARYpw')
    expect(() => planRun([bad], { env: parseEnvRefs(['K=bad']) })).toThrow(/--env K: "bad" is not injected: .*user or password/)
    expect(vars(planRun([cred('anthropic', { name: 'http', base_url: 'http://gw.example.com' })]))).toEqual({})
    expect(vars(planRun([cred('anthropic', { name: 'local', base_url: 'http://localhost:8080' })]))).toEqual({ ANTHROPIC_API_KEY: 'local' })
  })

  it('injects the access token of an oauth JSON value', () => {
    expect(injectedValue({ type: 'oauth' }, '{"access_token":"at-123","refresh_token":"rt"}')).toBe('at-123')
    expect(injectedValue({ type: 'oauth' }, 'plain-token')).toBe('plain-token')
    expect(injectedValue({ type: 'api_key' }, '{"access_token":"x"}')).toBe('{"access_token":"x"}')
  })

  it('writes a service account to a 0600 file in a 0700 directory, removed by cleanup', async () => {
    const sa = cred('bigquery', { name: 'bq' })
    const plan = planRun([sa])
    expect(plan.vars).toMatchObject([{ variable: 'GOOGLE_APPLICATION_CREDENTIALS', file: true }])
    const json = '{"client_email":"a@b.iam.gserviceaccount.com","private_key":"k"}'
    const m = await materialize(plan, new Map([[sa.id, json]]))
    const file = m.vars.GOOGLE_APPLICATION_CREDENTIALS!
    expect(readFileSync(file, 'utf8')).toBe(json)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700)
    await m.cleanup()
    await m.cleanup()
    expect(existsSync(path.dirname(file))).toBe(false)
  })

  it('maps a signal to 128+n and passes exit codes through', () => {
    expect(exitCodeOf({ exitCode: 0 })).toBe(0)
    expect(exitCodeOf({ exitCode: 42 })).toBe(42)
    expect(exitCodeOf({ signal: 'SIGINT' })).toBe(130)
    expect(exitCodeOf({ signal: 'SIGTERM' })).toBe(143)
    expect(exitCodeOf({ signal: 'SIGKILL' })).toBe(137)
  })
})

describe('run command (fake exec, real SDK on a temp vault)', () => {
  let dir: string
  let client: Client
  const KEY = randomBytes(32).toString('base64')
  const SECRET = 'sk-proj-CANARYrun0123456789abcdefghijkl'
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'credctl-run-unit-'))
    client = createClient({ vault: path.join(dir, 'v', 'vault.json'), env: { CREDCTL_MASTER_KEY: KEY } })
    await client.credentials.create({ name: 'main', type: 'openai', value: SECRET })
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  // Fakes throw on any unexpected call (STYLE 10); what run says on stderr lands in `warnings`.
  const factory = (env: NodeJS.ProcessEnv, tty = false): Factory & { warnings: string[] } => {
    const warnings: string[] = []
    const unexpected = () => {
      throw new Error('unexpected output call')
    }
    const term = { out: unexpected, table: unexpected, json: unexpected, progress: unexpected, exempt: unexpected, err: async (t: string) => void warnings.push(...t.split('\n').filter(Boolean)) }
    const io = { stdin: { isTTY: tty }, term, isStdoutTTY: tty, isStderrTTY: tty, colorEnabled: false, canPrompt: false } as unknown as IOStreams
    return {
      io,
      env,
      globals: {},
      client: async () => client,
      prompter: () => {
        throw new Error('unexpected prompt')
      },
      warn: (m) => warnings.push(m),
      now: () => new Date(),
      warnings,
    }
  }

  it('passes the scrubbed env and the args, returns the exit code, records history', async () => {
    const calls: { file: string; args: string[]; env: Record<string, string> }[] = []
    const exec: Exec = (file, args, env) => {
      calls.push({ file, args, env })
      return { kill: () => {}, done: Promise.resolve({ exitCode: 7 }) }
    }
    const f = factory({ PATH: '/usr/bin', CREDCTL_MASTER_KEY: KEY, CREDCTL_PASSPHRASE: 'x', HOME: '/h' })
    const out = await run(f, ['/usr/bin/python3', '-c', 'print(1)'], {}, exec)
    expect(out.exitCode).toBe(7)
    expect(calls).toEqual([{ file: '/usr/bin/python3', args: ['-c', 'print(1)'], env: { PATH: '/usr/bin', HOME: '/h', OPENAI_API_KEY: SECRET } }])
    const h = await client.credentials.history()
    expect(h.at(-1)).toMatchObject({ action: 'run', credentials: [{ name: 'main', type: 'openai' }], outcome: 'ok', detail: 'python3: OPENAI_API_KEY' })
    expect(JSON.stringify(h)).not.toContain(SECRET)
  })

  it('forwards SIGINT/SIGTERM to the child while it runs, and stops listening after', async () => {
    const killed: string[] = []
    let finish!: (r: { signal: string }) => void
    const exec: Exec = () => ({ kill: (s) => killed.push(s), done: new Promise((r) => (finish = r)) })
    const before = process.listenerCount('SIGTERM')
    const p = run(factory({}), ['x'], {}, exec)
    await new Promise((r) => setTimeout(r, 50))
    process.emit('SIGTERM', 'SIGTERM')
    process.emit('SIGINT', 'SIGINT')
    finish({ signal: 'SIGTERM' })
    expect((await p).exitCode).toBe(143)
    expect(killed).toEqual(['SIGTERM', 'SIGINT'])
    expect(process.listenerCount('SIGTERM')).toBe(before)
  })

  it('keeps its signal handlers until the key file is removed (a second signal during cleanup cannot leave it behind)', async () => {
    const SA = JSON.stringify({ type: 'service_account', client_email: 'ci@p.iam.gserviceaccount.com', private_key: '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n' })
    await client.credentials.create({ name: 'bq', type: 'bigquery', value: SA })
    let gac = ''
    const exec: Exec = (_f, _a, env) => {
      gac = env.GOOGLE_APPLICATION_CREDENTIALS!
      return { kill: () => {}, done: Promise.resolve({ signal: 'SIGINT' }) }
    }
    // Whether the key file still existed at the moment each handler went away.
    const atRemoval: boolean[] = []
    const spy = (name: string | symbol) => {
      if (['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'].includes(String(name))) atRemoval.push(existsSync(gac))
    }
    process.on('removeListener', spy)
    try {
      expect((await run(factory({}), ['x'], {}, exec)).exitCode).toBe(130)
    } finally {
      process.off('removeListener', spy)
    }
    expect(gac).toMatch(/credctl-run-\d+-/)
    expect(atRemoval).toEqual([false, false, false, false])
    expect(existsSync(path.dirname(gac))).toBe(false)
  })

  it('reports a missing command as 127 and a usage error without a command', async () => {
    const exec: Exec = () => ({ kill: () => {}, done: Promise.resolve({ code: 'ENOENT' }) })
    const out = await run(factory({}), ['no-such-cmd'], {}, exec)
    expect(out).toMatchObject({ exitCode: 127, notes: ['credctl: command not found: no-such-cmd'] })
    await expect(run(factory({}), [], {}, exec)).rejects.toMatchObject({ code: 'USAGE' })
  })

  it('conceals the injected values in output that is not a terminal; --mask on a terminal; --no-masking never', async () => {
    await client.credentials.create({ name: 'db', type: 'postgresql', value: 'postgresql://app:CANARYpgPass99@db.internal:5432/wh' })
    const seen: Concealment[] = []
    const exec: Exec = (_f, _a, _e, conceal) => {
      seen.push(conceal)
      return { kill: () => {}, done: Promise.resolve({ exitCode: 0 }) }
    }
    await run(factory({}), ['x'], {}, exec)
    await run(factory({}, true), ['x'], {}, exec)
    await run(factory({}, true), ['x'], { mask: true }, exec)
    await run(factory({}), ['x'], { masking: false }, exec)
    expect(seen.map((c) => [c.stdout, c.stderr])).toEqual([[true, true], [false, false], [true, true], [false, false]])
    // The key whole; of the URL only its password (the host stays readable).
    expect(seen[0]!.secrets.sort()).toEqual(['CANARYpgPass99', SECRET].sort())
    await expect(run(factory({}), ['x'], { mask: true, masking: false }, exec)).rejects.toMatchObject({ code: 'USAGE' })
  })

  it('warns before the command starts when it injects an expired credential (name, variables, date; never a value)', async () => {
    await client.credentials.update('main', { expires_at: '2020-02-03' })
    const f = factory({})
    let warnedBeforeStart: string[] = []
    const exec: Exec = () => {
      warnedBeforeStart = [...f.warnings]
      return { kill: () => {}, done: Promise.resolve({ exitCode: 0 }) }
    }
    await run(f, ['x'], {}, exec)
    expect(warnedBeforeStart).toEqual(['warning: "main" (openai), injected as OPENAI_API_KEY, expired on 2020-02-03; rotate it with: credctl update "main" --value-stdin'])
  })

  it('sets the base URL variable next to the key, and shows it in --dry-run', async () => {
    await client.credentials.update('main', { base_url: 'https://gateway.example.com/openai/v1' })
    let env: Record<string, string> = {}
    const exec: Exec = (_f, _a, e) => {
      env = e
      return { kill: () => {}, done: Promise.resolve({ exitCode: 0 }) }
    }
    await run(factory({}), ['x'], {}, exec)
    expect(env).toMatchObject({ OPENAI_API_KEY: SECRET, OPENAI_BASE_URL: 'https://gateway.example.com/openai/v1' })
    const dry = await run(factory({}), [], { dryRun: true }, exec)
    expect(dry.table?.rows).toContainEqual(['OPENAI_BASE_URL', 'main', 'openai', 'https://gateway.example.com/openai/v1', 'base URL'])
    expect((dry.json as { base_urls: unknown[] }).base_urls).toEqual([expect.objectContaining({ variable: 'OPENAI_BASE_URL', name: 'main', url: 'https://gateway.example.com/openai/v1' })])
  })

  it('--dry-run shows names and masked values, never a value, and runs nothing', async () => {
    const exec: Exec = () => {
      throw new Error('unexpected exec')
    }
    const out = await run(factory({}), ['x'], { dryRun: true }, exec)
    expect(out.table?.rows).toEqual([['OPENAI_API_KEY', 'main', 'openai', 'sk-pr...ijkl', 'default']])
    expect(JSON.stringify(out)).not.toContain(SECRET)
  })
})

describe('expiry flags', () => {
  const now = new Date('2025-06-01T12:00:00Z')
  it('tells expired, expiring within 14 days, later and none apart', () => {
    expect(expiryOf({ expires_at: '2025-05-31T00:00:00.000Z' }, now).state).toBe('expired')
    expect(expiryOf({ expires_at: '2025-06-02T00:00:00.000Z' }, now)).toEqual({ state: 'expiring', days: 1 })
    expect(expiryOf({ expires_at: '2025-06-15T00:00:00.000Z' }, now).state).toBe('expiring')
    expect(expiryOf({ expires_at: '2025-06-16T00:00:00.000Z' }, now).state).toBe('ok')
    expect(expiryOf({}, now).state).toBe('none')
    expect(expiryLabel({ expires_at: '2025-05-31T00:00:00.000Z' }, now)).toBe('EXPIRED 2025-05-31')
    expect(expiryLabel({ expires_at: '2025-06-02T00:00:00.000Z' }, now)).toBe('in 1 day (2025-06-02)')
    expect(expiryLabel({ expires_at: '2026-01-01T00:00:00.000Z' }, now)).toBe('2026-01-01')
  })
  it('ignores deleted credentials in the warnings', () => {
    const gone = cred('openai', { expires_at: '2025-01-01T00:00:00.000Z', deleted_at: '2025-02-01T00:00:00.000Z' })
    const live = cred('openai', { name: 'live', expires_at: '2025-01-01T00:00:00.000Z' })
    expect(expiryNotes([gone, live], now)).toEqual([expect.stringContaining('live (openai) expired on 2025-01-01')])
  })
})
