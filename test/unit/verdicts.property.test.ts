import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { classify, rowFor } from '../../src/checks/http.js'
import { PROVIDERS } from '../../src/checks/providers.js'
import { toolRules } from '../../src/checks/tools/rules.js'
import { createClient, type Client } from '../../src/index.js'
import { assertNoLeak } from '../helpers/cli.js'
import { startServer, type TestServer } from '../helpers/http-server.js'
import { refusal, SUCCESS } from '../helpers/provider-answers.js'
import { REF } from '../helpers/reference.js'

/**
 * Issue 11, rule 1, as a property: an answer that is not the provider's own (random status, random HTML,
 * text or JSON without the provider's shape, random content-type) is never a verdict about the key
 * (never valid, invalid, restricted or exhausted) and never changes a stored is_valid.
 */
const VERDICTS = new Set(['valid', 'invalid', 'restricted', 'exhausted'])

/** Keys no provider's shape uses ('x_' + anything), so a random object is never a provider's body. */
const foreignObject = fc.dictionary(fc.string({ maxLength: 8 }).map((k) => `x_${k}`), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 })
const htmlPage = fc
  .tuple(
    fc.constantFrom(
      (t: string) => `<!DOCTYPE html><html><head><title>Sign in to the guest network</title></head><body>${t}</body></html>`,
      (t: string) => `<html><head><title>503 Service Unavailable</title></head><body><center>cloudflare</center>${t}</body></html>`,
      (t: string) => `<html><body><h1>Access denied</h1><p>Reference #18.${t}</p></body></html>`,
      (t: string) => `  <!doctype html>\n<p>${t}</p>`,
    ),
    fc.string({ maxLength: 40 }),
  )
  .map(([page, t]) => page(t.replace(/[<>]/g, '')))
/** Text that is not a JSON object or array (a JSON array would be Together AI's success body). */
const plainText = fc.string({ maxLength: 80 }).filter((t) => {
  try {
    const j = JSON.parse(t) as unknown
    return j === null || typeof j !== 'object'
  } catch {
    return true
  }
})
const body = fc.oneof(htmlPage, plainText, foreignObject.map((o) => JSON.stringify(o)), fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.string({ maxLength: 20 })).map((x) => JSON.stringify(x)))
const contentType = fc.constantFrom('text/html; charset=utf-8', 'text/plain', 'application/json', 'application/json; charset=utf-8', 'application/xml', 'application/octet-stream', '')
/** 1xx and bodiless statuses are left out: a real server cannot send a body with them. */
const status = fc.integer({ min: 200, max: 599 }).filter((s) => ![204, 205, 304].includes(s))
// Perplexity documents one HTML page of its own (openresty's 401): that one is its answer, not a foreign one.
const foreign = fc.record({ status, body, contentType }).filter((a) => !/openresty/i.test(a.body))

const headersOf = (contentType: string, extra: Record<string, string> = {}) => new Headers({ ...(contentType ? { 'content-type': contentType } : {}), ...extra })

describe('an answer that is not the provider\'s is never a verdict (fast-check)', () => {
  it('for every provider row: random status, body and content-type give only unreachable or error, with what to do next', () => {
    fc.assert(
      fc.property(fc.constantFrom(...PROVIDERS.map((r) => r.type)), foreign, fc.constantFrom('', 'cloudflare', 'nginx'), (type, a, server) => {
        const r = classify(rowFor(type), { status: a.status, body: a.body, headers: headersOf(a.contentType, server ? { server } : {}), host: 'h' }, [])
        expect(VERDICTS.has(r.status), `${type} HTTP ${a.status} ${a.contentType}: ${r.status} ${r.message}`).toBe(false)
        expect(r.message).toMatch(/Next: \S/)
      }),
      { numRuns: 2000 },
    )
  })

  it('for an api_key/oauth check URL (with or without --expect): an HTML page is never a verdict', () => {
    fc.assert(
      fc.property(status, htmlPage, fc.constantFrom(undefined, 'ok=true', 'data.state=active'), fc.constantFrom('text/html', 'text/html; charset=utf-8', ''), (s, page, expect_, ct) => {
        const r = classify(toolRules('the check URL', expect_), { status: s, body: page, headers: headersOf(ct), host: 'h' }, [])
        expect(VERDICTS.has(r.status), `HTTP ${s}: ${r.status} ${r.message}`).toBe(false)
      }),
      { numRuns: 1000 },
    )
  })

  describe('through the SDK against a real server: the stored is_valid never changes', () => {
    let server: TestServer
    let dir: string
    let client: Client
    const keys: string[] = []
    const outputs: string[] = []
    let n = 0
    beforeAll(async () => {
      server = await startServer()
      dir = mkdtempSync(path.join(tmpdir(), 'credctl-verdict-prop-'))
      client = createClient({ vault: path.join(dir, 'vault.json'), env: { CREDCTL_MASTER_KEY: randomBytes(32).toString('base64') } })
    })
    afterAll(async () => {
      assertNoLeak(keys, outputs, dir)
      await server.close()
      rmSync(dir, { recursive: true, force: true })
    })

    it('after a valid or an invalid verdict, a random foreign answer leaves it as it was', async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...REF), fc.boolean(), foreign, async (ref, wasValid, a) => {
          const key = `sk-canary-${randomBytes(12).toString('hex')}`
          keys.push(key)
          const name = `p-${++n}`
          await client.credentials.create({ name, type: ref.type, value: key, base_url: server.url + new URL(ref.base_url).pathname.replace(/\/+$/, '') })
          server.reply(wasValid ? { status: 200, body: SUCCESS[ref.type] } : { status: ref.invalid_status[0]!, body: refusal(ref.type, ref.invalid_status[0]!, key) })
          expect((await client.credentials.validate(name)).is_valid).toBe(wasValid)
          server.reply({ status: a.status, body: a.body, headers: { 'content-type': a.contentType } })
          const r = await client.credentials.validate(name)
          outputs.push(JSON.stringify(r))
          expect(VERDICTS.has(r.status), `${ref.type} HTTP ${a.status} ${a.contentType}: ${r.status} ${r.message}`).toBe(false)
          expect((await client.credentials.get(name)).is_valid).toBe(wasValid)
        }),
        { numRuns: 60 },
      )
    })
  })
})
