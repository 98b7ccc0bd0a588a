import { CredctlError } from '../../errors.js'
import type { CheckContext, CheckResult, DiscoverOptions, DiscoveredColumn, DiscoveredTable, ForeignKey, TableKind } from '../types.js'

/**
 * What every database check shares: loading an optional driver with a clear message, a watchdog that
 * kills the client when the budget runs out (driver timeouts have gaps: DNS, TLS, retries), a typed
 * timeout error the SDK classifies, and the one rows -> tables grouping every engine ends in.
 */

/** Load a driver lazily; an optional one that is not installed becomes "install X to check Y". */
export async function loadDriver<T>(pkg: string, type: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load()
  } catch (e) {
    const code = (e as { code?: string }).code
    const msg = e instanceof Error ? e.message : ''
    if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && msg.includes(pkg)) {
      throw new CredctlError('NO_CHECK', `the ${pkg} driver is not installed: install it to check ${type} credentials (npm install ${pkg})`, {
        hint: `${pkg} is an optional dependency of credctl, left out to keep the install small`,
      })
    }
    throw e
  }
}

/** A driver-side timeout, named so classify.ts reports `timeout` (exit 5) whatever the driver said. */
export class DriverTimeout extends Error {
  readonly code = 'ETIMEDOUT'
  constructor(what: string, ms: number) {
    super(`${what}: no answer within ${Math.round(ms / 100) / 10} s`)
    this.name = 'TimeoutError'
  }
}

/**
 * Run `kill` when the signal aborts (or at once if it already has). Returns the disposer. The kill
 * must destroy sockets, not politely close them: a silent server never answers a polite close.
 */
export function watchdog(signal: AbortSignal, kill: () => void): () => void {
  const onAbort = () => {
    try {
      kill()
    } catch {
      /* the client may already be gone */
    }
  }
  if (signal.aborted) {
    onAbort()
    return () => {}
  }
  signal.addEventListener('abort', onAbort, { once: true })
  return () => signal.removeEventListener('abort', onAbort)
}

/** Rejects as soon as the signal aborts: a race partner for driver calls that ignore signals. */
export function abortable<T>(p: Promise<T>, signal: AbortSignal, what: string, ms: number): Promise<T> {
  if (signal.aborted) return Promise.reject(new DriverTimeout(what, ms))
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new DriverTimeout(what, ms))
    signal.addEventListener('abort', onAbort, { once: true })
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort)
        resolve(v)
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(e)
      },
    )
  })
}

export const refused = (message: string, details: Record<string, unknown> = {}): CheckResult => ({ status: 'invalid', message, details })

/** One catalog row, engine-neutral: each engine maps its own rows to this shape. */
export interface CatalogRow {
  schema: string
  table: string
  kind: TableKind
  table_comment: string | null
  position: number
  column: string
  data_type: string
  nullable: boolean
  default: string | null
  comment: string | null
  primary_key?: boolean
  identity?: boolean
}

/** What an engine knows about a whole table beyond its columns. */
export interface TableFacts {
  readable?: boolean
  foreign_keys?: ForeignKey[]
}

export const tableKey = (schema: string, table: string) => `${schema}\0${table}`

/** Empty strings are "no comment" in every catalog that has no NULL for it (MySQL, ClickHouse, Snowflake). */
export const nonEmpty = (s: unknown): string | null => (s === null || s === undefined || s === '' ? null : String(s))

/**
 * Group rows (already ordered by schema, table, position) into tables; stop after maxTables tables.
 * Rows of one table must be contiguous: every catalog query orders by schema and table for this.
 */
export function groupRows(rows: Iterable<CatalogRow>, maxTables?: number, facts?: Map<string, TableFacts>): DiscoveredTable[] {
  const tables: DiscoveredTable[] = []
  let cur: DiscoveredTable | undefined
  for (const r of rows) {
    if (!cur || cur.schema !== r.schema || cur.name !== r.table) {
      if (maxTables !== undefined && tables.length >= maxTables) break
      cur = { schema: r.schema, name: r.table, kind: r.kind, comment: r.table_comment, columns: [], ...facts?.get(tableKey(r.schema, r.table)) }
      tables.push(cur)
    }
    cur.columns.push(column(r))
  }
  return tables
}

/** A catalog row's column; the key and identity flags only where the engine reported them. */
export function column(r: CatalogRow): DiscoveredColumn {
  return {
    name: r.column,
    data_type: r.data_type,
    nullable: r.nullable,
    default: r.default,
    comment: r.comment,
    position: r.position,
    ...(r.primary_key !== undefined ? { primary_key: r.primary_key } : {}),
    ...(r.identity ? { identity: true } : {}),
  }
}

/** Foreign-key rows (one per column pair, in key order) -> keys per table. */
export interface FkRow {
  schema: string
  table: string
  name: string
  column: string
  ref_schema: string
  ref_table: string
  ref_column: string
}
export function foreignKeys(rows: FkRow[]): Map<string, ForeignKey[]> {
  const out = new Map<string, ForeignKey[]>()
  const byName = new Map<string, ForeignKey>()
  for (const r of rows) {
    const k = tableKey(r.schema, r.table)
    const id = `${k}\0${r.name}`
    let fk = byName.get(id)
    if (!fk) {
      fk = { name: r.name || null, columns: [], references: { schema: r.ref_schema, table: r.ref_table, columns: [] } }
      byName.set(id, fk)
      out.set(k, [...(out.get(k) ?? []), fk])
    }
    fk.columns.push(r.column)
    fk.references.columns.push(r.ref_column)
  }
  return out
}

export const schemaFilter = (o?: DiscoverOptions): string[] | null => (o?.schemas?.length ? o.schemas : null)

export type DiscoverCtx = CheckContext & { options?: DiscoverOptions }

/** Decode a URI component without throwing on a stray %. */
export function decode(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}
