import { parseGrants } from '../../checks/databases/mysql-grants.js'
import { parseMysqlUri } from '../../checks/databases/mysql-uri.js'
import { connect, mysqlVerdict } from '../../checks/databases/mysql.js'
import { abortable, DriverTimeout } from '../../checks/databases/common.js'
import type { CheckContext } from '../../checks/types.js'
import { CredctlError } from '../../errors.js'
import { driverFailure, fail, privileged, stackedRefused, timeoutFailure, writeRefused } from './failures.js'
import { firstKeyword, leadingKeywords } from './keyword.js'
import { columnName, Rows, type Column } from './shape.js'
import type { EngineCall, QueryResult } from './types.js'

/**
 * MySQL and MariaDB (mysql2). Read-only is the server's doing, with one rule on statement kinds that
 * MariaDB makes necessary:
 *  - a fresh connection per call, built by the checks' mysql.ts (ssl-mode, timeouts), which never asks
 *    for multiple statements: the server parses `SELECT 1; INSERT …` as one statement and refuses it;
 *  - the SESSION made read-only, then START TRANSACTION READ ONLY. Both, because DDL commits the open
 *    transaction implicitly and then runs outside it: on MariaDB 10.11 `CREATE TABLE` after only
 *    START TRANSACTION READ ONLY created the table; with the session read-only too it is refused (1792);
 *  - a server-side statement limit (MariaDB max_statement_time, any statement; MySQL
 *    max_execution_time, SELECT only) plus mysql2's client-side timeout, and short lock waits;
 *  - rows streamed one by one; sql_select_limit makes the server stop at maxRows + 1 for a SELECT
 *    without its own LIMIT, and reading more than that destroys the connection (the server rolls the
 *    transaction back when the client goes);
 *  - only statements that read, by their first keyword (ALLOWED): unlike PostgreSQL, MariaDB runs a
 *    compound statement (BEGIN NOT ATOMIC … END, IF, LOOP, WHILE …) outside stored programs, and one
 *    such statement may COMMIT, SET SESSION TRANSACTION READ WRITE and write: on MariaDB 10.11
 *    `BEGIN NOT ATOMIC COMMIT; SET SESSION TRANSACTION READ WRITE; START TRANSACTION; INSERT …; COMMIT; END`
 *    inserted its row through both read-only settings. CALL may do the same from a stored procedure,
 *    and SET STATEMENT … FOR lifts the statement limit. A statement that starts with SELECT, WITH, SHOW,
 *    EXPLAIN, DESCRIBE, VALUES or TABLE cannot contain a transaction statement, and the read-only
 *    transaction still refuses whatever write it holds;
 *  - ROLLBACK, close.
 * Before any of it, a login with FILE, SUPER, ALL on *.* or an administrative (… ADMIN) global privilege,
 * directly or through a role it may enable, is refused unless the user allowed it: FILE reads server files
 * (LOAD_FILE) and writes them (INTO OUTFILE) in a read-only transaction; SET GLOBAL is allowed there too.
 * mysql2 is never given an infileStreamFactory, so LOAD DATA LOCAL INFILE cannot read a local file.
 */
type Conn = import('mysql2/promise').Connection
type Core = import('mysql2').Connection
type Field = { name: string; columnType?: number; type?: number; characterSet?: number; extendedTypeName?: string; extendedFormat?: string }

/** Statements that cannot end the transaction or change the session (see above). */
export const ALLOWED = new Set(['SELECT', 'WITH', 'SHOW', 'EXPLAIN', 'DESCRIBE', 'DESC', 'VALUES', 'TABLE'])

const DANGEROUS = /^(ALL|ALL PRIVILEGES|FILE|SUPER|SHUTDOWN)$|[ _]ADMIN$/
const MAX_ROLES = 32

/** Global privileges that a read-only transaction does not contain, with where they come from; [] when none. */
export async function dangerousGrants(q: (sql: string, values?: unknown[]) => Promise<Record<string, unknown>[]>, mariadb: boolean): Promise<string[]> {
  const lines = (rows: Record<string, unknown>[]) => rows.map((r) => String(Object.values(r)[0] ?? ''))
  const why: string[] = []
  const scan = (text: string[], via: string) => {
    const { grants, roles } = parseGrants(text)
    for (const g of grants) if (g.db === null) for (const p of g.privileges) if (DANGEROUS.test(p)) why.push(`holds ${p} on *.*${via}`)
    return roles
  }
  const roles = scan(lines(await q('SHOW GRANTS')), '')
  if (!roles.length) return [...new Set(why)]
  if (!mariadb) {
    // MySQL 8 prints a role's privileges only when asked with USING (whether or not it is active).
    // (Untested offline: no MySQL 8 here. A refusal to print them refuses the login, never passes it.)
    try {
      scan(lines(await q('SHOW GRANTS FOR CURRENT_USER() USING ?', [roles])), ' (through its roles)')
    } catch {
      why.push(`holds the roles ${roles.join(', ')}, whose privileges cannot be read`)
    }
    return [...new Set(why)]
  }
  // MariaDB: every role the login may SET ROLE to (nested ones too), active or not. A user may not
  // SHOW GRANTS FOR a role (that reads the mysql database), but SHOW GRANTS prints the CURRENT role's
  // grants: so each role is made current in turn, and the role the session started with is put back.
  const all = new Set(roles)
  for (const r of await q('SELECT ROLE_NAME AS r FROM information_schema.APPLICABLE_ROLES').catch(() => [])) all.add(String(r.r))
  if (all.size > MAX_ROLES) why.push(`holds more than ${MAX_ROLES} roles`)
  const [cur] = await q('SELECT CURRENT_ROLE() AS r')
  try {
    for (const role of [...all].slice(0, MAX_ROLES)) {
      const grantee = `TO \`${role.replace(/`/g, '``')}\``
      try {
        await q('SET ROLE ?', [role])
        scan(lines(await q('SHOW GRANTS')).filter((l) => l.includes(grantee)), ` (through the role ${role})`)
      } catch {
        why.push(`holds the role ${role}, whose privileges cannot be read`)
      }
    }
  } finally {
    await (cur?.r ? q('SET ROLE ?', [cur.r]) : q('SET ROLE NONE'))
  }
  return [...new Set(why)]
}

const NAMES: Record<number, string> = {
  0: 'decimal', 1: 'tinyint', 2: 'smallint', 3: 'int', 4: 'float', 5: 'double', 6: 'null', 7: 'timestamp', 8: 'bigint', 9: 'mediumint',
  10: 'date', 11: 'time', 12: 'datetime', 13: 'year', 14: 'date', 15: 'varchar', 16: 'bit', 0xf2: 'vector', 0xf5: 'json', 0xf6: 'decimal',
  0xf7: 'enum', 0xf8: 'set', 0xff: 'geometry',
}
const BINARY_CHARSET = 63

/** The column's type by name: MariaDB's extended names (uuid, inet6, json) first, binary or text by charset. */
export function mysqlType(f: Field): string {
  if (f.extendedTypeName) return f.extendedTypeName.toLowerCase()
  if (f.extendedFormat === 'json') return 'json'
  const t = f.columnType ?? f.type ?? -1
  const binary = f.characterSet === BINARY_CHARSET
  if (t >= 0xf9 && t <= 0xfc) return binary ? 'blob' : 'text'
  if (t === 0xfd) return binary ? 'varbinary' : 'varchar'
  if (t === 0xfe) return binary ? 'binary' : 'char'
  return NAMES[t] ?? 'unknown'
}

const TIMEOUT_ERRNO = new Set([1969, 3024, 1317]) // MariaDB max_statement_time, MySQL max_execution_time, interrupted
function mysqlFailure(e: unknown, sql: string, secs: number, secrets: readonly string[]): Error {
  const x = e as { errno?: number; code?: string; sqlMessage?: string; message?: string; sqlState?: string }
  const detail = `${x.sqlMessage ?? x.message ?? ''} (error ${x.errno ?? x.code ?? '?'})`
  if (e instanceof DriverTimeout || x.code === 'PROTOCOL_SEQUENCE_TIMEOUT' || (x.errno !== undefined && TIMEOUT_ERRNO.has(x.errno))) return timeoutFailure(secs, secrets)
  if (x.errno === 1205 || x.errno === 1222) return fail('UNREACHABLE', `the query waited too long for a lock held by another session (${detail})`, secrets, 'try again later')
  if (x.errno === 1792 || x.sqlState === '25006') return writeRefused(detail, secrets)
  // A second statement is a syntax error to a server that was not asked for multiple statements.
  if (x.errno === 1064 && /;\s*\S/.test(sql.replace(/;\s*(--[^\n]*|#[^\n]*)?\s*$/, ''))) return stackedRefused(detail, secrets)
  if (typeof x.errno === 'number') return fail('INVALID_INPUT', `the database refused the query: ${detail}`, secrets)
  return driverFailure(e, secrets)
}

/** Stream the statement's first result set into rows; stop (destroying the connection) past the cap. */
function stream(core: Core, sql: string, out: Rows, timeoutMs: number): Promise<{ fields: Field[]; stopped: boolean }> {
  return new Promise((resolve, reject) => {
    let fields: Field[] = []
    let sets = 0
    let stopped = false
    const q = core.query({ sql, rowsAsArray: true, timeout: timeoutMs })
    q.on('fields', (f: Field[] | undefined) => {
      if (!Array.isArray(f)) return // a statement without a result set (SET, COMMIT)
      sets++
      if (sets === 1) fields = f
      else out.truncated = true // CALL may answer with several result sets: only the first is returned
    })
    q.on('result', (row: unknown) => {
      if (stopped || sets !== 1 || !Array.isArray(row)) return // an OK packet (SET, DO), or a later set
      if (!out.add(row)) {
        stopped = true
        // Do not let the server send the rest: end the connection (and with it the transaction).
        core.destroy()
        resolve({ fields, stopped })
      }
    })
    q.on('error', (e: unknown) => (stopped ? undefined : reject(e)))
    q.on('end', () => (stopped ? undefined : resolve({ fields, stopped })))
  })
}

/**
 * SHOW statements that print password hashes (MariaDB's SHOW GRANTS: `IDENTIFIED BY PASSWORD '*…'`;
 * SHOW CREATE USER on both) are refused before anything connects, as is a SHOW whose second keyword
 * cannot be read (an executable comment there). A hash is a secret too: offline cracking, or pass-the-
 * hash with the native password plugin.
 */
export function refuseHashShow(sql: string, secrets: readonly string[]): void {
  const [k1, k2, k3] = leadingKeywords(sql, 'mysql', 3)
  if (k1 !== 'SHOW') return
  if (k2 === undefined || k2 === 'GRANTS' || (k2 === 'CREATE' && (k3 === undefined || k3 === 'USER'))) {
    throw fail('INVALID_INPUT', 'query does not run SHOW GRANTS or SHOW CREATE USER: they can print password hashes', secrets, 'information_schema.USER_PRIVILEGES and TABLE_PRIVILEGES list privileges without hashes')
  }
}

export async function runMysql({ value, input, secrets, started }: EngineCall): Promise<QueryResult> {
  let target
  try {
    target = parseMysqlUri(value)
  } catch (e) {
    throw fail('INVALID_INPUT', `the stored connection string cannot be read: ${(e as Error).message}`, secrets)
  }
  if (!ALLOWED.has(firstKeyword(input.sql, 'mysql'))) {
    throw fail(
      'INVALID_INPUT',
      'query runs only reading statements on MySQL and MariaDB: SELECT, WITH, SHOW, EXPLAIN, DESCRIBE, VALUES or TABLE, first (after comments; executable /*! comments are not accepted there)',
      secrets,
      'compound statements (BEGIN NOT ATOMIC), CALL and SET can end the read-only transaction there, so they are refused',
    )
  }
  refuseHashShow(input.sql, secrets)
  const ms = input.timeoutS * 1000
  const ctl = new AbortController()
  const timer = setTimeout(() => ctl.abort(), 2 * ms + 2000)
  const ctx: CheckContext = { signal: ctl.signal, timeoutMs: ms, fetch, now: () => new Date() }
  let conn: Conn
  try {
    conn = await connect(target, ctx)
  } catch (e) {
    clearTimeout(timer)
    const verdict = mysqlVerdict(e)
    if (verdict) throw fail(verdict.status === 'unreachable' ? 'UNREACHABLE' : 'CHECK_FAILED', `the server refused the login: ${verdict.message}`, secrets)
    if (e instanceof DriverTimeout) throw fail('UNREACHABLE', `could not connect: ${e.message}`, secrets)
    throw driverFailure(e, secrets)
  }
  const core = (conn as unknown as { connection: Core }).connection
  let gone = false
  const q = (sql: string, values: unknown[] = []) =>
    abortable(conn.query({ sql, values, timeout: ms + 1000 }), ctl.signal, 'the server did not answer', ms).then(([rows]) => rows as Record<string, unknown>[])
  try {
    const [row] = await q('SELECT VERSION() AS v')
    const mariadb = /mariadb/i.test(String(row?.v ?? ''))
    if (!input.allowPrivileged) {
      const why = await dangerousGrants(q, mariadb)
      if (why.length) throw privileged(mariadb ? 'MariaDB' : 'MySQL', why, secrets)
    }
    await q('SET SESSION TRANSACTION READ ONLY')
    const secs = input.timeoutS
    await q(mariadb ? `SET SESSION max_statement_time = ${secs}` : `SET SESSION max_execution_time = ${ms}`)
    await q(`SET SESSION lock_wait_timeout = ${Math.min(secs, 5)}`)
    await q(`SET SESSION innodb_lock_wait_timeout = ${Math.min(secs, 5)}`).catch(() => {
      /* a server without InnoDB has no such variable: lock_wait_timeout still holds */
    })
    await q(`SET SESSION sql_select_limit = ${input.maxRows + 1}`)
    await q('START TRANSACTION READ ONLY')
    const out = new Rows(input.maxRows)
    const { fields, stopped } = await abortable(stream(core, input.sql, out, ms + 1000), ctl.signal, 'the server did not answer', ms)
    gone = stopped
    if (!stopped) await q('ROLLBACK')
    const columns: Column[] = fields.map((f) => ({ name: columnName(String(f.name)), type: mysqlType(f) }))
    return { columns, rows: out.rows, row_count: out.rows.length, truncated: out.truncated, duration_ms: Date.now() - started }
  } catch (e) {
    throw e instanceof CredctlError ? e : mysqlFailure(e, input.sql, input.timeoutS, secrets)
  } finally {
    clearTimeout(timer)
    if (gone || ctl.signal.aborted) core.destroy()
    else await conn.end().catch(() => core.destroy())
  }
}
