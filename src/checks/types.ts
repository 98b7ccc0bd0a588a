/**
 * The contract every check module exports (DESIGN section 7). The registry verifies it when a module
 * loads, so a broken module is a programmer error at load time, not a silent "valid".
 */
/** DESIGN section 7: only valid and restricted set is_valid true; invalid and exhausted set it false; the rest leave it. */
export type CheckStatus = 'valid' | 'invalid' | 'restricted' | 'exhausted' | 'unreachable' | 'timeout' | 'error'

/** What a check gets: the decrypted value and the non-secret settings of one credential. */
export interface CheckInput {
  type: string
  /** The secret. Never put it (or any part of it) in a result, message or thrown error. */
  value: string
  base_url?: string | undefined
  schema_type?: string | undefined
  /** Non-secret per-credential check settings (e.g. api_key's check_url, auth_header; bigquery's project). */
  settings: Record<string, string>
}

export interface CheckContext {
  /** Aborts when the per-check timeout elapses (or the user cancels). */
  signal: AbortSignal
  timeoutMs: number
  fetch: typeof fetch
  now: () => Date
}

export interface CheckResult {
  status: CheckStatus
  /** One line for humans. Must not contain the secret; the caller also passes it through redact(). */
  message: string
  details?: Record<string, unknown>
  /**
   * A replacement value the check obtained (oauth refresh). The service stores it encrypted; it is never
   * printed.
   */
  newValue?: string
  /**
   * Non-secret settings the check learned and wants kept with the credential (oauth: which client
   * authentication the token endpoint accepted). Checked against the settings rules before they are stored.
   */
  settings?: Record<string, string>
}

export interface DiscoveredColumn {
  name: string
  data_type: string
  nullable: boolean
  default: string | null
  comment: string | null
  position: number
  /** Part of the table's primary key. Absent where the engine's catalog has no keys (see README). */
  primary_key?: boolean
  /**
   * Filled by the engine, not by a default: MySQL/MariaDB AUTO_INCREMENT, PostgreSQL identity, SQL
   * Server IDENTITY. Such a column's `default` is null (AUTO_INCREMENT is not a default).
   */
  identity?: boolean
}

/** A foreign key: these columns (in order) reference those columns of another table. */
export interface ForeignKey {
  name: string | null
  columns: string[]
  references: { schema: string; table: string; columns: string[] }
}

export type TableKind = 'table' | 'view' | 'materialized_view' | 'external'

export interface DiscoveredTable {
  schema: string
  name: string
  kind: TableKind
  comment: string | null
  columns: DiscoveredColumn[]
  /**
   * false when the role may not SELECT the table (it is listed, but a query on it fails). Absent where
   * the engine cannot tell cheaply.
   */
  readable?: boolean
  /** Foreign keys, where the engine's catalog has them (absent otherwise; [] means "none"). */
  foreign_keys?: ForeignKey[]
}

export interface DiscoveredSchema {
  tables: DiscoveredTable[]
  /**
   * Why this is not the whole catalog, in words (e.g. MariaDB lists only the tables the user holds a
   * privilege on). Absent or empty: the engine showed everything the options asked for.
   */
  partial?: string[]
  /** Free-form facts (engine version, query count) for --debug and benchmarks. */
  details?: Record<string, unknown>
}

export interface DiscoverOptions {
  schemas?: string[] | undefined
  maxTables?: number | undefined
}

export interface Check {
  validate(input: CheckInput, ctx: CheckContext): Promise<CheckResult>
  /**
   * Where validate() goes, as "host:port" (target.ts: hostKey, urlKey), for the per-host cap of
   * validateMany; pure (no I/O), may throw on a value it cannot read. Absent: a key per credential.
   */
  target?(input: CheckInput): string | undefined
  discoverSchema?(input: CheckInput, ctx: CheckContext & { options?: DiscoverOptions }): Promise<DiscoveredSchema>
}
