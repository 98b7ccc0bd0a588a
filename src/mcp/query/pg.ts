import { CredctlError } from '../../errors.js'
import { abortable, DriverTimeout } from '../../checks/databases/common.js'
import { loginVerdict, POSTGRESQL } from '../../checks/databases/login-errors.js'
import { parsePgUri } from '../../checks/databases/pg-uri.js'
import { close, connect } from '../../checks/databases/pgwire.js'
import type { CheckContext } from '../../checks/types.js'
import { driverFailure, fail, privileged, stackedRefused, timeoutFailure, writeRefused } from './failures.js'
import { leadingKeywords } from './keyword.js'
import { bytesCell, columnName, Rows, type Column } from './shape.js'
import type { EngineCall, QueryResult } from './types.js'

/**
 * PostgreSQL (and only PostgreSQL: Redshift's read-only transaction is unverified, so it stays
 * "not supported"). Read-only is the server's doing, not a pattern's:
 *  - a fresh connection per call (built by the checks' pgwire.ts: sslmode, hosts, timeouts, no
 *    PGPASSWORD), so nothing an earlier call SET survives;
 *  - the session made read-only by default, then BEGIN TRANSACTION READ ONLY with statement, lock and
 *    idle-in-transaction timeouts local to it;
 *  - the agent's text sent as ONE prepared statement over the extended protocol (pg-cursor: Parse,
 *    Bind, Execute with a row count). The server refuses two statements in one Parse (42601), where the
 *    simple protocol would run `SELECT 1; COMMIT; INSERT …` to the end;
 *  - Execute asks for maxRows + 1 rows: the portal stops there, the server does not produce the rest;
 *  - ROLLBACK, close.
 * Before any of it, a role that can read server files or run programs is refused (rolsuper can call
 * pg_read_file inside READ ONLY; so can members of pg_read_server_files), unless the user allowed it.
 */
type PgClient = import('pg').Client

/**
 * Roles whose powers a read-only transaction does not contain. MEMBER (not USAGE) on purpose: a role
 * that merely can SET ROLE into one of them is as dangerous as one that inherits it.
 */
const DANGEROUS_ROLES = ['pg_read_server_files', 'pg_write_server_files', 'pg_execute_server_program']
const PRIVILEGE_SQL = `SELECT r.rolname::text AS name, r.rolsuper AS super
FROM pg_catalog.pg_roles r
WHERE pg_catalog.pg_has_role(session_user, r.oid, 'MEMBER') AND (r.rolsuper OR r.rolname = ANY($1::text[]))
ORDER BY r.rolname`

/**
 * dblink's functions that open a connection of their own: a statement sent over it runs outside our
 * read-only transaction (dblink_exec('…', 'INSERT …')), the documented bypass of READ ONLY. Installed
 * dblink grants them to PUBLIC; a non-superuser still needs a password the server asks for, but the
 * guard does not bet on the agent not knowing one.
 */
const DBLINK_SQL = `SELECT DISTINCT p.proname::text AS name FROM pg_catalog.pg_proc p
WHERE p.proname IN ('dblink', 'dblink_exec', 'dblink_connect', 'dblink_connect_u')
  AND pg_catalog.has_function_privilege(session_user, p.oid, 'EXECUTE')
ORDER BY 1`

/** Why this login may not run queries, or [] when it may. */
export async function dangerousPowers(c: PgClient): Promise<string[]> {
  const rows = (await c.query<{ name: string; super: boolean }>({ text: PRIVILEGE_SQL, values: [DANGEROUS_ROLES] })).rows
  const why = rows.map((r) => (r.super ? `is or can become the superuser role "${r.name}"` : `is a member of ${r.name}`))
  const dblink = (await c.query<{ name: string }>(DBLINK_SQL)).rows.map((r) => r.name)
  if (dblink.length) why.push(`may call ${dblink.join(', ')} (dblink opens its own connection, outside the read-only transaction)`)
  return why
}

/** Cells come as text (no Date or float guessing), except bytea, which is summarised by its size. */
const TEXT = (s: string) => s
const NUMBER = new Set([21, 23, 26, 700, 701]) // int2, int4, oid, float4, float8: safe as JSON numbers
function pgCell(oid: number, v: unknown): unknown {
  if (v === null || typeof v !== 'string') return v
  if (oid === 16) return v === 't'
  if (oid === 17) {
    // hex (\x…, the default since 9.0) or escape output: the size, never the bytes.
    if (v.startsWith('\\x')) return bytesCell((v.length - 2) / 2)
    return bytesCell(v.replace(/\\\\|\\[0-7]{3}/g, '.').length)
  }
  if (NUMBER.has(oid)) {
    const n = Number(v)
    return Number.isFinite(n) ? n : v
  }
  return v
}

/**
 * A cursor that survives COPY: pg-cursor has no COPY handlers, and a COPY reaching it throws in pg's
 * socket handler (an uncaught exception: the whole MCP server would go). COPY FROM STDIN is failed
 * with CopyFail; COPY TO STDOUT data ends the connection. firstKeyword() refuses COPY before this;
 * this is for whatever slips past a lexical check.
 */
type CursorClass = typeof import('pg-cursor')
export function guarded(Cursor: CursorClass, sql: string): InstanceType<CursorClass> {
  const cursor = new Cursor(sql, [], { rowMode: 'array', types: { getTypeParser: () => TEXT } as never })
  const hooks = cursor as unknown as Record<string, unknown> & { handleError(e: Error): void }
  const refused = () => new CredctlError('INVALID_INPUT', 'query does not run COPY: it cannot carry COPY data', { hint: 'use SELECT' })
  hooks.handleCopyInResponse = (conn: { sendCopyFail(m: string): void }) => conn.sendCopyFail('query does not run COPY')
  let stopped = false
  hooks.handleCopyData = (_m: unknown, conn: { stream?: { destroy(): void } }) => {
    if (stopped) return
    stopped = true
    // Fail the pending read first (after CommandComplete the cursor ignores errors), then drop the
    // connection so the server stops sending.
    hooks.handleError(refused())
    conn.stream?.destroy()
  }
  return cursor
}

/** Column types by name (format_type), asked of the server after the rows: OIDs mean nothing to an agent. */
async function typeNames(c: PgClient, fields: { dataTypeID: number; dataTypeModifier: number }[]): Promise<string[]> {
  if (!fields.length) return []
  const r = await c.query<{ t: string }>({
    text: 'SELECT pg_catalog.format_type(o, NULLIF(m, -1)) AS t FROM ROWS FROM (pg_catalog.unnest($1::oid[]), pg_catalog.unnest($2::int[])) WITH ORDINALITY AS x(o, m, i) ORDER BY i',
    values: [fields.map((f) => f.dataTypeID), fields.map((f) => f.dataTypeModifier)],
  })
  return r.rows.map((x) => x.t ?? 'unknown')
}

/** A server refusal in words; 57014 is our own statement_timeout (or the watchdog), 25006 the read-only guard. */
function pgFailure(e: unknown, secs: number, secrets: readonly string[]): Error {
  const x = e as { code?: string; message?: string; position?: string }
  const detail = `${x.message ?? ''} (SQLSTATE ${x.code ?? '?'})`
  if (e instanceof DriverTimeout || x.code === '57014' || /Query read timeout/.test(x.message ?? '')) return timeoutFailure(secs, secrets)
  if (x.code === '55P03') return fail('UNREACHABLE', `the query waited too long for a lock held by another session (${detail})`, secrets, 'try again later')
  if (x.code === '25006' || x.code === '25001') return writeRefused(detail, secrets)
  if (x.code === '42601' && /multiple commands/.test(x.message ?? '')) return stackedRefused(detail, secrets)
  if (typeof x.code === 'string' && /^[0-9A-Z]{5}$/.test(x.code)) return fail('INVALID_INPUT', `the database refused the query: ${detail}`, secrets)
  return driverFailure(e, secrets)
}

export async function runPg({ value, input, secrets, started }: EngineCall): Promise<QueryResult> {
  let target
  try {
    target = parsePgUri(value)
  } catch (e) {
    throw fail('INVALID_INPUT', `the stored connection string cannot be read: ${(e as Error).message}`, secrets)
  }
  const [k1, k2] = leadingKeywords(input.sql, 'postgresql', 2)
  if (k1 === 'COPY') throw fail('INVALID_INPUT', 'query does not run COPY: it cannot carry COPY data', secrets, 'use SELECT')
  // A prepared transaction outlives the connection, holding its locks and the xmin horizon until an
  // administrator ends it (servers with max_prepared_transactions > 0).
  if (k1 === 'PREPARE' && k2 === 'TRANSACTION') throw fail('INVALID_INPUT', 'query does not run PREPARE TRANSACTION: it would outlive the call', secrets)
  const ms = input.timeoutS * 1000
  // One budget for the whole call (connect, guard, statement, rollback): past it the watchdog destroys the socket.
  const ctl = new AbortController()
  const timer = setTimeout(() => ctl.abort(), 2 * ms + 2000)
  const ctx: CheckContext = { signal: ctl.signal, timeoutMs: ms, fetch, now: () => new Date() }
  let c: PgClient
  try {
    c = await connect(target, ctx)
  } catch (e) {
    clearTimeout(timer)
    const code = (e as { code?: string }).code
    const verdict = loginVerdict(POSTGRESQL, code, `SQLSTATE ${code}`)
    if (verdict) throw fail(verdict.status === 'unreachable' ? 'UNREACHABLE' : 'CHECK_FAILED', `the server refused the login: ${verdict.message}`, secrets)
    if (e instanceof DriverTimeout) throw fail('UNREACHABLE', `could not connect: ${e.message}`, secrets)
    throw driverFailure(e, secrets)
  }
  const run = <T>(p: Promise<T>) => abortable(p, ctl.signal, 'the server did not answer', ms)
  try {
    // Read-only by default for the session too, so even a statement that ends our transaction
    // (COMMIT, ROLLBACK) leaves the connection read-only for what follows (our own type lookup).
    await run(c.query('SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY'))
    await run(c.query('BEGIN TRANSACTION READ ONLY'))
    await run(c.query(`SET LOCAL statement_timeout = ${ms}`))
    // Waiting for a lock also queues everyone behind us: give up early.
    await run(c.query(`SET LOCAL lock_timeout = ${Math.min(ms, 5000)}`))
    // If credctl dies mid-call, the server ends the session instead of holding the snapshot open.
    await run(c.query(`SET LOCAL idle_in_transaction_session_timeout = ${ms + 5000}`))
    // The role check is the transaction's first query, and that matters even when privileged roles are
    // allowed: after a query, `SET TRANSACTION READ WRITE` is refused (25001); before one, SET commands
    // alone do not count and the server would accept it.
    const why = await run(dangerousPowers(c))
    if (why.length && !input.allowPrivileged) throw privileged('PostgreSQL', why, secrets)
    const { default: Cursor } = await import('pg-cursor')
    const cursor = c.query(guarded(Cursor, input.sql))
    const { rows: raw, fields } = await run(
      new Promise<{ rows: unknown[][]; fields: { name: string; dataTypeID: number; dataTypeModifier: number }[] }>((resolve, reject) =>
        cursor.read(input.maxRows + 1, (err, rows, result) => (err ? reject(err) : resolve({ rows: rows as unknown[][], fields: result?.fields ?? [] }))),
      ),
    )
    await run(cursor.close())
    const out = new Rows(input.maxRows)
    for (const r of raw) if (!out.add(r.map((v, i) => pgCell(fields[i]?.dataTypeID ?? 0, v)))) break
    const types = await run(typeNames(c, fields))
    const columns: Column[] = fields.map((f, i) => ({ name: columnName(f.name), type: types[i] ?? 'unknown' }))
    await run(c.query('ROLLBACK'))
    return { columns, rows: out.rows, row_count: out.rows.length, truncated: out.truncated, duration_ms: Date.now() - started }
  } catch (e) {
    throw e instanceof CredctlError ? e : pgFailure(e, input.timeoutS, secrets)
  } finally {
    clearTimeout(timer)
    await close(c)
  }
}
