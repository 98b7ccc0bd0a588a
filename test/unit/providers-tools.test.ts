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

  /** A check URL that accepts only `good`, and a token endpoint that checks the exact grant. */
  function oauthServer(good: () => string, grant: { refresh: string; id: string; secret: string }, answer: () => { status: number; body: unknown }) {
    server.reply((req) => {
      if (req.path === '/token') {
        const form = new URLSearchParams(req.body)
        const shapeOk =
          req.method === 'POST' &&
          req.headers['content-type'] === 'application/x-www-form-urlencoded' &&
          form.get('grant_type') === 'refresh_token' &&
          form.get('refresh_token') === grant.refresh &&
          form.get('client_id') === grant.id &&
          form.get('client_secret') === grant.secret &&
          [...form.keys()].length === 4
        return shapeOk ? answer() : { status: 418, body: { error: 'bad_shape' } }
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
    expect(r.message).toMatch(/refresh at 127\.0\.0\.1:\d+ failed \(HTTP 400, invalid_grant\): Token \*\*\*\* has been expired or revoked/)
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
