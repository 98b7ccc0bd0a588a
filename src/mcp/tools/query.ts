import { crypto } from '../../lazy-crypto.js'
import { CredctlError } from '../../errors.js'
import type { CallRecord } from '../context.js'
import { capValue, fitting, TOTAL_MAX, untrusted, type Untrusted } from '../envelope.js'
import { queryEngineOf, runQuery, type QueryResult } from '../query/index.js'

export interface QueryArgs {
  credential: string
  sql: string
  max_rows?: number | undefined
  timeout_s?: number | undefined
}

/** The tool schema's bounds; the engine's own (query/index.ts MAX_ROWS, MAX_TIMEOUT_S) are the same numbers (test/unit/mcp-query-shape.test.ts). */
export const QUERY_DEFAULTS = { max_rows: 100, max_rows_cap: 1000, timeout_s: 10, timeout_s_cap: 30 } as const

/** The first keyword of a statement (after blanks, comments and opening parentheses), upper case; '' when none. */
export function firstKeyword(sql: string): string {
  const s = sql.replace(/^(?:\s+|--[^\n]*(?:\n|$)|\/\*[^]*?\*\/|\()*/, '')
  return (/^[A-Za-z]+/.exec(s)?.[0] ?? '').toUpperCase().slice(0, 20)
}

/**
 * Read-only SQL through the query engine (src/mcp/query, its own lane): the database enforces read-only
 * there, not this file. Here: scope, engine support (before anything is decrypted), history (the SQL's
 * sha256 and first keyword before, the row count after; never the text), caps on cells and total size,
 * and the untrusted-data envelope.
 */
export async function query(call: CallRecord, a: QueryArgs): Promise<Untrusted<QueryResult>> {
  const c = await call.ctx.scope.find(a.credential)
  call.credentials = [c]
  call.ctx.gate.charge(c.id)
  const type = c.schema_type ?? c.type
  if (!queryEngineOf(type)) throw new CredctlError('INVALID_INPUT', `query is not supported for ${type} credentials (supported engines have a database-enforced read-only guard)`)
  call.detail.push(`sql_sha256=${crypto().createHash('sha256').update(a.sql, 'utf8').digest('hex')}`, `keyword=${firstKeyword(a.sql) || '-'}`)
  const maxRows = a.max_rows ?? QUERY_DEFAULTS.max_rows
  const timeoutS = a.timeout_s ?? QUERY_DEFAULTS.timeout_s
  const { record, value } = await call.use(c)
  const r = await runQuery(record, value, { sql: a.sql, maxRows, timeoutS, allowPrivileged: call.ctx.scope.privileged.has(c.id) })
  const rows = r.rows.map((row) => capValue(row) as unknown[])
  const kept = fitting(rows, TOTAL_MAX - 8192)
  call.detail.push(`rows=${r.row_count}`)
  return untrusted({
    columns: capValue(r.columns) as QueryResult['columns'],
    rows: rows.slice(0, kept),
    row_count: kept,
    truncated: r.truncated || kept < rows.length,
    duration_ms: r.duration_ms,
  })
}
