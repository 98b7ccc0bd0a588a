import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClient, type Client } from '../../src/index.js'
import { assertNoLeak } from '../helpers/cli.js'
import { startServer, type ExpectedShape, type Reply, type TestServer } from '../helpers/http-server.js'
import { CAPTIVE_PORTAL, cloudflarePage, DOCUMENTED, refusal, SUCCESS, type Verdict } from '../helpers/provider-answers.js'
import { REF, type RefRow } from '../helpers/reference.js'

/**
 * Issue 11, rules 1-4, for every HTTP provider, generated from one table of documented answers
 * (test/helpers/provider-answers.ts): the provider's success, its refusal, each documented quota, billing,
 * permission and overload answer, and the answers that are not the provider's (a CDN's HTML 502/503/504/
 * 429/403, a captive portal's 200 page), each replayed by a real local server with the provider's status,
 * content-type and body, through the SDK, checking the verdict and what is stored.
 */
const isValidAfter = (v: Verdict, before: boolean | null) => (v === 'valid' || v === 'restricted' ? true : v === 'invalid' || v === 'exhausted' ? false : before)

function expectedShape(ref: RefRow, key: string): ExpectedShape {
  return {
    method: ref.method,
    path: new URL(ref.base_url).pathname.replace(/\/+$/, '') + ref.path,
    query: ref.query ?? {},
    headers: { [ref.auth.header]: `${ref.auth.scheme_prefix}${key}`, ...(ref.extra_headers ?? {}) },
  }
}

describe.each(REF.map((r) => [r.type, r] as const))('%s', (type, ref) => {
  let server: TestServer
  let dir: string
  let client: Client
  let base: string
  const keys: string[] = []
  const outputs: string[] = []
  let n = 0

  beforeAll(async () => {
    server = await startServer()
    dir = mkdtempSync(path.join(tmpdir(), `credctl-verdicts-${type}-`))
    client = createClient({ vault: path.join(dir, 'vault.json'), env: { CREDCTL_MASTER_KEY: randomBytes(32).toString('base64') } })
    base = server.url + new URL(ref.base_url).pathname.replace(/\/+$/, '')
  })
  afterAll(async () => {
    assertNoLeak(keys, outputs, dir)
    await server.close()
    rmSync(dir, { recursive: true, force: true })
  })

  /** A new credential; each reply in turn answers one validate. Returns each result and the stored is_valid after it. */
  async function replay(...replies: ((key: string) => Reply)[]) {
    const key = `sk-canary-${randomBytes(16).toString('hex')}`
    keys.push(key)
    const name = `${type}-${++n}`
    await client.credentials.create({ name, type, value: key, base_url: base })
    const out: { status: string; message: string; is_valid: boolean | null }[] = []
    for (const reply of replies) {
      server.reset()
      server.reply(reply(key), expectedShape(ref, key))
      const r = await client.credentials.validate(name)
      outputs.push(JSON.stringify(r))
      expect(server.mismatches).toEqual([])
      out.push({ status: r.status, message: r.message, is_valid: (await client.credentials.get(name)).is_valid })
    }
    return out
  }

  const json = (status: number, body: unknown) => () => ({ status, body, headers: { 'content-type': 'application/json' } })
  const success = json(ref.valid_status, SUCCESS[type])
  const refused = (key: string): Reply => ({ status: ref.invalid_status[0]!, body: refusal(type, ref.invalid_status[0]!, key) })

  it('success: the documented body is valid', async () => {
    const [r] = await replay(success)
    expect(r).toMatchObject({ status: 'valid', is_valid: true })
    expect(r!.message).toMatch(/^accepted by 127\.0\.0\.1:\d+ \(HTTP 200\)$/)
  })

  it('refusal: the documented error is invalid, says to rotate, and never quotes the key', async () => {
    const [r] = await replay(refused)
    expect(r).toMatchObject({ status: 'invalid', is_valid: false })
    // The command to run names this credential.
    expect(r!.message).toMatch(new RegExp(`Next: rotate it: .*\`credctl update ${type}-\\d+ --value-stdin\``))
  })

  it.each((DOCUMENTED[type] ?? []).map((c) => [c.name, c] as const))('documented: %s', async (_name, c) => {
    const [r] = await replay((k) => ({ status: c.status, body: c.body(k) }))
    expect(r!.status, r!.message).toBe(c.verdict)
    expect(r!.is_valid).toBe(isValidAfter(c.verdict, null))
    if (c.says) expect(r!.message).toMatch(c.says)
    expect(r!.message).toMatch(/Next: |^accepted by/)
  })

  it.each([502, 503, 504, 429, 403])('an edge\'s HTML %i (cloudflare) is unreachable and keeps the stored verdict', async (status) => {
    const edge = () => ({ status, body: cloudflarePage(status), headers: { 'content-type': 'text/html; charset=UTF-8', server: 'cloudflare' } })
    const [first, refusedThenEdge] = await replay(refused, edge)
    expect(first!.is_valid).toBe(false)
    expect(refusedThenEdge).toMatchObject({ status: 'unreachable', is_valid: false })
    expect(refusedThenEdge!.message).toMatch(new RegExp(`not .*'s answer: an HTML page \\(server: cloudflare\\) \\(HTTP ${status} from 127\\.0\\.0\\.1:\\d+\\).*Next: try again later`))
    const [, validThenEdge] = await replay(success, edge)
    expect(validThenEdge).toMatchObject({ status: 'unreachable', is_valid: true })
  })

  it('a captive portal\'s 200 HTML page is not valid: an error that keeps the stored verdict', async () => {
    const portal = () => ({ status: 200, body: CAPTIVE_PORTAL, headers: { 'content-type': 'text/html' } })
    const [, afterRefusal] = await replay(refused, portal)
    expect(afterRefusal).toMatchObject({ status: 'error', is_valid: false })
    expect(afterRefusal!.message).toMatch(/an HTML page .*captive portal/)
    const [r] = await replay(portal)
    expect(r).toMatchObject({ status: 'error', is_valid: null })
  })

  it('a 200 JSON that is not the provider\'s success body is not valid', async () => {
    const [r] = await replay(json(200, { status: 'ok', portal: true }))
    expect(r!.status).toBe('error')
    expect(r!.is_valid).toBeNull()
  })
})
