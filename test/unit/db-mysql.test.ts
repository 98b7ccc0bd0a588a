import { readFileSync } from 'node:fs'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { statusOfError } from '../../src/checks/classify.js'
import * as my from '../../src/checks/databases/mysql.js'
import { parseMysqlUri } from '../../src/checks/databases/mysql-uri.js'
import { redactError } from '../../src/checks/redact.js'
import { ctx, input } from '../fixtures/db/ctx.js'
import { closedPort, FIXTURES, myAdmin, silentServer } from '../fixtures/db/servers.js'

// Real MariaDB on 127.0.0.1:3306, with a user that has a password.
const DB = 'credctl_unit_my'
const PW = 'my-Pa55-canary-e1f2a3'
const URI = `mysql://credctl_my:${PW}@127.0.0.1:3306/${DB}`

beforeAll(async () => {
  await myAdmin(`DROP DATABASE IF EXISTS ${DB}; CREATE DATABASE ${DB}`)
  await myAdmin(readFileSync(path.join(FIXTURES, 'mysql-fixture.sql'), 'utf8'), DB)
  for (const host of ['%', 'localhost', '127.0.0.1']) {
    await myAdmin(`DROP USER IF EXISTS 'credctl_my'@'${host}'; CREATE USER 'credctl_my'@'${host}' IDENTIFIED BY '${PW}'; GRANT SELECT, SHOW VIEW ON ${DB}.* TO 'credctl_my'@'${host}'`)
  }
})
afterAll(async () => {
  await myAdmin(`DROP DATABASE IF EXISTS ${DB}`)
})

describe('mysql/mariadb: validate against the real server', () => {
  it('valid credentials', async () => {
    const r = await my.validate(input('mysql', URI), ctx())
    expect(r.status).toBe('valid')
    expect(r.message).toMatch(/SELECT 1 ok \(MariaDB \d+/)
  })
  it('wrong password is invalid, and the message never holds it', async () => {
    const r = await my.validate(input('mysql', `mysql://credctl_my:not-the-${PW}@127.0.0.1:3306/${DB}`), ctx())
    expect(r).toMatchObject({ status: 'invalid', details: { code: 'ER_ACCESS_DENIED_ERROR' } })
    expect(r.message).not.toContain(PW)
  })
  it('a database the user may not see is invalid; an unknown one too (root)', async () => {
    expect((await my.validate(input('mysql', `mysql://credctl_my:${PW}@127.0.0.1:3306/credctl_nope`), ctx())).status).toBe('invalid')
    const r = await my.validate(input('mysql', 'mariadb://root@127.0.0.1:3306/credctl_nope'), ctx())
    expect(r).toMatchObject({ status: 'invalid', details: { code: 'ER_BAD_DB_ERROR' } })
  })
  it('a silent server times out within the budget', async () => {
    const s = await silentServer()
    try {
      const c = ctx(800)
      const t0 = Date.now()
      const e = await my.validate(input('mysql', `mysql://u:${PW}@127.0.0.1:${s.port}/db`), c).catch((x: unknown) => x)
      expect(Date.now() - t0).toBeLessThan(2500)
      expect(statusOfError(e, c.signal)).toBe('timeout')
      expect(redactError(e, [URI])).not.toContain(PW)
    } finally {
      await s.close()
    }
  })
  it('a closed port is unreachable', async () => {
    const c = ctx(3000)
    const e = await my.validate(input('mysql', `mysql://u:p@127.0.0.1:${await closedPort()}/db`), c).catch((x: unknown) => x)
    expect(statusOfError(e, c.signal)).toBe('unreachable')
  })
  it('ssl-mode is honoured (mysql2 alone would ignore it and connect in plaintext)', async () => {
    // This server has no TLS: REQUIRED must fail, DISABLED and PREFERRED (TLS, then plaintext) connect.
    const c = ctx()
    const e = await my.validate(input('mysql', `${URI}?ssl-mode=REQUIRED`), c).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(Error)
    expect(statusOfError(e, c.signal)).toBe('unreachable')
    expect((await my.validate(input('mysql', `${URI}?ssl-mode=DISABLED`), ctx())).status).toBe('valid')
    expect((await my.validate(input('mysql', `${URI}?ssl-mode=PREFERRED`), ctx())).status).toBe('valid')
  })
})

describe('mysql/mariadb: discovery', () => {
  it('reads the fixture with two catalog queries per database (plus version and timeout set-up) and normalises the quirks', async () => {
    const s = await my.discoverSchema(input('mysql', URI), ctx(10_000))
    expect(s.details).toMatchObject({ queries: 4 })
    const t = Object.fromEntries(s.tables.map((x) => [x.name, x]))
    expect(Object.keys(t)).toEqual(['Mixed Case', 'customers', 'mixed case', 'paid'])
    expect(t.customers).toMatchObject({ schema: DB, kind: 'table', comment: 'one row per customer' })
    const cols = Object.fromEntries(t.customers!.columns.map((c) => [c.name, c]))
    expect(t.customers!.columns.map((c) => c.position)).toEqual([1, 2, 3, 4, 5, 6, 7])
    expect(cols.id).toMatchObject({ data_type: 'int(11)', nullable: false, default: 'AUTO_INCREMENT', comment: 'customer id' })
    expect(cols.email).toMatchObject({ data_type: 'varchar(200)', nullable: false, default: null, comment: 'login e-mail' })
    expect(cols.status).toMatchObject({ data_type: "enum('new','paid')", default: "'new'" })
    // MariaDB's "no default" is the string NULL: normalised to null.
    expect(cols.note).toMatchObject({ nullable: true, default: null })
    expect(cols.created_at!.default).toMatch(/^current_timestamp\(\)$/i)
    expect(cols.score).toMatchObject({ data_type: 'decimal(12,2)', default: '0.00' })
    expect(cols.doubled!.default).toBe('GENERATED ALWAYS AS (`id` * 2) VIRTUAL')
    // A literal string 'NULL' is a real default and stays quoted.
    expect(t['Mixed Case']!.columns[0]).toMatchObject({ name: 'Display Name', default: "'NULL'" })
    expect(t.paid).toMatchObject({ kind: 'view', comment: null })
    expect(t['mixed case']!.columns.map((c) => c.name)).toEqual(['x'])
  })
  it('without a database in the URI: every visible database, one pair of queries each', async () => {
    const s = await my.discoverSchema(input('mysql', `mysql://credctl_my:${PW}@127.0.0.1:3306`), ctx(10_000))
    expect(s.details).toMatchObject({ queries: 5 })
    expect(new Set(s.tables.map((x) => x.schema))).toEqual(new Set([DB]))
    const only = await my.discoverSchema(input('mysql', `mysql://credctl_my:${PW}@127.0.0.1:3306`), ctx(10_000, { schemas: [DB], maxTables: 1 }))
    expect(only.tables).toHaveLength(1)
  })
})

describe('mysql: parsing and MySQL 8 defaults', () => {
  it('ssl-mode spellings', () => {
    expect(parseMysqlUri('mysql://u:p@h/db').sslMode).toBe('PREFERRED')
    expect(parseMysqlUri('mysql://u:p@h/db?ssl-mode=verify_identity').sslMode).toBe('VERIFY_IDENTITY')
    expect(parseMysqlUri('mysql://u:p@h/db?sslmode=require').sslMode).toBe('REQUIRED')
    expect(parseMysqlUri('mariadb://u:p%2Fx@h:3307/db?ssl=true')).toMatchObject({ sslMode: 'REQUIRED', port: 3307, password: 'p/x' })
    expect(() => parseMysqlUri('mysql://u:p@h/db?ssl-mode=MAYBE')).toThrow(/unknown ssl-mode/)
  })
  it('TLS options per mode', () => {
    const t = parseMysqlUri('mysql://u:p@h/db?ssl-mode=VERIFY_CA')
    expect(my.connectionOptions(t, 1000).ssl).toMatchObject({ rejectUnauthorized: true, verifyIdentity: false })
    expect(my.connectionOptions(t, 1000, 'VERIFY_IDENTITY').ssl).toMatchObject({ rejectUnauthorized: true, verifyIdentity: true })
    expect(my.connectionOptions(t, 1000, 'REQUIRED').ssl).toMatchObject({ rejectUnauthorized: false })
    expect(my.connectionOptions(t, 1000, 'DISABLED').ssl).toBeUndefined()
    expect(my.connectionOptions(t, 1234).connectTimeout).toBe(1234)
  })
  it('MySQL 8 bare literals are quoted, expressions are not', () => {
    const row = (column_type: string, column_default: string | null, extra = '') => ({ table_name: 't', position: 1, column_name: 'c', column_type, is_nullable: 'YES', column_default, generation_expression: '', extra, column_comment: '' })
    expect(my.mysqlDefault(row('varchar(10)', 'new'), false)).toBe("'new'")
    expect(my.mysqlDefault(row('varchar(10)', "it's"), false)).toBe("'it''s'")
    expect(my.mysqlDefault(row('int', '0'), false)).toBe('0')
    expect(my.mysqlDefault(row('timestamp', 'CURRENT_TIMESTAMP', 'DEFAULT_GENERATED'), false)).toBe('CURRENT_TIMESTAMP')
    expect(my.mysqlDefault(row('json', '(json_array())', 'DEFAULT_GENERATED'), false)).toBe('(json_array())')
    expect(my.mysqlDefault(row('varchar(10)', null), false)).toBeNull()
    expect(my.mysqlDefault(row('varchar(10)', 'NULL'), true)).toBeNull()
  })
})
