import { randomBytes } from 'node:crypto'
import fc from 'fast-check'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CredctlError } from '../../src/errors.js'
import { initSql, postgresStore, rolesOf, schemaOf, type PostgresStore } from '../../src/store/postgres.js'
import { FETCH_PURPOSES, HISTORY_INSERT_COLUMNS } from '../../src/store/postgres/ddl.js'
import type { FetchPurpose, StoredRecord, VaultHeader } from '../../src/store/types.js'
import { sampleMember, sampleRecord, sampleSealed, sampleTeamHeader } from '../conformance/samples.js'

/**
 * The grants of a team vault's schema (issue 14; src/store/postgres/ddl.ts initSql), on the real server
 * (127.0.0.1:5432, trust) with real LOGIN roles, one per person: this file makes its own database and
 * roles (cluster-wide, so named per run) and drops them. Each statement is tried as the login itself,
 * so what is proved is what the database refuses, whatever the client.
 */
const RUN = randomBytes(4).toString('hex')
const ADMIN_URL = 'postgresql://postgres@127.0.0.1:5432/postgres'
const DB = `credctl_grants_${RUN}`
const VAULT = `g${RUN}-team`
const S = `"${schemaOf(VAULT)}"`
const R = rolesOf(VAULT)
const LOGINS = ['admin', 'writer', 'reader', 'reader2', 'outsider', 'newcomer'] as const
type Login = (typeof LOGINS)[number]
const login = (who: Login) => `cg${RUN}_${who}`
const url = (who: Login | 'postgres') => `postgresql://${who === 'postgres' ? who : login(who)}@127.0.0.1:5432/${DB}`

const stores: PostgresStore[] = []
const storeAs = (who: Login | 'postgres') => {
  const s = postgresStore({ connectionString: url(who), vault: VAULT, lockTimeoutMs: 5_000 })
  stores.push(s)
  return s
}

/** Run statements as `who` on one connection; the rows of the last. */
async function sqlAs(who: Login | 'postgres', text: string, values: unknown[] = [], db = url(who)): Promise<Record<string, unknown>[]> {
  const c = new pg.Client({ connectionString: db })
  await c.connect()
  try {
    return (await c.query(text, values)).rows as Record<string, unknown>[]
  } finally {
    await c.end()
  }
}
/** The SQLSTATE `text` fails with as `who` (undefined when it succeeds). */
const refusal = (who: Login | 'postgres', text: string, values: unknown[] = []) =>
  sqlAs(who, text, values).then(
    () => undefined,
    (e: { code?: string }) => e.code,
  )

async function failure(p: Promise<unknown>): Promise<CredctlError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  )
  expect(e).toBeInstanceOf(CredctlError)
  return e as CredctlError
}

let header: VaultHeader
let recs: (StoredRecord & { sealed: string })[]

beforeAll(async () => {
  await sqlAs('postgres', `CREATE DATABASE ${DB}`, [], ADMIN_URL)
  for (const who of LOGINS) await sqlAs('postgres', `CREATE ROLE "${login(who)}" LOGIN`, [], ADMIN_URL)
  // The DBA's part: the printed SQL, then one GRANT per person.
  await sqlAs('postgres', initSql(VAULT))
  await sqlAs('postgres', `GRANT "${R.admin}" TO "${login('admin')}"; GRANT "${R.writer}" TO "${login('writer')}"; GRANT "${R.reader}" TO "${login('reader')}", "${login('reader2')}"`)
  // The admin creates the vault (head, members, epoch 1); the writer writes credentials and their values.
  header = sampleTeamHeader(1, [sampleMember('alice', 'admin'), sampleMember('bob', 'writer'), sampleMember('carol', 'reader')])
  await storeAs('admin').transact(async (tx) => tx.setHeader(header))
  recs = Array.from({ length: 3 }, (_, i) => ({ ...sampleRecord(JSON.stringify({ name: `cred-${i}`, type: 'openai', is_default: i === 0, deleted_at: null })), sealed: sampleSealed() }))
  header = { ...header, sequence: 2, mac: sampleTeamHeader().mac }
  await storeAs('writer').transact(async (tx) => {
    tx.setHeader(header)
    for (const r of recs) tx.put(r)
  })
}, 60_000)

afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()))
  await sqlAs('postgres', `DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`, [], ADMIN_URL)
  await sqlAs('postgres', `DROP ROLE IF EXISTS ${[...LOGINS.map(login), R.admin, R.writer, R.reader].map((r) => `"${r}"`).join(', ')}`, [], ADMIN_URL)
}, 60_000)

describe('team vault grants on PostgreSQL (real login roles)', () => {
  it('what each role did in setup is there: the admin made the vault, the writer the records; every login reads it back', async () => {
    for (const who of ['admin', 'writer', 'reader'] as const) {
      const got = await storeAs(who).load()
      expect(got!.header).toEqual(header)
      expect(got!.records).toEqual(recs.map(({ sealed: _, ...r }) => r))
    }
    // Stamped by the database from the connection: who added the members, who wrote what.
    expect(await sqlAs('postgres', `SELECT DISTINCT added_by::text AS who FROM ${S}.members`)).toEqual([{ who: login('admin') }])
    expect(await sqlAs('postgres', `SELECT DISTINCT updated_by::text AS who FROM ${S}.records`)).toEqual([{ who: login('writer') }])
    expect(await sqlAs('postgres', `SELECT updated_by::text AS who FROM ${S}.head`)).toEqual([{ who: login('writer') }])
  })

  it('a reader cannot INSERT or UPDATE records or the head (42501), and its store says VAULT_FORBIDDEN naming the grant', async () => {
    for (const text of [
      `INSERT INTO ${S}.records (id, ord, revision, mac, body) VALUES ('xxxxxxxxxx', 99, 1, 'm', '{}')`,
      `UPDATE ${S}.records SET body = '{}'`,
      `UPDATE ${S}.head SET sequence = sequence + 1`,
      `UPDATE ${S}.head SET head_mac = 'x'`,
      `INSERT INTO ${S}.head (one, vault_id, format, created_at, key_header, sequence, head_mac) VALUES (false, 'x', 2, 'x', 'x', 1, 'x')`,
      `INSERT INTO ${S}.secrets (id, sealed) VALUES ('${recs[0]!.id}', 'x')`,
      `INSERT INTO ${S}.schemas (id, doc) VALUES ('x', '{}')`,
      `SELECT 1 FROM ${S}.head FOR UPDATE`,
    ]) {
      expect(await refusal('reader', text), text).toBe('42501')
    }
    const e = await failure(storeAs('reader').transact(async (tx) => tx.put({ ...sampleRecord('{}'), sealed: sampleSealed() })))
    expect(e.code).toBe('VAULT_FORBIDDEN')
    expect(e.exitCode).toBe(4)
    expect(e.message).toContain(login('reader'))
    expect(e.message).toContain(VAULT)
    expect(e.hint).toBe(`ask an admin of the vault to run: GRANT ${R.writer} TO ${login('reader')};`)
    expect((await failure(storeAs('reader').schemas.write('xxxxxxxxxx', {}))).code).toBe('VAULT_FORBIDDEN')
  })

  it('a writer cannot DELETE records, touch members or epochs, or change the key header; it may move the sequence and head MAC', async () => {
    for (const text of [
      `DELETE FROM ${S}.records`,
      `DELETE FROM ${S}.secrets`,
      `INSERT INTO ${S}.members (member, recipient, role, kind, wrap, added_at) VALUES ('mallory', 'age1x', 'admin', 'human', 'w', 't')`,
      `UPDATE ${S}.members SET role = 'admin'`,
      `DELETE FROM ${S}.members`,
      `INSERT INTO ${S}.epochs (epoch, key_id) VALUES (9, 'k')`,
      `UPDATE ${S}.head SET epoch = 2`,
      `UPDATE ${S}.head SET key_header = '{}'`,
    ]) {
      expect(await refusal('writer', text), text).toBe('42501')
    }
    const writer = storeAs('writer')
    const e = await failure(writer.transact(async (tx) => tx.remove(recs[2]!.id)))
    expect(e.code).toBe('VAULT_FORBIDDEN')
    expect(e.message).toMatch(/may not delete \(purge\) credentials/)
    expect(e.hint).toContain(`GRANT ${R.admin} TO ${login('writer')}`)
    const m = await failure(writer.transact(async (tx) => tx.setHeader({ ...tx.header()!, team: { ...tx.header()!.team!, members: [...tx.header()!.team!.members, sampleMember('mallory', 'admin')] } })))
    expect(m.code).toBe('VAULT_FORBIDDEN')
    expect(m.hint).toContain(R.admin)
    expect(await writer.load()).toEqual({ header, records: recs.map(({ sealed: _, ...r }) => r) })
    // What a writer may do: a new value for a credential (secrets written, never read back), sequence and MAC moved.
    const sealed = sampleSealed()
    const r2 = { ...sampleRecord(JSON.stringify({ name: 'cred-2', type: 'openai', is_default: false, deleted_at: null }), recs[2]!.id, 2), sealed }
    header = { ...header, sequence: 3, mac: sampleTeamHeader().mac }
    await writer.transact(async (tx) => (tx.setHeader(header), tx.put(r2)))
    recs[2] = r2
    expect(await storeAs('reader').values.fetch([r2.id], 'reveal')).toEqual([{ id: r2.id, sealed }])
    expect((await storeAs('reader').load())!.header.sequence).toBe(3)
  })

  it('nobody (reader, writer, admin) can SELECT secrets or tickets, or UPDATE, DELETE or TRUNCATE history', async () => {
    await storeAs('reader').values.fetch([recs[0]!.id], 'reveal') // a ticket exists
    for (const who of ['reader', 'writer', 'admin'] as const) {
      for (const text of [
        `SELECT * FROM ${S}.secrets`,
        `SELECT sealed FROM ${S}.secrets`,
        `SELECT id FROM ${S}.secrets WHERE sealed LIKE 'v1.%'`,
        `UPDATE ${S}.secrets SET sealed = sealed RETURNING sealed`,
        `SELECT * FROM ${S}.tickets`,
        `UPDATE ${S}.tickets SET actor = session_user`,
        `INSERT INTO ${S}.tickets (ticket, actor, ids, history_seq, expires) VALUES (gen_random_uuid(), session_user, '{}', 1, now() + interval '1 hour')`,
        `UPDATE ${S}.history SET actor = 'mallory'`,
        `DELETE FROM ${S}.history`,
        `TRUNCATE ${S}.history`,
      ]) {
        expect(await refusal(who, text), `${who}: ${text}`).toBe('42501')
      }
    }
    // And a login without any vault role sees nothing at all.
    const e = await failure(storeAs('outsider').load())
    expect(e.code).toBe('VAULT_FORBIDDEN')
    expect(e.hint).toContain(`GRANT ${R.reader} TO ${login('outsider')}`)
    expect((await failure(storeAs('outsider').values.fetch([recs[0]!.id], 'reveal'))).code).toBe('VAULT_FORBIDDEN')
  })

  it('a forged actor is replaced by session_user (or refused): history, members, records, head', async () => {
    // A member may give only the allowed columns of a history row.
    expect(await refusal('writer', `INSERT INTO ${S}.history (client_time, action, outcome, actor) VALUES ('t', 'a', 'o', 'mallory')`)).toBe('42501')
    expect(await refusal('writer', `INSERT INTO ${S}.history (client_time, action, outcome, at) VALUES ('t', 'a', 'o', '2000-01-01')`)).toBe('42501')
    await sqlAs('writer', `INSERT INTO ${S}.history (${HISTORY_INSERT_COLUMNS.join(', ')}) VALUES ('2026-01-01T00:00:00.000Z', 'forge-test', 'ok', NULL, '[]')`)
    await storeAs('reader').history.append([{ time: '2026-01-01T00:00:00.000Z', action: 'forge-test', outcome: 'ok', credentials: [] }])
    const mine = (await storeAs('admin').history.read()).filter((h) => h.action === 'forge-test')
    expect(mine.map((h) => h.actor)).toEqual([login('writer'), login('reader')])
    // Tables a role may write whole: the stamp overrides whatever it claims.
    await sqlAs('admin', `INSERT INTO ${S}.members (member, recipient, role, kind, wrap, added_at, added_by) VALUES ('forged', 'age1forged', 'reader', 'human', 'w', 't', 'mallory')`)
    await sqlAs('admin', `UPDATE ${S}.members SET added_by = 'mallory' WHERE member = 'forged'`)
    expect(await sqlAs('postgres', `SELECT added_by::text AS who FROM ${S}.members WHERE member = 'forged'`)).toEqual([{ who: login('admin') }])
    await sqlAs('admin', `DELETE FROM ${S}.members WHERE member = 'forged'`)
    await sqlAs('writer', `UPDATE ${S}.records SET updated_by = 'mallory', updated_at = '2000-01-01' WHERE id = $1`, [recs[1]!.id])
    expect(await sqlAs('postgres', `SELECT updated_by::text AS who, updated_at > now() - interval '1 minute' AS recent FROM ${S}.records WHERE id = $1`, [recs[1]!.id])).toEqual([{ who: login('writer'), recent: true }])
  })

  it('values: a ticket returns values only to the login that asked, within 60 s, from a later transaction (its history row committed); a made-up ticket nothing', async () => {
    const ids = recs.map((r) => r.id)
    const ticket = async (who: Login) => (await sqlAs(who, `SELECT ${S}.request_fetch($1::text[], 'reveal', 'grants test')::text AS t`, [ids]))[0]!.t as string
    const values = (who: Login, t: string) => sqlAs(who, `SELECT id, sealed FROM ${S}.fetch_values($1::uuid) ORDER BY id`, [t])
    const want = recs.map((r) => ({ id: r.id, sealed: r.sealed })).sort((a, b) => (a.id < b.id ? -1 : 1))
    const t = await ticket('reader')
    expect(await values('reader2', t)).toEqual([])
    expect(await values('writer', t)).toEqual([])
    expect(await values('reader', t)).toEqual(want)
    expect(await values('reader', (await sqlAs('postgres', 'SELECT gen_random_uuid()::text AS t'))[0]!.t as string)).toEqual([])
    // Expired (as if 60 s had passed): nothing.
    await sqlAs('postgres', `UPDATE ${S}.tickets SET expires = clock_timestamp() - interval '1 second' WHERE ticket = $1`, [t])
    expect(await values('reader', t)).toEqual([])
    // A modified client calling both in one transaction, to roll the history row back: nothing, and
    // nothing to roll back either (explicit transaction, and one statement nesting the two calls).
    const n0 = (await sqlAs('postgres', `SELECT count(*)::int AS n FROM ${S}.history`))[0]!.n
    const c = new pg.Client({ connectionString: url('reader') })
    await c.connect()
    try {
      await c.query('BEGIN')
      const inner = ((await c.query(`SELECT ${S}.request_fetch($1::text[], 'reveal')::text AS t`, [ids])).rows[0] as { t: string }).t
      expect((await c.query(`SELECT * FROM ${S}.fetch_values($1::uuid)`, [inner])).rows).toEqual([])
      await c.query('ROLLBACK')
      expect((await c.query(`SELECT * FROM ${S}.fetch_values(${S}.request_fetch($1::text[], 'reveal'))`, [ids])).rows).toEqual([])
    } finally {
      await c.end()
    }
    expect((await sqlAs('postgres', `SELECT count(*)::int AS n FROM ${S}.history`))[0]!.n).toBe(Number(n0) + 1) // the nested one, autocommitted
    // A login without the reader role cannot even ask.
    expect(await refusal('outsider', `SELECT ${S}.request_fetch($1::text[], 'reveal')`, [ids])).toBe('42501')
    expect(await refusal('reader', `SELECT ${S}.request_fetch($1::text[], 'steal')`, [ids])).toBe('22023')
  })

  it('every fetch has its committed history row, with the login, the purpose and the credentials (generated)', async () => {
    const count = async () => Number((await sqlAs('postgres', `SELECT count(*)::int AS n FROM ${S}.history WHERE action LIKE 'fetch:%'`))[0]!.n)
    const byWho = { reader: storeAs('reader'), writer: storeAs('writer'), admin: storeAs('admin') }
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('reader', 'writer', 'admin') as fc.Arbitrary<keyof typeof byWho>, fc.subarray(recs), fc.constantFrom(...FETCH_PURPOSES), async (who, pick, purpose) => {
        const n0 = await count()
        const got = await byWho[who].values.fetch(pick.map((r) => r.id), purpose as FetchPurpose, `p ${purpose}`)
        expect(got.map((g) => g.id).sort()).toEqual(pick.map((r) => r.id).sort())
        expect(await count()).toBe(n0 + 1)
        const [row] = await sqlAs('postgres', `SELECT actor::text, action, detail, credentials FROM ${S}.history ORDER BY seq DESC LIMIT 1`)
        expect(row!.actor).toBe(login(who))
        expect(row!.action).toBe(`fetch:${purpose}`)
        expect(row!.detail).toBe(`p ${purpose}`)
        expect((row!.credentials as { id: string; name: string }[]).map((c) => c.id).sort()).toEqual(pick.map((r) => r.id).sort())
      }),
      { numRuns: 15 },
    )
    // A client that takes a ticket and never asks for the values (or is cut off) is on record all the same.
    const n0 = await count()
    await sqlAs('reader', `SELECT ${S}.request_fetch($1::text[], 'export')`, [[recs[0]!.id]])
    expect(await count()).toBe(n0 + 1)
    // No ticket without its history row.
    expect(await sqlAs('postgres', `SELECT count(*)::int AS n FROM ${S}.tickets k LEFT JOIN ${S}.history h ON h.seq = k.history_seq WHERE h.seq IS NULL`)).toEqual([{ n: 0 }])
  })

  it('an admin may GRANT reader or writer to a login (ADMIN OPTION), not admin; the grantee then reads', async () => {
    expect(await refusal('newcomer', `SELECT 1 FROM ${S}.head`)).toBe('42501')
    await sqlAs('admin', `GRANT "${R.reader}" TO "${login('newcomer')}"`)
    expect(await refusal('admin', `GRANT "${R.admin}" TO "${login('newcomer')}"`)).toBe('42501')
    expect(await refusal('writer', `GRANT "${R.reader}" TO "${login('outsider')}"`)).toBe('42501')
    expect((await storeAs('newcomer').load())!.header).toEqual(header)
    await sqlAs('admin', `REVOKE "${R.reader}" FROM "${login('newcomer')}"`)
  })

  it('initSql is idempotent and install() by a login without CREATEROLE is VAULT_FORBIDDEN pointing to init-sql', async () => {
    await sqlAs('postgres', initSql(VAULT))
    expect((await storeAs('reader').load())!.header).toEqual(header)
    const e = await failure(storeAs('admin').install())
    expect(e.code).toBe('VAULT_FORBIDDEN')
    expect(e.hint).toContain(`credctl vault init-sql ${VAULT}`)
  })
})
