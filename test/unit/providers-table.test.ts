import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REF } from '../helpers/reference.js'
import { statusOfError } from '../../src/checks/classify.js'
import { classify, requestInit, requestUrl, rowFor, send } from '../../src/checks/http.js'
import { PROVIDERS } from '../../src/checks/providers.js'
import { loadCheck, REGISTRY } from '../../src/checks/registry.js'
import type { CheckContext } from '../../src/checks/types.js'
import { TYPES } from '../../src/credentials/catalogue.js'
import { startServer, type TestServer } from '../helpers/http-server.js'


/** Statuses a row may add to the reference's, each because the reference's notes say so. */
const NOTED_EXTRA_INVALID: Record<string, number[]> = {
  cohere: [498], // "SDK maps 498 to InvalidTokenError - accept 498 as invalid too"
  luma: [403], // "Invalid-key body not documented (UNSURE; may be 401 or 403)"
}

describe('the provider table against reference/providers.json', () => {
  it('has exactly one row per reference entry, and one per HTTP type of the catalogue', () => {
    expect(PROVIDERS.map((r) => r.type).sort()).toEqual(REF.map((r) => r.type).sort())
    const httpTypes = TYPES.filter((t) => ['llm', 'speech', 'image', 'video'].includes(t.category)).map((t) => t.type)
    expect(httpTypes.sort()).toEqual(PROVIDERS.map((r) => r.type).sort())
    expect(PROVIDERS).toHaveLength(22)
  })

  it.each(REF.map((r) => [r.type, r] as const))('%s: base, method, path, query, auth, headers and statuses match', (type, ref) => {
    const row = rowFor(type)
    expect(row.base_url).toBe(ref.base_url)
    expect(row.method).toBe(ref.method)
    expect(row.path).toBe(ref.path)
    expect(row.query ?? {}).toEqual(ref.query ?? {})
    expect(row.auth_header).toBe(ref.auth.header)
    expect(row.auth_prefix).toBe(ref.auth.scheme_prefix)
    expect(row.headers ?? {}).toEqual(ref.extra_headers ?? {})
    expect(row.valid).toEqual([ref.valid_status])
    // The error statuses the reference calls invalid are exactly those of the row's invalid rules (a 200 whose body
    // refuses the key, xAI api_key_blocked or Cohere valid:false, is a rule on the success status).
    const invalid = [...new Set(row.rules.filter((r) => r.verdict === 'invalid').flatMap((r) => r.status).filter((s) => s >= 300))].sort()
    expect(invalid).toEqual([...ref.invalid_status, ...(NOTED_EXTRA_INVALID[type] ?? [])].sort())
    // Every row says what its success body looks like, what its errors look like, and where that was read.
    expect(row.success.length).toBeGreaterThan(0)
    expect(row.error.length).toBeGreaterThan(0)
    expect(row.source.length).toBeGreaterThan(40)
    // The default request, built from the row, is the reference's URL.
    const u = new URL(requestUrl(row))
    expect(`${u.origin}${u.pathname}`).toBe(ref.base_url + ref.path)
    expect(Object.fromEntries(u.searchParams)).toEqual(ref.query ?? {})
  })

  it('pika is a fal key: the same request as fal but for a Pika endpoint id', () => {
    const { type: _a, query: qa, ...fal } = rowFor('fal')
    const { type: _b, query: qb, ...pika } = rowFor('pika')
    expect(pika).toEqual(fal)
    expect(qb?.endpoint_id).toMatch(/^fal-ai\/pika\//)
    expect(qa?.endpoint_id).toBe('fal-ai/flux/dev')
  })

  it('every catalogued type of llm, speech, image, video and the tools api_key/oauth/smtp has a check that loads', async () => {
    for (const t of [...PROVIDERS.map((r) => r.type), 'api_key', 'oauth', 'smtp']) {
      expect(Object.hasOwn(REGISTRY, t)).toBe(true)
      expect(typeof (await loadCheck(t))?.validate).toBe('function')
    }
  })
})

describe('request building', () => {
  const row = rowFor('openai')
  it('base_url replaces the default base; the row path is appended to its path', () => {
    expect(requestUrl(row)).toBe('https://api.openai.com/v1/models')
    expect(requestUrl(row, 'https://gw.example.com/openai/v1/')).toBe('https://gw.example.com/openai/v1/models')
    expect(requestUrl(row, 'http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080/models')
  })
  it("keeps a gateway's own query and adds the row's", () => {
    expect(requestUrl(rowFor('fal'), 'https://gw.example.com/fal/v1?tenant=a')).toBe('https://gw.example.com/fal/v1/models/pricing?tenant=a&endpoint_id=fal-ai%2Fflux%2Fdev')
  })
  it('puts the key only in the auth header, with its prefix', () => {
    const init = requestInit(rowFor('deepgram'), 'k123')
    expect(init.headers.Authorization).toBe('Token k123')
    expect(Object.values(init.headers).filter((v) => v.includes('k123'))).toHaveLength(1)
    expect(init.body).toBeUndefined()
  })
})

describe('answers', () => {
  let server: TestServer
  beforeAll(async () => {
    server = await startServer()
  })
  afterAll(() => server.close())
  const ctx = (): CheckContext => ({ signal: AbortSignal.timeout(2000), timeoutMs: 2000, fetch, now: () => new Date() })

  it('does not follow a redirect (the key header would go wherever Location points)', async () => {
    server.reply((req) => (req.path === '/elsewhere' ? { status: 200, body: {} } : { status: 302, headers: { location: 'https://evil.example.com/collect?key=sk-x' } }))
    server.reset()
    const a = await send(`${server.url}/models`, requestInit(rowFor('openai'), 'sk-x'), ctx())
    expect(server.requests.map((r) => r.path)).toEqual(['/models'])
    const r = classify(rowFor('openai'), a, ['sk-x'])
    expect(r).toMatchObject({ status: 'error', message: expect.stringMatching(/^127\.0\.0\.1:\d+ redirects to evil\.example\.com \(HTTP 302\); not followed.*Next: check the base URL/) })
    expect(r.message).not.toContain('sk-x')
  })

  it('the timeout covers a body that never ends', async () => {
    server.reply({ status: 200, body: { api_key_blocked: false }, stall: true })
    const c = { ...ctx(), signal: AbortSignal.timeout(300) }
    const err = await send(`${server.url}/api-key`, requestInit(rowFor('xai'), 'k'), c).catch((e: unknown) => e)
    expect(statusOfError(err, c.signal)).toBe('timeout')
  })

  it('reads at most 64 KiB of a body and still classifies by status', async () => {
    server.reply({ status: 200, body: 'x'.repeat(5 * 1024 * 1024) })
    const a = await send(`${server.url}/models`, requestInit(rowFor('openai'), 'sk-x'), ctx())
    expect(a.body.length).toBe(64 * 1024)
    // 5 MiB of text is not OpenAI's model list: cut, it says nothing about the key.
    expect(classify(rowFor('openai'), a, ['sk-x']).status).toBe('error')
  })

  it("quotes the provider's message on one line without the key, key fragments or other token-shaped strings", () => {
    const key = 'sk-proj-abcdefghijklmnop1234567890'
    const body = JSON.stringify({ error: { message: `Incorrect API key provided: ${key}.\nOther: tok_9f8e7d6c5b4a39281716aabb. Partial sk-proj-ab****7890` } })
    const r = classify(rowFor('openai'), { status: 401, body, headers: new Headers({ 'content-type': 'application/json' }), host: 'h' }, [key])
    // The provider's own partial echo went too: with the whole key quoted beside it, it was 14 more of
    // its characters (redaction bounds the total that survives, src/checks/redact.ts).
    expect(r.message).toBe(
      'key refused (HTTP 401 from h): Incorrect API key provided: ****. Other: ****. Partial ************. Next: rotate it: create a new key at the provider and store it with `credctl update NAME --value-stdin`',
    )
  })

  it('never quotes a non-JSON body', () => {
    const r = classify(rowFor('openai'), { status: 500, body: '<html>stack trace with secrets</html>', headers: new Headers({ 'content-type': 'text/html' }), host: 'h' }, [])
    expect(r.status).toBe('error')
    expect(r.message).toMatch(/^not OpenAI's answer: an HTML page \(HTTP 500 from h\)/)
    expect(r.message).not.toContain('stack trace')
  })
})
