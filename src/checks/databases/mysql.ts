import { readRegularFileSync } from '../../lib/regular-file.js'
import type { CheckContext, CheckInput, CheckResult, DiscoveredSchema } from '../types.js'
import { hostKey } from '../target.js'
import { DriverTimeout, foreignKeys, groupRows, nonEmpty, schemaFilter, tableKey, watchdog, type CatalogRow, type DiscoverCtx, type FkRow, type TableFacts } from './common.js'
import { loginVerdict, MARIADB, MYSQL, VerdictError } from './login-errors.js'
import { access } from './mysql-grants.js'

/**
 * MySQL and MariaDB with mysql2. The URI is parsed here, never handed to mysql2: mysql2 silently ignores
 * `ssl-mode` (it prints a warning and connects in plaintext), and its URL parse errors keep the whole
 * URL, password included, on the error object. Discovery reads information_schema with two queries per
 * database (COLUMNS, then TABLES), merged in JS: joining the two is what makes MySQL 5.7 and MariaDB
 * open every table on big catalogs.
 */
import { parseMysqlUri, type MysqlSslMode, type MysqlTarget } from './mysql-uri.js'

type Conn = import('mysql2/promise').Connection
type ConnOptions = import('mysql2/promise').ConnectionOptions

/** MySQL's client semantics: REQUIRED encrypts without verifying, VERIFY_CA skips the host name check. */
function tls(t: MysqlTarget, mode: MysqlSslMode): ConnOptions['ssl'] | undefined {
  if (mode === 'DISABLED') return undefined
  const ca = t.sslCa ? { ca: readRegularFileSync(t.sslCa) } : {}
  if (mode === 'VERIFY_IDENTITY') return { rejectUnauthorized: true, verifyIdentity: true, ...ca }
  if (mode === 'VERIFY_CA') return { rejectUnauthorized: true, ...ca, verifyIdentity: false }
  return { rejectUnauthorized: false, ...ca }
}

export function connectionOptions(t: MysqlTarget, timeoutMs: number, mode: MysqlSslMode = t.sslMode): ConnOptions {
  const ssl = tls(t, mode)
  return {
    host: t.host,
    port: t.port,
    user: t.user,
    password: t.password,
    ...(t.database ? { database: t.database } : {}),
    ...(ssl ? { ssl } : {}),
    connectTimeout: timeoutMs,
    // Column types and dates as strings: the catalog is text, and no timezone guessing.
    dateStrings: true,
    supportBigNumbers: true,
  }
}

/** A refusal at login, with the server's flavour from its handshake: MySQL and MariaDB number errors differently. */
function withFlavour(e: unknown, core: { _isMariaDB?: boolean }): unknown {
  if (e && typeof e === 'object') (e as { mariadb?: boolean }).mariadb = core._isMariaDB === true
  return e
}

async function connectOnce(t: MysqlTarget, ctx: CheckContext, mode: MysqlSslMode): Promise<Conn> {
  const mysql = await import('mysql2')
  let conn: Conn | undefined
  let dead = false
  // The core connection (not mysql2/promise's createConnection) keeps the handshake's server version
  // visible when the login fails.
  const core = mysql.createConnection(connectionOptions(t, ctx.timeoutMs, mode))
  let fail: (e: unknown) => void = () => {}
  const stop = watchdog(ctx.signal, () => {
    dead = true
    core.destroy()
    // destroy() emits nothing: settle the wait here.
    fail(new DriverTimeout('the server did not answer', ctx.timeoutMs))
  })
  try {
    await new Promise<void>((resolve, reject) => {
      fail = reject
      if (dead) reject(new DriverTimeout('the server did not answer', ctx.timeoutMs))
      core.once('connect', () => resolve())
      core.once('error', (e) => reject(withFlavour(e, core as unknown as { _isMariaDB?: boolean })))
    })
    conn = core.promise()
  } catch (e) {
    stop()
    core.destroy()
    if (dead) throw new DriverTimeout('the server did not answer', ctx.timeoutMs)
    throw e
  }
  if (dead) {
    conn.destroy()
    throw new DriverTimeout('the server did not answer', ctx.timeoutMs)
  }
  conn.on('error', () => {})
  ;(conn as unknown as { __credctlStop?: () => void }).__credctlStop = stop
  return conn
}

/** PREFERRED (MySQL's default) tries TLS first and falls back to plaintext when the server has none. */
export async function connect(t: MysqlTarget, ctx: CheckContext): Promise<Conn> {
  if (t.sslMode !== 'PREFERRED') return connectOnce(t, ctx, t.sslMode)
  try {
    return await connectOnce(t, ctx, 'REQUIRED')
  } catch (e) {
    if ((e as { code?: string }).code !== 'HANDSHAKE_NO_SSL_SUPPORT' || ctx.signal.aborted) throw e
    return connectOnce(t, ctx, 'DISABLED')
  }
}

async function close(conn: Conn): Promise<void> {
  ;(conn as unknown as { __credctlStop?: () => void }).__credctlStop?.()
  await conn.end().catch(() => conn.destroy())
}

/** A login or session refusal by its number, read in the server's own table (login-errors.ts). */
export function mysqlVerdict(e: unknown): CheckResult | undefined {
  const x = e as { errno?: number; code?: string; mariadb?: boolean }
  if (typeof x.errno !== 'number') return undefined
  return loginVerdict(x.mariadb ? MARIADB : MYSQL, x.errno, `${x.mariadb ? 'MariaDB' : 'MySQL'} error ${x.errno}`)
}

async function connectOrRefuse(input: CheckInput, ctx: CheckContext): Promise<Conn | CheckResult> {
  const t = parseMysqlUri(input.value)
  try {
    return await connect(t, ctx)
  } catch (e) {
    const verdict = mysqlVerdict(e)
    if (verdict) return verdict
    throw e
  }
}

/** Client-side statement timeout (mysql2 destroys the connection) on every query. */
const q = <T>(conn: Conn, ctx: CheckContext, sql: string, values: unknown[] = []) =>
  conn.query({ sql, values, timeout: ctx.timeoutMs }).then(([rows]) => rows as T[])

interface Server {
  version: string
  mariadb: boolean
  database: string | null
}

/** The version picks the quirks, then a server-side limit too (MariaDB: seconds; MySQL 5.7.8+: ms). */
async function prepare(conn: Conn, ctx: CheckContext): Promise<Server> {
  const [row] = await q<{ v: string; d: string | null }>(conn, ctx, 'SELECT VERSION() AS v, DATABASE() AS d')
  const v = String(row?.v ?? '')
  const mariadb = /mariadb/i.test(v)
  const secs = Math.max(1, Math.ceil(ctx.timeoutMs / 1000))
  await q(conn, ctx, mariadb ? `SET SESSION max_statement_time = ${secs}` : `SET SESSION max_execution_time = ${secs * 1000}`).catch(() => {
    /* older servers have neither: the client-side timeout still holds */
  })
  return { version: `${mariadb ? 'MariaDB' : 'MySQL'} ${v.replace(/-MariaDB.*$/i, '')}`, mariadb, database: row?.d ?? null }
}

/** A refusal after login (MariaDB's expired-password sandbox answers every statement with 1820). */
function sessionVerdict(e: unknown, c: Conn): CheckResult | undefined {
  return mysqlVerdict(withFlavour(e, (c as unknown as { connection: { _isMariaDB?: boolean } }).connection))
}

export async function validate(input: CheckInput, ctx: CheckContext): Promise<CheckResult> {
  const c = await connectOrRefuse(input, ctx)
  if ('status' in c) return c
  try {
    await q(c, ctx, 'SELECT 1')
    const s = await prepare(c, ctx)
    return { status: 'valid', message: `connected; SELECT 1 ok (${s.version})`, details: { version: s.version } }
  } catch (e) {
    const verdict = sessionVerdict(e, c)
    if (verdict) return verdict
    throw e
  } finally {
    await close(c)
  }
}

export const COLUMNS_SQL = `SELECT TABLE_NAME AS table_name, ORDINAL_POSITION AS position, COLUMN_NAME AS column_name,
       COLUMN_TYPE AS column_type, IS_NULLABLE AS is_nullable, COLUMN_DEFAULT AS column_default,
       GENERATION_EXPRESSION AS generation_expression, EXTRA AS extra, COLUMN_COMMENT AS column_comment,
       COLUMN_KEY AS column_key
FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME, ORDINAL_POSITION`
export const TABLES_SQL = `SELECT TABLE_NAME AS table_name, TABLE_TYPE AS table_type, TABLE_COMMENT AS table_comment
FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?`
export const FKS_SQL = `SELECT TABLE_NAME AS table_name, CONSTRAINT_NAME AS name, COLUMN_NAME AS column_name,
       REFERENCED_TABLE_SCHEMA AS ref_schema, REFERENCED_TABLE_NAME AS ref_table, REFERENCED_COLUMN_NAME AS ref_column
FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = ? AND REFERENCED_TABLE_NAME IS NOT NULL
ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION`
const SYSTEM_DBS = ['information_schema', 'mysql', 'performance_schema', 'sys']

export interface MysqlColumnRow {
  table_name: string
  position: number | string
  column_name: string
  column_type: string
  is_nullable: string
  column_default: string | null
  generation_expression: string | null
  extra: string | null
  column_comment: string | null
  column_key?: string | null
}
export interface MysqlTableRow {
  table_name: string
  table_type: string
  table_comment: string | null
}

const NUMERIC = /^(tinyint|smallint|mediumint|int|integer|bigint|decimal|numeric|float|double|real|bit|bool|boolean|year)\b/i

/**
 * Defaults as SQL expressions, like PostgreSQL's. MariaDB already returns expressions ('new', NULL as
 * the string "NULL", current_timestamp()); MySQL 8 returns bare literals and flags expressions with
 * DEFAULT_GENERATED, so its string literals are quoted here.
 */
export function mysqlDefault(r: MysqlColumnRow, mariadb: boolean): string | null {
  const extra = (r.extra ?? '').toUpperCase()
  if (r.generation_expression) return `GENERATED ALWAYS AS (${r.generation_expression}) ${extra.includes('STORED') ? 'STORED' : 'VIRTUAL'}`
  // AUTO_INCREMENT is not a default (the column says identity: true); MariaDB reports no default for it.
  if (extra.includes('AUTO_INCREMENT')) return null
  const d = r.column_default
  if (d === null || d === undefined) return null
  if (mariadb) return d.toUpperCase() === 'NULL' ? null : d
  if (extra.includes('DEFAULT_GENERATED') || NUMERIC.test(r.column_type) || /^CURRENT_TIMESTAMP/i.test(d)) return d
  return `'${d.replace(/'/g, "''")}'`
}

const KIND: Record<string, CatalogRow['kind']> = { 'BASE TABLE': 'table', 'SYSTEM VERSIONED': 'table', VIEW: 'view' }

/** Merge one database's COLUMNS and TABLES rows. Sequences (MariaDB) and temporary tables are left out. */
export function mysqlRows(database: string, cols: MysqlColumnRow[], tables: MysqlTableRow[], mariadb: boolean): CatalogRow[] {
  const byName = new Map(tables.map((t) => [t.table_name, t]))
  const out: CatalogRow[] = []
  for (const r of cols) {
    const t = byName.get(r.table_name)
    const kind = t ? KIND[t.table_type] : undefined
    if (!t || !kind) continue
    out.push({
      schema: database,
      table: r.table_name,
      kind,
      // Views report the comment "VIEW" (MySQL 5.x, MariaDB): not a comment.
      table_comment: kind === 'view' && t.table_comment === 'VIEW' ? null : nonEmpty(t.table_comment),
      position: Number(r.position),
      column: r.column_name,
      data_type: r.column_type,
      nullable: r.is_nullable === 'YES',
      default: mysqlDefault(r, mariadb),
      comment: nonEmpty(r.column_comment),
      primary_key: r.column_key === 'PRI',
      identity: (r.extra ?? '').toUpperCase().includes('AUTO_INCREMENT'),
    })
  }
  // information_schema sorts case-insensitively: "Foo" and "foo" (distinct tables on Linux) would
  // interleave. Sort by code point so each table's rows are contiguous.
  return out.sort((a, b) => (a.table < b.table ? -1 : a.table > b.table ? 1 : a.position - b.position))
}

/**
 * Per database: COLUMNS, TABLES and the foreign keys (KEY_COLUMN_USAGE); once: SHOW GRANTS, to mark
 * unreadable tables and to say when information_schema hid tables (mysql-grants.ts).
 */
export async function discoverSchema(input: CheckInput, ctx: DiscoverCtx): Promise<DiscoveredSchema> {
  const c = await connectOrRefuse(input, ctx)
  if ('status' in c) throw new VerdictError(c)
  try {
    const s = await prepare(c, ctx)
    let queries = 2
    let dbs = schemaFilter(ctx.options) ?? (s.database ? [s.database] : null)
    if (!dbs) {
      queries++
      dbs = (await q<{ d: string }>(c, ctx, 'SELECT SCHEMA_NAME AS d FROM information_schema.SCHEMATA WHERE SCHEMA_NAME NOT IN (?) ORDER BY SCHEMA_NAME', [SYSTEM_DBS])).map((r) => r.d)
    }
    const grants = access((await q<Record<string, string>>(c, ctx, 'SHOW GRANTS')).map((r) => String(Object.values(r)[0] ?? '')), s.mariadb)
    queries++
    const rows: CatalogRow[] = []
    const facts = new Map<string, TableFacts>()
    const hidden: string[] = []
    for (const db of dbs) {
      const cols = await q<MysqlColumnRow>(c, ctx, COLUMNS_SQL, [db])
      const tables = await q<MysqlTableRow>(c, ctx, TABLES_SQL, [db])
      const fkRows = await q<{ table_name: string; name: string; column_name: string; ref_schema: string; ref_table: string; ref_column: string }>(c, ctx, FKS_SQL, [db])
      queries += 3
      const fks = foreignKeys(fkRows.map((r): FkRow => ({ schema: db, table: r.table_name, name: r.name, column: r.column_name, ref_schema: r.ref_schema, ref_table: r.ref_table, ref_column: r.ref_column })))
      for (const t of tables) {
        const readable = grants.readable(db, t.table_name)
        facts.set(tableKey(db, t.table_name), { ...(readable !== undefined ? { readable } : {}), foreign_keys: fks.get(tableKey(db, t.table_name)) ?? [] })
      }
      if (!grants.listsAll(db)) hidden.push(db)
      rows.push(...mysqlRows(db, cols, tables, s.mariadb))
      if (ctx.options?.maxTables !== undefined && new Set(rows.map((r) => r.table + '\0' + r.schema)).size >= ctx.options.maxTables) break
    }
    const partial = hidden.length
      ? [`${s.mariadb ? 'MariaDB' : 'MySQL'} lists only the tables this user holds a privilege on: ${hidden.join(', ')} may have more tables than shown`]
      : []
    return { tables: groupRows(rows, ctx.options?.maxTables, facts), partial, details: { queries, version: s.version } }
  } catch (e) {
    const verdict = sessionVerdict(e, c)
    if (verdict) throw new VerdictError(verdict)
    throw e
  } finally {
    await close(c)
  }
}

/** Where the check goes (per-host cap, target.ts): the server's host and port. */
export function target(input: CheckInput): string | undefined {
  const t = parseMysqlUri(input.value)
  return hostKey(t.host, t.port)
}
