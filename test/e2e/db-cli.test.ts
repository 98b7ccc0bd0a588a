import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertNoLeak, runCli, tempVault } from '../helpers/cli.js'
import { bigqueryStandin, makeKey } from '../fixtures/db/bigquery-standin.js'
import { CH_PASSWORD, CH_USER, clickhouseStandin } from '../fixtures/db/clickhouse-standin.js'
import { makeDataDir } from '../fixtures/db/files.js'
import { FIXTURES, freshPgDb, myAdmin, pgAdmin, pgRole, silentServer } from '../fixtures/db/servers.js'
import { SF_ACCOUNT, SF_PASSWORD, SF_USER, snowflakeStandin } from '../fixtures/db/snowflake-standin.js'

/**
 * Every engine from the built CLI: create, validate (exit 0 / 1 / 5), discover, schema --json, and the
 * canary scan of every output and every file beside the vault. PostgreSQL, MariaDB and Redshift (a
 * stand-in inside PostgreSQL) are real servers; ClickHouse, BigQuery and Snowflake are local protocol
 * stand-ins reached through the same code as a real account; MSSQL is its real driver against a silent
 * socket; static_file reads generated files.
 */
// Names of this run only: the servers are shared, and two runs at once (two worktrees, or a full suite
// beside a single file) used to drop each other's databases and users mid-test (exit 1 "database does
// not exist", "access denied"). Every database, role and user below carries RUN and is removed after.
const RUN = `${process.pid}_${randomBytes(3).toString('hex')}`
const PG_DB = `credctl_e2e_pg_${RUN}`
const PG_USER = `credctl_e2e_${RUN}`
const PG_RS_USER = `credctl_e2e_rs_${RUN}`
const PG_PW = 'pgE2E-Pa55-canary-5d1c'
const MY_DB = `credctl_e2e_my_${RUN}`
const MY_USER = `credctl_e2e_${RUN}`
const MY_PW = 'myE2E-Pa55-canary-9a7b'
const MS_PW = 'msE2E-Pa55-canary-3c4d'

const v = tempVault('credctl-db')
const outputs: string[] = []
const secrets = [PG_PW, MY_PW, MS_PW, CH_PASSWORD, SF_PASSWORD, encodeURIComponent(SF_PASSWORD)]
async function cli(args: string[], input?: string, timeoutMs = 30_000) {
  const r = await runCli(args, { env: v.env, ...(input !== undefined ? { input } : {}), timeoutMs })
  outputs.push(r.stdout, r.stderr)
  if (process.env.CREDCTL_TEST_DEBUG) console.log(args.join(' '), r.code, r.stderr)
  return r
}
const create = (name: string, type: string, value: string, extra: string[] = []) => cli(['create', '--name', name, '--type', type, '--value-stdin', ...extra], value)
const json = (s: string) => JSON.parse(s) as Record<string, unknown>

let ch: Awaited<ReturnType<typeof clickhouseStandin>>
let sf: Awaited<ReturnType<typeof snowflakeStandin>>
let bq: Awaited<ReturnType<typeof bigqueryStandin>>
let bqKey: ReturnType<typeof makeKey>
let dataDir = ''

beforeAll(async () => {
  await freshPgDb(PG_DB, readFileSync(path.join(FIXTURES, 'redshift-stub.sql'), 'utf8'))
  await pgRole(PG_USER, `LOGIN PASSWORD '${PG_PW}'`)
  // The Redshift stand-in is seen only by the role whose search_path puts rs_stub first.
  await pgRole(PG_RS_USER, `LOGIN PASSWORD '${PG_PW}'`)
  await pgAdmin(`ALTER ROLE ${PG_RS_USER} IN DATABASE ${PG_DB} SET search_path = rs_stub, pg_catalog, public`)
  await pgAdmin(`GRANT USAGE ON SCHEMA sales TO PUBLIC`, PG_DB)
  await myAdmin(`DROP DATABASE IF EXISTS ${MY_DB}; CREATE DATABASE ${MY_DB}`)
  await myAdmin(readFileSync(path.join(FIXTURES, 'mysql-fixture.sql'), 'utf8'), MY_DB)
  for (const host of ['%', 'localhost', '127.0.0.1']) {
    await myAdmin(`DROP USER IF EXISTS '${MY_USER}'@'${host}'; CREATE USER '${MY_USER}'@'${host}' IDENTIFIED BY '${MY_PW}'; GRANT SELECT ON ${MY_DB}.* TO '${MY_USER}'@'${host}'`)
  }
  ch = await clickhouseStandin()
  sf = await snowflakeStandin()
  // The key's token_uri must name the stand-in, and the stand-in must know the key's public half.
  const first = makeKey('http://127.0.0.1:1/token')
  bq = await bigqueryStandin(first.publicKey)
  bqKey = { ...first, json: first.json.replace('http://127.0.0.1:1/token', bq.tokenUri) }
  secrets.push(...bqKey.pem.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----')))
  dataDir = await makeDataDir()
})

afterAll(async () => {
  await Promise.all([ch?.close(), sf?.close(), bq?.close()])
  await pgAdmin(`DROP DATABASE IF EXISTS "${PG_DB}" WITH (FORCE)`)
  await myAdmin(`DROP DATABASE IF EXISTS ${MY_DB}`)
  for (const host of ['%', 'localhost', '127.0.0.1']) await myAdmin(`DROP USER IF EXISTS '${MY_USER}'@'${host}'`)
  await pgAdmin(`DROP ROLE IF EXISTS ${PG_USER}; DROP ROLE IF EXISTS ${PG_RS_USER}`)
  // The canary scan covers every output of this file and every file beside the vault.
  assertNoLeak(secrets, outputs, v.dir)
  v.cleanup()
})

describe('postgresql from the CLI', () => {
  const uri = `postgresql://${PG_USER}:${PG_PW}@127.0.0.1:5432/${PG_DB}`
  it('create, validate, discover, schema --json', async () => {
    expect((await create('pg', 'postgresql', uri)).code).toBe(0)
    const val = await cli(['validate', 'pg', '--json'])
    expect(val.code).toBe(0)
    expect(json(val.stdout)).toMatchObject({ status: 'valid', is_valid: true })
    const d = await cli(['discover', 'pg', '--schemas', 'sales,public', '--json'])
    expect(d.code).toBe(0)
    // discover --json: the credential plus the stored schema, `tables` a list as in `schema --json`.
    expect(json(d.stdout)).toMatchObject({ has_schema: true, discovered: 7 })
    expect((json(d.stdout) as { tables: unknown[] }).tables).toHaveLength(7)
    const s = await cli(['schema', 'pg', '--json'])
    const doc = json(s.stdout) as { updated_at: string; tables: { schema: string; name: string; kind: string; comment: string | null; columns: Record<string, unknown>[] }[] }
    expect(Object.keys(doc)).toEqual(['updated_at', 'tables'])
    // The documented fields, then the optional facts PostgreSQL's catalog has (issue 11).
    expect(Object.keys(doc.tables[0]!)).toEqual(['schema', 'name', 'kind', 'comment', 'columns', 'readable', 'foreign_keys'])
    expect(Object.keys(doc.tables[0]!.columns[0]!)).toEqual(['name', 'data_type', 'nullable', 'default', 'comment', 'position', 'primary_key'])
    expect(doc.tables.find((t) => t.name === 'daily_totals')).toMatchObject({ schema: 'sales', kind: 'materialized_view', comment: 'refreshed nightly' })
    const one = json((await cli(['schema', 'pg', '--table', 'sales.ord*', '--json'])).stdout) as { tables: { name: string }[] }
    expect(one.tables.map((t) => t.name)).toEqual(['orders'])
    const tree = await cli(['schema', 'pg'])
    expect(tree.stdout).toContain('sales.customers (table) -- one row per customer')
    // Keys for joins, in the tree too.
    expect(tree.stdout).toMatch(/├─ id bigint primary key identity not null\n/)
    expect(tree.stdout).toContain('└─ foreign key (customer_id) -> sales.customers (id)')
  })

  it('a wrong --schemas or a --max-tables cut does not silently replace a fuller stored schema (issue 11)', async () => {
    const before = json((await cli(['schema', 'pg', '--json'])).stdout) as { tables: unknown[] }
    expect(before.tables).toHaveLength(7)
    // Schema names are exact: "Sales" finds nothing, exits 3, and the stored schema stays as it was.
    const wrong = await cli(['discover', 'pg', '--schemas', 'Sales'])
    expect(wrong.code).toBe(3)
    expect(wrong.stderr).toMatch(/no tables found in schema Sales of "pg"/)
    expect(wrong.stderr.trim().split('\n').length).toBeLessThanOrEqual(2)
    expect((json((await cli(['schema', 'pg', '--json'])).stdout) as { tables: unknown[] }).tables).toHaveLength(7)
    // A cut reads one table, replaces that one, keeps the other six and says so.
    const cut = await cli(['discover', 'pg', '--schemas', 'sales,public', '--max-tables', '1', '--json'])
    expect(cut.code).toBe(0)
    const doc = json(cut.stdout) as { discovered: number; tables: unknown[]; partial: string[] }
    expect(doc.discovered).toBe(1)
    expect(doc.tables).toHaveLength(7)
    expect(doc.partial.join(' ')).toMatch(/--max-tables 1.*6 tables are kept from the discovery of/)
    const after = json((await cli(['schema', 'pg', '--json'])).stdout) as { tables: unknown[]; partial: string[] }
    expect(after.tables).toHaveLength(7)
    expect(after.partial).toEqual(doc.partial)
    expect((await cli(['schema', 'pg'])).stdout).toMatch(/# partial: stopped at --max-tables 1/)
    // A full discovery again: complete, no partial note.
    const full = json((await cli(['discover', 'pg', '--schemas', 'sales,public', '--json'])).stdout) as { partial?: string[] }
    expect(full.partial).toBeUndefined()
  })

  it('a failed discovery keeps the previous schema', async () => {
    const before = (await cli(['schema', 'pg', '--json'])).stdout
    // Point the credential at a database that does not exist: validate says invalid (exit 1) ...
    expect((await cli(['update', 'pg', '--value-stdin'], uri.replace(PG_DB, 'credctl_e2e_missing'))).code).toBe(0)
    const val = await cli(['validate', 'pg', '--json'])
    expect(val.code).toBe(1)
    expect(json(val.stdout)).toMatchObject({ status: 'invalid', is_valid: false })
    // ... and discovery fails without touching the stored schema.
    const d = await cli(['discover', 'pg'])
    expect(d.code).toBe(1)
    expect(d.stderr).toMatch(/schema discovery of "pg" failed: .*database does not exist.*previously discovered schema.*kept/)
    // The same schema, now marked stale: the value changed after it was discovered (issue 12).
    const { stale_since, ...after } = json((await cli(['schema', 'pg', '--json'])).stdout)
    expect(stale_since).toMatch(/^\d{4}-\d\d-\d\dT/)
    expect(after).toEqual(json(before))
    expect(json((await cli(['get', 'pg', '--json'])).stdout)).toMatchObject({ has_schema: true, schema_stale_since: stale_since })
  })

  it('a silent server: exit 5 within the timeout, for validate and discover', async () => {
    const s = await silentServer()
    try {
      await create('pg-silent', 'postgresql', `postgresql://u:${PG_PW}@127.0.0.1:${s.port}/db`)
      const t0 = Date.now()
      const r = await cli(['validate', 'pg-silent', '--timeout', '1', '--json'])
      expect(r.code).toBe(5)
      expect(Date.now() - t0).toBeLessThan(5000)
      expect(json(r.stdout)).toMatchObject({ status: 'timeout', is_valid: null })
      expect((await cli(['discover', 'pg-silent', '--timeout', '1'])).code).toBe(5)
    } finally {
      await s.close()
    }
  })

  it('tools/database with schema_type postgresql uses the same check', async () => {
    expect((await create('generic-db', 'database', `postgresql://${PG_USER}:${PG_PW}@127.0.0.1:5432/${PG_DB}`, ['--schema-type', 'postgresql'])).code).toBe(0)
    expect((await cli(['validate', 'generic-db'])).code).toBe(0)
    expect((await cli(['discover', 'generic-db', '--max-tables', '2', '--json'])).stdout).toMatch(/"discovered": 2/)
  })

  it('redshift (stand-in svv_columns, detected by version())', async () => {
    await create('rs', 'redshift', `redshift://${PG_RS_USER}:${PG_PW}@127.0.0.1:5432/${PG_DB}`)
    const r = await cli(['validate', 'rs', '--json'])
    expect(json(r.stdout).message).toMatch(/Redshift 1\.0\.77467/)
    expect((await cli(['discover', 'rs', '--schemas', 'spectrum'])).code).toBe(0)
    const doc = json((await cli(['schema', 'rs', '--json'])).stdout) as { tables: { name: string; kind: string }[] }
    expect(doc.tables).toEqual([expect.objectContaining({ name: 'clicks', kind: 'external' })])
  })
})

describe('mysql (MariaDB) from the CLI', () => {
  it('validate, wrong password (exit 1), discover', async () => {
    await create('my', 'mysql', `mysql://${MY_USER}:${MY_PW}@127.0.0.1:3306/${MY_DB}?ssl-mode=PREFERRED`)
    expect((await cli(['validate', 'my'])).code).toBe(0)
    await create('my-bad', 'mysql', `mysql://${MY_USER}:x${MY_PW}@127.0.0.1:3306/${MY_DB}`)
    const bad = await cli(['validate', 'my-bad', '--json'])
    expect(bad.code).toBe(1)
    expect(json(bad.stdout).message).toMatch(/access denied/)
    expect((await cli(['discover', 'my'])).code).toBe(0)
    const doc = json((await cli(['schema', 'my', '--table', 'customers', '--json'])).stdout) as { tables: { columns: { name: string; default: string | null }[] }[] }
    expect(doc.tables[0]!.columns.find((c) => c.name === 'note')!.default).toBeNull()
  })
  it('a value mysql2 would mishandle is refused at create (exit 2)', async () => {
    const r = await create('my-typo', 'mysql', `mysql://u:${MY_PW}@h/db?ssl-mode=ALWAYS`)
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/unknown ssl-mode/)
  })
})

describe('clickhouse, snowflake, bigquery: protocol stand-ins through the real code path', () => {
  it('clickhouse: valid, wrong password invalid, discover', async () => {
    const base = ch.url.replace('http://', `http://${CH_USER}:${CH_PASSWORD}@`)
    await create('ch', 'clickhouse', `${base}/analytics`)
    expect((await cli(['validate', 'ch'])).code).toBe(0)
    await create('ch-bad', 'clickhouse', `${base.replace(CH_PASSWORD, 'nope')}/analytics`)
    expect((await cli(['validate', 'ch-bad'])).code).toBe(1)
    expect((await cli(['discover', 'ch'])).code).toBe(0)
    const doc = json((await cli(['schema', 'ch', '--table', 'events', '--json'])).stdout) as { tables: { columns: { name: string; data_type: string; nullable: boolean }[] }[] }
    expect(doc.tables[0]!.columns[1]).toMatchObject({ name: 'user_id', data_type: 'UInt64', nullable: true })
  })

  it('snowflake: --base-url replaces the account host; valid, invalid, discover', async () => {
    const uri = `snowflake://${SF_USER}:${encodeURIComponent(SF_PASSWORD)}@${SF_ACCOUNT}/analytics`
    await create('sf', 'snowflake', uri, ['--base-url', sf.url])
    expect((await cli(['validate', 'sf'])).code).toBe(0)
    await create('sf-bad', 'snowflake', uri.replace(encodeURIComponent(SF_PASSWORD), 'wrong'), ['--base-url', sf.url])
    const bad = await cli(['validate', 'sf-bad', '--json'])
    expect(bad.code).toBe(1)
    expect(json(bad.stdout).message).toMatch(/390100/)
    expect((await cli(['discover', 'sf', '--json'])).stdout).toMatch(/"discovered": 6/)
  })

  it('bigquery: key JSON + --project/--location settings; valid, discover per region', async () => {
    const r = await create('bq', 'bigquery', bqKey.json, ['--base-url', bq.url, '--project', 'acme-data', '--location', 'US'])
    expect(r.code).toBe(0)
    expect(json((await cli(['get', 'bq', '--json'])).stdout).masked_content).toBe('service account reader@acme-data.iam.gserviceaccount.com')
    expect((await cli(['validate', 'bq'])).code).toBe(0)
    expect((await cli(['discover', 'bq', '--json'])).stdout).toMatch(/"discovered": 4/)
    const other = await create('bq-other', 'bigquery', bqKey.json, ['--base-url', bq.url, '--project', 'someone-else'])
    expect(other.code).toBe(0)
    expect((await cli(['validate', 'bq-other'])).code).toBe(1)
    expect((await cli(['create', '--name', 'x', '--type', 'openai', '--value-stdin', '--project', 'p'], 'sk-abcdefghijklmnop')).code).toBe(2)
  })
})

describe('mssql and static_file from the CLI', () => {
  it('mssql: a silent server is a timeout (exit 5), not a 15 s wait', async () => {
    const s = await silentServer()
    try {
      await create('ms', 'mssql', `Server=127.0.0.1,${s.port};Database=d;User Id=sa;Password=${MS_PW};TrustServerCertificate=true`)
      const t0 = Date.now()
      const r = await cli(['validate', 'ms', '--timeout', '1', '--json'])
      expect(r.code).toBe(5)
      expect(Date.now() - t0).toBeLessThan(6000)
      expect(json((await cli(['get', 'ms', '--json'])).stdout).masked_content).toMatch(/Password=\*\*\*\*/)
    } finally {
      await s.close()
    }
  })

  it('static_file: a directory of CSV, NDJSON and Parquet; a missing path is invalid', async () => {
    await create('files', 'static_file', dataDir)
    expect((await cli(['validate', 'files'])).code).toBe(0)
    expect((await cli(['discover', 'files', '--json'])).stdout).toMatch(/"discovered": 3/)
    const doc = json((await cli(['schema', 'files', '--table', '*.parquet', '--json'])).stdout) as { tables: { name: string; columns: { name: string }[] }[] }
    expect(doc.tables[0]!.columns.map((c) => c.name)).toEqual(['id', 'email', 'score', 'tags'])
    await create('files-gone', 'static_file', path.join(dataDir, 'nothing-here', '*.csv'))
    expect((await cli(['validate', 'files-gone'])).code).toBe(1)
  })
})
