import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { REF, type RefRow } from '../helpers/reference.js'
import { createClient, type Client } from '../../src/index.js'
import { assertNoLeak } from '../helpers/cli.js'
import { closedPort, startServer, type ExpectedShape, type Reply, type TestServer } from '../helpers/http-server.js'
import { ERROR, refusal, SUCCESS } from '../helpers/provider-answers.js'

/**
 * Every HTTP provider type against a real local server, through the SDK. The expected request comes from
 * the reference (test/helpers/reference.ts), not from src/checks/providers.ts, so this also proves the
 * table sends what the reference says. Each answer a provider gives is played back, with bodies shaped
 * like the provider's own (from the reference's notes), and every one of them echoes the key.
 */
/*
 * The documented answers of each provider (quota, billing, permissions, overload, edge pages) are replayed in
 * providers-verdicts.test.ts from the same table of answers (test/helpers/provider-answers.ts).
 */

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
    const { r, stored } = await check({ status: ref.valid_status, body: SUCCESS[type] })
    expect(server.requests).toHaveLength(1)
    expect(r.status).toBe('valid')
    expect(stored.is_valid).toBe(true)
    expect(stored.validation_message).toMatch(/^valid: accepted by 127\.0\.0\.1:\d+ \(HTTP 200\)/)
    expect(stored.validated_at).toMatch(/^\d{4}-\d\d-\d\dT/)
  })

  it.each(ref.invalid_status)('answers invalid on HTTP %i in the provider\'s error shape, with the echoed key redacted', async (status) => {
    const { r, stored, key } = await check((k) => ({ status, body: refusal(type, status, k) }))
    expect(r.status).toBe('invalid')
    expect(stored.is_valid).toBe(false)
    expect(r.message).toContain(`HTTP ${status}`)
    expect(r.message).not.toContain(key)
    expect(r.message).toContain('****')
  })

  it('a provider-shaped 429 means a real key that is rate limited', async () => {
    const body = type === 'anthropic' ? ERROR.anthropic!('Rate limit reached', 'rate_limit_error') : type === 'gemini' ? ERROR.gemini!('Rate limit reached', 'RESOURCE_EXHAUSTED') : ERROR[type]!('Rate limit reached', 'rate_limit_exceeded')
    const { r, stored } = await check({ status: 429, body })
    expect(r.status).toBe('valid')
    expect(r.message).toMatch(/rate limited.*\(HTTP 429.*Rate limit reached/)
    expect(stored.is_valid).toBe(true)
  })

  it('a provider-shaped 500 is an error that leaves is_valid alone', async () => {
    const { r, stored } = await check((k) => ({ status: 500, body: ERROR[type]!(`internal error for ${k}`) }))
    expect(r.status).toBe('error')
    expect(r.message).toMatch(/unexpected answer \(HTTP 500 from 127\.0\.0\.1:\d+\): internal error for \*\*\*\*\. Next: /)
    expect(stored.is_valid).toBeNull()
  })

  it('a server that never answers is a timeout', async () => {
    const started = Date.now()
    const { r, stored } = await check('hang', { timeoutMs: 300 })
    expect(r.status).toBe('timeout')
    expect(r.message).toBe('no answer within 0.3 s. Next: try again, or allow more time with --timeout')
    expect(Date.now() - started).toBeLessThan(3000)
    expect(stored.is_valid).toBeNull()
  })

  it('a closed port is unreachable, and an earlier verdict stands', async () => {
    const port = await closedPort()
    const key = newKey()
    keys.push(key)
    const name = `${type}-unreachable`
    await client.credentials.create({ name, type, value: key, base_url: base })
    server.reply({ status: ref.valid_status, body: SUCCESS[type] }, expectedShape(ref, key))
    expect((await client.credentials.validate(name)).status).toBe('valid')
    await client.credentials.update(name, { base_url: `http://127.0.0.1:${port}` })
    const r = await client.credentials.validate(name)
    outputs.push(JSON.stringify(r))
    expect(r.status).toBe('unreachable')
    expect(r.message).toMatch(/ECONNREFUSED.*Next: check the host or base URL/)
    expect(r.is_valid).toBe(true)
  })
})
