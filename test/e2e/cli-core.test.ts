import { spawnSync } from 'node:child_process'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { readFileSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { assertNoLeak, BIN, runCli, tempVault } from '../helpers/cli.js'

const OPENAI = 'sk-proj-CANARY0penAIkey1234567890abcdefghijklmn'
let t: ReturnType<typeof tempVault>
beforeEach(() => (t = tempVault('credctl-cli')))
afterEach(() => t.cleanup())

const cli = (args: string[], input?: string, extraEnv: Record<string, string> = {}) =>
  runCli(args, { env: { ...t.env, ...extraEnv }, ...(input !== undefined ? { input } : {}) })

describe('credctl CLI (built, no TTY)', () => {
  it('creates, lists (TSV and JSON), gets and reveals without leaking', async () => {
    const c = await cli(['create', '--name', 'OpenAI Prod', '--type', 'openai', '--value-stdin', '--description', 'prod key'], `${OPENAI}\n`)
    expect(c.code).toBe(0)
    expect(c.stderr).toContain('Created OpenAI Prod')

    const list = await cli(['list'])
    expect(list.code).toBe(0)
    const cols = list.stdout.trim().split('\t')
    expect(cols.slice(0, 6)).toEqual(['OpenAI Prod', 'openai', 'llm', 'sk-pr...klmn', 'default', 'unknown'])

    const json = JSON.parse((await cli(['list', '--json'])).stdout) as Record<string, unknown>[]
    expect(json).toHaveLength(1)
    expect(json[0]).toMatchObject({ name: 'OpenAI Prod', type: 'openai', category: 'llm', description: 'prod key', masked_content: 'sk-pr...klmn', is_default: true, is_valid: null, has_schema: false })

    const one = JSON.parse((await cli(['get', 'OpenAI Prod', '--json'])).stdout) as Record<string, unknown>
    expect(one.id).toBe(json[0]!.id)
    expect(JSON.parse((await cli(['get', String(one.id), '--json'])).stdout).name).toBe('OpenAI Prod')

    const reveal = await cli(['reveal', 'OpenAI Prod'])
    expect(reveal).toMatchObject({ code: 0, stdout: OPENAI, stderr: '' })

    const hist = JSON.parse((await cli(['history', '--json'])).stdout) as { action: string }[]
    expect(hist.map((h) => h.action)).toEqual(['create', 'reveal'])
    assertNoLeak([OPENAI], [c.stdout, c.stderr, list.stdout, list.stderr, JSON.stringify(json)], undefined)
    // Files beside the vault (history, schemas) never hold the value; the vault holds only ciphertext.
    const files = [path.join(path.dirname(t.vault), 'vault.history.jsonl'), t.vault]
    for (const f of files) expect(readFileSync(f, 'utf8')).not.toContain(OPENAI)
  })

  it('reads values from --value-file and warns about --value', async () => {
    const f = path.join(t.dir, 'v.txt')
    writeFileSync(f, 'postgresql://app:pw-CANARY-123@db.internal:5432/analytics\n')
    const a = await cli(['create', '--name', 'db', '--type', 'postgresql', '--value-file', f, '--json'])
    expect(a.code).toBe(0)
    expect(JSON.parse(a.stdout).masked_content).toBe('postgresql://app:****@db.internal:5432/analytics')
    const b = await cli(['create', '--name', 'k2', '--type', 'anthropic', '--value', 'sk-ant-CANARYxxxxxxxxxxxxxxxx'])
    expect(b.code).toBe(0)
    expect(b.stderr).toMatch(/argv.*visible/)
    assertNoLeak(['pw-CANARY-123', 'sk-ant-CANARYxxxxxxxxxxxxxxxx'], [a.stdout, a.stderr, b.stdout, b.stderr])
  })

  it.each([
    [['create', '--type', 'openai', '--value-stdin'], 'x', 2, /missing --name/],
    [['create', '--name', 'a', '--value-stdin'], 'x', 2, /missing --type/],
    [['create', '--name', 'a', '--type', 'openai'], undefined, 2, /--value-stdin/],
    [['create', '--name', 'a', '--type', 'nope', '--value-stdin'], 'x', 2, /nope/],
    [['create', '--name', 'a', '--type', 'openai', '--category', 'speech', '--value-stdin'], 'sk-x', 2, /belongs to category llm/],
    [['create', '--name', 'a', '--type', 'postgresql', '--value-stdin'], 'mysql://x', 2, /postgresql:\/\//],
    [['create', '--name', 'a\nb', '--type', 'openai', '--value-stdin'], 'sk-x', 2, /control characters/],
    [['get', 'missing'], undefined, 3, /no credential named "missing"/],
    [['list', '--bogus'], undefined, 2, /unknown option/],
    [['frobnicate'], undefined, 2, /unknown command/],
    [['purge', 'x'], undefined, 3, /./],
    [['validate'], undefined, 2, /--all/],
  ])('credctl %j (stdin %j) exits %i with a clear line', async (args, input, code, re) => {
    const r = await cli(args as string[], input as string | undefined)
    expect(r.code).toBe(code)
    expect(r.stderr).toMatch(re)
    expect(r.stderr).not.toMatch(/\n\s+at /) // no stack trace
  })

  it('purge without --yes and without a TTY refuses and writes nothing', async () => {
    await cli(['create', '--name', 'a', '--type', 'openai', '--value-stdin'], OPENAI)
    const before = readFileSync(t.vault)
    const r = await cli(['purge', 'a'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/--yes/)
    expect(readFileSync(t.vault).equals(before)).toBe(true)
    expect((await cli(['purge', 'a', '--yes'])).code).toBe(0)
    expect(JSON.parse((await cli(['list', '--deleted', '--json'])).stdout)).toEqual([])
  })

  it('a wrong key is exit 4 and leaves the vault byte-identical', async () => {
    await cli(['create', '--name', 'a', '--type', 'openai', '--value-stdin'], OPENAI)
    const before = readFileSync(t.vault)
    const wrong = { CREDCTL_MASTER_KEY: Buffer.alloc(32, 7).toString('base64') }
    for (const args of [['reveal', 'a'], ['create', '--name', 'b', '--type', 'openai', '--value-stdin'], ['delete', 'a']]) {
      const r = await cli(args, OPENAI, wrong)
      expect(r.code).toBe(4)
      expect(r.stderr).toMatch(/wrong key for vault .*vault\.json/)
    }
    expect(readFileSync(t.vault).equals(before)).toBe(true)
    const bad = await cli(['reveal', 'a'], undefined, { CREDCTL_MASTER_KEY: 'not-base64!' })
    expect(bad.code).toBe(4)
    expect(bad.stderr).toMatch(/exactly 32 bytes/)
  })

  it('a damaged or unknown-version vault is exit 4 and never rewritten', async () => {
    await cli(['create', '--name', 'a', '--type', 'openai', '--value-stdin'], OPENAI)
    const v = JSON.parse(readFileSync(t.vault, 'utf8')) as Record<string, unknown>
    for (const [label, text] of [
      ['truncated', readFileSync(t.vault, 'utf8').slice(0, 100)],
      ['version', JSON.stringify({ ...v, version: 99 })],
    ] as const) {
      writeFileSync(t.vault, text)
      for (const args of [['list'], ['create', '--name', 'b', '--type', 'openai', '--value-stdin']]) {
        const r = await cli(args, OPENAI)
        expect(r.code, label).toBe(4)
        expect(r.stderr).toContain(t.vault)
        expect(readFileSync(t.vault, 'utf8')).toBe(text)
      }
    }
  })

  it('types lists the whole catalogue, filtered by category, as JSON', async () => {
    const all = JSON.parse((await cli(['types', '--json'])).stdout) as { type: string }[]
    expect(all).toHaveLength(34)
    const llm = JSON.parse((await cli(['types', '--category', 'llm', '--json'])).stdout) as { type: string; display_name: string; description: string }[]
    expect(llm[0]).toMatchObject({ type: 'openai', display_name: 'OpenAI', description: 'GPT-4, GPT-4o, GPT-3.5, etc.' })
    expect(llm).toHaveLength(12)
    expect((await cli(['types', '--category', 'bogus'])).code).toBe(2)
  })

  it('soft delete, restore, set-default through the CLI', async () => {
    await cli(['create', '--name', 'a', '--type', 'openai', '--value-stdin'], OPENAI)
    await cli(['create', '--name', 'b', '--type', 'openai', '--value-stdin'], OPENAI)
    expect((await cli(['set-default', 'b'])).code).toBe(0)
    let l = JSON.parse((await cli(['list', '--json'])).stdout) as { name: string; is_default: boolean }[]
    expect(l.filter((c) => c.is_default).map((c) => c.name)).toEqual(['b'])
    expect((await cli(['delete', 'b'])).code).toBe(0)
    l = JSON.parse((await cli(['list', '--json'])).stdout)
    expect(l.map((c) => c.name)).toEqual(['a'])
    expect(l.some((c) => c.is_default)).toBe(false)
    const d = JSON.parse((await cli(['list', '--deleted', '--json'])).stdout) as { name: string; deleted_at?: string }[]
    expect(d.find((c) => c.name === 'b')?.deleted_at).toBeTruthy()
    expect((await cli(['restore', 'b'])).code).toBe(0)
    expect(JSON.parse((await cli(['get', 'b', '--json'])).stdout).deleted_at).toBeUndefined()
  })

  it('status reports path, key source, counts', async () => {
    await cli(['create', '--name', 'a', '--type', 'openai', '--value-stdin'], OPENAI)
    const s = JSON.parse((await cli(['status', '--json'], undefined, { CREDCTL_KEYCHAIN_TIMEOUT_MS: '2000' })).stdout)
    expect(s).toMatchObject({ vault: t.vault, exists: true, key_source: 'env', counts: { active: 1, deleted: 0, defaults: 1 } })
    // The key is in CREDCTL_MASTER_KEY: the keychain is not this vault's concern, so not probed (issue 12).
    expect(s.keychain).toEqual({ used: false, reachable: null, reason: null })
    expect((await cli(['status'])).stdout).toMatch(/^keychain\tnot used \(this vault's key is in CREDCTL_MASTER_KEY\)$/m)
  })

  it('status with no vault yet probes the keychain only when a new vault would use it (issue 13)', async () => {
    // A keychain that cannot answer: no session bus, and 1 ms to answer. A probe would say so.
    const broken = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/credctl-bus', CREDCTL_KEYCHAIN_TIMEOUT_MS: '1' }
    const s = await cli(['status', '--json'], undefined, broken)
    expect(s.code, s.stderr).toBe(0)
    expect(JSON.parse(s.stdout)).toMatchObject({ exists: false, key_source: null, new_key_source: 'env', keychain: { used: false, reachable: null, reason: null } })
    const text = await cli(['status'], undefined, broken)
    expect(text.stdout).toMatch(/^keychain\tnot used \(a new vault's key will be in CREDCTL_MASTER_KEY\)$/m)
    expect(text.stdout).toMatch(/^key source\t\(chosen when the first credential is created: env\)$/m)
    expect(text.stderr).toBe('')
    // The same broken keychain, chosen for the new vault: probed, and reported unreachable.
    const kc = JSON.parse((await cli(['status', '--json'], undefined, { ...broken, CREDCTL_KEY_SOURCE: 'keychain' })).stdout)
    expect(kc).toMatchObject({ exists: false, new_key_source: 'keychain', keychain: { used: true, reachable: false } })
  })

  it('exits 0 when the reader closes the pipe early', () => {
    for (let i = 0; i < 3; i++) spawnSync(process.execPath, [BIN, 'create', '--name', `n${i}`, '--type', 'openai', '--value-stdin'], { env: t.env, input: OPENAI })
    const r = spawnSync('bash', ['-o', 'pipefail', '-c', `node ${BIN} types | head -1 >/dev/null`], { env: t.env })
    expect(r.status).toBe(0)
  })

  it('--help shows examples and the exit codes', async () => {
    const r = await cli(['--help'])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('4 vault or key error')
    const c = await cli(['create', '--help'])
    expect(c.stdout).toContain('Examples:')
    expect(c.stdout).toContain('--value-stdin')
  })
})

describe('core checks end to end', () => {
  let server: Server
  let base: string
  let seen: IncomingMessage[] = []
  let answer = 200
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req)
      if (answer === 200) {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"object":"list","data":[]}')
      } else {
        // OpenAI echoes part of a wrong key: the echo must never reach our output.
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `Incorrect API key provided: ${OPENAI}`, code: 'invalid_api_key' } }))
      }
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`
  })
  afterAll(() => new Promise<void>((r) => server.close(() => r())))

  it('openai: GET {base}/models with Bearer; valid then invalid; nothing leaks', async () => {
    seen = []
    answer = 200
    await cli(['create', '--name', 'o', '--type', 'openai', '--value-stdin', '--base-url', base], OPENAI)
    const ok = await cli(['validate', 'o', '--json'])
    expect(ok.code).toBe(0)
    expect(JSON.parse(ok.stdout)).toMatchObject({ name: 'o', status: 'valid', is_valid: true })
    expect(seen).toHaveLength(1)
    expect(seen[0]!.method).toBe('GET')
    expect(seen[0]!.url).toBe('/v1/models')
    expect(seen[0]!.headers.authorization).toBe(`Bearer ${OPENAI}`)
    answer = 401
    const bad = await cli(['validate', 'o', '--json'])
    expect(bad.code).toBe(1)
    const res = JSON.parse(bad.stdout)
    expect(res).toMatchObject({ status: 'invalid', is_valid: false })
    const listed = await cli(['list', '--json'])
    expect(JSON.parse(listed.stdout)[0].validation_message).toMatch(/^invalid: .*HTTP 401/)
    assertNoLeak([OPENAI], [ok.stdout, ok.stderr, bad.stdout, bad.stderr, listed.stdout], path.dirname(t.vault) === t.dir ? undefined : undefined)
    expect(readFileSync(path.join(path.dirname(t.vault), 'vault.history.jsonl'), 'utf8')).not.toContain(OPENAI)
  })

  it('unreachable keeps the earlier verdict and exits 5', async () => {
    answer = 200
    await cli(['create', '--name', 'o', '--type', 'openai', '--value-stdin', '--base-url', base], OPENAI)
    await cli(['validate', 'o'])
    const closed = createServer()
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r))
    const port = (closed.address() as AddressInfo).port
    await new Promise<void>((r) => closed.close(() => r()))
    await cli(['update', 'o', '--base-url', `http://127.0.0.1:${port}/v1`])
    const r = await cli(['validate', 'o', '--json'])
    expect(r.code).toBe(5)
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'unreachable', is_valid: true })
  })

  it('postgresql: connects to the real server, discovers a schema with one query', async () => {
    const { default: pg } = await import('pg')
    const admin = new pg.Client({ connectionString: 'postgresql://postgres@127.0.0.1:5432/postgres' })
    await admin.connect()
    const db = `credctl_core_${process.pid}`
    await admin.query(`DROP DATABASE IF EXISTS ${db}`)
    await admin.query(`CREATE DATABASE ${db}`)
    const c2 = new pg.Client({ connectionString: `postgresql://postgres@127.0.0.1:5432/${db}` })
    await c2.connect()
    await c2.query(`CREATE TABLE orders (id serial PRIMARY KEY, total numeric(12,2) NOT NULL DEFAULT 0, note text); COMMENT ON TABLE orders IS 'customer orders'; COMMENT ON COLUMN orders.note IS 'free text'; CREATE VIEW big_orders AS SELECT * FROM orders WHERE total > 100`)
    await c2.end()
    try {
      const url = `postgresql://postgres:pw-CANARY-pg@127.0.0.1:5432/${db}`
      expect((await cli(['create', '--name', 'pg', '--type', 'postgresql', '--value-stdin'], url)).code).toBe(0)
      const v = await cli(['validate', 'pg', '--json'])
      expect(v.code).toBe(0)
      expect(JSON.parse(v.stdout)).toMatchObject({ status: 'valid', is_valid: true })
      const d = await cli(['discover', 'pg', '--json'])
      expect(d.code).toBe(0)
      expect(JSON.parse(d.stdout)).toMatchObject({ has_schema: true, discovered: 2 })
      expect(JSON.parse(d.stdout).tables).toHaveLength(2)
      const s = JSON.parse((await cli(['schema', 'pg', '--json'])).stdout)
      expect(Object.keys(s)).toEqual(['updated_at', 'tables'])
      const orders = s.tables.find((x: { name: string }) => x.name === 'orders')
      expect(orders).toMatchObject({ schema: 'public', kind: 'table', comment: 'customer orders' })
      expect(orders.columns.map((c: { name: string }) => c.name)).toEqual(['id', 'total', 'note'])
      expect(orders.columns[1]).toEqual({ name: 'total', data_type: 'numeric(12,2)', nullable: false, default: '0', comment: null, position: 2, primary_key: false })
      expect(orders.columns[0]).toMatchObject({ name: 'id', primary_key: true })
      expect(orders.columns[2]).toMatchObject({ nullable: true, comment: 'free text' })
      expect(s.tables.find((x: { name: string }) => x.name === 'big_orders').kind).toBe('view')
      const missing = `postgresql://postgres:pw-CANARY-pg@127.0.0.1:5432/${db}_missing`
      await cli(['update', 'pg', '--value-stdin'], missing)
      const bad = await cli(['validate', 'pg', '--json'])
      expect(bad.code).toBe(1)
      expect(JSON.parse(bad.stdout).status).toBe('invalid')
      // A failed discovery keeps the previous schema.
      expect((await cli(['discover', 'pg'])).code).not.toBe(0)
      expect(JSON.parse((await cli(['schema', 'pg', '--json'])).stdout).tables).toHaveLength(2)
      assertNoLeak(['pw-CANARY-pg'], [v.stdout, v.stderr, d.stdout, d.stderr, bad.stdout, bad.stderr])
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${db}`)
      await admin.end()
    }
  })
})

describe('review fixes', () => {
  it('an empty --vault is a usage error, not the default vault', async () => {
    const r = await cli(['--vault', '', 'list'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/vault path is empty/)
  })

  it('a reveal that cannot be recorded in history prints nothing', async () => {
    await cli(['create', '--name', 'a', '--type', 'openai', '--value-stdin'], OPENAI)
    const { rmSync, mkdirSync } = await import('node:fs')
    const hist = path.join(path.dirname(t.vault), 'vault.history.jsonl')
    rmSync(hist)
    mkdirSync(hist)
    const r = await cli(['reveal', 'a'])
    expect(r.code).toBe(4)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/cannot record this in the history file/)
    const h = await cli(['history'])
    expect(h.code).toBe(4)
    expect(h.stderr).not.toMatch(/internal error/)
  })

  it('.env lines that look like pasted key material are refused without being quoted', async () => {
    const f = path.join(t.dir, 'b.env')
    const tail = 'dGhpcyBpcyBhIHZlcnkgc2VjcmV0IHRva2VuIHZhbHVlMTIzNDU2Nzg5MA'
    writeFileSync(f, `${tail}==\nOPENAI_API_KEY=${OPENAI}\n`)
    const r = await cli(['import', '--from-env', f, '--dry-run'])
    expect(r.code).toBe(2)
    assertNoLeak([tail.slice(0, 20), OPENAI], [r.stdout, r.stderr])
    writeFileSync(f, `wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY=\n`)
    const r2 = await cli(['import', '--from-env', f, '--dry-run'])
    expect(r2.code).toBe(2)
    assertNoLeak(['wJalrXUtnFEMI'], [r2.stdout, r2.stderr])
  })
})
