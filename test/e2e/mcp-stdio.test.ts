import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertNoLeak, runCli, tempVault } from '../helpers/cli.js'
import { startServer, type Reply, type TestServer } from '../helpers/http-server.js'
import { startMcp, type McpSession } from '../helpers/mcp.js'

/**
 * `credctl mcp` from the built CLI over real stdio, driven by the MCP SDK's client (issue 15): the six
 * tools, scope, the HTTP destination rules against a local stand-in that counts requests, approval by
 * elicitation, history, and a canary sweep of every result, error, stderr line and file.
 */
describe('credctl mcp over stdio (built CLI)', () => {
  const t = tempVault('credctl-mcp')
  const env: Record<string, string> = { ...t.env, CREDCTL_KEY_SOURCE: 'file', CREDCTL_KEY_FILE: path.join(t.dir, 'keys', 'vault.key') }
  delete env.CREDCTL_MASTER_KEY
  const KEY = (p: string) => `sk-proj-${p}${randomBytes(18).toString('hex')}`
  const OPENAI = KEY('a')
  const OPENAI2 = KEY('b')
  const OTHER = KEY('c')
  const GONE = KEY('d')
  const APIKEY = `ak-${randomBytes(20).toString('hex')}`
  const secrets = [OPENAI, OPENAI2, OTHER, GONE, APIKEY]
  const outputs: string[] = []
  let server: TestServer
  let s: McpSession
  const sessions: McpSession[] = []

  const cli = async (args: string[], input?: string) => {
    const r = await runCli(args, { env, ...(input !== undefined ? { input } : {}) })
    outputs.push(r.stdout, r.stderr)
    return r
  }
  const create = async (args: string[], value: string) => {
    const r = await cli(['create', ...args, '--value-stdin'], value)
    expect(r.code, r.stderr).toBe(0)
  }

  beforeAll(async () => {
    server = await startServer((req): Reply => {
      const auth = req.headers.authorization ?? req.headers['x-service-key'] ?? ''
      if (req.path === '/v1/models') return { status: 200, body: { data: [{ id: 'gpt-x' }], q: req.query } }
      if (req.path === '/v1/echo') return { status: 200, body: { you_sent: auth, again: auth.replace(/^Bearer /, '') }, headers: { 'x-echo': auth } }
      if (req.path === '/v1/redirect') return { status: 302, headers: { location: 'http://evil.example/steal' } }
      if (req.path === '/v1/bin') return { status: 200, body: '\u0000\u0001binary', headers: { 'content-type': 'application/octet-stream' } }
      if (req.path === '/v1/items' && req.method === 'POST') return { status: 201, body: { created: true, got: req.body } }
      if (req.path === '/v1/big') return { status: 200, body: { big: 'x'.repeat(100 * 1024) } }
      if (req.path === '/v1/slow') return { status: 200, body: { ok: true }, delayMs: 300 }
      if (req.path === '/api/me') return { status: 200, body: { ok: true, auth } }
      return { status: 404, body: { error: { message: 'no such path' } } }
    })
    const base = `${server.url}/v1`
    await create(['--name', 'OpenAI Prod', '--type', 'openai', '--base-url', base], OPENAI)
    await create(['--name', 'OpenAI Two', '--type', 'openai', '--base-url', base], OPENAI2)
    await create(['--name', 'Not In Scope', '--type', 'openai', '--base-url', base], OTHER)
    await create(['--name', 'Deleted One', '--type', 'openai', '--base-url', base], GONE)
    await create(['--name', 'Service', '--type', 'api_key', '--check-url', `${server.url}/api/me`, '--auth-header', 'X-Service-Key: Token {value}'], APIKEY)
    s = await startMcp(['--credential', 'OpenAI Prod', '--credential', 'OpenAI Two', '--credential', 'Deleted One', '--credential', 'Service'], env)
    sessions.push(s)
    expect((await cli(['delete', 'Deleted One'])).code).toBe(0)
  }, 60_000)

  afterAll(async () => {
    for (const x of sessions) {
      await x.close().catch(() => {})
      outputs.push(x.stderr(), ...x.seen)
    }
    assertNoLeak(secrets, outputs, t.dir)
    await server.close()
    t.cleanup()
  })

  it('no scope is a usage error (exit 2), never an implicit "all"', async () => {
    const r = await cli(['mcp'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/needs a scope/)
    expect(r.stdout).toBe('')
  })

  it('start-up errors: a missing credential is exit 3, an unknown category or an out-of-scope --allow-privileged-query exit 2', async () => {
    const missing = await cli(['mcp', '--credential', 'Not There'])
    expect(missing.code).toBe(3)
    const deleted = await cli(['mcp', '--credential', 'Deleted One'])
    expect(deleted.code).toBe(3)
    const cat = await cli(['mcp', '--category', 'bogus'])
    expect(cat.code).toBe(2)
    const priv = await cli(['mcp', '--credential', 'OpenAI Prod', '--allow-privileged-query', 'Not In Scope'])
    expect(priv.code).toBe(2)
    expect(priv.stderr).toMatch(/names no credential in this server's scope/)
    for (const r of [missing, deleted, cat, priv]) expect(r.stdout).toBe('')
  })

  it('the agent\'s own headers (a beta flag, another Accept) pass; the credential\'s auth is always credctl\'s', async () => {
    server.reset()
    const r = await s.call('http_get', { credential: 'OpenAI Prod', path: '/models', headers: { 'OpenAI-Beta': 'assistants=v2', Accept: 'text/plain' } })
    expect(r.isError, r.text).toBeFalsy()
    expect(server.requests[0]!.headers).toMatchObject({ 'openai-beta': 'assistants=v2', accept: 'text/plain', authorization: `Bearer ${OPENAI}` })
  })

  it('lists exactly the six tools, with fixed descriptions and their input schemas', async () => {
    const { tools } = await s.client.listTools()
    expect(tools.map((x) => x.name).sort()).toEqual(['get_schema', 'http_get', 'http_request', 'list_credentials', 'query', 'validate_credential'])
    const text = JSON.stringify(tools)
    for (const name of ['OpenAI Prod', 'OpenAI Two', 'Service', 'Not In Scope']) expect(text).not.toContain(name)
    const props = Object.fromEntries(tools.map((x) => [x.name, Object.keys((x.inputSchema.properties ?? {}) as object).sort()]))
    expect(props).toEqual({
      list_credentials: ['category', 'name_contains', 'type'],
      get_schema: ['credential', 'refresh', 'table_pattern'],
      validate_credential: ['credential'],
      query: ['credential', 'max_rows', 'sql', 'timeout_s'],
      http_get: ['credential', 'headers', 'path', 'query'],
      http_request: ['body', 'credential', 'headers', 'method', 'path', 'query'],
    })
    // No tool input carries a value, and nothing is called confirm/approve.
    expect(text).not.toMatch(/"(value|confirm|approve|approved)"/)
  })

  it('list_credentials: only the scope, no deleted one, the safe view', async () => {
    const r = await s.call('list_credentials', {})
    expect(r.isError).toBeFalsy()
    const names = (r.json as { credentials: { name: string }[] }).credentials.map((c) => c.name).sort()
    expect(names).toEqual(['OpenAI Prod', 'OpenAI Two', 'Service'])
    const f = await s.call('list_credentials', { name_contains: 'two' })
    expect((f.json as { credentials: { name: string }[] }).credentials.map((c) => c.name)).toEqual(['OpenAI Two'])
  })

  it('out of scope, deleted and missing answer exactly alike', async () => {
    const answers = []
    for (const name of ['Not In Scope', 'Deleted One', 'No Such Thing']) {
      const r = await s.call('http_get', { credential: name, path: '/models' })
      expect(r.isError).toBe(true)
      answers.push(r.text.replace(JSON.stringify(name), '"X"'))
    }
    expect(new Set(answers).size).toBe(1)
    expect(answers[0]).toMatch(/no credential "X"/)
  })

  it('http_get: the stored base URL joined with the path, the key applied by credctl', async () => {
    server.reset()
    const r = await s.call('http_get', { credential: 'OpenAI Prod', path: '/models', query: { limit: '2' } })
    expect(r.isError, r.text).toBeFalsy()
    const out = r.json as { untrusted_data: { status: number; content_type: string; body: string; truncated: boolean }; note: string }
    expect(out.untrusted_data.status).toBe(200)
    expect(out.note).toMatch(/data only/)
    expect(JSON.parse(out.untrusted_data.body)).toMatchObject({ data: [{ id: 'gpt-x' }], q: { limit: '2' } })
    expect(server.requests).toHaveLength(1)
    expect(server.requests[0]!.path).toBe('/v1/models')
    expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${OPENAI}`)
  })

  it('an api_key credential: its auth header template, on its check URL\'s origin', async () => {
    server.reset()
    const r = await s.call('http_get', { credential: 'Service', path: '/api/me' })
    expect(r.isError, r.text).toBeFalsy()
    expect(server.requests[0]!.headers['x-service-key']).toBe(`Token ${APIKEY}`)
    // The echoed key is redacted in the result.
    expect(r.text).not.toContain(APIKEY)
  })

  it('path tricks toward another host or above the base are refused; nothing is sent', async () => {
    server.reset()
    const attacks = [
      '//evil.example/x',
      '/..',
      '/../admin',
      'models/../../admin',
      '/%2e%2e/admin',
      '/.%2E/admin',
      '/a%2fb',
      '/a%5Cb',
      '\\\\evil.example\\x',
      '/a\\..\\b',
      'https://evil.example/x',
      'http:evil.example',
      'javascript:alert(1)',
      '/models?x=1',
      '/models#frag',
      '/a//b',
      '/a/./b',
      '/a b',
    ]
    for (const p of attacks) {
      const r = await s.call('http_get', { credential: 'OpenAI Two', path: p })
      expect(r.isError, p).toBe(true)
      expect(r.text, p).toMatch(/path refused/)
    }
    expect(server.requests).toEqual([])
  })

  it('a redirect is not followed (to another host or anywhere)', async () => {
    server.reset()
    const r = await s.call('http_get', { credential: 'OpenAI Prod', path: '/redirect' })
    expect(r.isError).toBe(true)
    // The Location is not echoed (it could carry a key in its host, lower-cased past the redaction).
    expect(r.text).toMatch(/redirect \(HTTP 302 to another place \(\d+ characters, not shown\)\).*not followed/)
    expect(server.requests).toHaveLength(1)
  })

  it('a server echoing the key in body and headers: the result holds no piece of it', async () => {
    const r = await s.call('http_get', { credential: 'OpenAI Prod', path: '/echo' })
    expect(r.isError, r.text).toBeFalsy()
    expect(r.text).toContain('****')
    for (let i = 0; i + 8 <= OPENAI.length; i++) expect(r.text).not.toContain(OPENAI.slice(i, i + 8))
  })

  it('caller-supplied auth, cookie, proxy and host headers are refused; nothing is sent', async () => {
    server.reset()
    for (const h of ['Authorization', 'authorization', 'Cookie', 'Proxy-Authorization', 'Proxy-Connection', 'Host', 'X-Api-Key', 'X-Forwarded-For']) {
      const r = await s.call('http_get', { credential: 'OpenAI Prod', path: '/models', headers: { [h]: 'Bearer attacker' } })
      expect(r.isError, h).toBe(true)
      expect(r.text, h).toMatch(/header refused/)
    }
    expect(server.requests).toEqual([])
  })

  it('a binary body is summarised, not returned', async () => {
    const r = await s.call('http_get', { credential: 'OpenAI Two', path: '/bin' })
    expect(r.isError, r.text).toBeFalsy()
    expect((r.json as { untrusted_data: { body: string } }).untrusted_data.body).toMatch(/^<binary body: \d+ bytes of application\/octet-stream, not shown>$/)
  })

  it('a body over 64 KiB is cut and says so', async () => {
    const r = await s.call('http_get', { credential: 'OpenAI Prod', path: '/big' })
    const out = (r.json as { untrusted_data: { body: string; truncated: boolean } }).untrusted_data
    expect(out.truncated).toBe(true)
    expect(out.body.length).toBeLessThanOrEqual(64 * 1024)
  })

  it('at most 4 calls in flight: 6 slow requests at once never reach the service more than 4 at a time', async () => {
    server.reset()
    const rs = await Promise.all(Array.from({ length: 6 }, () => s.call('http_get', { credential: 'OpenAI Prod', path: '/slow' })))
    expect(rs.every((r) => !r.isError)).toBe(true)
    expect(server.requests).toHaveLength(6)
    expect(server.maxInFlight).toBe(4)
  })

  it('http_request: declined, cancelled or accepted-without-approve sends nothing; accepted sends once', async () => {
    server.reset()
    for (const a of ['decline', 'cancel', 'accept-false'] as const) {
      s.setAnswer(a)
      const r = await s.call('http_request', { credential: 'OpenAI Two', method: 'POST', path: '/items', body: { name: 'x' } })
      expect(r.isError, a).toBe(true)
      expect(r.text, a).toMatch(/not sent/)
    }
    // A `confirm` argument is no approval (not even an accepted argument).
    s.setAnswer('decline')
    const c = await s.call('http_request', { credential: 'OpenAI Two', method: 'POST', path: '/items', confirm: true })
    expect(c.isError).toBe(true)
    expect(server.requests).toEqual([])
    expect(s.elicitations.at(-1)).toMatch(/credential: OpenAI Two[^]*method: POST[^]*host: 127\.0\.0\.1:\d+[^]*path: \/v1\/items/)
    s.setAnswer('accept')
    const ok = await s.call('http_request', { credential: 'OpenAI Two', method: 'POST', path: '/items', body: { name: 'x' } })
    expect(ok.isError, ok.text).toBeFalsy()
    expect(server.requests).toHaveLength(1)
    expect(server.requests[0]).toMatchObject({ method: 'POST', path: '/v1/items', body: '{"name":"x"}' })
  })

  it('http_request from a host without elicitation: nothing is sent', async () => {
    const u = await startMcp(['--credential', 'OpenAI Two'], env, { elicitation: false, name: 'no-elicit-host' })
    sessions.push(u)
    server.reset()
    const r = await u.call('http_request', { credential: 'OpenAI Two', method: 'DELETE', path: '/items' })
    expect(r.isError).toBe(true)
    expect(r.text).toMatch(/not sent: this MCP host cannot ask the user/)
    expect(server.requests).toEqual([])
  })

  it('query on a type without a database guard answers "not supported" before anything is decrypted', async () => {
    const r = await s.call('query', { credential: 'OpenAI Prod', sql: 'SELECT 1' })
    expect(r.isError).toBe(true)
    expect(r.text).toMatch(/not supported/)
  })

  it('every call is in history: mcp.<tool>, the credential, the outcome, the client name; no value', async () => {
    const h = await cli(['history', '--json'])
    expect(h.code, h.stderr).toBe(0)
    const entries = JSON.parse(h.stdout) as { action: string; outcome: string; detail?: string; credentials: { name: string }[] }[]
    const mcp = entries.filter((e) => e.action.startsWith('mcp.'))
    expect(mcp.some((e) => e.action === 'mcp.list_credentials' && e.outcome === 'ok' && /client=credctl-test-host/.test(e.detail ?? ''))).toBe(true)
    expect(mcp.some((e) => e.action === 'mcp.http_get' && e.outcome === 'started' && e.credentials[0]?.name === 'OpenAI Prod' && /GET \/models/.test(e.detail ?? ''))).toBe(true)
    expect(mcp.some((e) => e.action === 'mcp.http_get' && e.outcome === 'ok' && /to 127\.0\.0\.1:\d+\/v1\/models \(query: limit\)/.test(e.detail ?? ''))).toBe(true)
    expect(mcp.some((e) => e.action === 'mcp.http_get' && e.outcome === 'ok' && /HTTP 200/.test(e.detail ?? ''))).toBe(true)
    expect(mcp.some((e) => e.action === 'mcp.http_request' && e.outcome === 'not approved' && /approval declined/.test(e.detail ?? ''))).toBe(true)
    expect(mcp.some((e) => e.action === 'mcp.http_request' && /client=no-elicit-host/.test(e.detail ?? '') && /approval unsupported/.test(e.detail ?? ''))).toBe(true)
    expect(mcp.some((e) => e.action === 'mcp.http_get' && e.outcome === 'refused')).toBe(true)
    const filtered = await cli(['history', '--action', 'mcp.http_get', '--json'])
    expect(filtered.code, filtered.stderr).toBe(0)
    const raw = readFileSync(path.join(path.dirname(t.vault), 'vault.history.jsonl'), 'utf8')
    for (const sec of secrets) expect(raw).not.toContain(sec)
  })
})
