import { randomBytes } from 'node:crypto'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import { ElicitRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createClient, memoryStore } from '../../src/index.js'
import { Gate } from '../../src/mcp/limits.js'
import { resolveScope } from '../../src/mcp/scope.js'
import { SessionSecrets } from '../../src/mcp/secrets.js'
import { createMcpServer } from '../../src/mcp/server.js'
import { canaryArb, pieces } from '../helpers/canary-values.js'
import { startServer, type Reply, type TestServer } from '../helpers/http-server.js'

/**
 * The MCP server in memory (InMemoryTransport + the SDK's Client): the query tool's wiring (the engine
 * is another lane's: mocked here), history written before any value is used and a failed history write
 * refusing the call, the limits, and a canary sweep over generated values.
 */
const runQuery = vi.fn()
vi.mock('../../src/mcp/query/index.js', () => ({
  queryEngineOf: (t: string) => (t === 'postgresql' ? 'postgresql' : undefined),
  runQuery: (...a: unknown[]) => runQuery(...a),
}))

const KEY = randomBytes(32).toString('base64')
const env = { CREDCTL_MASTER_KEY: KEY }
let http: TestServer

beforeAll(async () => {
  http = await startServer((req): Reply => {
    const auth = req.headers['x-key'] ?? ''
    // Every way a careless service echoes a key: raw, base64, percent-encoded, hex, in a header too.
    return {
      status: 200,
      body: { raw: auth, b64: Buffer.from(auth).toString('base64'), pct: encodeURIComponent(auth), hex: Buffer.from(auth).toString('hex'), json: JSON.stringify({ auth }) },
      headers: { 'x-echo': encodeURIComponent(auth) },
    }
  })
})
afterAll(() => http.close())

async function session(opts: { credentials: string[]; store?: ReturnType<typeof memoryStore>; allowPrivileged?: string[]; gate?: Gate }) {
  const store = opts.store ?? memoryStore()
  const api = createClient({ store, env }).credentials
  return { store, api }
}

async function connect(api: ReturnType<typeof createClient>['credentials'], names: string[], o: { allowPrivileged?: string[]; gate?: Gate; elicit?: boolean } = {}) {
  const scope = await resolveScope(api, { credentials: names, categories: [], allowPrivileged: o.allowPrivileged ?? [] })
  const secrets = new SessionSecrets()
  const { server } = createMcpServer({ api, scope, secrets, gate: o.gate ?? new Gate(), fetch: globalThis.fetch }, 'test')
  const [a, b] = InMemoryTransport.createLinkedPair()
  const client = new Client({ name: 'unit-host', version: '1' }, { capabilities: o.elicit ? { elicitation: { form: {} } } : {} })
  if (o.elicit) client.setRequestHandler(ElicitRequestSchema, async () => ({ action: 'accept', content: { approve: true } }))
  await Promise.all([server.connect(a), client.connect(b)])
  const seen: string[] = []
  const call = async (name: string, args: Record<string, unknown>) => {
    const r = (await client.callTool({ name, arguments: args })) as CallToolResult
    const text = r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n')
    seen.push(text, JSON.stringify(r))
    return { ...r, text }
  }
  return { client, call, seen, secrets, close: () => client.close() }
}

describe('query: wired to the engine, capped, enveloped, on record without the SQL', () => {
  it('passes max_rows/timeout_s defaults and the privileged opt-in; caps cells; history holds the hash, not the text', async () => {
    const { store, api } = await session({ credentials: [] })
    const PW = `pw${randomBytes(12).toString('hex')}`
    await api.create({ name: 'db', type: 'postgresql', value: `postgresql://u:${PW}@127.0.0.1:5432/x` })
    await api.create({ name: 'db2', type: 'postgresql', value: `postgresql://u:${PW}x@127.0.0.1:5432/x` })
    const s = await connect(api, ['db', 'db2'], { allowPrivileged: ['db2'] })
    runQuery.mockReset()
    runQuery.mockResolvedValue({ columns: [{ name: 'a', type: 'text' }], rows: [['x'.repeat(10_000)], [`leak ${PW} here`], [Buffer.from('abc')]], row_count: 3, truncated: false, duration_ms: 4 })
    const sql = "SELECT secret_text FROM t WHERE note = 'do not log me'"
    const r = await s.call('query', { credential: 'db', sql })
    expect(r.isError, r.text).toBeFalsy()
    expect(runQuery).toHaveBeenCalledTimes(1)
    expect(runQuery.mock.calls[0]![2]).toEqual({ sql, maxRows: 100, timeoutS: 10, allowPrivileged: false })
    const out = r.structuredContent as { untrusted_data: { rows: string[][]; row_count: number }; note: string }
    expect(out.untrusted_data.rows[0]![0]!.length).toBeLessThan(2100)
    expect(out.untrusted_data.rows[1]![0]).not.toContain(PW)
    expect(out.untrusted_data.rows[2]![0]).toMatch(/binary: 3 bytes/)
    await s.call('query', { credential: 'db2', sql: 'select 1', max_rows: 1000, timeout_s: 60 })
    expect(runQuery.mock.calls[1]![2]).toMatchObject({ maxRows: 1000, timeoutS: 60, allowPrivileged: true })
    const over = await s.call('query', { credential: 'db', sql: 'select 1', max_rows: 1001 })
    expect(over.isError).toBe(true)
    expect(runQuery).toHaveBeenCalledTimes(2)
    const hist = await store.history.read()
    const q = hist.filter((e) => e.action === 'mcp.query')
    expect(q.map((e) => e.outcome)).toEqual(['started', 'ok', 'started', 'ok'])
    expect(q[0]!.detail).toMatch(/client=unit-host; sql_sha256=[0-9a-f]{64}; keyword=SELECT/)
    expect(q[1]!.detail).toMatch(/rows=3/)
    expect(JSON.stringify(hist)).not.toContain('do not log me')
    expect(JSON.stringify(hist)).not.toContain(PW)
    await s.close()
  })
})

describe('history before any value is used', () => {
  it('a failed history write refuses the call: no value decrypted for use, nothing sent', async () => {
    const { store, api } = await session({ credentials: [] })
    await api.create({ name: 'svc', type: 'api_key', value: `k-${randomBytes(16).toString('hex')}`, settings: { check_url: `${http.url}/me`, auth_header: 'X-Key: {value}' } })
    const s = await connect(api, ['svc'])
    store.history.append = async () => {
      throw Object.assign(new Error('read-only file system'), { code: 'EROFS' })
    }
    http.reset()
    const r = await s.call('http_get', { credential: 'svc', path: '/me' })
    expect(r.isError).toBe(true)
    expect(r.text).toMatch(/cannot record/)
    expect(http.requests).toEqual([])
    const l = await s.call('list_credentials', {})
    expect(l.isError).toBe(true)
    await s.close()
  })
})

describe('limits', () => {
  it('at most 30 calls a minute on one credential (a sliding window), then refused before anything is sent', async () => {
    let now = 1_000_000
    const gate = new Gate({ now: () => now })
    for (let i = 0; i < 30; i++) gate.charge('a')
    expect(() => gate.charge('a')).toThrow(/rate limit: at most 30 calls a minute on one credential; try again in 60 s/)
    gate.charge('b')
    now += 60_001
    expect(() => gate.charge('a')).not.toThrow()
  })

  it('at most 4 calls in flight; the rest wait their turn', async () => {
    const gate = new Gate()
    let running = 0
    let max = 0
    await Promise.all(
      Array.from({ length: 12 }, () =>
        gate.run(async () => {
          running++
          max = Math.max(max, running)
          await new Promise((r) => setTimeout(r, 5))
          running--
        }),
      ),
    )
    expect(max).toBe(4)
  })
})

describe('canary sweep over generated values (api_key echoed back raw, base64, %-encoded, hex, JSON)', () => {
  it('no 8-character piece of any value in any result, error or history line', async () => {
    let exercised = 0
    await fc.assert(
      fc.asyncProperty(canaryArb, canaryArb, async (c1, c2) => {
        const { store, api } = await session({ credentials: [] })
        const settings = { check_url: `${http.url}/me`, auth_header: 'X-Key: {value}' }
        const v1 = `ak${c1.replace(/\s/g, '')}`
        const v2 = `ak${c2.replace(/\s/g, '')}`
        try {
          await api.create({ name: 'one', type: 'api_key', value: v1, settings })
          await api.create({ name: 'two', type: 'api_key', value: v2, settings })
        } catch {
          return // a value the input check refuses is not stored at all
        }
        const s = await connect(api, ['one', 'two'], { elicit: true })
        await s.call('list_credentials', {})
        const got = await s.call('http_get', { credential: 'one', path: '/me' })
        expect(got.isError, got.text).toBeFalsy()
        exercised++
        await s.call('http_get', { credential: 'two', path: '/me', query: { q: 'x' } })
        await s.call('http_request', { credential: 'one', method: 'POST', path: '/me', body: 'x' })
        await s.call('validate_credential', { credential: 'two' })
        await s.call('http_get', { credential: 'one', path: '//evil' })
        await s.close()
        const all = [...s.seen, JSON.stringify(await store.history.read())].join('\n')
        for (const v of [v1, v2]) for (const p of pieces(v)) expect(all).not.toContain(p)
      }),
      { numRuns: 12 },
    )
    expect(exercised).toBeGreaterThan(6)
  }, 60_000)
})
