import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CredctlError } from '../../src/errors.js'
import { CELL_MAX_CHARS, MAX_ROWS, MAX_TIMEOUT_S, RESULT_MAX_BYTES, queryEngineOf, runQuery, type QueryInput } from '../../src/mcp/query/index.js'
import { QUERY_DEFAULTS } from '../../src/mcp/tools/query.js'
import { BATCH_BYTES, guarded, sideEffectCall } from '../../src/mcp/query/pg.js'
import { firstKeyword, leadingKeywords } from '../../src/mcp/query/keyword.js'
import type { CredentialRecord } from '../../src/vault/format.js'
import { PG, pgAdmin, pgRole } from '../fixtures/db/servers.js'

/**
 * The MCP `query` engine against the real PostgreSQL 127.0.0.1:5432 (issue 15): read-only by the
 * server, one statement over the extended protocol, a fresh connection per call, a cursor-enforced row
 * cap, timeouts, and privileged roles refused. This file makes its own database and login roles and
 * drops them. (The server trusts 127.0.0.1, so passwords are not checked; they are canaries for redaction.)
 */
const DB = 'credctl_mcpq_pg'
const PW = 'Kq7mcpQ-pg-canary-93fd1e'
const ROLES = { reader: 'credctl_mcpq_reader', super: 'credctl_mcpq_super', files: 'credctl_mcpq_files', sneaky: 'credctl_mcpq_sneaky', repl: 'credctl_mcpq_repl' }
const uri = (role: string) => `postgresql://${role}:${PW}@${PG.host}:${PG.port}/${DB}?sslmode=disable`
const rec = (type = 'postgresql', schema_type: string | null = null) => ({ type, schema_type }) as unknown as CredentialRecord

const q = (role: string, sql: string, o: Partial<QueryInput> = {}) => runQuery(rec(), uri(role), { sql, maxRows: 100, timeoutS: 5, allowPrivileged: false, ...o })
const refusal = async (p: Promise<unknown>): Promise<CredctlError> => {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  )
  expect(e).toBeInstanceOf(CredctlError)
  const err = e as CredctlError
  expect(err.message).not.toContain(PW)
  return err
}
const admin = (sql: string) => pgAdmin(sql, DB)
/** What must never change: the rows, the tables of the schema, the sequence. */
const state = async () =>
  JSON.stringify([
    await admin('SELECT id, name, encode(data, $$hex$$) AS data FROM items ORDER BY id'),
    await admin(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`),
    await admin('SELECT last_value FROM items_seq'),
  ])

let before = ''
beforeAll(async () => {
  await pgAdmin(`DROP DATABASE IF EXISTS "${DB}" WITH (FORCE)`)
  await pgAdmin(`CREATE DATABASE "${DB}"`)
  await admin(`CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, data bytea, flag boolean, price numeric(8,2), big bigint);
    INSERT INTO items VALUES (1, 'one', '\\x000102ff', true, 1.50, 9007199254740993), (2, 'two;with'' quote', NULL, false, NULL, 2), (3, repeat('x', 5000), '\\x', NULL, 0, 3);
    CREATE SEQUENCE items_seq;
    CREATE PROCEDURE items_commit() LANGUAGE plpgsql AS $$BEGIN COMMIT; INSERT INTO items VALUES (95, 'evil'); COMMIT; END$$;`)
  await pgRole(ROLES.reader, `LOGIN PASSWORD '${PW}' NOSUPERUSER`)
  await pgRole(ROLES.super, `LOGIN PASSWORD '${PW}' SUPERUSER`)
  await pgRole(ROLES.files, `LOGIN PASSWORD '${PW}' NOSUPERUSER`)
  await pgRole(ROLES.sneaky, `LOGIN PASSWORD '${PW}' NOSUPERUSER NOINHERIT`)
  await pgRole(ROLES.repl, `LOGIN PASSWORD '${PW}' NOSUPERUSER REPLICATION`)
  await pgAdmin(`GRANT pg_read_server_files TO ${ROLES.files}; GRANT ${ROLES.super} TO ${ROLES.sneaky}`)
  for (const r of Object.values(ROLES)) await admin(`GRANT USAGE ON SCHEMA public TO ${r}; GRANT SELECT ON items TO ${r}; GRANT USAGE, SELECT ON SEQUENCE items_seq TO ${r}`)
  // The reader may even write, as far as grants go: only the read-only transaction stops it.
  await admin(`GRANT INSERT, UPDATE, DELETE, TRUNCATE ON items TO ${ROLES.reader}; GRANT CREATE ON SCHEMA public TO ${ROLES.reader}`)
  before = await state()
})

afterAll(async () => {
  await pgAdmin(`DROP DATABASE IF EXISTS "${DB}" WITH (FORCE)`)
  for (const r of [ROLES.sneaky, ROLES.files, ROLES.reader, ROLES.super, ROLES.repl]) await pgAdmin(`DROP ROLE IF EXISTS ${r}`)
})

describe('query on PostgreSQL: results', () => {
  it('returns columns with server type names, rows as JSON cells, bytea as its size', async () => {
    const r = await q(ROLES.reader, 'SELECT id, name, data, flag, price, big FROM items WHERE id < 3 ORDER BY id')
    expect(r.columns).toEqual([
      { name: 'id', type: 'integer' },
      { name: 'name', type: 'text' },
      { name: 'data', type: 'bytea' },
      { name: 'flag', type: 'boolean' },
      { name: 'price', type: 'numeric(8,2)' },
      { name: 'big', type: 'bigint' },
    ])
    expect(r.rows).toEqual([
      [1, 'one', '<4 bytes>', true, '1.50', '9007199254740993'],
      [2, "two;with' quote", null, false, null, '2'],
    ])
    expect(r).toMatchObject({ row_count: 2, truncated: false })
    expect(r.duration_ms).toBeGreaterThanOrEqual(0)
  })

  it('SHOW, EXPLAIN and a statement without rows work; a trailing semicolon is one statement', async () => {
    expect((await q(ROLES.reader, 'SHOW transaction_read_only')).rows).toEqual([['on']])
    expect((await q(ROLES.reader, 'EXPLAIN SELECT * FROM items;')).columns).toEqual([{ name: 'QUERY PLAN', type: 'text' }])
    expect(await q(ROLES.reader, 'SELECT 1 WHERE false')).toMatchObject({ rows: [], row_count: 0, truncated: false })
  })

  it('caps each cell at CELL_MAX_CHARS and the whole result at RESULT_MAX_BYTES, saying truncated', async () => {
    const one = await q(ROLES.reader, 'SELECT name FROM items WHERE id = 3')
    const cell = one.rows[0]![0] as string
    expect(cell.startsWith('x'.repeat(CELL_MAX_CHARS))).toBe(true)
    expect(cell).toContain('[truncated: 5000 characters]')
    expect(cell.length).toBeLessThan(CELL_MAX_CHARS + 40)
    expect(one.truncated).toBe(true)
    const many = await q(ROLES.reader, `SELECT g, repeat('y', 1999) FROM generate_series(1, 1000) g`, { maxRows: 1000 })
    expect(many.truncated).toBe(true)
    expect(many.row_count).toBeLessThan(1000)
    expect(many.row_count).toBe(many.rows.length)
    expect(Buffer.byteLength(JSON.stringify(many.rows))).toBeLessThanOrEqual(RESULT_MAX_BYTES)
  })
})

describe('query on PostgreSQL: the server enforces read-only', () => {
  it('stacked statements are refused by the server (extended protocol), whatever follows a COMMIT', async () => {
    for (const sql of ['SELECT 1; COMMIT; INSERT INTO items VALUES (10, $$x$$)', 'COMMIT; DELETE FROM items', 'SELECT 1; SELECT 2']) {
      const e = await refusal(q(ROLES.reader, sql))
      expect(e.code).toBe('INVALID_INPUT')
      expect(e.message).toMatch(/exactly one statement per call.*cannot insert multiple commands into a prepared statement \(SQLSTATE 42601\)/)
    }
    expect(await state()).toBe(before)
  })

  it('INSERT, UPDATE, DELETE, TRUNCATE, DDL, nextval and a writing CTE are refused by the read-only transaction (25006)', async () => {
    for (const sql of [
      `INSERT INTO items VALUES (10, 'x')`,
      `UPDATE items SET name = 'y'`,
      'DELETE FROM items',
      'TRUNCATE items',
      'CREATE TABLE t2 (a int)',
      'DROP TABLE items',
      `SELECT nextval('items_seq')`,
      `WITH w AS (DELETE FROM items RETURNING *) SELECT * FROM w`,
    ]) {
      const e = await refusal(q(ROLES.reader, sql))
      expect(e.code, sql).toBe('INVALID_INPUT')
      expect(e.message, sql).toMatch(/read-only transaction.*SQLSTATE 25006/)
    }
    expect(await state()).toBe(before)
  })

  it('a COMMIT inside a DO block or a procedure cannot end the transaction (2D000)', async () => {
    // DO is refused by name before it reaches the server (it runs SQL built from strings); CALL reaches it.
    expect((await refusal(q(ROLES.reader, `DO $$BEGIN COMMIT; INSERT INTO items VALUES (96, 'evil'); END$$`))).message).toMatch(/does not call do/i)
    for (const sql of ['CALL items_commit()']) {
      const e = await refusal(q(ROLES.reader, sql))
      expect(e.message, sql).toMatch(/invalid transaction termination \(SQLSTATE 2D000\)/)
    }
    expect(await state()).toBe(before)
  })

  it('SET TRANSACTION READ WRITE is refused (25001): the guard query already ran; set_config is refused by name first', async () => {
    for (const sql of ['SET TRANSACTION READ WRITE', 'SET transaction_read_only = off']) {
      const e = await refusal(q(ROLES.reader, sql))
      expect(e.message, sql).toMatch(/SQLSTATE 25001/)
    }
    expect((await refusal(q(ROLES.reader, `SELECT set_config('transaction_read_only', 'off', true)`))).message).toMatch(/does not call set_config/)
  })

  it('a SET does not survive into the next call (fresh connection + rollback)', async () => {
    // Session-level settings an agent might hope to keep: each call gets a new connection.
    const dflt = (await q(ROLES.reader, 'SHOW search_path')).rows[0]![0]
    await q(ROLES.reader, 'SET search_path = nowhere')
    expect((await q(ROLES.reader, 'SHOW search_path')).rows[0]![0]).toBe(dflt)
    await q(ROLES.reader, 'SET default_transaction_read_only = off')
    await q(ROLES.reader, 'SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE')
    expect((await refusal(q(ROLES.reader, `INSERT INTO items VALUES (11, 'z')`))).message).toMatch(/25006/)
    await q(ROLES.reader, 'SET statement_timeout = 0')
    expect((await refusal(q(ROLES.reader, 'SELECT pg_sleep(3)', { timeoutS: 1 }))).message).toMatch(/past its limit of 1 s/)
    // A COMMIT or ROLLBACK alone ends our transaction and nothing else runs in that call.
    expect((await q(ROLES.reader, 'COMMIT')).rows).toEqual([])
    expect((await q(ROLES.reader, 'ROLLBACK')).rows).toEqual([])
    expect(await state()).toBe(before)
  })

  it('COPY is refused before it reaches the wire; a COPY that did would not crash the process', async () => {
    const e = await refusal(q(ROLES.reader, '/* c */ COPY items TO STDOUT'))
    expect(e.message).toMatch(/does not run COPY/)
    expect((await refusal(q(ROLES.reader, '-- x\nCOPY items FROM STDIN'))).code).toBe('INVALID_INPUT')
    const { default: pg } = await import('pg')
    const { default: Cursor } = await import('pg-cursor')
    for (const sql of ['COPY items TO STDOUT', 'COPY items FROM STDIN']) {
      const c = new pg.Client({ ...PG, database: DB, user: ROLES.reader, ssl: false })
      c.on('error', () => {})
      await c.connect()
      const cur = c.query(guarded(Cursor, sql))
      const got = await cur.read(10).then(
        () => 'rows',
        (e: unknown) => (e as Error).message,
      )
      expect(got, sql).toMatch(/COPY/)
      await c.end().catch(() => {})
    }
    expect(await state()).toBe(before)
  })
})

describe('query on PostgreSQL: roles that can read server files or run programs', () => {
  it('a superuser is refused, pg_read_file with it too, unless allowed for the credential', async () => {
    const e = await refusal(q(ROLES.super, `SELECT pg_read_file('/etc/hostname')`))
    expect(e.code).toBe('USAGE')
    expect(e.message).toMatch(/superuser role "credctl_mcpq_super"/)
    expect(e.hint).toMatch(/dedicated role/)
    const ok = await q(ROLES.super, `SELECT pg_read_file('/etc/hostname')`, { allowPrivileged: true })
    expect(ok.row_count).toBe(1)
    // Allowed or not, the transaction stays read-only.
    expect((await refusal(q(ROLES.super, 'DROP TABLE items', { allowPrivileged: true }))).message).toMatch(/25006/)
  })
  it('members of pg_read_server_files, and roles that can SET ROLE to a superuser, are refused', async () => {
    expect((await refusal(q(ROLES.files, 'SELECT 1'))).message).toMatch(/member of pg_read_server_files/)
    expect((await refusal(q(ROLES.sneaky, 'SELECT 1'))).message).toMatch(/can become the superuser role "credctl_mcpq_super"/)
    // REPLICATION: replication slots made in a read-only transaction outlive it (and pin WAL).
    expect((await refusal(q(ROLES.repl, 'SELECT 1'))).message).toMatch(/REPLICATION attribute/)
    expect((await refusal(q(ROLES.reader, `SELECT pg_read_file('/etc/hostname')`))).message).toMatch(/permission denied.*SQLSTATE 42501/)
  })
})

describe('query on PostgreSQL: dblink and prepared transactions, which outlive the read-only transaction', () => {
  it('a login that may call dblink is refused until dblink is revoked from it (or privileged queries are allowed)', async () => {
    await admin('CREATE SCHEMA ext; CREATE EXTENSION dblink SCHEMA ext; GRANT USAGE ON SCHEMA ext TO PUBLIC')
    try {
      // Any statement: the login's powers are refused, whatever it asks (a dblink call by name is refused earlier).
      const e = await refusal(q(ROLES.reader, 'SELECT 1'))
      expect(e.code).toBe('USAGE')
      expect(e.message).toMatch(/may call dblink, dblink_connect, dblink_exec .*outside the read-only transaction/)
      await admin('REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA ext FROM PUBLIC')
      expect((await q(ROLES.reader, 'SELECT 1')).rows).toEqual([[1]])
    } finally {
      await admin('DROP EXTENSION dblink; DROP SCHEMA ext')
    }
    expect(await state()).toBe(before)
  })
  it('PREPARE TRANSACTION is refused before it reaches the server; a plain PREPARE is the server\'s business', async () => {
    expect((await refusal(q(ROLES.reader, `PREPARE /* x */ TRANSACTION 'keep'`))).message).toMatch(/PREPARE TRANSACTION/)
    expect((await q(ROLES.reader, 'PREPARE p AS SELECT 1')).rows).toEqual([])
    expect(leadingKeywords('prepare -- a\n /* b */ transaction', 'postgresql', 2)).toEqual(['PREPARE', 'TRANSACTION'])
  })
})

describe('query on PostgreSQL: limits', () => {
  it('a 50-million-row query returns maxRows quickly: the cursor stops the portal', async () => {
    for (const sql of ['SELECT generate_series(1, 50000000) AS n', 'WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < 50000000) SELECT n FROM s']) {
      const t = Date.now()
      const r = await q(ROLES.reader, sql, { maxRows: 100, timeoutS: 30 })
      expect(Date.now() - t, sql).toBeLessThan(3000)
      expect(r).toMatchObject({ row_count: 100, truncated: true })
      expect(r.rows[99]).toEqual([100])
    }
  })
  it('the statement timeout cancels a long query with a clear error', async () => {
    const t = Date.now()
    const e = await refusal(q(ROLES.reader, 'SELECT pg_sleep(10)', { timeoutS: 1 }))
    expect(Date.now() - t).toBeLessThan(4000)
    expect(e.code).toBe('UNREACHABLE')
    expect(e.message).toBe('the query ran past its limit of 1 s and was cancelled')
    expect(e.hint).toMatch(/timeout_s/)
  })
  it('input bounds are checked before connecting; other engines are not supported', async () => {
    expect((await refusal(q(ROLES.reader, '  '))).code).toBe('INVALID_INPUT')
    expect((await refusal(q(ROLES.reader, 'SELECT 1', { maxRows: 0 }))).message).toMatch(/max_rows/)
    expect((await refusal(q(ROLES.reader, 'SELECT 1', { maxRows: 1001 }))).message).toMatch(/max_rows/)
    expect((await refusal(q(ROLES.reader, 'SELECT 1', { timeoutS: 31 }))).message).toMatch(/timeout_s/)
    for (const [type, schema] of [['redshift', null], ['mssql', null], ['clickhouse', null], ['database', 'snowflake']] as const) {
      const e = await refusal(runQuery(rec(type, schema), `redshift://u:${PW}@h/db`, { sql: 'SELECT 1', maxRows: 1, timeoutS: 1, allowPrivileged: false }))
      expect(e.code).toBe('NO_CHECK')
      expect(e.message).toMatch(/not supported/)
    }
    expect(queryEngineOf('postgresql')).toBe('postgresql')
    expect(queryEngineOf('mysql')).toBe('mysql')
    expect(queryEngineOf('redshift')).toBeUndefined()
  })
  it('errors never carry the password, even when the statement quotes it or the login fails', async () => {
    const e = await refusal(q(ROLES.reader, `SELECT '${PW}'::int`))
    expect(e.message).toMatch(/invalid input syntax for type integer/)
    const login = await refusal(runQuery(rec(), `postgresql://nobody_here:${PW}@${PG.host}:${PG.port}/${DB}?sslmode=disable`, { sql: 'SELECT 1', maxRows: 1, timeoutS: 3, allowPrivileged: false }))
    expect(login.code).toBe('CHECK_FAILED')
    const gone = await refusal(runQuery(rec(), `postgresql://u:${PW}@127.0.0.1:1/${DB}?sslmode=disable`, { sql: 'SELECT 1', maxRows: 1, timeoutS: 2, allowPrivileged: false }))
    expect(gone.code).toBe('UNREACHABLE')
  })
  it('firstKeyword skips blanks, comments and parentheses', () => {
    expect(firstKeyword('  /* a /* nested */ b */ -- c\n ( select 1)')).toBe('SELECT')
    expect(firstKeyword('--x\ncopy t to stdout')).toBe('COPY')
    expect(firstKeyword('-- only a comment')).toBe('')
  })
})

/** Write statements, and the shapes agents (or injected text) wrap them in to slip past a guard. */
const writes = [
  `INSERT INTO items VALUES (99, 'evil')`,
  `UPDATE items SET name = 'evil'`,
  'DELETE FROM items',
  'TRUNCATE items',
  'DROP TABLE items',
  'ALTER TABLE items ADD COLUMN evil int',
  'CREATE TABLE evil (a int)',
  `SELECT nextval('items_seq')`,
  `SELECT setval('items_seq', 99)`,
  `INSERT INTO items VALUES (98, 'a;b'' --')`,
]
const wrappers: ((w: string) => string)[] = [
  (w) => w,
  (w) => `SELECT 1; ${w}`,
  (w) => `COMMIT; ${w}`,
  (w) => `ROLLBACK; ${w}; COMMIT`,
  (w) => `SET TRANSACTION READ WRITE; ${w}`,
  (w) => `SET default_transaction_read_only = off; ${w}`,
  (w) => `/* ; */ ${w}`,
  (w) => `-- comment\n${w}`,
  (w) => `WITH x AS (${w} RETURNING 1) SELECT * FROM x`,
  (w) => `EXPLAIN ANALYZE ${w}`,
  (w) => `DO $$BEGIN ${w.replace(/^SELECT /, 'PERFORM ')}; END$$`,
  (w) => `DO $$BEGIN COMMIT; ${w.replace(/^SELECT /, 'PERFORM ')}; END$$`,
  (w) => `SELECT 'x'; ${w} -- '`,
]
const caseMix = (s: string, flips: boolean[]) => s.replace(/[a-z]/gi, (ch, i: number) => (flips[i % flips.length] ? ch.toUpperCase() : ch.toLowerCase()))

describe('query on PostgreSQL: property', () => {
  it('whatever SQL text is given (stacked, commented, quoted, wrapped writes), the table is unchanged afterwards', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...writes),
        fc.constantFrom(...wrappers),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }),
        fc.constantFrom('', ';', ';;', ' ; SELECT 1', '\n--'),
        fc.constantFrom(ROLES.reader, ROLES.super),
        async (w, wrap, flips, tail, role) => {
          const sql = `${wrap(caseMix(w, flips))}${tail}`
          await runQuery(rec(), uri(role), { sql, maxRows: 10, timeoutS: 5, allowPrivileged: role === ROLES.super }).catch((e: unknown) => {
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

describe('query on PostgreSQL: review mends (side effects by name, server-file functions, memory while reading)', () => {
  const EFFECTS = ['pg_terminate_backend', 'pg_cancel_backend', 'pg_logical_emit_message', 'pg_notify', 'pg_advisory_lock', 'pg_try_advisory_xact_lock_shared', 'pg_advisory_unlock_all', 'set_config', 'pg_reload_conf', 'pg_rotate_logfile', 'lo_unlink', 'lo_import', 'dblink_exec']
  it('a statement naming a side-effect function (any case, quoted, schema-qualified, nested) is refused before it connects', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...EFFECTS),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 5 }),
        fc.constantFrom((f: string) => `SELECT ${f}(1)`, (f: string) => `SELECT pg_catalog.${f}(1)`, (f: string) => `SELECT "${f}"(1)`, (f: string) => `SELECT * FROM (SELECT ${f}(1, 2)) x`, (f: string) => `WITH a AS (SELECT 1) SELECT ${f} (1) FROM a`),
        async (f, flips, wrap) => {
          const sql = wrap(caseMix(f, flips))
          expect(sideEffectCall(sql)).toBe(f)
          // An unreachable port: a refusal that names the function proves nothing connected.
          const e = await refusal(runQuery(rec(), 'postgresql://u:pw@127.0.0.1:1/x?sslmode=disable', { sql, maxRows: 1, timeoutS: 1, allowPrivileged: true }))
          expect(e.message).toMatch(/does not call/)
        },
      ),
      { numRuns: 60 },
    )
    for (const ok of ['SELECT hello_lo_x, set_configured FROM t', 'SELECT my_pg_notify FROM t', 'SELECT pg_sleep(0)']) expect(sideEffectCall(ok), ok).toBeUndefined()
  })

  it('a login GRANTed EXECUTE on pg_read_file (or lo_export) is refused unless privileged queries are allowed', async () => {
    for (const fn of ['pg_read_file(text)', 'lo_export(oid, text)']) {
      await admin(`GRANT EXECUTE ON FUNCTION ${fn} TO ${ROLES.reader}`)
      try {
        const e = await refusal(q(ROLES.reader, 'SELECT 1'))
        expect(e.code).toBe('USAGE')
        expect(e.message).toMatch(new RegExp(`may call ${fn.split('(')[0]} .*server's files`))
        expect((await q(ROLES.reader, 'SELECT 1', { allowPrivileged: true })).rows).toEqual([[1]])
      } finally {
        await admin(`REVOKE EXECUTE ON FUNCTION ${fn} FROM ${ROLES.reader}`)
      }
    }
    expect((await q(ROLES.reader, 'SELECT 1')).rows).toEqual([[1]])
  })

  it('the tool schema and the engine agree on the bounds (timeout_s at most 30, max_rows at most 1000)', () => {
    expect(QUERY_DEFAULTS.timeout_s_cap).toBe(MAX_TIMEOUT_S)
    expect(QUERY_DEFAULTS.max_rows_cap).toBe(MAX_ROWS)
  })

  it('a huge result is read in batches and stops at the total cap: truncated, bounded, not all fetched', async () => {
    // Rows of 200 000 characters: the 1001 rows a whole read asks for are 200 MB; the capped read stops near 256 KiB of result.
    const before = process.memoryUsage().heapUsed
    const r = await q(ROLES.reader, `SELECT repeat('x', 200000) FROM generate_series(1, 100000)`, { maxRows: 1000, timeoutS: 10 })
    expect(r.truncated).toBe(true)
    expect(r.rows.length).toBeLessThan(1000)
    expect(Buffer.byteLength(JSON.stringify(r.rows))).toBeLessThanOrEqual(RESULT_MAX_BYTES)
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(64 * 1024 * 1024)
    expect(BATCH_BYTES).toBeLessThanOrEqual(RESULT_MAX_BYTES)
    const small = await q(ROLES.reader, 'SELECT g FROM generate_series(1, 120) g', { maxRows: 120 })
    expect(small.rows.length).toBe(120)
    expect(small.truncated).toBe(false)
    const over = await q(ROLES.reader, 'SELECT g FROM generate_series(1, 121) g', { maxRows: 120 })
    expect(over.rows.length).toBe(120)
    expect(over.truncated).toBe(true)
  }, 30_000)
})
