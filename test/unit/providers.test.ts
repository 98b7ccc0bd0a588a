import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REF, type RefRow } from '../helpers/reference.js'
import { createClient, type Client } from '../../src/index.js'
import { assertNoLeak } from '../helpers/cli.js'
import { closedPort, startServer, type ExpectedShape, type Reply, type TestServer } from '../helpers/http-server.js'

/**
 * Every HTTP provider type against a real local server, through the SDK. The expected request comes from
 * the reference (test/helpers/reference.ts), not from src/checks/providers.ts, so this also proves the
 * table sends what the reference says. Each answer a provider gives is played back, with bodies shaped
 * like the provider's own (from the reference's notes), and every one of them echoes the key.
 */
type Verdict = 'valid' | 'invalid' | 'restricted' | 'error'
/** One answer and the verdict it must give; `says` is a non-secret piece of the message to expect. */
interface Case {
  name: string
  status: number
  body: (key: string) => unknown
  verdict: Verdict
  says?: RegExp
}

const openaiEcho = (key: string) => ({
  error: { message: `Incorrect API key provided: ${key}. You can find your API key at https://platform.openai.com/account/api-keys.`, type: 'invalid_request_error', code: 'invalid_api_key' },
})
const openaiScope = (key: string) => ({
  error: { message: `You have insufficient permissions for this operation (key ${key}). Missing scopes: api.model.read.`, type: 'invalid_request_error', code: 'missing_scope' },
})
const openaiCases: Case[] = [{ name: '401 missing_scope (restricted key)', status: 401, body: openaiScope, verdict: 'restricted', says: /Missing scopes: api\.model\.read/ }]
const falCases: Case[] = [{ name: '403 user is locked', status: 403, body: () => ({ detail: 'User is locked. Reason: billing' }), verdict: 'invalid', says: /User is locked/ }]

/** The quirks of each provider (its reference notes), as answers and verdicts. */
const QUIRKS: Record<string, Case[]> = {
  openai: openaiCases,
  openai_audio: openaiCases,
  openai_image: openaiCases,
  anthropic: [{ name: '400 is not a bad-key signal', status: 400, body: () => ({ type: 'error', error: { type: 'invalid_request_error', message: 'bad request' } }), verdict: 'error' }],
  gemini: [
    {
      name: '403 PERMISSION_DENIED (real key, no Gemini access)',
      status: 403,
      body: (key) => ({ error: { code: 403, message: `Method doesn't allow unregistered callers (key ${key}).`, status: 'PERMISSION_DENIED' } }),
      verdict: 'restricted',
      says: /Gemini access/,
    },
  ],
  xai: [
    { name: '200 with api_key_blocked', status: 200, body: () => ({ api_key_blocked: true, api_key_disabled: false, team_blocked: false }), verdict: 'invalid', says: /blocked/ },
    { name: '200 with team_blocked', status: 200, body: () => ({ api_key_blocked: false, api_key_disabled: false, team_blocked: true }), verdict: 'invalid', says: /team is blocked/ },
  ],
  cohere: [
    { name: '200 with valid:false', status: 200, body: () => ({ valid: false }), verdict: 'invalid', says: /not valid/ },
    { name: '498 invalid token', status: 498, body: (key) => ({ message: `invalid api token ${key}` }), verdict: 'invalid' },
  ],
  fireworks: [{ name: '200 with a suspended account', status: 200, body: () => ({ accounts: [{ name: 'accounts/x', suspendState: 'CREDIT_DEPLETED' }] }), verdict: 'invalid', says: /suspended.*CREDIT_DEPLETED/ }],
  elevenlabs: [
    {
      name: '401 missing_permissions (scoped key)',
      status: 401,
      body: (key) => ({ detail: { status: 'missing_permissions', message: `The API key you used (${key}) is missing the permission user_read to execute this operation.` } }),
      verdict: 'restricted',
      says: /missing the permission user_read/,
    },
  ],
  mistral: [{ name: '401 {"detail":"Unauthorized"}', status: 401, body: () => ({ detail: 'Unauthorized' }), verdict: 'invalid', says: /Unauthorized/ }],
  perplexity: [{ name: '401 HTML page (openresty)', status: 401, body: (key) => `<html><body>401 Authorization Required ${key}</body></html>`, verdict: 'invalid' }],
  fal: falCases,
  pika: falCases,
  luma: [{ name: '403 (undocumented invalid)', status: 403, body: () => ({ detail: 'Invalid API key' }), verdict: 'invalid' }],
}

/** A valid answer shaped like the provider's (xAI and Cohere bodies are read on 200). */
const VALID_BODY: Record<string, unknown> = {
  xai: { api_key_blocked: false, api_key_disabled: false, team_blocked: false },
  cohere: { valid: true, organization_id: 'org' },
  fireworks: { accounts: [{ name: 'accounts/x', suspendState: 'UNSUSPENDED' }] },
  together_ai: [{ id: 'm' }],
}

/** An invalid answer that echoes the whole key, in the provider's error shape. */
function invalidBody(type: string, status: number, key: string): unknown {
  if (type === 'elevenlabs') return { detail: { status: 'invalid_api_key', message: `Invalid API key: ${key}` } }
  if (type === 'gemini') return { error: { code: status, message: `API key not valid (${key}). Please pass a valid API key.`, status: 'INVALID_ARGUMENT' } }
  if (type === 'perplexity') return `<html><body>${key}</body></html>`
  return openaiEcho(key)
}

function expectedShape(ref: RefRow, key: string): ExpectedShape {
  const basePath = new URL(ref.base_url).pathname.replace(/\/+$/, '')
  return {
    method: ref.method,
    path: basePath + ref.path,
    query: ref.query ?? {},
    headers: { [ref.auth.header]: `${ref.auth.scheme_prefix}${key}`, ...(ref.extra_headers ?? {}) },
  }
}

const newKey = () => `sk-canary-${randomBytes(16).toString('hex')}`

describe.each(REF.map((r) => [r.type, r] as const))('%s', (type, ref) => {
  let server: TestServer
  let dir: string
  let client: Client
  /** The credential's base_url: the local server plus the reference base's own path (/v1, /api/v1, ...). */
  let base: string
  const outputs: string[] = []
  const keys: string[] = []
  let n = 0

  beforeAll(async () => {
    server = await startServer()
    dir = mkdtempSync(path.join(tmpdir(), `credctl-prov-${type}-`))
    client = createClient({ vault: path.join(dir, 'vault.json'), env: { CREDCTL_MASTER_KEY: randomBytes(32).toString('base64') } })
    base = server.url + new URL(ref.base_url).pathname.replace(/\/+$/, '')
  })
  afterAll(async () => {
    // Nothing any check said or stored holds any key used here: results, messages, vault, history.
    assertNoLeak(keys, outputs, dir)
    await server.close()
    rmSync(dir, { recursive: true, force: true })
  })

  /** Create a credential with a fresh canary key, answer `reply`, validate it; the request must have the exact shape. */
  async function check(reply: Reply | ((key: string) => Reply), opts: { base?: string; timeoutMs?: number } = {}) {
    const key = newKey()
    keys.push(key)
    const name = `${type}-${++n}`
    await client.credentials.create({ name, type, value: key, base_url: opts.base ?? base })
    server.reset()
    server.reply(typeof reply === 'function' ? reply(key) : reply, expectedShape(ref, key))
    const r = await client.credentials.validate(name, opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {})
    const stored = await client.credentials.get(name)
    outputs.push(JSON.stringify(r), JSON.stringify(stored))
    expect(server.mismatches).toEqual([])
    return { r, stored, key }
  }

  it('sends exactly the reference request and reads a valid answer', async () => {
    const { r, stored } = await check({ status: ref.valid_status, body: VALID_BODY[type] ?? { data: [] } })
    expect(server.requests).toHaveLength(1)
    expect(r.status).toBe('valid')
    expect(stored.is_valid).toBe(true)
    expect(stored.validation_message).toMatch(/^valid: accepted by 127\.0\.0\.1:\d+ \(HTTP 200\)/)
    expect(stored.validated_at).toMatch(/^\d{4}-\d\d-\d\dT/)
  })

  it.each(ref.invalid_status.filter((s) => !(type === 'gemini' && s === 403)))('answers invalid on HTTP %i, with the echoed key redacted', async (status) => {
    const { r, stored, key } = await check((k) => ({ status, body: invalidBody(type, status, k) }))
    expect(r.status).toBe('invalid')
    expect(stored.is_valid).toBe(false)
    expect(r.message).toContain(`HTTP ${status}`)
    expect(r.message).not.toContain(key)
    if (type !== 'perplexity') expect(r.message).toContain('****')
  })

  it.each((QUIRKS[type] ?? []).map((c) => [c.name, c] as const))('quirk: %s', async (_name, c) => {
    const { r, stored } = await check((k) => ({ status: c.status, body: c.body(k) }))
    expect(r.status).toBe(c.verdict)
    if (c.says) expect(r.message).toMatch(c.says)
    expect(stored.is_valid).toBe(c.verdict === 'valid' || c.verdict === 'restricted' ? true : c.verdict === 'invalid' ? false : null)
  })

  it('429 means a real key that is rate limited', async () => {
    const { r, stored } = await check({ status: 429, body: { error: { message: 'Rate limit reached' } } })
    expect(r.status).toBe('valid')
    expect(r.message).toMatch(/rate limited \(HTTP 429\): Rate limit reached/)
    expect(stored.is_valid).toBe(true)
  })

  it('500 is an error that leaves is_valid alone', async () => {
    const { r, stored } = await check((k) => ({ status: 500, body: { error: { message: `internal error for ${k}` } } }))
    expect(r.status).toBe('error')
    expect(r.message).toMatch(/unexpected answer from 127\.0\.0\.1:\d+ \(HTTP 500\): internal error for \*\*\*\*/)
    expect(stored.is_valid).toBeNull()
  })

  it('a server that never answers is a timeout', async () => {
    const started = Date.now()
    const { r, stored } = await check('hang', { timeoutMs: 300 })
    expect(r.status).toBe('timeout')
    expect(r.message).toBe('no answer within 0.3 s')
    expect(Date.now() - started).toBeLessThan(3000)
    expect(stored.is_valid).toBeNull()
  })

  it('a closed port is unreachable, and an earlier verdict stands', async () => {
    const port = await closedPort()
    const key = newKey()
    keys.push(key)
    const name = `${type}-unreachable`
    await client.credentials.create({ name, type, value: key, base_url: base })
    server.reply({ status: ref.valid_status, body: VALID_BODY[type] ?? {} }, expectedShape(ref, key))
    expect((await client.credentials.validate(name)).status).toBe('valid')
    await client.credentials.update(name, { base_url: `http://127.0.0.1:${port}` })
    const r = await client.credentials.validate(name)
    outputs.push(JSON.stringify(r))
    expect(r.status).toBe('unreachable')
    expect(r.message).toMatch(/ECONNREFUSED/)
    expect(r.is_valid).toBe(true)
  })
})
