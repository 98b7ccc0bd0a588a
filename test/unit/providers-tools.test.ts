import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { SMTPServer } from 'smtp-server'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { transportOptions } from '../../src/checks/tools/smtp.js'
import { createClient, CredctlError, type Client } from '../../src/index.js'
import { assertNoLeak } from '../helpers/cli.js'
import { closedPort, startServer, type TestServer } from '../helpers/http-server.js'

/** The tool types (api_key, oauth, smtp) through the SDK, against real local HTTP and SMTP servers. */
const secret = (p: string) => `${p}-${randomBytes(12).toString('hex')}`

let dir: string
let client: Client
let server: TestServer
const secrets: string[] = []
const outputs: string[] = []
let n = 0

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'credctl-tools-'))
  client = createClient({ vault: path.join(dir, 'vault.json'), env: { CREDCTL_MASTER_KEY: randomBytes(32).toString('base64') } })
  server = await startServer()
})
afterAll(async () => {
  assertNoLeak(secrets, outputs, dir)
  await server.close()
  rmSync(dir, { recursive: true, force: true })
})
beforeEach(() => server.reset())

async function make(type: string, value: string, settings: Record<string, string> = {}) {
  const name = `${type}-${++n}`
  await client.credentials.create({ name, type, value, settings })
  return name
}
async function validate(name: string, timeoutMs?: number) {
  const r = await client.credentials.validate(name, timeoutMs ? { timeoutMs } : {})
  outputs.push(JSON.stringify(r), JSON.stringify(await client.credentials.get(name)))
  return r
}

describe('api_key', () => {
  it.each([
    [200, 'valid', true],
    [204, 'valid', true],
    [401, 'invalid', false],
    [403, 'invalid', false],
    [429, 'valid', true],
    [500, 'error', null],
  ] as const)('HTTP %i -> %s', async (status, verdict, isValid) => {
    const key = secret('key')
    secrets.push(key)
    const name = await make('api_key', key, { check_url: `${server.url}/me?x=1` })
    server.reply({ status, body: { message: `echo ${key}` } }, { method: 'GET', path: '/me', query: { x: '1' }, headers: { Authorization: `Bearer ${key}` } })
    const r = await validate(name)
    expect(server.mismatches).toEqual([])
    expect(r.status).toBe(verdict)
    expect(r.is_valid).toBe(isValid)
  })

  // Issue 11, rule 2: a check URL has no documented body, but an answer saying it failed is not valid, an
  // HTML page is not the service's answer, and an expectation (--expect FIELD=VALUE) must hold.
  it.each([
    ['200 {"ok": false, "error": "invalid_auth"} (Slack style)', 200, { ok: false, error: 'invalid_auth' }, undefined, 'invalid', false],
    ['200 {"error": {...}}', 200, { error: { message: 'token revoked' } }, undefined, 'invalid', false],
    ['200 {"error": null} is fine', 200, { error: null, data: 1 }, undefined, 'valid', true],
    ['200 HTML captive portal', 200, '<html><title>Sign in to the guest network</title></html>', undefined, 'error', null],
    ['HTML 503 from an edge', 503, '<html><body>cloudflare</body></html>', undefined, 'unreachable', null],
    ['HTML 403 from a WAF', 403, '<html><body>Access denied</body></html>', undefined, 'unreachable', null],
    ['expectation met: ok=true', 200, { ok: true, user: 'u' }, 'ok=true', 'valid', true],
    ['expectation met on a nested field', 200, { data: { status: 'active' } }, 'data.status=active', 'valid', true],
    ['expectation not met', 200, { data: { status: 'suspended' } }, 'data.status=active', 'invalid', false],
    ['expectation field absent: not the expected answer', 200, { hello: 'world' }, 'data.status=active', 'error', null],
    ['expectation and an HTML 200', 200, '<html>portal</html>', 'ok=true', 'error', null],
  ] as const)('%s -> %s', async (_name, status, body, expect_, verdict, isValid) => {
    const key = secret('key')
    secrets.push(key)
    const name = await make('api_key', key, { check_url: `${server.url}/me`, ...(expect_ ? { expect: expect_ } : {}) })
    server.reply({ status, body }, { method: 'GET', path: '/me', headers: { Authorization: `Bearer ${key}` } })
    const r = await validate(name)
    expect(r.status, r.message).toBe(verdict)
    expect(r.is_valid).toBe(isValid)
    if (verdict !== 'valid') expect(r.message).toMatch(/Next: /)
  })

  it("a refusal's next step names the credential as one shell word", async () => {
    const key = secret('key')
    secrets.push(key)
    const name = "team's key"
    await client.credentials.create({ name, type: 'api_key', value: key, settings: { check_url: `${server.url}/me` } })
    server.reply({ status: 401, body: { message: 'bad key' } }, null)
    const r = await validate(name)
    expect(r.status).toBe('invalid')
    expect(r.message).toContain("Next: rotate it: create a new key at the provider and store it with `credctl update 'team'\\''s key' --value-stdin`")
  })

  it('--expect is checked when stored: FIELD=VALUE only, and only for api_key/oauth', async () => {
    await expect(make('api_key', secret('key'), { check_url: `${server.url}/me`, expect: 'no equals sign' })).rejects.toMatchObject({ code: 'INVALID_INPUT' })
    await expect(make('openai', secret('key'), { expect: 'ok=true' })).rejects.toMatchObject({ code: 'USAGE' })
    await expect(make('oauth', secret('at'), { token_auth: 'client_secret_jwt' })).rejects.toMatchObject({ code: 'INVALID_INPUT' })
  })

  it('sends the auth header template, {value} replaced literally (no $ patterns)', async () => {
    const key = `k$&$1$$-${randomBytes(8).toString('hex')}`
    secrets.push(key)
    const name = await make('api_key', key, { check_url: `${server.url}/ping`, auth_header: 'X-Api-Key: Key {value}' })
    server.reply({ status: 200, body: {} }, { method: 'GET', path: '/ping', headers: { 'x-api-key': `Key ${key}` } })
    expect((await validate(name)).status).toBe('valid')
    expect(server.mismatches).toEqual([])
    expect(server.requests[0]!.headers.authorization).toBeUndefined()
  })

  it('times out on a server that never answers, and is unreachable on a closed port', async () => {
    const key = secret('key')
    secrets.push(key)
    server.reply('hang', null)
    expect((await validate(await make('api_key', key, { check_url: `${server.url}/me` }), 300)).status).toBe('timeout')
    const port = await closedPort()
    expect((await validate(await make('api_key', key, { check_url: `http://127.0.0.1:${port}/me` }))).status).toBe('unreachable')
  })

  it('without a check URL there is nothing to check: NO_CHECK, and nothing is stored', async () => {
    const key = secret('key')
    secrets.push(key)
    const name = await make('api_key', key)
    const err = await client.credentials.validate(name).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CredctlError)
    expect((err as CredctlError).code).toBe('NO_CHECK')
    expect((err as CredctlError).exitCode).toBe(2)
    expect((err as CredctlError).message).toMatch(new RegExp(`no check URL.*credential "${name}"`))
    const stored = await client.credentials.get(name)
    expect(stored.is_valid).toBeNull()
    expect(stored.validated_at ?? null).toBeNull()
    outputs.push(String(err), JSON.stringify(stored))
  })
})

describe('oauth', () => {
  const token = () => {
    const t = secret('at')
    secrets.push(t)
    return t
  }

  it('a bare access token: Bearer GET on the check URL', async () => {
    const at = token()
    const name = await make('oauth', at, { check_url: `${server.url}/userinfo` })
    server.reply({ status: 200, body: { sub: '1' } }, { method: 'GET', path: '/userinfo', headers: { authorization: `Bearer ${at}` } })
    expect((await validate(name)).status).toBe('valid')
    expect(server.mismatches).toEqual([])
    server.reply({ status: 401, body: { error: 'invalid_token' } }, null)
    const r = await validate(name)
    expect(r.status).toBe('invalid')
    expect(r.message).toMatch(/no refresh_token/)
  })

  it('403 insufficient_scope (RFC 6750) is a real token lacking a scope', async () => {
    const name = await make('oauth', token(), { check_url: `${server.url}/userinfo` })
    server.reply({ status: 403, headers: { 'www-authenticate': 'Bearer error="insufficient_scope", scope="profile"' } }, null)
    expect(await validate(name)).toMatchObject({ status: 'restricted', is_valid: true })
  })

  /**
   * A check URL that accepts only `good`, and a token endpoint that checks the exact grant and authenticates
   * the client as RFC 6749 section 2.3.1 says: HTTP Basic with the form-urlencoded id and secret (Appendix B),
   * and, if `accepts` allows it, the body form. A client it cannot authenticate gets 401 invalid_client.
   */
  function oauthServer(
    good: () => string,
    grant: { refresh: string; id: string; secret: string },
    answer: () => { status: number; body: unknown },
    accepts: 'basic' | 'post' | 'both' = 'basic',
  ) {
    server.reply((req) => {
      if (req.path === '/token') {
        const form = new URLSearchParams(req.body)
        const shapeOk =
          req.method === 'POST' &&
          req.headers['content-type'] === 'application/x-www-form-urlencoded' &&
          form.get('grant_type') === 'refresh_token' &&
          form.get('refresh_token') === grant.refresh
        if (!shapeOk) return { status: 418, body: { error: 'bad_shape' } }
        const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')
        let authed = false
        if (basic && accepts !== 'post') {
          const [id, secret] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':').map((x) => decodeURIComponent(x.replace(/\+/g, ' ')))
          authed = id === grant.id && secret === grant.secret && !form.has('client_secret') && [...form.keys()].length === 2
        } else if (!basic && accepts !== 'basic') {
          authed = form.get('client_id') === grant.id && form.get('client_secret') === grant.secret && [...form.keys()].length === 4
        }
        return authed ? answer() : { status: 401, headers: { 'www-authenticate': 'Basic realm="token"' }, body: { error: 'invalid_client', error_description: 'Client authentication failed' } }
      }
      return req.headers.authorization === `Bearer ${good()}` ? { status: 200, body: { sub: '1' } } : { status: 401, body: { error: 'invalid_token' } }
    }, null)
  }

  it('refused token + refresh fields: one refresh grant, the new token is checked, stored encrypted and reported', async () => {
    const [old, fresh, rt, rt2, cs] = [token(), token(), token(), token(), token()]
    const value = JSON.stringify({ access_token: old, refresh_token: rt, token_url: `${server.url}/token`, client_id: 'app', client_secret: cs, scope: 'profile' })
    const name = await make('oauth', value, { check_url: `${server.url}/userinfo` })
    oauthServer(() => fresh, { refresh: rt, id: 'app', secret: cs }, () => ({ status: 200, body: { access_token: fresh, refresh_token: rt2, token_type: 'Bearer', expires_in: 3600 } }))
    const r = await validate(name)
    expect(r.status).toBe('valid')
    expect(r.message).toMatch(/^refreshed at 127\.0\.0\.1:\d+ \(new access token stored\); check: accepted/)
    expect(server.requests.map((q) => `${q.method} ${q.path}`)).toEqual(['GET /userinfo', 'POST /token', 'GET /userinfo'])
    const stored = JSON.parse(await client.credentials.reveal(name)) as Record<string, string>
    // The rotated refresh token replaces the old one; everything else the value held is kept.
    expect(stored).toEqual({ access_token: fresh, refresh_token: rt2, token_url: `${server.url}/token`, client_id: 'app', client_secret: cs, scope: 'profile' })
    // A second validate uses the stored token directly: no refresh.
    server.reset()
    expect((await validate(name)).status).toBe('valid')
    expect(server.requests).toHaveLength(1)
  })

  it('a refresh refused with invalid_grant is invalid and keeps the value', async () => {
    const [old, rt, cs] = [token(), token(), token()]
    const value = JSON.stringify({ access_token: old, refresh_token: rt, token_url: `${server.url}/token`, client_id: 'app', client_secret: cs })
    const name = await make('oauth', value, { check_url: `${server.url}/userinfo` })
    oauthServer(() => 'never', { refresh: rt, id: 'app', secret: cs }, () => ({ status: 400, body: { error: 'invalid_grant', error_description: `Token ${rt} has been expired or revoked.` } }))
    const r = await validate(name)
    expect(r.status).toBe('invalid')
    expect(r.message).toMatch(/refresh at 127\.0\.0\.1:\d+ failed \(HTTP 400\): the refresh token is expired or revoked \(invalid_grant\): Token \*\*\*\* has been expired or revoked\. Next: re-authorise/)
    expect(await client.credentials.reveal(name)).toBe(value)
  })

  it('a refreshed token that is still refused is invalid, but the new (rotated) tokens are kept', async () => {
    const [old, fresh, rt, rt2, cs] = [token(), token(), token(), token(), token()]
    const value = JSON.stringify({ access_token: old, refresh_token: rt, token_url: `${server.url}/token`, client_id: 'app', client_secret: cs })
    const name = await make('oauth', value, { check_url: `${server.url}/userinfo` })
    oauthServer(() => 'never', { refresh: rt, id: 'app', secret: cs }, () => ({ status: 200, body: { access_token: fresh, refresh_token: rt2 } }))
    const r = await validate(name)
    expect(r.status).toBe('invalid')
    expect(r.message).toMatch(/^refreshed .*check: refused/)
    expect(JSON.parse(await client.credentials.reveal(name))).toMatchObject({ access_token: fresh, refresh_token: rt2 })
  })

  it('RFC 6749 2.3.1: a token endpoint that requires HTTP Basic refreshes a good token (issue 11, rule 5)', async () => {
    const [old, fresh, rt] = [token(), token(), token()]
    // Characters that form-urlencoding changes before Basic encoding: ':' in the id, '+', ' ', '%' and '/' in the secret.
    const [id, cs] = ['app:web', `s3cr+t /%${randomBytes(6).toString('hex')}`]
    secrets.push(cs, encodeURIComponent(cs))
    const value = JSON.stringify({ access_token: old, refresh_token: rt, token_url: `${server.url}/token`, client_id: id, client_secret: cs })
    const name = await make('oauth', value, { check_url: `${server.url}/userinfo` })
    oauthServer(() => fresh, { refresh: rt, id, secret: cs }, () => ({ status: 200, body: { access_token: fresh, token_type: 'Bearer' } }), 'basic')
    const r = await validate(name)
    expect(r, r.message).toMatchObject({ status: 'valid', is_valid: true })
    const tokenReqs = server.requests.filter((q) => q.path === '/token')
    expect(tokenReqs).toHaveLength(1)
    expect(tokenReqs[0]!.headers.authorization).toBe(`Basic ${Buffer.from('app%3Aweb:' + new URLSearchParams([['', cs]]).toString().slice(1)).toString('base64')}`)
    expect(tokenReqs[0]!.body).not.toContain('client_secret')
  })

  it('a server that takes client credentials only in the body: Basic gets invalid_client, the body form works and is remembered', async () => {
    const [old, fresh, fresher, rt, rt2, cs] = [token(), token(), token(), token(), token(), token()]
    const value = JSON.stringify({ access_token: old, refresh_token: rt, token_url: `${server.url}/token`, client_id: 'app', client_secret: cs })
    const name = await make('oauth', value, { check_url: `${server.url}/userinfo` })
    let good = fresh
    oauthServer(() => good, { refresh: rt, id: 'app', secret: cs }, () => ({ status: 200, body: { access_token: good } }), 'post')
    const r = await validate(name)
    expect(r, r.message).toMatchObject({ status: 'valid', is_valid: true })
    expect(server.requests.filter((q) => q.path === '/token').map((q) => (q.headers.authorization ? 'basic' : 'post'))).toEqual(['basic', 'post'])
    // The next refresh starts with the form that worked: one token request, in the body.
    server.reset()
    good = fresher
    void rt2
    const again = await validate(name)
    expect(again, again.message).toMatchObject({ status: 'valid' })
    expect(server.requests.filter((q) => q.path === '/token').map((q) => (q.headers.authorization ? 'basic' : 'post'))).toEqual(['post'])
  })

  it('client credentials refused in both forms is invalid_client: invalid, with what to check', async () => {
    const [old, rt, cs] = [token(), token(), token()]
    const value = JSON.stringify({ access_token: old, refresh_token: rt, token_url: `${server.url}/token`, client_id: 'app', client_secret: cs })
    const name = await make('oauth', value, { check_url: `${server.url}/userinfo` })
    oauthServer(() => 'never', { refresh: rt, id: 'app', secret: 'another-secret' }, () => ({ status: 200, body: {} }), 'both')
    const r = await validate(name)
    expect(r).toMatchObject({ status: 'invalid', is_valid: false })
    expect(r.message).toMatch(/invalid_client.*Next: check client_id and client_secret/)
    expect(server.requests.filter((q) => q.path === '/token')).toHaveLength(2)
  })

  it('unsupported_grant_type is a configuration error, not an invalid credential', async () => {
    const [old, rt, cs] = [token(), token(), token()]
    const value = JSON.stringify({ access_token: old, refresh_token: rt, token_url: `${server.url}/token`, client_id: 'app', client_secret: cs })
    const name = await make('oauth', value, { check_url: `${server.url}/userinfo` })
    oauthServer(() => 'never', { refresh: rt, id: 'app', secret: cs }, () => ({ status: 400, body: { error: 'unsupported_grant_type', error_description: 'refresh_token grant is not enabled' } }))
    const r = await validate(name)
    expect(r).toMatchObject({ status: 'error', is_valid: null })
    expect(r.message).toMatch(/unsupported_grant_type.*configuration error.*Next: check token_url/)
    expect(await client.credentials.reveal(name)).toBe(value)
  })

  it("a token endpoint behind an edge answering HTML 503 is unreachable, and the stored verdict stands", async () => {
    const [old, rt, cs] = [token(), token(), token()]
    const value = JSON.stringify({ access_token: old, refresh_token: rt, token_url: `${server.url}/token`, client_id: 'app', client_secret: cs })
    const name = await make('oauth', value, { check_url: `${server.url}/userinfo` })
    server.reply((req) => (req.path === '/token' ? { status: 503, body: '<html><body>503 Service Temporarily Unavailable</body></html>', headers: { server: 'cloudflare' } } : { status: 401, body: { error: 'invalid_token' } }), null)
    const r = await validate(name)
    expect(r).toMatchObject({ status: 'unreachable', is_valid: null })
  })

  it('a retry that times out after a successful refresh still keeps the rotated tokens', async () => {
    const [old, fresh, rt, rt2] = [token(), token(), token(), token()]
    const value = JSON.stringify({ access_token: old, refresh_token: rt, token_url: `${server.url}/token` })
    const name = await make('oauth', value, { check_url: `${server.url}/userinfo` })
    server.reply((req) => {
      if (req.path === '/token') return { status: 200, body: { access_token: fresh, refresh_token: rt2 } }
      return req.headers.authorization === `Bearer ${old}` ? { status: 401 } : 'hang'
    }, null)
    const r = await validate(name, 500)
    expect(r.status).toBe('timeout')
    expect(r.message).toMatch(/^refreshed .*check: no answer within 0\.5 s/)
    expect(JSON.parse(await client.credentials.reveal(name))).toMatchObject({ access_token: fresh, refresh_token: rt2 })
  })

  it('without a check URL there is nothing to check', async () => {
    const name = await make('oauth', token())
    await expect(client.credentials.validate(name)).rejects.toMatchObject({ code: 'NO_CHECK' })
  })
})

describe('smtp', () => {
  const USER = 'mailer'
  const PASS = `p@ss:w/rd%${randomBytes(6).toString('hex')}`
  const url = (port: number, pass = PASS, q = '') => `smtp://${USER}:${encodeURIComponent(pass)}@127.0.0.1:${port}${q}`
  let smtp: SMTPServer
  let port: number
  let tlsSmtp: SMTPServer
  let tlsPort: number
  const auths: string[] = []

  const listen = async (s: SMTPServer) => {
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
    return (s.server.address() as { port: number }).port
  }
  const onAuth = (auth: { method: string; username?: string | null; password?: string | null }, _s: unknown, cb: (e: Error | null | undefined, r?: { user: string }) => void) => {
    auths.push(auth.method)
    if (auth.username === USER && auth.password === PASS) cb(null, { user: USER })
    else cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }))
  }

  beforeAll(async () => {
    secrets.push(PASS, encodeURIComponent(PASS))
    // Plain text on loopback, AUTH PLAIN and LOGIN.
    smtp = new SMTPServer({ logger: false, authMethods: ['PLAIN', 'LOGIN'], allowInsecureAuth: true, disabledCommands: ['STARTTLS'], onAuth })
    port = await listen(smtp)
    // STARTTLS with smtp-server's built-in self-signed certificate.
    tlsSmtp = new SMTPServer({ logger: false, authMethods: ['PLAIN'], onAuth })
    tlsPort = await listen(tlsSmtp)
  })
  afterAll(async () => {
    await new Promise<void>((resolve) => smtp.close(() => resolve()))
    await new Promise<void>((resolve) => tlsSmtp.close(() => resolve()))
  })
  afterEach(() => {
    auths.length = 0
  })

  it('right password: login accepted (AUTH PLAIN)', async () => {
    const r = await validate(await make('smtp', url(port)))
    expect(r).toMatchObject({ status: 'valid', is_valid: true })
    expect(r.message).toMatch(/login accepted by 127\.0\.0\.1:\d+/)
    expect(auths).toEqual(['PLAIN'])
  })

  it('right password over AUTH LOGIN', async () => {
    const login = new SMTPServer({ logger: false, authMethods: ['LOGIN'], allowInsecureAuth: true, disabledCommands: ['STARTTLS'], onAuth })
    const p = await listen(login)
    try {
      expect((await validate(await make('smtp', url(p)))).status).toBe('valid')
      expect(auths).toEqual(['LOGIN'])
    } finally {
      await new Promise<void>((resolve) => login.close(() => resolve()))
    }
  })

  it('wrong password: invalid (SMTP 535), the password nowhere', async () => {
    const wrong = `wrong-${randomBytes(8).toString('hex')}`
    secrets.push(wrong)
    const r = await validate(await make('smtp', url(port, wrong)))
    expect(r).toMatchObject({ status: 'invalid', is_valid: false })
    expect(r.message).toMatch(/login refused by 127\.0\.0\.1:\d+ \(SMTP 535\)/)
  })

  it('STARTTLS: a self-signed certificate is refused unless the URL says so', async () => {
    const r = await validate(await make('smtp', url(tlsPort)))
    expect(r.status).toBe('unreachable')
    expect(r.message).toMatch(/certificate/i)
    expect(auths).toEqual([])
    const ok = await validate(await make('smtp', url(tlsPort, PASS, '?tls.rejectUnauthorized=false')))
    expect(ok.status).toBe('valid')
    expect(auths).toEqual(['PLAIN'])
  })

  it('a server that accepts the connection but never greets is a timeout; a closed port is unreachable', async () => {
    const sockets = new Set<Socket>()
    const silent: NetServer = createNetServer((s) => sockets.add(s))
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    try {
      const started = Date.now()
      const r = await validate(await make('smtp', url((silent.address() as { port: number }).port)), 400)
      expect(r.status).toBe('timeout')
      expect(Date.now() - started).toBeLessThan(3000)
    } finally {
      for (const s of sockets) s.destroy()
      silent.close()
    }
    expect((await validate(await make('smtp', url(await closedPort())))).status).toBe('unreachable')
  })

  it('ignores URL parameters that would make nodemailer log the transcript', async () => {
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) => vi.spyOn(console, m))
    try {
      expect((await validate(await make('smtp', url(port, PASS, '?logger=true&debug=true')))).status).toBe('valid')
      for (const s of spies) expect(s).not.toHaveBeenCalled()
    } finally {
      for (const s of spies) s.mockRestore()
    }
  })

  it('requires TLS off loopback unless the URL opts out', () => {
    expect(transportOptions('smtp://u:p@mail.example.com:587', 1000).requireTLS).toBe(true)
    expect(transportOptions('smtp://u:p@mail.example.com:25?requireTLS=false', 1000).requireTLS).toBe(false)
    expect(transportOptions('smtp://u:p@127.0.0.1:25', 1000).requireTLS).toBe(false)
    expect(transportOptions('smtps://u:p@mail.example.com', 1000)).toMatchObject({ secure: true, port: 465 })
    expect(transportOptions('smtp://u:p%40x@h', 1000).auth).toEqual({ user: 'u', pass: 'p@x' })
  })
})
