import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { statusOfError } from '../../src/checks/classify.js'
import { redactError } from '../../src/checks/redact.js'
import * as pgcheck from '../../src/checks/databases/postgresql.js'
import { parsePgUri } from '../../src/checks/databases/pg-uri.js'
import { pgTables } from '../../src/checks/databases/pg-catalog.js'
import { groupRows } from '../../src/checks/databases/common.js'
import { ctx, input } from '../fixtures/db/ctx.js'
import { closedPort, freshPgDb, pgAdmin, pgRole, silentServer } from '../fixtures/db/servers.js'
import { pgRefusingStandin, pgTlsStandin } from '../fixtures/db/pg-tls-standin.js'

// Real PostgreSQL on 127.0.0.1:5432 (trust auth for 127.0.0.1 here, see the wrong-credential tests).
const DB = 'credctl_unit_pg'
const PW = 'pg-Pa55-canary-4b9c2e'
const URI = `postgresql://credctl_reader:${PW}@127.0.0.1:5432/${DB}`

beforeAll(async () => {
  await freshPgDb(DB)
  await pgRole('credctl_reader', `LOGIN PASSWORD '${PW}'`)
  await pgRole('credctl_nologin', 'NOLOGIN')
  await pgAdmin(`GRANT USAGE ON SCHEMA sales TO credctl_reader; GRANT SELECT ON sales.customers TO credctl_reader`, DB)
  await pgRole('credctl_nolimit', 'LOGIN CONNECTION LIMIT 0')
})

describe('postgresql: verdicts by SQLSTATE (issue 11, rule 6)', () => {
  it('a role at its connection limit (53300) is unreachable, not invalid: the server said nothing about the password', async () => {
    const r = await pgcheck.validate(input('postgresql', `postgresql://credctl_nolimit:x-secret-x@127.0.0.1:5432/${DB}`), ctx())
    expect(r).toMatchObject({ status: 'unreachable', details: { code: '53300' } })
    expect(r.message).toMatch(/connection limit.*try again later/)
    const c = ctx()
    const e = await pgcheck.discoverSchema(input('postgresql', `postgresql://credctl_nolimit:x-secret-x@127.0.0.1:5432/${DB}`), c).catch((x: unknown) => x)
    expect(statusOfError(e, c.signal)).toBe('unreachable')
  })
})

describe('postgresql: refusals the trusting shared server cannot give, from a server that answers with the SQLSTATE', () => {
  const cases: [string, string, string, RegExp][] = [
    ['28P01', 'password authentication failed for user "app"', 'invalid', /wrong password \(or the role's password has expired: VALID UNTIL\).*rotate/],
    ['28000', 'no pg_hba.conf entry for host "10.0.0.7", user "app", database "app", no encryption', 'invalid', /no pg_hba\.conf entry/],
    ['53300', 'sorry, too many clients already', 'unreachable', /try again later/],
    ['57P03', 'the database system is starting up', 'unreachable', /starting up/],
  ]
  for (const [code, text, status, message] of cases) {
    it(`${code} is ${status}`, async () => {
      const s = await pgRefusingStandin(code, text)
      try {
        const r = await pgcheck.validate(input('postgresql', `postgresql://app:${PW}@127.0.0.1:${s.port}/app?sslmode=disable`), ctx())
        expect(r).toMatchObject({ status, details: { code } })
        expect(r.message).toMatch(message)
        expect(r.message).toContain(`SQLSTATE ${code}`)
        expect(r.message).not.toContain(PW)
      } finally {
        await s.close()
      }
    })
  }
})

describe('postgresql: sslmode=require with sslrootcert verifies the chain, as libpq does (issue 11, rule 6)', () => {
  it('right CA: connects; wrong CA: refused (require, prefer); no root file: encrypted, unverified', async () => {
    const s = await pgTlsStandin()
    try {
      const at = (q: string) => `postgresql://credctl_reader:${PW}@127.0.0.1:${s.port}/${DB}?${q}`
      expect((await pgcheck.validate(input('postgresql', at(`sslmode=require&sslrootcert=${s.ca}`)), ctx())).status).toBe('valid')
      expect((await pgcheck.validate(input('postgresql', at(`sslmode=verify-full&sslrootcert=${s.ca}`)), ctx())).status).toBe('valid')
      expect((await pgcheck.validate(input('postgresql', at('sslmode=require')), ctx())).status).toBe('valid')
      for (const mode of ['require', 'prefer', 'verify-ca']) {
        const c = ctx()
        const e = await pgcheck.validate(input('postgresql', at(`sslmode=${mode}&sslrootcert=${s.otherCa}`)), c).catch((x: unknown) => x)
        expect(e, mode).toBeInstanceOf(Error)
        expect(statusOfError(e, c.signal)).toBe('unreachable')
        expect((e as Error).message).toMatch(/TLS certificate was refused .*does not verify against the CA file in sslrootcert; check sslrootcert/)
      }
    } finally {
      await s.close()
    }
  })
  it('sslrootcert=system means verify-full (libpq 16); a weaker mode with it is refused at parse time', () => {
    expect(parsePgUri('postgresql://u@h/db?sslrootcert=system').sslmode).toBe('verify-full')
    expect(() => parsePgUri('postgresql://u@h/db?sslrootcert=system&sslmode=require')).toThrow(/verify-full/)
  })
})

describe('postgresql: validate against the real server', () => {
  it('valid credentials: connect + SELECT 1, with the version', async () => {
    const r = await pgcheck.validate(input('postgresql', URI), ctx())
    expect(r.status).toBe('valid')
    expect(r.message).toMatch(/SELECT 1 ok \(PostgreSQL \d+/)
  })

  // 127.0.0.1 uses trust auth on this server (pg_hba), so a wrong password is accepted: refused
  // credentials are tested through what trust cannot waive: an unknown database, a role without LOGIN,
  // and a role that does not exist.
  it('unknown database is invalid (3D000)', async () => {
    const r = await pgcheck.validate(input('postgresql', `postgresql://credctl_reader:${PW}@127.0.0.1:5432/credctl_no_such_db`), ctx())
    expect(r).toMatchObject({ status: 'invalid', details: { code: '3D000' } })
    expect(r.message).not.toContain(PW)
  })
  it('role without LOGIN is invalid (28000)', async () => {
    const r = await pgcheck.validate(input('postgresql', `postgresql://credctl_nologin:x-secret-x@127.0.0.1:5432/${DB}`), ctx())
    expect(r).toMatchObject({ status: 'invalid', details: { code: '28000' } })
  })
  it('unknown role is invalid (28000)', async () => {
    const r = await pgcheck.validate(input('postgresql', `postgresql://credctl_nobody:x@127.0.0.1:5432/${DB}`), ctx())
    expect(r.status).toBe('invalid')
  })

  it('a silent server times out within the budget, through the driver timeout or the watchdog', async () => {
    const s = await silentServer()
    try {
      const c = ctx(800)
      const t0 = Date.now()
      const e = await pgcheck.validate(input('postgresql', `postgresql://u:${PW}@127.0.0.1:${s.port}/db`), c).then(
        () => undefined,
        (x: unknown) => x,
      )
      expect(Date.now() - t0).toBeLessThan(2500)
      expect(statusOfError(e, c.signal)).toBe('timeout')
      expect(redactError(e, [URI])).not.toContain(PW)
    } finally {
      await s.close()
    }
  })

  it('a closed port is unreachable', async () => {
    const port = await closedPort()
    const c = ctx(3000)
    const e = await pgcheck.validate(input('postgresql', `postgresql://u:p@127.0.0.1:${port}/db`), c).catch((x: unknown) => x)
    expect(statusOfError(e, c.signal)).toBe('unreachable')
  })

  it('sslmode=require against a server without TLS fails instead of silently going plaintext', async () => {
    const e = await pgcheck.validate(input('postgresql', `${URI}?sslmode=require`), ctx()).catch((x: unknown) => x)
    expect(String((e as Error).message)).toMatch(/SSL/i)
  })
  it('sslmode=disable connects in plaintext; the default (prefer) falls back to it', async () => {
    expect((await pgcheck.validate(input('postgresql', `${URI}?sslmode=disable`), ctx())).status).toBe('valid')
    expect((await pgcheck.validate(input('postgresql', URI), ctx())).status).toBe('valid')
  })
})

describe('postgresql: discovery in one catalog query', () => {
  it('reads the fixture: kinds, comments, defaults, arrays, enums, generated and identity columns', async () => {
    const s = await pgcheck.discoverSchema(input('postgresql', URI), ctx(10_000))
    expect(s.details).toMatchObject({ queries: 1, engine: 'postgresql' })
    const t = Object.fromEntries(s.tables.map((x) => [`${x.schema}.${x.name}`, x]))
    expect(Object.keys(t).sort()).toEqual(['public.Mixed Case', 'public.empty_tbl', 'sales.customers', 'sales.daily_totals', 'sales.events', 'sales.orders', 'sales.paid_orders'])
    expect(t['public.empty_tbl']).toMatchObject({ kind: 'table', columns: [] })
    // Partitions are not tables of their own; their parent is.
    expect(t['sales.events']).toMatchObject({ kind: 'table', comment: 'partitioned by day' })
    expect(t['sales.paid_orders']).toMatchObject({ kind: 'view', comment: 'orders that were paid' })
    expect(t['sales.daily_totals']).toMatchObject({ kind: 'materialized_view', comment: 'refreshed nightly' })
    expect(t['sales.daily_totals']!.columns[1]).toMatchObject({ name: 'total', comment: 'sum of totals' })
    const cust = t['sales.customers']!
    expect(cust.comment).toBe('one row per customer')
    // The dropped column leaves a gap in positions: engine order, engine numbers.
    expect(cust.columns.map((c) => [c.name, c.position])).toEqual([['id', 1], ['email', 2], ['tags', 3], ['created_at', 4], ['score', 6]])
    // An identity column has no default (issue 11): it says identity, and it is the primary key.
    expect(cust.columns[0]).toMatchObject({ data_type: 'bigint', nullable: false, default: null, identity: true, primary_key: true })
    expect(cust.columns[1]!.primary_key).toBe(false)
    expect(cust.columns[1]).toMatchObject({ data_type: 'text', nullable: false, comment: 'login e-mail', default: null })
    expect(cust.columns[2]).toMatchObject({ data_type: 'text[]', default: "'{}'::text[]" })
    expect(cust.columns[3]).toMatchObject({ default: 'now()' })
    expect(cust.columns[4]).toMatchObject({ data_type: 'numeric(12,2)', nullable: true })
    const orders = t['sales.orders']!
    expect(orders.columns.find((c) => c.name === 'status')).toMatchObject({ data_type: 'sales.status', default: "'new'::sales.status", comment: 'order lifecycle' })
    expect(orders.columns.find((c) => c.name === 'id')!.default).toMatch(/^nextval\('sales\.orders_id_seq'::regclass\)$/)
    expect(orders.columns.find((c) => c.name === 'amounts')!.data_type).toBe('integer[]')
    expect(orders.columns.find((c) => c.name === 'doubled')!.default).toBe('GENERATED ALWAYS AS ((customer_id * 2)) STORED')
    expect(t['public.Mixed Case']!.columns.map((c) => c.name)).toEqual(['Id', 'Display Name'])
    // Foreign keys, for joins; a serial column keeps its real default and is not an identity.
    expect(orders.foreign_keys).toEqual([{ name: 'orders_customer_id_fkey', columns: ['customer_id'], references: { schema: 'sales', table: 'customers', columns: ['id'] } }])
    expect(orders.columns.find((c) => c.name === 'id')).toMatchObject({ primary_key: true })
    expect(orders.columns.find((c) => c.name === 'id')!.identity).toBeUndefined()
    expect(cust.foreign_keys).toEqual([])
    // Listed is not readable: the reader has SELECT on customers only.
    expect(cust.readable).toBe(true)
    expect(orders.readable).toBe(false)
  })

  it('a schema the role has no USAGE on is listed with its tables marked unreadable, not left out unsaid', async () => {
    await pgAdmin('DROP SCHEMA IF EXISTS credctl_hidden CASCADE; CREATE SCHEMA credctl_hidden; CREATE TABLE credctl_hidden.h (id int PRIMARY KEY)', DB)
    try {
      const s = await pgcheck.discoverSchema(input('postgresql', URI), ctx(10_000, { schemas: ['credctl_hidden'] }))
      expect(s.tables).toEqual([expect.objectContaining({ schema: 'credctl_hidden', name: 'h', readable: false })])
    } finally {
      await pgAdmin('DROP SCHEMA IF EXISTS credctl_hidden CASCADE', DB)
    }
  })

  it('--schemas narrows, --max-tables caps', async () => {
    const only = await pgcheck.discoverSchema(input('postgresql', URI), ctx(10_000, { schemas: ['public'] }))
    expect(only.tables.map((x) => x.name)).toEqual(['Mixed Case', 'empty_tbl'])
    const capped = await pgcheck.discoverSchema(input('postgresql', URI), ctx(10_000, { maxTables: 2 }))
    expect(capped.tables).toHaveLength(2)
  })

  it('the row-per-column shape (servers before 9.4) reads the same columns', async () => {
    const { default: pg } = await import('pg')
    const c = new pg.Client(pgcheck.clientConfig(parsePgUri(`${URI}?sslmode=disable`), 5000))
    await c.connect()
    try {
      const rowsQ = pgcheck.pgCatalogQuery(150000, ['sales'], undefined, 'rows')
      const jsonQ = pgcheck.pgCatalogQuery(150000, ['sales'], 3)
      expect(rowsQ.json).toBe(false)
      expect(jsonQ.json).toBe(true)
      expect(pgcheck.pgCatalogQuery(90300, null).json).toBe(false)
      const viaRows = groupRows((await c.query(rowsQ)).rows.map(pgcheck.pgRow))
      const viaJson = pgTables((await c.query(jsonQ)).rows)
      expect(viaJson).toHaveLength(3)
      // The row shape has no foreign keys (json_agg is 9.4+); readable comes per row (see pgwire.ts).
      const strip = ({ foreign_keys: _f, readable: _r, ...t }: (typeof viaJson)[number]) => t
      expect(viaRows.slice(0, 3).map(strip)).toEqual(viaJson.map(strip))
    } finally {
      await c.end()
    }
  })

  it('a refused credential fails discovery with the reason, never the password', async () => {
    const e = await pgcheck.discoverSchema(input('postgresql', `postgresql://credctl_reader:${PW}@127.0.0.1:5432/credctl_no_such_db`), ctx()).catch((x: unknown) => x)
    expect(String((e as Error).message)).toMatch(/database does not exist/)
    expect(redactError(e, [URI])).not.toContain(PW)
  })
})

describe('postgresql: URI parsing', () => {
  it('libpq sslmode values, ports, sockets; no environment leaks in', () => {
    expect(parsePgUri('postgres://u:p%40ss@db.internal/app?sslmode=verify-full')).toMatchObject({ host: 'db.internal', port: 5432, user: 'u', password: 'p@ss', database: 'app', sslmode: 'verify-full' })
    expect(parsePgUri('redshift://u:p@cluster.example.com/dev').port).toBe(5439)
    expect(parsePgUri('postgresql://u@%2Fvar%2Frun%2Fpostgresql/app')).toMatchObject({ host: '/var/run/postgresql', user: 'u' })
    expect(parsePgUri('postgresql://u@localhost/app?host=/tmp').host).toBe('/tmp')
    expect(parsePgUri('postgresql://u@h/app?ssl=no-verify'.replace('ssl=no-verify', 'sslmode=no-verify')).sslmode).toBe('require')
    expect(parsePgUri('postgresql://u@h/app').sslmode).toBe('prefer')
    expect(() => parsePgUri('postgresql://u:secret-pw@h/app?sslmode=bogus')).toThrow(/unknown sslmode/)
    expect(() => parsePgUri('postgresql://u:sec#ret@h/app')).toThrow(/(no host|not a valid URI)/)
  })
  it('server_version strings as server_version_num', async () => {
    const { versionNum } = await import('../../src/checks/databases/pgwire.js')
    expect(versionNum('15.20 (Debian 15.20-0+deb12u1)')).toBe(150020)
    expect(versionNum('9.6.24')).toBe(90624)
    expect(versionNum('8.0.2')).toBe(80002)
    expect(versionNum('18beta1')).toBe(180000)
  })
  it('config always carries a password string and explicit TLS (so PGPASSWORD/PGSSLMODE cannot change a stored credential)', () => {
    const cfg = pgcheck.clientConfig(parsePgUri('postgresql://u@h/app'), 1000)
    expect(cfg).toMatchObject({ connectionTimeoutMillis: 1000, statement_timeout: 1000, query_timeout: 1000 })
    // A function: pg would replace an empty string with PGPASSWORD or ~/.pgpass and send it to this host.
    expect(typeof cfg.password).toBe('function')
    expect((cfg.password as () => string)()).toBe('')
    expect(cfg.ssl).toMatchObject({ rejectUnauthorized: false })
    expect(pgcheck.clientConfig(parsePgUri('postgresql://u@h/app?sslmode=disable'), 1000).ssl).toBe(false)
  })
  it('never sends PGPASSWORD to the credential host (pg keeps the function, not the environment)', async () => {
    const { default: pg } = await import('pg')
    const before = process.env.PGPASSWORD
    process.env.PGPASSWORD = 'users-real-prod-db-password'
    try {
      const client = new pg.Client(pgcheck.clientConfig(parsePgUri('postgresql://alice@127.0.0.1:1/app'), 1000))
      const pw = (client as unknown as { password: unknown }).password
      expect(typeof pw).toBe('function')
      expect((pw as () => string)()).toBe('')
    } finally {
      if (before === undefined) delete process.env.PGPASSWORD
      else process.env.PGPASSWORD = before
    }
  })
})

afterAll(async () => {
  await pgAdmin(`DROP DATABASE IF EXISTS "${DB}" WITH (FORCE)`)
})
