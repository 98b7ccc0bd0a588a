import type { DiscoveredTable } from '../../checks/types.js'
import type { CallRecord } from '../context.js'
import { capValue, fitting, TOTAL_MAX, untrusted, type Untrusted } from '../envelope.js'

export interface SchemaArgs {
  credential: string
  table_pattern?: string | undefined
  refresh?: boolean | undefined
}

/** Most tables returned by one get_schema (narrow with table_pattern for more). */
export const TABLES_MAX = 200

/** `*` any run, `?` one character, case-insensitive, against `name` and `schema.name`. */
export function tableMatcher(pattern: string | undefined): (t: Pick<DiscoveredTable, 'schema' | 'name'>) => boolean {
  if (!pattern) return () => true
  const re = new RegExp(`^${[...pattern].map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&'))).join('')}$`, 'is')
  return (t) => re.test(t.name) || re.test(`${t.schema}.${t.name}`)
}

/**
 * The stored schema (client.getSchema); with `refresh`, discovered again first (client.discoverSchema,
 * which decrypts, records and redacts by itself). Capped: at most TABLES_MAX tables, each text field at
 * CELL_MAX characters, the whole at TOTAL_MAX characters of JSON; wrapped as untrusted data (comments
 * and names are the database's text).
 */
export async function getSchema(call: CallRecord, a: SchemaArgs): Promise<Untrusted<Record<string, unknown>>> {
  const c = await call.ctx.scope.find(a.credential)
  call.credentials = [c]
  call.ctx.gate.charge(c.id)
  if (a.refresh) {
    call.detail.push('refresh')
    await call.start()
    await call.ctx.api.discoverSchema(c.id)
  }
  const doc = await call.ctx.api.getSchema(c.id)
  const matched = doc.tables.filter(tableMatcher(a.table_pattern))
  const capped = matched.slice(0, TABLES_MAX).map((t) => capValue(t)) as DiscoveredTable[]
  const kept = capped.slice(0, fitting(capped, TOTAL_MAX - 4096))
  call.detail.push(`${kept.length} tables`)
  return untrusted({
    credential: c.name,
    updated_at: doc.updated_at,
    ...(doc.stale_since ? { stale_since: doc.stale_since } : {}),
    ...(doc.partial?.length ? { partial: doc.partial } : {}),
    table_count: matched.length,
    truncated: kept.length < matched.length,
    tables: kept,
  })
}
