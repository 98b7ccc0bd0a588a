import { CredctlError } from '../../errors.js'
import type { CredentialRecord } from '../../vault/format.js'

/**
 * PLACEHOLDER (lane mcp-server): the `query` engine guard is written by the mcp-query lane, whose file
 * replaces this one at integration. Only the contract lives here, so the server compiles and wires it.
 */
export interface QueryInput {
  sql: string
  maxRows: number
  timeoutS: number
  allowPrivileged: boolean
}

export interface QueryResult {
  columns: { name: string; type: string }[]
  rows: unknown[][]
  row_count: number
  truncated: boolean
  duration_ms: number
}

/** Which credential types the query engine serves (none in this placeholder). */
export function queryEngineOf(_type: string): 'postgresql' | 'mysql' | undefined {
  return undefined
}

export async function runQuery(_rec: CredentialRecord, _value: string, _input: QueryInput): Promise<QueryResult> {
  throw new CredctlError('CHECK_FAILED', 'query is not available in this build')
}
