import { readFileSync } from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { statusOfError } from '../../src/checks/classify.js'
import { groupRows, loadDriver } from '../../src/checks/databases/common.js'
import * as ms from '../../src/checks/databases/mssql.js'
import { parseMssql, splitKeyValues } from '../../src/checks/databases/mssql-config.js'
import { redactError } from '../../src/checks/redact.js'
import { ctx, input } from '../fixtures/db/ctx.js'
import { closedPort, FIXTURES, silentServer } from '../fixtures/db/servers.js'
import { tdsStandin } from '../fixtures/db/tds-standin.js'

// No SQL Server can run here: parsing, the real driver (tedious) against a silent TCP server and a
// closed port, and the catalog query's row mapping on hand-written fixtures.
const PW = 'ms-Pa55;word-canary}x'

describe('mssql: connection strings', () => {
  it('ADO.NET strings, with quoted values and the usual key spellings', () => {
    expect(parseMssql(`Server=tcp:db.example.com,1433;Initial Catalog=sales;User ID=reader;Password={${PW.replace('}', '}}')}};Encrypt=True;TrustServerCertificate=False`)).toEqual({
      server: 'db.example.com', port: 1433, database: 'sales', user: 'reader', password: PW, encrypt: true, trustServerCertificate: false,
    })
    expect(parseMssql('Data Source=.\\SQLEXPRESS;Database=app;UID=sa;PWD="a;b";TrustServerCertificate=yes')).toMatchObject({ server: 'localhost', instanceName: 'SQLEXPRESS', user: 'sa', password: 'a;b', trustServerCertificate: true })
    expect(splitKeyValues("a=1; b = 'x;y' ;c={q}}z}")).toEqual(new Map([['a', '1'], ['b', 'x;y'], ['c', 'q}z']]))
  })
  it('mssql:// and sqlserver:// URIs, and JDBC strings', () => {
    expect(parseMssql('mssql://reader:p%40ss@db.example.com:1444/sales?encrypt=false')).toMatchObject({ server: 'db.example.com', port: 1444, database: 'sales', user: 'reader', password: 'p@ss', encrypt: false })
    expect(parseMssql('sqlserver://u:p@host/INST/db')).toMatchObject({ server: 'host', instanceName: 'INST', database: 'db' })
    expect(parseMssql('jdbc:sqlserver://host:1433;databaseName=db;user=u;password=p;trustServerCertificate=true')).toMatchObject({ server: 'host', port: 1433, database: 'db', user: 'u', password: 'p', trustServerCertificate: true })
    expect(parseMssql('sqlserver://host:1433;databaseName=db;user=u;password=p')).toMatchObject({ server: 'host', port: 1433, database: 'db' })
  })
  it('errors say what is wrong without quoting the value', () => {
    expect(() => parseMssql(`Database=x;Password={${PW.replace("}", "}}")}}`)).toThrow(/no Server=/)
    expect(() => parseMssql(`Server=h;Password=${PW}`)).toThrow(/key=value/)
    expect(() => parseMssql('Server=h;Integrated Security=SSPI')).toThrow(/not supported/)
    expect(() => parseMssql('Server=h;Encrypt=maybe')).toThrow(/true or false/)
    try {
      parseMssql(`Server=h;Password={${PW}`)
    } catch (e) {
      expect(String(e)).not.toContain('canary')
    }
  })
  it('pool config: timeouts from the budget, TLS as the string says', () => {
    const cfg = ms.poolConfig(parseMssql('Server=h,1500;Database=d;User Id=u;Password=p;TrustServerCertificate=true'), 1234)
    expect(cfg).toMatchObject({ server: 'h', port: 1500, database: 'd', connectionTimeout: 1234, requestTimeout: 1234, options: { encrypt: true, trustServerCertificate: true } })
  })
})

describe('mssql: the real driver against local sockets', () => {
  it('a silent server times out within the budget (tedious alone would wait 15 s)', async () => {
    const s = await silentServer()
    try {
      const c = ctx(1000)
      const t0 = Date.now()
      const value = `Server=127.0.0.1,${s.port};Database=db;User Id=sa;Password={${PW.replace("}", "}}")}};TrustServerCertificate=true`
      const e = await ms.validate(input('mssql', value), c).catch((x: unknown) => x)
      expect(Date.now() - t0).toBeLessThan(3000)
      expect(statusOfError(e, c.signal)).toBe('timeout')
      expect(redactError(e, [value])).not.toContain(PW)
    } finally {
      await s.close()
    }
  })
  it('a closed port is unreachable', async () => {
    const c = ctx(5000)
    const e = await ms.validate(input('mssql', `mssql://sa:p@127.0.0.1:${await closedPort()}/db?trustServerCertificate=true`), c).catch((x: unknown) => x)
    expect(statusOfError(e, c.signal)).toBe('unreachable')
  })
})

describe('mssql: catalog rows', () => {
  const { rows } = JSON.parse(readFileSync(path.join(FIXTURES, 'mssql-rows.json'), 'utf8')) as { rows: ms.MssqlRow[] }
  it('maps types, defaults, identity and computed columns, kinds and comments', () => {
    const tables = groupRows(rows.map(ms.mssqlRow))
    expect(tables.map((t) => [t.schema, t.name, t.kind, t.comment])).toEqual([
      ['dbo', 'Orders', 'table', 'all orders'],
      ['sales', 'Recent Orders', 'view', null],
      ['sales', 'ext_logs', 'external', null],
    ])
    const c = tables[0]!.columns
    expect(c.map((x) => [x.name, x.data_type, x.default, x.position])).toEqual([
      ['Id', 'int', null, 1],
      ['Customer', 'nvarchar(100)', "N'anonymous'", 2],
      ['Notes', 'nvarchar(max)', null, 3],
      ['Total', 'decimal(12,2)', '0', 4],
      ['CreatedAt', 'datetime2(7)', 'sysutcdatetime()', 5],
      ['Doubled', 'int', 'AS ([Id]*(2)) PERSISTED', 6],
      ['Code', 'varchar(10)', '(1)+(2)', 8],
    ])
    expect(c[0]).toMatchObject({ nullable: false, comment: 'order id', identity: true })
    expect(c[2]!.nullable).toBe(true)
  })
  it('readable from HAS_PERMS_BY_NAME, partial without VIEW DEFINITION (issue 11, rule 7)', () => {
    const fks = new Map([['dbo\0Orders', [{ name: 'fk', columns: ['Customer'], references: { schema: 'dbo', table: 'Customers', columns: ['Name'] } }]]])
    expect(ms.mssqlFacts({ ...rows[0]!, can_select: 0 }, fks)).toEqual({ readable: false, foreign_keys: fks.get('dbo\0Orders') })
    expect(ms.mssqlFacts({ ...rows[0]!, can_select: null }, new Map())).toEqual({ foreign_keys: [] })
    expect(ms.mssqlPartial([{ ...rows[0]!, sees_all: 0 }])[0]).toMatch(/VIEW DEFINITION/)
    expect(ms.mssqlPartial([{ ...rows[0]!, sees_all: 1 }])).toEqual([])
  })
  it('the catalog SQL is one query, filtered by schema parameters when asked', () => {
    expect(ms.catalogSql(0)).not.toContain('@s0')
    expect(ms.catalogSql(2)).toContain('AND s.name IN (@s0, @s1)')
    expect(ms.catalogSql(0)).toMatch(/MS_Description/)
    expect(ms.catalogSql(0).match(/WITH \(NOLOCK\)/g)!.length).toBe(9)
  })
})

describe('optional drivers', () => {
  it('a missing driver is a clear "install X to check Y" error', async () => {
    // @ts-expect-error: a package that does not exist
    const e = await loadDriver('credctl-no-such-driver', 'mssql', () => import('credctl-no-such-driver')).catch((x: unknown) => x)
    expect(e).toMatchObject({ code: 'NO_CHECK', message: expect.stringMatching(/credctl-no-such-driver driver is not installed: install it to check mssql credentials \(npm install credctl-no-such-driver\)/) })
  })
})

describe('mssql: login refusals read by the server\'s error number, through the real driver (issue 11, rule 6)', () => {
  const cases: [number, string, string, RegExp][] = [
    [18456, "Login failed for user 'app'.", 'invalid', /login failed.*rotate/],
    [18487, "Login failed for user 'app'. Reason: The password of the account has expired.", 'invalid', /password expired/],
    [18486, "Login failed for user 'app' because the account is currently locked out. The system administrator can unlock it.", 'invalid', /locked out.*unlock/],
    [40615, "Cannot open server 'credctl' requested by the login. Client with IP address '203.0.113.7' is not allowed to access the server.", 'restricted', /allow this IP in the server's firewall/],
    [40914, "Cannot open server 'credctl' requested by the login. Client is not allowed to access the server.", 'restricted', /virtual network rule/],
  ]
  for (const [number, text, status, message] of cases) {
    it(`${number} is ${status}`, async () => {
      const s = await tdsStandin(number, text)
      try {
        const r = await ms.validate(input('mssql', `Server=127.0.0.1,${s.port};Database=app;User ID=app;Password=pw-CANARY-ms;Encrypt=false`), ctx(5000))
        expect(r).toMatchObject({ status, details: { code: String(number) } })
        expect(r.message).toMatch(message)
        expect(r.message).toContain(`SQL Server error ${number}`)
        expect(s.logins()).toBeGreaterThan(0)
      } finally {
        await s.close()
      }
    })
  }
})
