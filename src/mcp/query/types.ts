/**
 * The contract between the MCP server and the query engines. Shapes only: this module loads nothing.
 */
export interface QueryInput {
  /** One statement. The server, not credctl, decides what it may do (read-only transaction). */
  sql: string
  /** Rows to return at most, 1..MAX_ROWS; one more is read to know whether there were more. */
  maxRows: number
  /** Seconds the statement may run, 1..MAX_TIMEOUT_S; the whole call (connect to close) gets about twice that. */
  timeoutS: number
  /** The user allowed this credential's privileged role (superuser, FILE, …): the role check is skipped. */
  allowPrivileged: boolean
}

export interface QueryResult {
  /** Column names and the server's type names (PostgreSQL format_type, MySQL/MariaDB type names). */
  columns: { name: string; type: string }[]
  /** Cells: null, booleans, finite numbers, or text (capped at CELL_MAX_CHARS; binary as `<N bytes>`). */
  rows: unknown[][]
  row_count: number
  /** Rows, a cell, or the total size (RESULT_MAX_BYTES) was cut; or a later result set was left out. */
  truncated: boolean
  /** Wall time of the call, connect to close, in milliseconds. */
  duration_ms: number
}

/** What an engine module gets: the checked input, the value, what redaction hunts for, and when the call began. */
export interface EngineCall {
  value: string
  input: QueryInput
  secrets: readonly string[]
  started: number
}
