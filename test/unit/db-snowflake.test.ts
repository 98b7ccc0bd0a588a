import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { statusOfError } from '../../src/checks/classify.js'
import * as sf from '../../src/checks/databases/snowflake.js'
import { accountHost, parseSnowflakeUri } from '../../src/checks/databases/snowflake-uri.js'
import { ctx, input } from '../fixtures/db/ctx.js'
import { SF_ACCOUNT, SF_PASSWORD, SF_USER, snowflakeStandin } from '../fixtures/db/snowflake-standin.js'

// Snowflake over its drivers' REST protocol against a local stand-in (base_url replaces the account host).
let api: Awaited<ReturnType<typeof snowflakeStandin>>
beforeAll(async () => {
  api = await snowflakeStandin()
})
afterAll(async () => {
  await api.close()
})
const uri = (pw = SF_PASSWORD, path = '/analytics') => `snowflake://${SF_USER}:${encodeURIComponent(pw)}@${SF_ACCOUNT}${path}?warehouse=WH&role=ANALYST`
const cred = (value = uri()) => input('snowflake', value, { base_url: api.url })

describe('snowflake: validate', () => {
  it('login-request (with a statement timeout), SELECT 1, logout', async () => {
    const before = api.sessions.loggedOut
    const r = await sf.validate(cred(), ctx())
    expect(r).toMatchObject({ status: 'valid', message: 'logged in; SELECT 1 ok (Snowflake 8.40.1)' })
    const login = api.requests.find((x) => x.path === '/session/v1/login-request')!
    expect(login.url.searchParams.get('warehouse')).toBe('WH')
    expect(login.url.searchParams.get('roleName')).toBe('ANALYST')
    expect(JSON.parse(login.body).data.SESSION_PARAMETERS.STATEMENT_TIMEOUT_IN_SECONDS).toBe(5)
    expect(api.sessions.loggedOut).toBe(before + 1)
  })
  it('a wrong password is invalid (390100), at once: no login retries', async () => {
    const t0 = Date.now()
    const r = await sf.validate(cred(uri('wrong')), ctx())
    expect(r).toMatchObject({ status: 'invalid', details: { code: '390100' } })
    expect(Date.now() - t0).toBeLessThan(1000)
  })
  it('an unknown database is invalid (390201)', async () => {
    expect(await sf.validate(cred(uri(SF_PASSWORD, '/nope')), ctx())).toMatchObject({ status: 'invalid', details: { code: '390201' } })
  })
  it('an account host that never answers times out', async () => {
    const hang = await import('../fixtures/db/http.js').then((m) => m.standin(() => ({ hang: true })))
    try {
      const c = ctx(500)
      const e = await sf.validate(input('snowflake', uri(), { base_url: hang.url }), c).catch((x: unknown) => x)
      expect(statusOfError(e, c.signal)).toBe('timeout')
    } finally {
      await hang.close()
    }
  })
})

describe('snowflake: discovery with SHOW (no warehouse), columns once per schema', () => {
  it('kinds, comments, JSON data types, positions; polls a running query and fetches its chunk without the token', async () => {
    const before = api.requests.length
    const s = await sf.discoverSchema(cred(), ctx(10_000))
    expect(s.details).toMatchObject({ queries: 4, schemas: 2 })
    const reqs = api.requests.slice(before)
    expect(reqs.some((r) => r.path === '/queries/q-run/result')).toBe(true)
    expect(reqs.find((r) => r.path === '/chunk/1')!.headers.authorization).toBeUndefined()
    expect(s.tables.map((t) => [t.schema, t.name, t.kind, t.comment])).toEqual([
      ['PUBLIC', 'EXT_LOGS', 'external', null],
      ['PUBLIC', 'ORDERS', 'table', 'all orders'],
      ['PUBLIC', 'RECENT_ORDERS', 'view', 'last week'],
      ['SALES', 'CUSTOMERS', 'table', null],
      ['SALES', 'DAILY', 'materialized_view', null],
      ['SALES', 'Mixed Case', 'table', 'quoted'],
    ])
    expect(s.tables[1]!.columns.map((c) => [c.name, c.data_type, c.nullable, c.default, c.comment, c.position])).toEqual([
      ['ID', 'NUMBER(38,0)', false, null, 'order id', 1],
      ['AMOUNT', 'NUMBER(12,2)', true, '0', null, 2],
      ['NOTE', 'VARCHAR(200)', true, null, null, 3],
      ['CREATED', 'TIMESTAMP_NTZ(9)', true, 'CURRENT_TIMESTAMP()', null, 4],
    ])
    expect(s.tables[0]!.columns[0]!.data_type).toBe('VARIANT')
    expect(s.tables[4]!.columns[0]!.data_type).toBe('FLOAT')
  })
  it('one schema: SHOW … IN SCHEMA, and identifiers typed by the user follow Snowflake case rules', async () => {
    const s = await sf.discoverSchema(cred(), ctx(10_000, { schemas: ['sales'] }))
    expect(s.details).toMatchObject({ queries: 3, schemas: 1 })
    expect(s.tables.map((t) => t.name)).toEqual(['CUSTOMERS', 'DAILY', 'Mixed Case'])
  })
})

describe('snowflake: URIs', () => {
  it('account, database, schema, warehouse, role; account host', () => {
    expect(parseSnowflakeUri('snowflake://me:p%23w@MyOrg-Acct_1/db/sch?warehouse=wh&role=r')).toEqual({ account: 'myorg-acct_1', user: 'me', password: 'p#w', database: 'db', schema: 'sch', warehouse: 'wh', role: 'r' })
    expect(parseSnowflakeUri('snowflake://me:p@xy12345.us-east-2.aws.snowflakecomputing.com').account).toBe('xy12345.us-east-2.aws')
    expect(accountHost('myorg-acct_1')).toBe('https://myorg-acct-1.snowflakecomputing.com')
    expect(() => parseSnowflakeUri('snowflake://:p@acct/db')).toThrow(/user/)
    expect(sf.userIdent('sales')).toBe('sales')
    expect(sf.userIdent('Mixed Case')).toBe('"Mixed Case"')
    expect(sf.quoteIdent('a"b')).toBe('"a""b"')
  })
})

describe('snowflake: a SHOW answer at its 10,000-row cap is marked partial (issue 11, rule 7)', () => {
  it('names the statement and says to narrow', () => {
    expect(sf.showCapped([])).toEqual([])
    expect(sf.showCapped(['SHOW COLUMNS IN SCHEMA "DB"."S"'])[0]).toMatch(/stops at 10,000 rows and "SHOW COLUMNS IN SCHEMA \"DB\"\.\"S\"" reached it: more may exist \(narrow with --schemas\)/)
  })
})
