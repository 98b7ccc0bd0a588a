import type { DiscoveredTable } from '../../checks/types.js'
import { CredctlError } from '../../errors.js'
import type { CallRecord } from '../context.js'
import { capValue, fitting, TOTAL_MAX, untrusted, type Untrusted } from '../envelope.js'

export interface SchemaArgs {
  credential: string
  table_pattern?: string | undefined
  refresh?: boolean | undefined
}

/** Most tables returned by one get_schema (narrow with table_pattern for more). */
export const TABLES_MAX = 200

/** Longest table_pattern accepted, in characters (the tool's schema says the same). */
export const PATTERN_MAX = 128

/**
 * Whether `text` matches the glob `pattern` (`*` any run, `?` one character, everything else itself),
 * both compared as given. No RegExp is built from agent text (a backtracking regex of `*a*a*a…b` takes
 * exponential time): one pass with a single resume point, the last `*` seen, which is enough because a
 * later `*` can absorb whatever an earlier one would have. Time O(pattern × text) at worst, both capped.
 */
export function globMatch(pattern: string, text: string): boolean {
  const p = [...pattern]
  const t = [...text]
  let i = 0
  let j = 0
  let star = -1
  let resume = 0
  while (j < t.length) {
    if (i < p.length && (p[i] === '?' || (p[i] !== '*' && p[i] === t[j]))) {
      i++
      j++
    } else if (i < p.length && p[i] === '*') {
      star = i++
      resume = j
    } else if (star >= 0) {
      i = star + 1
      j = ++resume
    } else {
      return false
    }
  }
  while (i < p.length && p[i] === '*') i++
  return i === p.length
}

/**
 * `*` any run, `?` one character, case-insensitive, against `name` and `schema.name`.
 * @throws CredctlError INVALID_INPUT for a pattern over PATTERN_MAX characters
 */
export function tableMatcher(pattern: string | undefined): (t: Pick<DiscoveredTable, 'schema' | 'name'>) => boolean {
  if (!pattern) return () => true
  if (pattern.length > PATTERN_MAX) throw new CredctlError('INVALID_INPUT', `table_pattern is longer than ${PATTERN_MAX} characters`)
  const pat = pattern.toLowerCase()
  return (t) => globMatch(pat, t.name.toLowerCase()) || globMatch(pat, `${t.schema}.${t.name}`.toLowerCase())
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
