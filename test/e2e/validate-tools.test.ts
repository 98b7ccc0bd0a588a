import { randomBytes } from 'node:crypto'
import { SMTPServer } from 'smtp-server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertNoLeak, runCli, tempVault } from '../helpers/cli.js'
import { startServer, type TestServer } from '../helpers/http-server.js'

/** The tool types from the built CLI: api_key (--check-url/--auth-header), oauth refresh, smtp login. */
describe('credctl validate: api_key, oauth, smtp (built CLI)', () => {
  const v = tempVault('credctl-validate-tools')
  const secrets: string[] = []
  const outputs: string[] = []
  let server: TestServer
  let smtp: SMTPServer
  let smtpPort: number
  const PASS = `pw-${randomBytes(10).toString('hex')}`
  const APIKEY = `ak-${randomBytes(16).toString('hex')}`
  const [OLD, FRESH, RT, RT2, CS] = ['old', 'new', 'rt', 'rt2', 'cs'].map((p) => `${p}-${randomBytes(16).toString('hex')}`) as [string, string, string, string, string]

  const cli = async (args: string[], input?: string) => {
    const r = await runCli(args, { env: v.env, ...(input !== undefined ? { input } : {}) })
    outputs.push(r.stdout, r.stderr)
    return r
  }

  /** '' when create succeeded, else its stderr (so a failure says why). */
  const created = async (args: string[], input: string) => {
    const r = await cli(args, input)
    return r.code === 0 ? '' : `exit ${r.code}: ${r.stderr}`
  }

  beforeAll(async () => {
    secrets.push(PASS, APIKEY, OLD, FRESH, RT, RT2, CS)
    server = await startServer((req) => {
      if (req.path === '/api/me') return req.headers['x-service-key'] === `Token ${APIKEY}` ? { status: 200, body: { ok: true } } : { status: 403, body: { message: 'forbidden' } }
      if (req.path === '/token') {
        // RFC 6749 2.3.1: the client authenticates with HTTP Basic (this server accepts nothing else).
        const f = new URLSearchParams(req.body)
        const basic = Buffer.from((req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString('utf8')
        if (basic !== `app:${CS}`) return { status: 401, body: { error: 'invalid_client' } }
        return f.get('grant_type') === 'refresh_token' && f.get('refresh_token') === RT && !f.has('client_secret')
          ? { status: 200, body: { access_token: FRESH, refresh_token: RT2, expires_in: 3600 } }
          : { status: 400, body: { error: 'invalid_grant' } }
      }
      if (req.path === '/userinfo') return req.headers.authorization === `Bearer ${FRESH}` ? { status: 200, body: { sub: 'u' } } : { status: 401, body: { error: 'invalid_token' } }
      return { status: 404 }
    })
    smtp = new SMTPServer({
      logger: false,
      authMethods: ['PLAIN', 'LOGIN'],
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      onAuth: (auth, _s, cb) => (auth.username === 'mailer' && auth.password === PASS ? cb(null, { user: 'mailer' }) : cb(Object.assign(new Error('Invalid credentials'), { responseCode: 535 }))),
    })
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve))
    smtpPort = (smtp.server.address() as { port: number }).port
  })
  afterAll(async () => {
    assertNoLeak(secrets, outputs, v.dir)
    await server.close()
    await new Promise<void>((resolve) => smtp.close(() => resolve()))
    v.cleanup()
  })

  it('api_key: GET on --check-url with the --auth-header template; a wrong key is exit 1', async () => {
    const args = ['--type', 'api_key', '--check-url', `${server.url}/api/me`, '--auth-header', 'X-Service-Key: Token {value}', '--value-stdin']
    expect(await created(['create', '--name', 'svc', ...args], APIKEY)).toBe('')
    const ok = await cli(['validate', 'svc', '--json'])
    expect(ok.code, ok.stderr).toBe(0)
    expect(JSON.parse(ok.stdout)).toMatchObject({ status: 'valid', is_valid: true })
    const wrong = `ak-${randomBytes(16).toString('hex')}`
    secrets.push(wrong)
    expect(await created(['create', '--name', 'svc-wrong', ...args], wrong)).toBe('')
    const bad = await cli(['validate', 'svc-wrong', '--json'])
    expect(bad.code).toBe(1)
    expect(JSON.parse(bad.stdout)).toMatchObject({ status: 'invalid', is_valid: false })
  })

  it('oauth: a refused token is refreshed once, the new token stored and reported', async () => {
    const value = JSON.stringify({ access_token: OLD, refresh_token: RT, token_url: `${server.url}/token`, client_id: 'app', client_secret: CS })
    expect(await created(['create', '--name', 'google', '--type', 'oauth', '--check-url', `${server.url}/userinfo`, '--value-stdin'], value)).toBe('')
    const r = await cli(['validate', 'google', '--json'])
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'valid', is_valid: true, message: expect.stringMatching(/^refreshed at/) })
    // reveal is the one command that prints a value: it must now hold the new tokens (not scanned for leaks).
    const shown = await runCli(['reveal', 'google'], { env: v.env })
    expect(JSON.parse(shown.stdout)).toMatchObject({ access_token: FRESH, refresh_token: RT2, client_secret: CS })
    const again = await cli(['validate', 'google'])
    expect(again.code).toBe(0)
    expect(again.stdout).not.toMatch(/refreshed/)
  })

  it('smtp: right password exit 0, wrong password exit 1', async () => {
    expect(await created(['create', '--name', 'mail', '--type', 'smtp', '--value-stdin'], `smtp://mailer:${PASS}@127.0.0.1:${smtpPort}`)).toBe('')
    const wrong = `pw-${randomBytes(10).toString('hex')}`
    secrets.push(wrong)
    expect(await created(['create', '--name', 'mail-wrong', '--type', 'smtp', '--value-stdin'], `smtp://mailer:${wrong}@127.0.0.1:${smtpPort}`)).toBe('')
    const ok = await cli(['validate', 'mail', '--json'])
    expect(ok.code, ok.stderr).toBe(0)
    expect(JSON.parse(ok.stdout)).toMatchObject({ status: 'valid', message: expect.stringMatching(/login accepted/) })
    const bad = await cli(['validate', 'mail-wrong', '--json'])
    expect(bad.code).toBe(1)
    expect(JSON.parse(bad.stdout)).toMatchObject({ status: 'invalid', message: expect.stringMatching(/login refused.*SMTP 535/) })
    const both = await cli(['validate', '--all', '--type', 'smtp'])
    expect(both.code).toBe(1)
    expect(both.stdout).toMatch(/^mail\tsmtp\tvalid\t/m)
    expect(both.stdout).toMatch(/^mail-wrong\tsmtp\tinvalid\t/m)
  })
})
