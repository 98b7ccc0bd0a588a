import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CredctlError } from '../../src/errors.js'
import { CELL_MAX_CHARS, RESULT_MAX_BYTES, runQuery, type QueryInput } from '../../src/mcp/query/index.js'
import { firstKeyword } from '../../src/mcp/query/keyword.js'
import { dangerousGrants, mysqlType } from '../../src/mcp/query/mysql.js'
import type { CredentialRecord } from '../../src/vault/format.js'
import { MY, myAdmin } from '../fixtures/db/servers.js'

/**
 * The MCP `query` engine against the real MariaDB 127.0.0.1:3306 (issue 15): multipleStatements off,
 * the session and the transaction read-only, statement limits, a streamed row cap, reading statements
 * only (MariaDB's compound statements escape both read-only settings: proven below), and logins with
 * FILE, SUPER or ALL refused. This file makes its own database, users and role, and drops them.
 */
const DB = 'credctl_mcpq_my'
const PW = 'Kq7mcpQ-my-canary-58ac20'
const USERS = { reader: 'credctl_mcpq_reader', admin: 'credctl_mcpq_admin', filer: 'credctl_mcpq_filer', roled: 'credctl_mcpq_roled' }
const ROLE = 'credctl_mcpq_filerole'
const HOSTS = ['%', 'localhost', '127.0.0.1']
const uri = (user: string) => `mysql://${user}:${encodeURIComponent(PW)}@${MY.host}:${MY.port}/${DB}?ssl-mode=DISABLED`
const rec = { type: 'mysql', schema_type: null } as unknown as CredentialRecord

const q = (user: string, sql: string, o: Partial<QueryInput> = {}) => runQuery(rec, uri(user), { sql, maxRows: 100, timeoutS: 5, allowPrivileged: false, ...o })
const refusal = async (p: Promise<unknown>): Promise<CredctlError> => {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  )
  expect(e).toBeInstanceOf(CredctlError)
  expect((e as Error).message).not.toContain(PW)
  return e as CredctlError
}
const state = async () =>
  JSON.stringify([
    await myAdmin(`SELECT id, name, HEX(data) AS data FROM ${DB}.items ORDER BY id`),
    await myAdmin(`SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${DB}' ORDER BY 1`),
  ])

async function user(name: string, grants: string[]): Promise<void> {
  for (const host of HOSTS) {
    await myAdmin(`DROP USER IF EXISTS '${name}'@'${host}'; CREATE USER '${name}'@'${host}' IDENTIFIED BY '${PW}'`)
    for (const g of grants) await myAdmin(`${g} TO '${name}'@'${host}'`)
  }
}

let before = ''
beforeAll(async () => {
  await myAdmin(`DROP DATABASE IF EXISTS ${DB}; CREATE DATABASE ${DB}`)
  await myAdmin(`CREATE TABLE items (id INT PRIMARY KEY, name TEXT NOT NULL, data BLOB, price DECIMAL(8,2), doc JSON);
    INSERT INTO items VALUES (1, 'one', X'000102FF', 1.50, '{"a": 1}'), (2, 'two;with'' quote', NULL, NULL, NULL), (3, REPEAT('x', 5000), X'', 0, NULL)`, DB)
  // The reader may even write, as far as grants go: only the read-only settings stop it.
  await myAdmin(`CREATE FUNCTION items_evil() RETURNS INT MODIFIES SQL DATA BEGIN INSERT INTO items VALUES (97, 'evil', NULL, NULL, NULL); RETURN 1; END`, DB)
  await user(USERS.reader, [`GRANT EXECUTE ON ${DB}.*`, `GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, ALTER ON ${DB}.*`])
  await user(USERS.admin, ['GRANT ALL PRIVILEGES ON *.*'])
  await user(USERS.filer, [`GRANT SELECT ON ${DB}.*`, 'GRANT FILE ON *.*'])
  await myAdmin(`DROP ROLE IF EXISTS ${ROLE}; CREATE ROLE ${ROLE}; GRANT FILE ON *.* TO ${ROLE}`)
  await user(USERS.roled, [`GRANT SELECT ON ${DB}.*`, `GRANT ${ROLE}`])
  before = await state()
})

afterAll(async () => {
  await myAdmin(`DROP DATABASE IF EXISTS ${DB}`)
  for (const u of Object.values(USERS)) for (const host of HOSTS) await myAdmin(`DROP USER IF EXISTS '${u}'@'${host}'`)
  await myAdmin(`DROP ROLE IF EXISTS ${ROLE}`)
})

describe('query on MariaDB: results', () => {
  it('returns columns with type names, rows as JSON cells, blobs as their size', async () => {
    const r = await q(USERS.reader, 'SELECT id, name, data, price, doc FROM items WHERE id < 3 ORDER BY id')
    expect(r.columns).toEqual([
      { name: 'id', type: 'int' },
      { name: 'name', type: 'text' },
      { name: 'data', type: 'blob' },
      { name: 'price', type: 'decimal' },
      { name: 'doc', type: 'json' },
    ])
    expect(r.rows).toEqual([
      // MariaDB's JSON is text with a JSON check; mysql2 parses it and the cell is its JSON again.
      [1, 'one', '<4 bytes>', '1.50', '{"a":1}'],
      [2, "two;with' quote", null, null, null],
    ])
    expect(r).toMatchObject({ row_count: 2, truncated: false })
    expect(mysqlType({ name: 'x', columnType: 0xfd, characterSet: 63 })).toBe('varbinary')
  })
  it('SHOW, EXPLAIN, DESCRIBE, WITH and a trailing semicolon work', async () => {
    expect((await q(USERS.reader, 'SHOW TABLES')).rows).toEqual([['items']])
    expect((await q(USERS.reader, 'EXPLAIN SELECT * FROM items;')).row_count).toBe(1)
    expect((await q(USERS.reader, 'DESCRIBE items')).row_count).toBe(5)
    expect((await q(USERS.reader, 'WITH c AS (SELECT 2 AS n) SELECT n FROM c')).rows).toEqual([[2]])
  })
  it('caps each cell at CELL_MAX_CHARS and the whole result at RESULT_MAX_BYTES, saying truncated', async () => {
    const one = await q(USERS.reader, 'SELECT name FROM items WHERE id = 3')
    expect(one.rows[0]![0]).toMatch(new RegExp(`^x{${CELL_MAX_CHARS}}…\\[truncated: 5000 characters\\]$`))
    expect(one.truncated).toBe(true)
    const many = await q(USERS.reader, `WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 1000) SELECT n, REPEAT('y', 1999) FROM s`, { maxRows: 1000 })
    expect(many.truncated).toBe(true)
    expect(many.row_count).toBeLessThan(1000)
    expect(Buffer.byteLength(JSON.stringify(many.rows))).toBeLessThanOrEqual(RESULT_MAX_BYTES)
  })
})

describe('query on MariaDB: read-only', () => {
  it('stacked statements are refused by the server (no multipleStatements)', async () => {
    for (const sql of [`SELECT 1; COMMIT; INSERT INTO items VALUES (10, 'x', NULL, NULL, NULL)`, 'SELECT 1; DELETE FROM items']) {
      const e = await refusal(q(USERS.reader, sql))
      expect(e.code).toBe('INVALID_INPUT')
      expect(e.message).toMatch(/exactly one statement per call.*error 1064/)
    }
    expect(await state()).toBe(before)
  })
  it('a write hidden in a SELECT (a stored function that writes) is refused by the read-only transaction (1792)', async () => {
    for (const who of [USERS.reader, USERS.admin]) {
      const e = await refusal(q(who, 'SELECT items_evil()', { allowPrivileged: true }))
      expect(e.code).toBe('INVALID_INPUT')
      expect(e.message).toMatch(/read-only transaction.*error 1792/)
    }
    // Without FILE, INTO OUTFILE is the server's own refusal.
    expect((await refusal(q(USERS.reader, `SELECT 1 INTO OUTFILE '/tmp/credctl-mcpq-outfile'`))).message).toMatch(/Access denied/)
    expect(await state()).toBe(before)
  })
  it('proof that both read-only settings are needed, and that they are not enough for compound statements (admin session)', async () => {
    // START TRANSACTION READ ONLY alone: DDL commits implicitly, then runs outside it.
    await myAdmin(`START TRANSACTION READ ONLY; CREATE TABLE ${DB}.proof_ddl (a int)`)
    expect((await myAdmin(`SHOW TABLES FROM ${DB} LIKE 'proof_ddl'`)).length).toBe(1)
    // With the session read-only too, DDL is refused.
    const ddl = await myAdmin(`SET SESSION TRANSACTION READ ONLY; START TRANSACTION READ ONLY; CREATE TABLE ${DB}.proof_ddl2 (a int)`).catch((x: { errno?: number }) => x.errno)
    expect(ddl).toBe(1792)
    // A compound statement is ONE statement, and it can COMMIT and switch the session back: this is why
    // query accepts only reading statements on MySQL/MariaDB.
    await myAdmin(`SET SESSION TRANSACTION READ ONLY; START TRANSACTION READ ONLY;
      BEGIN NOT ATOMIC COMMIT; SET SESSION TRANSACTION READ WRITE; CREATE TABLE ${DB}.proof_compound (a int); END`)
    expect((await myAdmin(`SHOW TABLES FROM ${DB} LIKE 'proof_compound'`)).length).toBe(1)
    await myAdmin(`DROP TABLE ${DB}.proof_ddl, ${DB}.proof_compound`)
  })
  it('compound statements, CALL, SET, DDL and DML are refused before they run; executable comments and comment tricks too', async () => {
    for (const sql of [
      `BEGIN NOT ATOMIC COMMIT; SET SESSION TRANSACTION READ WRITE; INSERT INTO items VALUES (7, 'x', NULL, NULL, NULL); END`,
      `lbl: BEGIN NOT ATOMIC COMMIT; END`,
      `IF 1 THEN COMMIT; END IF`,
      'CALL p()',
      'SET SESSION TRANSACTION READ WRITE',
      'SET STATEMENT max_statement_time = 0 FOR SELECT SLEEP(1)',
      `INSERT INTO items VALUES (7, 'x', NULL, NULL, NULL)`,
      'CREATE TABLE t2 (a int)',
      'COMMIT',
      `/*! BEGIN NOT ATOMIC COMMIT; END */`,
      `/*M!100000 BEGIN NOT ATOMIC COMMIT; END */`,
      `/* /* */ BEGIN NOT ATOMIC COMMIT; END -- */ SELECT 1`,
      `--x\nSELECT 1`,
      `EXECUTE IMMEDIATE 'INSERT INTO items VALUES (7, ''x'', NULL, NULL, NULL)'`,
      `LOAD DATA LOCAL INFILE '/etc/hostname' INTO TABLE items`,
    ]) {
      const e = await refusal(q(USERS.reader, sql))
      expect(e.code, sql).toBe('INVALID_INPUT')
      expect(e.message, sql).toMatch(/only reading statements/)
    }
    expect(await state()).toBe(before)
    expect(firstKeyword('/* a */ -- b\n# c\n (SELECT 1)', 'mysql')).toBe('SELECT')
  })
  it('nothing survives into the next call (fresh connection)', async () => {
    expect((await q(USERS.reader, 'SELECT @x := 5')).rows).toEqual([[5]])
    expect((await q(USERS.reader, 'SELECT @x')).rows).toEqual([[null]])
    expect((await q(USERS.reader, 'SELECT @@session.tx_read_only, @@session.max_statement_time')).rows).toEqual([[1, 5]])
  })
})

describe('query on MariaDB: logins with dangerous global privileges', () => {
  it('ALL PRIVILEGES on *.* is refused unless allowed; LOAD_FILE with it too', async () => {
    const e = await refusal(q(USERS.admin, `SELECT LOAD_FILE('/etc/hostname')`))
    expect(e.code).toBe('USAGE')
    expect(e.message).toMatch(/holds ALL PRIVILEGES on \*\.\*/)
    expect((await q(USERS.admin, `SELECT LOAD_FILE('/etc/hostname')`, { allowPrivileged: true })).row_count).toBe(1)
  })
  it('FILE, directly or through a role the login may enable, is refused', async () => {
    expect((await refusal(q(USERS.filer, 'SELECT 1'))).message).toMatch(/holds FILE on \*\.\*/)
    expect((await refusal(q(USERS.roled, 'SELECT 1'))).message).toMatch(/holds FILE on \*\.\* \(through the role credctl_mcpq_filerole\)/)
    expect((await q(USERS.reader, 'SELECT 1')).rows).toEqual([[1]])
  })
})

describe('query on MySQL 8 (its answers simulated: no MySQL server here)', () => {
  it('a role\'s privileges are read with SHOW GRANTS … USING; roles it will not print refuse the login', async () => {
    const answers = (using: string[] | Error) => async (sql: string) => {
      if (sql === 'SHOW GRANTS') return [{ g: 'GRANT USAGE ON *.* TO `u`@`%`' }, { g: 'GRANT `r1`@`%` TO `u`@`%`' }]
      if (using instanceof Error) throw using
      return using.map((g) => ({ g }))
    }
    expect(await dangerousGrants(answers(['GRANT USAGE ON *.* TO `u`@`%`', 'GRANT FILE,SYSTEM_VARIABLES_ADMIN ON *.* TO `u`@`%`']), false)).toEqual([
      'holds FILE on *.* (through its roles)',
      'holds SYSTEM_VARIABLES_ADMIN on *.* (through its roles)',
    ])
    expect(await dangerousGrants(answers(['GRANT SELECT ON `shop`.* TO `u`@`%`']), false)).toEqual([])
    expect(await dangerousGrants(answers(new Error('denied')), false)).toEqual(['holds the roles r1, whose privileges cannot be read'])
  })
})

describe('query on MariaDB: limits', () => {
  it('a 50-million-row query returns maxRows quickly (sql_select_limit, or the stream stops)', async () => {
    for (const sql of [
      'SELECT seq FROM seq_1_to_50000000',
      'SELECT a.seq FROM seq_1_to_10000 a, seq_1_to_5000 b',
      // Its own LIMIT beats sql_select_limit: the stream cap destroys the connection instead.
      'SELECT seq FROM seq_1_to_50000000 LIMIT 50000000',
    ]) {
      const t = Date.now()
      const r = await q(USERS.reader, sql, { maxRows: 100, timeoutS: 30 })
      expect(Date.now() - t, sql).toBeLessThan(3000)
      expect(r).toMatchObject({ row_count: 100, truncated: true })
    }
  })
  it('the statement limit cancels a long query with a clear error', async () => {
    const t = Date.now()
    const e = await refusal(q(USERS.reader, 'SELECT SUM(a.seq * b.seq) FROM seq_1_to_100000 a, seq_1_to_100000 b', { timeoutS: 1 }))
    expect(Date.now() - t).toBeLessThan(4000)
    expect(e.code).toBe('UNREACHABLE')
    expect(e.message).toBe('the query ran past its limit of 1 s and was cancelled')
    // SLEEP is cut too; MariaDB may answer an interrupted SLEEP with its own 1 instead of an error.
    const t2 = Date.now()
    const r = await q(USERS.reader, 'SELECT SLEEP(10)', { timeoutS: 1 }).then(
      (x) => x.rows,
      (x: unknown) => (x as Error).message,
    )
    expect(Date.now() - t2).toBeLessThan(4000)
    expect([[[1]], 'the query ran past its limit of 1 s and was cancelled']).toContainEqual(r)
  })
  it('errors never carry the password', async () => {
    const e = await refusal(q(USERS.reader, `SELECT * FROM \`${PW}\``))
    expect(e.message).toMatch(/doesn't exist/)
    const login = await refusal(runQuery(rec, `mysql://nobody_here:${encodeURIComponent(PW)}@${MY.host}:${MY.port}/${DB}?ssl-mode=DISABLED`, { sql: 'SELECT 1', maxRows: 1, timeoutS: 3, allowPrivileged: false }))
    expect(login.code).toBe('CHECK_FAILED')
  })
})

const writes = [
  `INSERT INTO items VALUES (99, 'evil', NULL, NULL, NULL)`,
  `UPDATE items SET name = 'evil'`,
  'DELETE FROM items',
  'TRUNCATE items',
  'DROP TABLE items',
  'ALTER TABLE items ADD COLUMN evil int',
  'CREATE TABLE evil (a int)',
  `REPLACE INTO items VALUES (1, 'evil', NULL, NULL, NULL)`,
  `INSERT INTO items SELECT 98, 'a;b'' --', NULL, NULL, NULL`,
  'RENAME TABLE items TO evil',
]
const wrappers: ((w: string) => string)[] = [
  (w) => w,
  (w) => `SELECT 1; ${w}`,
  (w) => `COMMIT; ${w}`,
  (w) => `SET SESSION TRANSACTION READ WRITE; ${w}`,
  (w) => `/* ; */ ${w}`,
  (w) => `-- c\n${w}`,
  (w) => `# c\n${w}`,
  (w) => `/*! ${w} */`,
  (w) => `/* /* */ ${w} -- */ SELECT 1`,
  (w) => `BEGIN NOT ATOMIC COMMIT; SET SESSION TRANSACTION READ WRITE; START TRANSACTION; ${w}; COMMIT; END`,
  (w) => `EXECUTE IMMEDIATE '${w.replace(/'/g, "''")}'`,
  (w) => `ANALYZE ${w}`,
  (w) => `SELECT 'x'; ${w} -- '`,
  (w) => `WITH c AS (SELECT 1) ${w}`,
]
const caseMix = (s: string, flips: boolean[]) => s.replace(/[a-z]/gi, (ch, i: number) => (flips[i % flips.length] ? ch.toUpperCase() : ch.toLowerCase()))

describe('query on MariaDB: property', () => {
  it('whatever SQL text is given (stacked, commented, compound, wrapped writes), the table is unchanged afterwards', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...writes),
        fc.constantFrom(...wrappers),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }),
        fc.constantFrom('', ';', ' ; SELECT 1', '\n-- x'),
        fc.constantFrom(USERS.reader, USERS.admin),
        async (w, wrap, flips, tail, who) => {
          const sql = `${wrap(caseMix(w, flips))}${tail}`
          await runQuery(rec, uri(who), { sql, maxRows: 10, timeoutS: 5, allowPrivileged: who === USERS.admin }).catch((e: unknown) => {
            expect(e).toBeInstanceOf(CredctlError)
            expect((e as Error).message).not.toContain(PW)
          })
          expect(await state()).toBe(before)
        },
      ),
      { numRuns: 40 },
    )
  }, 120_000)
})

describe('query on MariaDB: SHOW that prints password hashes', () => {
  it('SHOW GRANTS and SHOW CREATE USER (any case, comments between the words) are refused; other SHOWs run', async () => {
    const forms = ['SHOW GRANTS', 'SHOW GRANTS FOR CURRENT_USER()', `SHOW GRANTS FOR ${USERS.reader}`, `SHOW CREATE USER ${USERS.reader}`, 'SHOW /*!GRANTS*/', 'SHOW CREATE /* x */ USER root']
    const caseMix = (t: string, flips: boolean[]) => t.replace(/[a-z]/gi, (ch, i: number) => (flips[i % flips.length] ? ch.toUpperCase() : ch.toLowerCase()))
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...forms), fc.array(fc.boolean(), { minLength: 1, maxLength: 4 }), fc.constantFrom('', ' ', '\n-- c\n', '/* c */'), async (f, flips, lead) => {
        const e = await refusal(q(USERS.reader, `${lead}${caseMix(f, flips).replace(/^SHOW /i, (m) => `${m}${lead} `)}`))
        expect(e.code).toBe('INVALID_INPUT')
        expect(e.message).toMatch(/SHOW GRANTS or SHOW CREATE USER/)
      }),
      { numRuns: 30 },
    )
    expect((await q(USERS.reader, 'SHOW CREATE TABLE items')).row_count).toBe(1)
  })
})
