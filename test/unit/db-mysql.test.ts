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
  for (const u of ['credctl_my_locked', 'credctl_my_expired', 'credctl_my_part']) {
    for (const host of ['%', 'localhost', '127.0.0.1']) await myAdmin(`DROP USER IF EXISTS '${u}'@'${host}'`)
  }
  await myAdmin(`DROP DATABASE IF EXISTS ${DB}_fk`)
})

/** A user on every host form the server may match 127.0.0.1 to. */
async function myUser(name: string, create: string, grant: string): Promise<void> {
  for (const host of ['%', 'localhost', '127.0.0.1']) {
    await myAdmin(`DROP USER IF EXISTS '${name}'@'${host}'; CREATE USER '${name}'@'${host}' ${create}; ${grant.replace(/TO \?/g, `TO '${name}'@'${host}'`)}`)
  }
}

describe('mysql/mariadb: refusals read by MariaDB\'s own numbers (issue 11, rule 6)', () => {
  it('a locked account is invalid (MariaDB 4151; mysql2 names that number after a MySQL bulk-load error)', async () => {
    await myUser('credctl_my_locked', `IDENTIFIED BY '${PW}' ACCOUNT LOCK`, `GRANT SELECT ON ${DB}.* TO ?`)
    const r = await my.validate(input('mysql', `mysql://credctl_my_locked:${PW}@127.0.0.1:3306/${DB}`), ctx())
    expect(r).toMatchObject({ status: 'invalid', details: { code: '4151' } })
    expect(r.message).toMatch(/account locked.*MariaDB error 4151.*unlock/)
    expect(r.message).not.toMatch(/BULK_PARSER/)
    // Discovery says the same, as a failed discovery (exit 1), not a crash.
    await expect(my.discoverSchema(input('mysql', `mysql://credctl_my_locked:${PW}@127.0.0.1:3306/${DB}`), ctx())).rejects.toThrow(/account locked/)
  })
  it('an expired password is invalid (the sandbox answers SELECT 1 with 1820), not an error', async () => {
    await myUser('credctl_my_expired', `IDENTIFIED BY '${PW}' PASSWORD EXPIRE`, `GRANT SELECT ON ${DB}.* TO ?`)
    const r = await my.validate(input('mysql', `mysql://credctl_my_expired:${PW}@127.0.0.1:3306/${DB}`), ctx())
    expect(r.status).toBe('invalid')
    expect(['1820', '1862']).toContain((r.details as { code: string }).code)
    expect(r.message).toMatch(/password expired.*set a new password/)
  })
  it('the verdict table is per flavour: 4151 is "locked" only on MariaDB, 3118 only on MySQL', () => {
    expect(my.mysqlVerdict(Object.assign(new Error('x'), { errno: 4151, mariadb: true }))?.status).toBe('invalid')
    expect(my.mysqlVerdict(Object.assign(new Error('x'), { errno: 4151, mariadb: false }))).toBeUndefined()
    expect(my.mysqlVerdict(Object.assign(new Error('x'), { errno: 3118, mariadb: false }))?.message).toMatch(/account locked/)
    expect(my.mysqlVerdict(Object.assign(new Error('x'), { errno: 1040, mariadb: true }))?.status).toBe('unreachable')
  })
})

describe('mysql/mariadb: discovery tells what it saw (issue 11, rule 7)', () => {
  it('foreign keys; a user with single-table grants sees a partial listing, and says so', async () => {
    const db = `${DB}_fk`
    await myAdmin(`DROP DATABASE IF EXISTS ${db}; CREATE DATABASE ${db}`)
    await myAdmin(
      `CREATE TABLE parent (a INT, b INT, PRIMARY KEY (a, b)) ENGINE=InnoDB;
       CREATE TABLE child (id INT PRIMARY KEY, pa INT, pb INT, CONSTRAINT child_parent FOREIGN KEY (pa, pb) REFERENCES parent (a, b)) ENGINE=InnoDB;
       CREATE TABLE secret (id INT PRIMARY KEY);`,
      db,
    )
    const root = await my.discoverSchema(input('mysql', `mysql://root@127.0.0.1:3306/${db}`), ctx(10_000))
    expect(root.partial).toEqual([])
    const t = Object.fromEntries(root.tables.map((x) => [x.name, x]))
    expect(t.child!.foreign_keys).toEqual([{ name: 'child_parent', columns: ['pa', 'pb'], references: { schema: db, table: 'parent', columns: ['a', 'b'] } }])
    expect(t.parent!.columns.map((c) => c.primary_key)).toEqual([true, true])
    expect(t.parent!.foreign_keys).toEqual([])
    expect(t.secret!.readable).toBe(true)
    // Column-only SELECT on child: listed, but SELECT * fails: not readable.
    await myUser('credctl_my_part', `IDENTIFIED BY '${PW}'`, `GRANT SELECT ON ${db}.parent TO ?; GRANT SELECT (id) ON ${db}.child TO ?`)
    const part = await my.discoverSchema(input('mysql', `mysql://credctl_my_part:${PW}@127.0.0.1:3306/${db}`), ctx(10_000))
    expect(part.tables.map((x) => [x.name, x.readable])).toEqual([['child', false], ['parent', true]])
    expect(part.partial).toEqual([expect.stringMatching(new RegExp(`MariaDB lists only the tables this user holds a privilege on: ${db} may have more`))])
  })
})

describe('mysql/mariadb: validate against the real server', () => {
  it('valid credentials', async () => {
    const r = await my.validate(input('mysql', URI), ctx())
    expect(r.status).toBe('valid')
    expect(r.message).toMatch(/SELECT 1 ok \(MariaDB \d+/)
  })
  it('wrong password is invalid, and the message never holds it', async () => {
    const r = await my.validate(input('mysql', `mysql://credctl_my:not-the-${PW}@127.0.0.1:3306/${DB}`), ctx())
    expect(r).toMatchObject({ status: 'invalid', details: { code: '1045' } })
    expect(r.message).not.toContain(PW)
  })
  it('a database the user may not see is invalid; an unknown one too (root)', async () => {
    expect((await my.validate(input('mysql', `mysql://credctl_my:${PW}@127.0.0.1:3306/credctl_nope`), ctx())).status).toBe('invalid')
    const r = await my.validate(input('mysql', 'mariadb://root@127.0.0.1:3306/credctl_nope'), ctx())
    expect(r).toMatchObject({ status: 'invalid', details: { code: '1049' } })
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
    // version + timeout set-up, SHOW GRANTS, then COLUMNS, TABLES and foreign keys for the database.
    expect(s.details).toMatchObject({ queries: 6 })
    const t = Object.fromEntries(s.tables.map((x) => [x.name, x]))
    expect(Object.keys(t)).toEqual(['Mixed Case', 'customers', 'mixed case', 'paid'])
    expect(t.customers).toMatchObject({ schema: DB, kind: 'table', comment: 'one row per customer' })
    const cols = Object.fromEntries(t.customers!.columns.map((c) => [c.name, c]))
    expect(t.customers!.columns.map((c) => c.position)).toEqual([1, 2, 3, 4, 5, 6, 7])
    // AUTO_INCREMENT is not a default: identity, and the primary key.
    expect(cols.id).toMatchObject({ data_type: 'int(11)', nullable: false, default: null, identity: true, primary_key: true, comment: 'customer id' })
    expect(cols.email).toMatchObject({ primary_key: false })
    expect(cols.email!.identity).toBeUndefined()
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
    expect(s.details).toMatchObject({ queries: 7 })
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
