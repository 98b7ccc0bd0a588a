import type { DiscoveredTable } from '../checks/types.js'

/**
 * What a discovery stores, given what was stored before. A full discovery replaces the stored schema
 * (a table that is gone is gone). A narrowed one (--schemas, or a --max-tables cut) saw only part of
 * the catalog: it replaces what it saw and keeps the rest, and says so in `partial`, so a mistyped
 * --schemas or a small --max-tables never silently turns a full stored schema into a short one.
 * Pure (no I/O): the property test drives it with random catalogs.
 */
export interface Stored {
  updated_at: string
  tables: DiscoveredTable[]
}

export interface Scope {
  schemas?: string[] | undefined
  maxTables?: number | undefined
}

export interface Merged {
  tables: DiscoveredTable[]
  partial: string[]
  /** Tables kept from the stored schema because this discovery did not look at them. */
  kept: number
}

const key = (t: DiscoveredTable) => `${t.schema}\0${t.name}`
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/** A --max-tables cut is assumed whenever the answer filled the limit (the engine stops there). */
export const wasCut = (found: number, scope: Scope) => scope.maxTables !== undefined && found >= scope.maxTables

export function mergeDiscovery(stored: Stored | undefined, found: DiscoveredTable[], enginePartial: string[], scope: Scope): Merged {
  const schemas = scope.schemas?.length ? new Set(scope.schemas) : null
  const cut = wasCut(found.length, scope)
  const partial = [...enginePartial]
  if (cut) partial.push(`stopped at --max-tables ${scope.maxTables}: tables after the first ${scope.maxTables} were not read`)
  if (!stored || (!schemas && !cut)) return { tables: found, partial, kept: 0 }
  const seen = new Set(found.map(key))
  // Outside the schemas asked for: not looked at. Inside, after a cut: maybe not reached.
  const keep = stored.tables.filter((t) => !seen.has(key(t)) && ((schemas !== null && !schemas.has(t.schema)) || cut))
  if (keep.length) partial.push(`${keep.length} ${keep.length === 1 ? 'table is' : 'tables are'} kept from the discovery of ${stored.updated_at} (not read this time)`)
  const tables = [...found, ...keep].sort((a, b) => cmp(a.schema, b.schema) || cmp(a.name, b.name))
  return { tables, partial, kept: keep.length }
}
