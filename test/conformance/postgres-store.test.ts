import { spawn } from 'node:child_process'
import { randomBytes, randomUUID } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { build } from 'esbuild'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CredctlError } from '../../src/errors.js'
import { postgresStore, rolesOf, schemaOf, type PostgresStore } from '../../src/store/postgres.js'
import { describeStore, sampleHeader, sampleRecord, sampleSealed, sampleTeamHeader } from './store.conformance.js'

/**
 * The PostgreSQL adapter on the real server (127.0.0.1:5432, postgres, trust): this file makes its own
 * database (random name) and gives every store a fresh vault (its own schema and roles, installed by
 * the store's install()). At the end it drops the database, then the vaults' roles, which are
 * cluster-wide and so named per run (RUN).
 */
const ADMIN = 'postgresql://postgres@127.0.0.1:5432/postgres'
const RUN = randomBytes(4).toString('hex')
const DB = `credctl_test_${RUN}`
const URL_ = `postgresql://postgres@127.0.0.1:5432/${DB}`
const stores: PostgresStore[] = []
const vaults = new Set<string>()
let n = 0
/** A fresh vault name of this run (TEAM_VAULT_NAME: lower case, from a letter, at most 40). */
const vname = () => `v${RUN}-${++n}`
const open = (vault = vname(), extra: { lockTimeoutMs?: number; connectionString?: string } = {}): PostgresStore => {
  const s = postgresStore({ connectionString: extra.connectionString ?? URL_, vault, lockTimeoutMs: extra.lockTimeoutMs ?? 30_000 })
  stores.push(s)
  return s
}
/** A store on a fresh, installed vault. */
const fresh = async (vault = vname()): Promise<PostgresStore> => {
  const s = open(vault)
  vaults.add(vault)
  await s.install()
  return s
}
const S = (vault: string) => `"${schemaOf(vault)}"`
const sql = async (text: string, values: unknown[] = [], db = URL_) => {
  const c = new pg.Client({ connectionString: db })
  await c.connect()
  try {
    return (await c.query(text, values)).rows as Record<string, unknown>[]
  } finally {
    await c.end()
  }
}

beforeAll(async () => {
  await sql(`CREATE DATABASE ${DB}`, [], ADMIN)
  const v = vname()
  await fresh(v)
  await fresh(v) // idempotent
}, 60_000)
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()))
  await sql(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`, [], ADMIN)
  const roles = [...vaults].flatMap((v) => Object.values(rolesOf(v)).map((r) => `"${r}"`))
  if (roles.length > 0) await sql(`DROP ROLE IF EXISTS ${roles.join(', ')}`, [], ADMIN)
}, 60_000)

describeStore('postgresStore', async () => {
  const vault = vname()
  const store = await fresh(vault)
  const q = S(vault)
  return {
    store,
    // Every row of this vault as stored, and the head row's physical version (xmin moves on any write).
    fingerprint: async () =>
      JSON.stringify(
        await sql(
          `SELECT h.xmin::text, h.*, (SELECT json_agg(r.* ORDER BY r.ord) FROM ${q}.records r), (SELECT json_agg(s.* ORDER BY s.id) FROM ${q}.secrets s),
             (SELECT json_agg(m.* ORDER BY m.member) FROM ${q}.members m), (SELECT json_agg(e.* ORDER BY e.epoch) FROM ${q}.epochs e) FROM ${q}.head h`,
        ),
      ),
  }
})

async function failure(p: Promise<unknown>): Promise<CredctlError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  )
  expect(e).toBeInstanceOf(CredctlError)
  return e as CredctlError
}

const counter = (store: PostgresStore, id: string) =>
  store.transact(async (tx) => {
    const r = tx.records().find((x) => x.id === id)!
    const n = (JSON.parse(r.body) as { n: number }).n
    tx.setHeader({ ...tx.header()!, sequence: tx.header()!.sequence + 1 })
    tx.put({ ...r, revision: r.revision + 1, body: JSON.stringify({ n: n + 1 }) })
  })

describe('postgresStore: the database', () => {
  it('location names the vault, host and database, never the password', () => {
    const s = postgresStore({ connectionString: 'postgresql://alice:s3cretpassw0rd@db.internal:6543/teamdb', vault: 'team-prod' })
    expect(s.location).toBe('team vault team-prod on db.internal:6543/teamdb')
    expect(s.location).not.toContain('s3cret')
  })

  it('bodies are stored as text, byte for byte (U+2028, astral characters, quotes, escapes)', async () => {
    const vault = vname()
    const store = await fresh(vault)
    const body = JSON.stringify({ a: '\u2028\u2029"\\\u{1F600}\u{10FFFF}é', b: '\u0000\ud800', c: '</script>' })
    const r = sampleRecord(body)
    await store.transact(async (tx) => (tx.setHeader(sampleHeader()), tx.put(r)))
    const [row] = await sql(`SELECT body, pg_typeof(body)::text AS t, octet_length(body) AS n FROM ${S(vault)}.records WHERE id = $1`, [r.id])
    expect(row!.t).toBe('text')
    expect(row!.body).toBe(body)
    expect(row!.n).toBe(Buffer.byteLength(body))
    expect((await store.load())!.records[0]!.body).toBe(body)
  })

  it('history: the actor and the time are stamped by the database, and rows cannot be changed, deleted or truncated, even by the owner', async () => {
    const vault = vname()
    const store = await fresh(vault)
    const q = S(vault)
    await store.history.append([{ time: '2026-01-01T00:00:00.000Z', action: 'reveal', outcome: 'ok', credentials: [] }])
    await sql(`INSERT INTO ${q}.history (client_time, action, outcome, actor, at) OVERRIDING SYSTEM VALUE VALUES ('t', 'a', 'o', 'mallory', '2000-01-01')`)
    const rows = await sql(`SELECT actor::text, at > now() - interval '1 minute' AS recent FROM ${q}.history ORDER BY seq`)
    expect(rows).toEqual([
      { actor: 'postgres', recent: true },
      { actor: 'postgres', recent: true },
    ])
    expect((await store.history.read()).map((e) => e.actor)).toEqual(['postgres', 'postgres'])
    await expect(sql(`UPDATE ${q}.history SET actor = 'mallory'`)).rejects.toThrow(/append-only/)
    await expect(sql(`DELETE FROM ${q}.history`)).rejects.toThrow(/append-only/)
    await expect(sql(`TRUNCATE ${q}.history`)).rejects.toThrow(/append-only/)
  })

  it('one active name and one default per type hold in the database: VAULT_CONFLICT naming it; moving a default in one transaction works', async () => {
    const store = await fresh()
    const body = (name: string, extra: object = {}) => JSON.stringify({ name, type: 'openai', is_default: false, deleted_at: null, ...extra })
    const a = { ...sampleRecord(body('prod', { is_default: true })), sealed: sampleSealed() }
    const b = { ...sampleRecord(body('staging')), sealed: sampleSealed() }
    await store.transact(async (tx) => (tx.setHeader(sampleTeamHeader()), tx.put(a), tx.put(b)))
    const before = await store.load()
    // A colleague's client (or a buggy one) writing a second "prod" or a second default.
    let e = await failure(store.transact(async (tx) => tx.put({ ...sampleRecord(body('prod')), sealed: sampleSealed() })))
    expect(e.code).toBe('VAULT_CONFLICT')
    expect(e.exitCode).toBe(4)
    expect(e.message).toContain('"prod"')
    e = await failure(store.transact(async (tx) => tx.put(sampleRecord(body('staging', { is_default: true }), b.id, 2))))
    expect(e.code).toBe('VAULT_CONFLICT')
    expect(e.message).toContain('"openai"')
    expect(await store.load()).toEqual(before)
    // A deleted credential frees its name.
    await store.transact(async (tx) => {
      tx.put(sampleRecord(body('prod', { deleted_at: '2026-01-01T00:00:00.000Z' }), a.id, 2))
      tx.put({ ...sampleRecord(body('prod')), sealed: sampleSealed() })
    })
    // In one transaction, rows written in stored order: c (first) takes the default and d's name while d,
    // written after it, gives them up. The indexes are not deferrable, so this needs the adapter's care.
    const c = { ...sampleRecord(body('c')), sealed: sampleSealed() }
    const d = { ...sampleRecord(body('d', { type: 'anthropic', is_default: true })), sealed: sampleSealed() }
    await store.transact(async (tx) => (tx.put(c), tx.put(d)))
    await store.transact(async (tx) => {
      tx.put(sampleRecord(body('d', { type: 'anthropic', is_default: true }), c.id, 2))
      tx.put(sampleRecord(body('c', { type: 'anthropic' }), d.id, 2))
    })
    const got = (await store.load())!.records.map((r) => ({ id: r.id, ...(JSON.parse(r.body) as { name: string; is_default: boolean }) }))
    expect(got.find((x) => x.id === c.id)).toMatchObject({ name: 'd', is_default: true })
    expect(got.find((x) => x.id === d.id)).toMatchObject({ name: 'c', is_default: false })
  })

  it('rows edited in the database are handed up as they are (the SDK checks MACs); a key header that is not JSON is VAULT_DAMAGED', async () => {
    const vault = vname()
    const store = await fresh(vault)
    const r = sampleRecord('{"name":"a"}')
    await store.transact(async (tx) => (tx.setHeader(sampleHeader()), tx.put(r)))
    await sql(`UPDATE ${S(vault)}.records SET body = 'not json' WHERE id = $1`, [r.id])
    expect((await store.load())!.records[0]!.body).toBe('not json')
    await store.transact(async (tx) => (tx.setHeader({ ...tx.header()!, sequence: 2 }), tx.put(sampleRecord('{"name":"b"}'))))
    await sql(`UPDATE ${S(vault)}.head SET key_header = '{'`)
    for (const op of [() => store.load(), () => store.transact(async () => 1)]) {
      const e = await failure(op())
      expect(e.code).toBe('VAULT_DAMAGED')
      expect(e.exitCode).toBe(4)
    }
  })

  it('a writer holding the head row makes a transaction wait, then VAULT_LOCKED (exit 4) after lockTimeoutMs', async () => {
    const vault = vname()
    const store = await fresh(vault)
    await store.transact(async (tx) => tx.setHeader(sampleHeader()))
    const holder = new pg.Client({ connectionString: URL_ })
    await holder.connect()
    try {
      await holder.query('BEGIN')
      await holder.query(`SELECT 1 FROM ${S(vault)}.head FOR UPDATE`)
      const t0 = Date.now()
      const e = await failure(store.transact(async (tx) => tx.setHeader({ ...tx.header()!, sequence: 2 }), { lockTimeoutMs: 300 }))
      expect(e.code).toBe('VAULT_LOCKED')
      expect(e.exitCode).toBe(4)
      expect(e.message).toContain(vault)
      expect(Date.now() - t0).toBeGreaterThanOrEqual(250)
    } finally {
      await holder.query('ROLLBACK')
      await holder.end()
    }
    await store.transact(async (tx) => tx.setHeader({ ...tx.header()!, sequence: 2 }))
    expect((await store.load())!.header.sequence).toBe(2)
  })

  it("exclusive('rotate') serialises across connections and times out with VAULT_LOCKED", async () => {
    const vault = vname()
    const a = await fresh(vault)
    const b = open(vault)
    const order: string[] = []
    let release!: () => void
    const held = new Promise<void>((r) => (release = r))
    let entered!: () => void
    const inA = new Promise<void>((r) => (entered = r))
    const pa = a.exclusive('rotate', async () => {
      order.push('a in')
      entered()
      await held
      order.push('a out')
    })
    await inA
    expect((await failure(b.exclusive('rotate', async () => order.push('never'), { lockTimeoutMs: 200 }))).code).toBe('VAULT_LOCKED')
    const pb = b.exclusive('rotate', async () => order.push('b in'), { lockTimeoutMs: 10_000 })
    await new Promise((r) => setTimeout(r, 100))
    release()
    await Promise.all([pa, pb])
    expect(order).toEqual(['a in', 'a out', 'b in'])
    // Transactions go on beside a held turn (their own connections).
    await a.exclusive('rotate', () => a.transact(async (tx) => tx.setHeader(sampleHeader())))
    expect(await b.load()).toBeDefined()
  })

  it('two stores (separate connections) creating the same vault at once: one creates, the other sees it', async () => {
    const vault = vname()
    const [a, b] = [await fresh(vault), open(vault)]
    const id = randomUUID()
    const create = (s: PostgresStore) =>
      s.transact(async (tx) => {
        if (tx.header()) return 'saw it'
        await new Promise((r) => setTimeout(r, 50))
        tx.setHeader(sampleHeader())
        tx.put(sampleRecord('{"n":0}', id))
        return 'created'
      })
    expect((await Promise.all([create(a), create(b)])).sort()).toEqual(['created', 'saw it'])
  })

  it('connection failures are VAULT_IO naming the location, never the password (message, hint, stack)', async () => {
    const secret = 'Hunter2-very-secret'
    for (const [cs, doing] of [
      [`postgresql://postgres:${secret}@127.0.0.1:1/${DB}`, /cannot connect to team vault v1 on 127\.0\.0\.1:1\//],
      [`postgresql://postgres:${secret}@127.0.0.1:5432/no_such_db_${randomBytes(3).toString('hex')}`, /team vault v1 on 127\.0\.0\.1:5432\/no_such_db/],
    ] as const) {
      const s = open('v1', { connectionString: cs })
      for (const op of [() => s.load(), () => s.transact(async () => 1), () => s.history.read(), () => s.schemas.read(randomUUID()), () => s.exclusive('rotate', async () => 1)]) {
        const e = await failure(op())
        expect(e.code).toBe('VAULT_IO')
        expect(e.exitCode).toBe(4)
        expect(e.message).toMatch(doing)
        for (const t of [e.message, e.hint ?? '', e.stack ?? '', String(e.cause ?? '')]) expect(t).not.toContain(secret)
      }
    }
    // A malformed URL is refused without quoting it.
    let e: unknown
    try {
      postgresStore({ connectionString: `postgresql://u:${secret}@ho st/db`, vault: 'v1' })
    } catch (x) {
      e = x
    }
    expect((e as CredctlError).code).toBe('INVALID_INPUT')
    expect(String((e as CredctlError).message)).not.toContain(secret)
  })

  it('a database without the schema is VAULT_IO with a hint to run init-sql', async () => {
    const other = `credctl_test_${randomBytes(6).toString('hex')}`
    await sql(`CREATE DATABASE ${other}`, [], ADMIN)
    try {
      const s = postgresStore({ connectionString: `postgresql://postgres@127.0.0.1:5432/${other}`, vault: 'v1' })
      const e = await failure(s.load())
      expect(e.code).toBe('VAULT_IO')
      expect(e.hint).toMatch(/init-sql/)
      await s.close()
    } finally {
      await sql(`DROP DATABASE ${other} WITH (FORCE)`, [], ADMIN)
    }
  })

  it('a transaction whose backend is terminated midway applies nothing; the store goes on', async () => {
    const vault = vname()
    const store = await fresh(vault)
    const id = randomUUID()
    await store.transact(async (tx) => (tx.setHeader(sampleHeader()), tx.put(sampleRecord('{"n":0}', id))))
    const before = await store.load()
    for (let round = 0; round < 10; round++) {
      const e = await failure(
        store.transact(async (tx) => {
          tx.setHeader({ ...tx.header()!, sequence: 99 })
          tx.put(sampleRecord('{"n":99}', id, 99))
          for (let i = 0; i < 50; i++) tx.put(sampleRecord(`{"extra":${i}}`))
          // Kill this transaction's backend (the one holding the head row) while fn runs.
          await sql(`SELECT pg_terminate_backend(l.pid) FROM pg_locks l WHERE l.relation = '${S(vault)}.head'::regclass AND l.mode = 'RowShareLock' AND l.pid <> pg_backend_pid()`)
          await new Promise((r) => setTimeout(r, 20))
        }),
      )
      expect(e.code).toBe('VAULT_IO')
      expect(e.message).toMatch(/nothing of this transaction was applied/)
      expect(await store.load()).toEqual(before)
    }
    await counter(store, id)
    expect((await store.load())!.records[0]!.body).toBe('{"n":1}')
  })
})

/**
 * Other processes: the store bundled from the source by esbuild (as the file store's kill -9 test does),
 * run by child processes against the same vault.
 */
describe('postgresStore: several processes', () => {
  let lib: string
  // Inside the project, so the bundle's import('pg') resolves from node_modules (ESM has no NODE_PATH).
  mkdirSync(path.resolve('node_modules/.cache'), { recursive: true })
  const dir = mkdtempSync(path.resolve('node_modules/.cache/credctl-pgstore-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  beforeAll(async () => {
    mkdirSync(dir, { recursive: true })
    const entry = path.join(dir, 'entry.ts')
    writeFileSync(
      entry,
      `export { postgresStore } from ${JSON.stringify(path.resolve('src/store/postgres.ts'))}\nexport { sampleRecord, sampleHeader } from ${JSON.stringify(path.resolve('test/conformance/samples.ts'))}\n`,
    )
    lib = path.join(dir, 'store.mjs')
    await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: lib, logLevel: 'silent', external: ['pg'] })
  })
  const child = (script: string, args: string[]) => {
    const f = path.join(dir, `${randomUUID()}.mjs`)
    writeFileSync(f, `import { postgresStore, sampleHeader, sampleRecord } from ${JSON.stringify(lib)}\n${script}`)
    return spawn(process.execPath, [f, ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
  }

  it('three processes incrementing one counter concurrently lose nothing', { timeout: 60_000 }, async () => {
    const vault = vname()
    const store = await fresh(vault)
    const id = randomUUID()
    await store.transact(async (tx) => (tx.setHeader(sampleHeader()), tx.put(sampleRecord('{"n":0}', id))))
    const N = 25
    const kids = Array.from({ length: 3 }, () =>
      child(
        `const store = postgresStore({ connectionString: process.argv[2], vault: process.argv[3] })
for (let i = 0; i < ${N}; i++) await store.transact(async (tx) => {
  const r = tx.records().find((x) => x.id === process.argv[4])
  const n = JSON.parse(r.body).n
  await new Promise((res) => setTimeout(res, Math.random() * 3))
  tx.setHeader({ ...tx.header(), sequence: tx.header().sequence + 1 })
  tx.put({ ...r, revision: r.revision + 1, body: JSON.stringify({ n: n + 1 }) })
})
await store.close()
`,
        [URL_, vault, id],
      ),
    )
    const codes = await Promise.all(kids.map((k) => new Promise((r) => k.on('exit', r))))
    expect(codes).toEqual([0, 0, 0])
    const got = await store.load()
    expect(got!.records[0]!.body).toBe(`{"n":${3 * N}}`)
    expect(got!.header.sequence).toBe(3 * N + 1)
  })

  it('a writer killed (SIGKILL, or its backend terminated) at random moments leaves the old or the new state whole', { timeout: 120_000 }, async () => {
    const vault = vname()
    const store = await fresh(vault)
    let sawKill = 0
    let sawTerminate = 0
    for (let round = 0; round < 20; round++) {
      const k = child(
        `const store = postgresStore({ connectionString: process.argv[2], vault: process.argv[3] })
const pad = 'x'.repeat(2000)
for (let i = 0; ; i++) {
  try {
    await store.transact(async (tx) => {
      const h = tx.header()
      const seq = h ? h.sequence + 1 : 1
      tx.setHeader(h ? { ...h, sequence: seq } : sampleHeader(seq))
      const ids = tx.records().map((r) => r.id)
      for (let k = 0; k < 200; k++) tx.put(sampleRecord(JSON.stringify({ seq, pad }), ids[k], seq))
    })
  } catch (e) { if (e.code !== 'VAULT_IO') throw e }
  if (i === 0) process.stdout.write('ready\\n')
}
`,
        [URL_, vault],
      )
      const exited = new Promise((r) => k.on('exit', r))
      await new Promise((r) => k.stdout.once('data', r))
      await new Promise((r) => setTimeout(r, Math.random() * 80))
      if (round % 2) {
        // Cut the writer's connection from the server side, then stop it.
        const n = await sql(`SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE datname = $1 AND application_name = 'credctl' AND pid <> pg_backend_pid() AND state <> 'idle'`, [DB])
        sawTerminate += Number(n[0]!.n)
        await new Promise((r) => setTimeout(r, Math.random() * 30))
      } else sawKill++
      k.kill('SIGKILL')
      await exited
      const got = (await store.load())!
      const seq = got.header.sequence
      expect(got.records).toHaveLength(200)
      for (const r of got.records) {
        expect(r.revision).toBe(seq)
        expect((JSON.parse(r.body) as { seq: number }).seq).toBe(seq)
      }
    }
    console.log(`postgres kills: ${sawKill} SIGKILL rounds, ${sawTerminate} backends terminated`)
  })
})
