import type { CredentialRecord } from '../../vault/format.js'
import { fail } from './failures.js'
import type { QueryInput, QueryResult } from './types.js'

/**
 * The read-only SQL engine behind the MCP `query` tool (issue 15). One call = one fresh connection, one
 * statement, one read-only transaction rolled back at the end; see pg.ts and mysql.ts for how each
 * server is made to enforce it. This module loads no driver: pg, pg-cursor and mysql2 load on the
 * first call for their engine.
 */
export type { QueryInput, QueryResult } from './types.js'
export { CELL_MAX_CHARS, RESULT_MAX_BYTES } from './shape.js'

export const MAX_ROWS = 1000
export const MAX_TIMEOUT_S = 30
/** Longer statements are refused before any connection: an agent's query is not a migration script. */
export const MAX_SQL_CHARS = 100_000

/**
 * Which guarded engine runs queries for a credential type (the record's schema_type, else its type, as
 * the checks read it). undefined: no read-only guard for that engine yet, so `query` answers "not
 * supported" (redshift: BEGIN READ ONLY is unverified there; mssql has no read-only transaction;
 * clickhouse, bigquery, snowflake need their own guards).
 */
export function queryEngineOf(type: string): 'postgresql' | 'mysql' | undefined {
  if (type === 'postgresql') return 'postgresql'
  if (type === 'mysql') return 'mysql'
  return undefined
}

/** The input's bounds, checked before anything connects. Throws INVALID_INPUT naming the field. */
function checkInput(input: QueryInput, secrets: readonly string[]): void {
  if (typeof input.sql !== 'string' || !input.sql.trim()) throw fail('INVALID_INPUT', 'sql is empty: give one statement', secrets)
  if (input.sql.length > MAX_SQL_CHARS) throw fail('INVALID_INPUT', `sql is longer than ${MAX_SQL_CHARS} characters`, secrets)
  if (input.sql.includes('\0')) throw fail('INVALID_INPUT', 'sql contains a NUL character', secrets)
  if (!Number.isInteger(input.maxRows) || input.maxRows < 1 || input.maxRows > MAX_ROWS) throw fail('INVALID_INPUT', `max_rows must be a whole number from 1 to ${MAX_ROWS}`, secrets)
  if (!Number.isInteger(input.timeoutS) || input.timeoutS < 1 || input.timeoutS > MAX_TIMEOUT_S) throw fail('INVALID_INPUT', `timeout_s must be a whole number from 1 to ${MAX_TIMEOUT_S}`, secrets)
}

/**
 * Run one read-only statement with the credential's login.
 * @param rec the credential (its type picks the engine; nothing else of it is used)
 * @param value the decrypted value: a postgresql:// or mysql:// connection string
 * @returns columns, at most input.maxRows rows (cells capped), row_count, truncated, duration_ms
 * @throws CredctlError, its message redacted with the value: NO_CHECK (engine not supported),
 *   INVALID_INPUT (bad input, or the server refused the statement: a write, two statements, syntax),
 *   USAGE (a privileged role, not allowed), CHECK_FAILED (login refused), UNREACHABLE (no server, or
 *   past the time limit), INTERNAL (anything else)
 */
export async function runQuery(rec: CredentialRecord, value: string, input: QueryInput): Promise<QueryResult> {
  const started = Date.now()
  const secrets = [value]
  const type = rec.schema_type ?? rec.type
  const engine = queryEngineOf(type)
  if (!engine) {
    throw fail('NO_CHECK', `query is not supported for ${type.slice(0, 40)} credentials: credctl has no read-only guard for that engine yet`, secrets, 'query runs on postgresql and mysql (MySQL, MariaDB) credentials')
  }
  checkInput(input, secrets)
  const call = { value, input, secrets, started }
  if (engine === 'postgresql') return (await import('./pg.js')).runPg(call)
  return (await import('./mysql.js')).runMysql(call)
}
