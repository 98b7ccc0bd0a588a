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
// REPLICATION too: such a login can create and drop replication slots from a read-only transaction
// (pg_create_physical_replication_slot survives the rollback and pins WAL until the disk fills).
const PRIVILEGE_SQL = `SELECT r.rolname::text AS name, r.rolsuper AS super, r.rolreplication AS replication
FROM pg_catalog.pg_roles r
WHERE pg_catalog.pg_has_role(session_user, r.oid, 'MEMBER') AND (r.rolsuper OR r.rolreplication OR r.rolname = ANY($1::text[]))
ORDER BY r.rolname`

/**
 * Functions whose EXECUTE this login must not hold (unless the user allowed privileged queries):
 *  - dblink's, that open a connection of their own: a statement sent over it runs outside our read-only
 *    transaction (dblink_exec('…', 'INSERT …')), the documented bypass of READ ONLY. Installed dblink
 *    grants them to PUBLIC; a non-superuser still needs a password the server asks for, but the guard
 *    does not bet on the agent not knowing one;
 *  - the server-file ones (pg_read_file, pg_read_binary_file, pg_ls_dir, pg_stat_file, lo_import,
 *    lo_export), superuser-only by default: a login GRANTed EXECUTE on one reads the server's files
 *    (its keys, other databases' files) inside READ ONLY.
 */
const DBLINK = ['dblink', 'dblink_exec', 'dblink_connect', 'dblink_connect_u']
const SERVER_FILES = ['pg_read_file', 'pg_read_binary_file', 'pg_ls_dir', 'pg_stat_file', 'lo_import', 'lo_export']
const FUNCTION_SQL = `SELECT DISTINCT p.proname::text AS name FROM pg_catalog.pg_proc p
WHERE p.proname = ANY($1::text[])
  AND pg_catalog.has_function_privilege(session_user, p.oid, 'EXECUTE')
ORDER BY 1`

/** Why this login may not run queries, or [] when it may. */
export async function dangerousPowers(c: PgClient): Promise<string[]> {
  const rows = (await c.query<{ name: string; super: boolean; replication: boolean }>({ text: PRIVILEGE_SQL, values: [DANGEROUS_ROLES] })).rows
  const why = rows.map((r) => (r.super ? `is or can become the superuser role "${r.name}"` : r.replication ? `is or can become "${r.name}", which has the REPLICATION attribute` : `is a member of ${r.name}`))
  const can = (await c.query<{ name: string }>({ text: FUNCTION_SQL, values: [[...DBLINK, ...SERVER_FILES]] })).rows.map((r) => r.name)
  const dblink = can.filter((n) => DBLINK.includes(n))
  const files = can.filter((n) => SERVER_FILES.includes(n))
  // A superuser can execute everything: its own reason says enough.
  if (!rows.some((r) => r.super)) {
    if (dblink.length) why.push(`may call ${dblink.join(', ')} (dblink opens its own connection, outside the read-only transaction)`)
    if (files.length) why.push(`may call ${files.join(', ')} (they read or write the server's files inside a read-only transaction)`)
  }
  return why
}

/**
 * Functions with side effects that a READ ONLY transaction still allows: ending or signalling other
 * sessions, NOTIFY, advisory locks (session-level ones outlive our ROLLBACK until the connection
 * closes), set_config, reloading the configuration, rotating the log, large objects, dblink. Not
 * pg_sleep (it only waits, and statement_timeout ends it), nor pg_read_file and its kin: the server
 * refuses them to a login without EXECUTE, and a login with it is refused by dangerousPowers.
 * Also what runs SQL built from strings, where no name can be seen: DO blocks and EXECUTE, and
 * query_to_xml / cursor_to_xml (a reviewer ended another session through
 * `query_to_xml('select pg_'||'terminate_backend(…)', …)`), and replication slots and origins.
 * Refused by name before anything connects. A deny-list is weak (a wrapper function, a Unicode-escaped
 * identifier U&"…" get past it; words in string literals or comments are refused too); the strong
 * remedy is a database role that holds no such privilege (README, "What it does not protect against").
 * Linear: one fixed alternation, never agent-built.
 */
const SIDE_EFFECT = /(?<![\w$])(do|execute|query_to_xml[a-z_]*|query_to_xmlschema|cursor_to_xml[a-z_]*|pg_(?:create|drop)_[a-z_]*replication_slot|pg_replication_origin_[a-z_]*|pg_copy_[a-z_]*_slot|pg_terminate_backend|pg_cancel_backend|pg_signal_backend|pg_logical_emit_message|pg_notify|pg_(?:try_)?advisory_[a-z_]*lock[a-z_]*|set_config|pg_reload_conf|pg_rotate_logfile|lo_[a-z_]+|dblink[a-z_]*|pg_switch_wal|pg_create_restore_point)(?![\w$])/i

/** The side-effect function the statement names, or undefined. */
export function sideEffectCall(sql: string): string | undefined {
  return SIDE_EFFECT.exec(sql)?.[1]?.toLowerCase()
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

type Field = { name: string; dataTypeID: number; dataTypeModifier: number }

/** Rows asked per Execute while the result is small, and the size after which it is one row at a time. */
export const BATCH_ROWS = 50
export const BATCH_BYTES = 64 * 1024

/**
 * Read the portal into `out` in small batches (Execute with a row count), so the cell and total caps
 * bound memory WHILE reading, not after: the first row alone, then batches sized to what is left of
 * BATCH_BYTES (at most BATCH_ROWS rows), then one row at a time; reading stops as soon as `out` is full (maxRows, or RESULT_MAX_BYTES:
 * `truncated`). What is still held at once is one batch, or ONE row however large (a single 1 GB cell
 * is the server's to send: see the README, "What it does not protect against").
 * @returns the result's fields (from the first batch)
 */
async function readCapped(cursor: InstanceType<CursorClass>, out: Rows, maxRows: number): Promise<Field[]> {
  let fields: Field[] = []
  let seen = 0
  let rawBytes = 0
  for (;;) {
    // The first row alone (its size unknown), then as many as fit what is left of BATCH_BYTES at the
    // average size so far (at most BATCH_ROWS), then one at a time.
    const fit = seen === 0 || rawBytes >= BATCH_BYTES ? 1 : Math.floor((BATCH_BYTES - rawBytes) / Math.max(1, rawBytes / seen))
    const want = Math.max(1, Math.min(fit, BATCH_ROWS, maxRows + 1 - seen))
    const batch = await new Promise<unknown[][]>((resolve, reject) =>
      cursor.read(want, (err, rows, result) => {
        if (err) return reject(err)
        if (result?.fields?.length) fields = result.fields
        resolve(rows as unknown[][])
      }),
    )
    for (const r of batch) {
      seen++
      for (const v of r) if (typeof v === 'string') rawBytes += v.length
      if (!out.add(r.map((v, i) => pgCell(fields[i]?.dataTypeID ?? 0, v)))) return fields
    }
    if (batch.length < want || seen > maxRows) return fields
  }
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
  if (k1 === 'NOTIFY' || k1 === 'LISTEN') throw fail('INVALID_INPUT', `query does not run ${k1}: it reaches other sessions`, secrets)
  const effect = sideEffectCall(input.sql)
  if (effect) throw fail('INVALID_INPUT', `query does not call ${effect}: it has effects a read-only transaction allows`, secrets, 'a read-only database role is the strong remedy; see the README')
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
    const out = new Rows(input.maxRows)
    const fields = await run(readCapped(cursor, out, input.maxRows))
    await run(cursor.close())
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
