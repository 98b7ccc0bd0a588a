import { randomBytes } from 'node:crypto'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import { ElicitRequestSchema, type CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createClient, memoryStore } from '../../src/index.js'
import { APPROVALS_MAX, Gate } from '../../src/mcp/limits.js'
import { checkHeaders } from '../../src/mcp/http.js'
import { globMatch, tableMatcher } from '../../src/mcp/tools/schema.js'
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

async function connect(api: ReturnType<typeof createClient>['credentials'], names: string[], o: { allowPrivileged?: string[]; gate?: Gate; elicit?: boolean; onElicit?: (message: string) => Promise<boolean> } = {}) {
  const scope = await resolveScope(api, { credentials: names, categories: [], allowPrivileged: o.allowPrivileged ?? [] })
  const secrets = new SessionSecrets()
  const { server } = createMcpServer({ api, scope, secrets, gate: o.gate ?? new Gate(), fetch: globalThis.fetch }, 'test')
  const [a, b] = InMemoryTransport.createLinkedPair()
  const client = new Client({ name: 'unit-host', version: '1' }, { capabilities: o.elicit ? { elicitation: { form: {} } } : {} })
  if (o.elicit)
    client.setRequestHandler(ElicitRequestSchema, async (req) => ({ action: 'accept', content: { approve: o.onElicit ? await o.onElicit(String((req.params as { message?: string }).message)) : true } }))
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
    await s.call('query', { credential: 'db2', sql: 'select 1', max_rows: 1000, timeout_s: 30 })
    expect((await s.call('query', { credential: 'db2', sql: 'select 1', timeout_s: 31 })).isError).toBe(true)
    expect(runQuery.mock.calls[1]![2]).toMatchObject({ maxRows: 1000, timeoutS: 30, allowPrivileged: true })
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

/** All leaf text of a result, in order, nothing between: what a reader joining the cells sees. */
const leaves = (x: unknown): string => (typeof x === 'string' || typeof x === 'number' ? String(x) : Array.isArray(x) ? x.map(leaves).join('') : x && typeof x === 'object' ? Object.values(x).map(leaves).join('') : '')

describe('review mends: every in-scope value redacts from the start; secrets read across cells', () => {
  it('a value the session never used (another credential in scope) does not come back in rows, raw, encoded or split over cells', async () => {
    let exercised = 0
    await fc.assert(
      fc.asyncProperty(canaryArb, fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 4, maxLength: 12 }), fc.constantFrom('raw', 'b64', 'hex', 'cells', 'rows'), async (c, cuts, how) => {
        const { store, api } = await session({ credentials: [] })
        const other = `ak${c.replace(/\s/g, '')}`
        try {
          await api.create({ name: 'other', type: 'api_key', value: other, settings: { check_url: `${http.url}/me` } })
        } catch {
          return
        }
        await api.create({ name: 'db', type: 'postgresql', value: `postgresql://u:pw${randomBytes(8).toString('hex')}@127.0.0.1:5432/x` })
        const s = await connect(api, ['db', 'other'])
        // Cut the unused value into chunks of 1 to 3 characters: each too short for the redaction of one cell.
        const chunks: string[] = []
        for (let i = 0, k = 0; i < other.length; k++) {
          const n = cuts[k % cuts.length]!
          chunks.push(other.slice(i, i + n))
          i += n
        }
        const rows =
          how === 'raw' ? [[`row ${other} end`]] : how === 'b64' ? [[Buffer.from(other).toString('base64')]] : how === 'hex' ? [[Buffer.from(other).toString('hex')]] : how === 'cells' ? [chunks] : chunks.map((x) => [x])
        runQuery.mockReset()
        runQuery.mockResolvedValue({ columns: [{ name: 'a', type: 'text' }], rows, row_count: rows.length, truncated: false, duration_ms: 1 })
        const r = await s.call('query', { credential: 'db', sql: 'select 1' })
        exercised++
        if (r.isError) expect(r.text).toMatch(/withheld/)
        const text = [leaves(r.structuredContent), r.text].join('\n')
        for (const p of pieces(other)) expect(text).not.toContain(p)
        if (how === 'b64' || how === 'hex') expect(text).not.toContain(other)
        const start = (await store.history.read()).filter((e) => e.action === 'mcp.start')
        expect(start).toHaveLength(1)
        expect(JSON.stringify(start[0])).toContain('other')
        await s.close()
      }),
      { numRuns: 40 },
    )
    expect(exercised).toBeGreaterThan(20)
  }, 60_000)
})

describe('review mends: table_pattern is a linear glob, no RegExp from agent text', () => {
  /** The reference: dynamic programming over (pattern, text) prefixes. */
  const reference = (p: string, t: string): boolean => {
    const P = [...p]
    const T = [...t]
    let row = [true, ...T.map(() => false)]
    for (const ch of P) {
      const next = [ch === '*' && row[0]!]
      for (let j = 1; j <= T.length; j++) next[j] = ch === '*' ? next[j - 1]! || row[j]! : row[j - 1]! && (ch === '?' || ch === T[j - 1])
      row = next
    }
    return row[T.length]!
  }
  it('agrees with the reference for any pattern and name', () => {
    const alpha = fc.constantFrom('a', 'b', '.', '*', '?', '(', '\\', '[', 'é', '_')
    fc.assert(
      fc.property(fc.array(alpha, { maxLength: 12 }).map((a) => a.join('')), fc.array(alpha.filter((x) => x !== '*' && x !== '?'), { maxLength: 16 }).map((a) => a.join('')), (p, t) => {
        expect(globMatch(p, t)).toBe(reference(p, t))
      }),
      { numRuns: 2000 },
    )
  })
  it('a backtracking bomb answers at once; a pattern over 128 characters is refused', () => {
    const bomb = `${'*a'.repeat(60)}b`
    const t0 = Date.now()
    expect(tableMatcher(bomb)({ schema: 'public', name: 'a'.repeat(63) })).toBe(false)
    expect(Date.now() - t0).toBeLessThan(100)
    expect(() => tableMatcher('*'.repeat(129))).toThrow(/longer than 128/)
    expect(tableMatcher('PUBLIC.it?ms')({ schema: 'public', name: 'items' })).toBe(true)
  })
})

describe('review mends: http headers and approvals', () => {
  const target = { base: 'https://api.example.com/', headers: { 'x-key': 'k' }, authName: 'x-key' }
  it('any header naming a key, token, secret, auth, signature, session, cookie or password (any case, anywhere), and method overrides, are refused', () => {
    const word = fc.constantFrom('key', 'token', 'secret', 'auth', 'signature', 'session', 'cookie', 'password')
    const part = fc.stringMatching(/^[A-Za-z0-9-]{0,8}$/)
    const flip = (w: string, f: boolean[]) => w.replace(/./g, (ch, i: number) => (f[i % f.length] ? ch.toUpperCase() : ch))
    fc.assert(
      fc.property(part, word, part, fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }), (a, w, b, f) => {
        expect(() => checkHeaders({ [`${a}${flip(w, f)}${b}`]: 'v' }, target)).toThrow(/header refused/)
      }),
    )
    for (const h of ['X-HTTP-Method', 'x-http-method-override', 'X-Method-Override']) expect(() => checkHeaders({ [h]: 'DELETE' }, target)).toThrow(/header refused/)
    expect(checkHeaders({ 'Anthropic-Beta': 'x', Accept: 'text/plain' }, target)).toEqual({ 'anthropic-beta': 'x', accept: 'text/plain' })
  })

  it('the approval prompt shows the body size, its SHA-256 prefix and every extra header name; a refused path is on record to 100 characters', async () => {
    const { store, api } = await session({ credentials: [] })
    await api.create({ name: 'svc', type: 'api_key', value: `k-${randomBytes(16).toString('hex')}`, settings: { check_url: `${http.url}/me`, auth_header: 'X-Key: {value}' } })
    const asked: string[] = []
    const s = await connect(api, ['svc'], { elicit: true, onElicit: async (m) => (asked.push(m), false) })
    const body = { delete: 'everything' }
    const r = await s.call('http_request', { credential: 'svc', method: 'POST', path: '/me', body, headers: { 'X-Trace': '1', Accept: 'text/plain' } })
    expect(r.isError).toBe(true)
    const sent = JSON.stringify(body)
    const { createHash } = await import('node:crypto')
    expect(asked[0]).toContain(`body: ${Buffer.byteLength(sent)} bytes, sha256 ${createHash('sha256').update(sent).digest('hex').slice(0, 16)}`)
    expect(asked[0]).toMatch(/extra headers: x-trace, accept/)
    const long = `/a${'Z'.repeat(1500)}//evil`
    expect((await s.call('http_get', { credential: 'svc', path: long.slice(0, 2048) })).isError).toBe(true)
    const hist = JSON.stringify(await store.history.read())
    expect(hist).toContain('Z'.repeat(90))
    expect(hist).not.toContain('Z'.repeat(101))
    await s.close()
  })

  it('approvals wait outside the concurrency slots: four pending do not block other tools; a fifth is refused', async () => {
    const gate = new Gate()
    const answers: (() => void)[] = []
    const pending = Array.from({ length: APPROVALS_MAX }, () => gate.run(() => gate.aside(() => new Promise<void>((r) => answers.push(r)))))
    await new Promise((r) => setTimeout(r, 5))
    expect(answers).toHaveLength(APPROVALS_MAX)
    // Another tool runs at once, although four calls are in progress.
    expect(await Promise.race([gate.run(async () => 'ran'), new Promise((r) => setTimeout(() => r('blocked'), 200))])).toBe('ran')
    await expect(gate.run(() => gate.aside(async () => 'x'))).rejects.toThrow(/at most 4 approvals/)
    for (const a of answers) a()
    await Promise.all(pending)
  })
})
