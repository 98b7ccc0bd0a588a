import type { DiscoveredColumn, DiscoveredTable, ForeignKey } from '../checks/types.js'
import { remoteText } from '../lib/text.js'

/**
 * A discovered schema comes from a database server: names, types, defaults and comments are whatever
 * its catalog says (a hostile or careless server can put escapes, NULs or megabytes there). They pass
 * the remote-text boundary before they are stored or printed. Limits: identifiers 1,024 characters
 * (PostgreSQL's are 63 bytes, SQL Server's 128, BigQuery's 1,024), types and defaults 1,024, comments
 * 4,096. The optional facts (primary_key, identity, readable, foreign_keys) are kept only when they
 * have their shape: a stored schema (or an imported bundle's) never carries a field of another type.
 */
const IDENT_MAX = 1024
const COMMENT_MAX = 4096
const FK_MAX = 256

const text = (s: unknown, max: number) => remoteText(s, max)
const textOrNull = (s: unknown, max: number) => (s === null || s === undefined ? null : remoteText(s, max))
const names = (a: unknown): string[] | undefined => (Array.isArray(a) && a.length > 0 && a.length <= FK_MAX && a.every((x) => typeof x === 'string') ? a.map((x) => text(x, IDENT_MAX)) : undefined)

function foreignKey(k: unknown): ForeignKey | undefined {
  if (!k || typeof k !== 'object') return undefined
  const o = k as Record<string, unknown>
  const ref = o.references as Record<string, unknown> | undefined
  const columns = names(o.columns)
  const refColumns = names(ref?.columns)
  if (!ref || typeof ref !== 'object' || typeof ref.schema !== 'string' || typeof ref.table !== 'string' || !columns || !refColumns || columns.length !== refColumns.length) return undefined
  return {
    name: typeof o.name === 'string' ? text(o.name, IDENT_MAX) : null,
    columns,
    references: { schema: text(ref.schema, IDENT_MAX), table: text(ref.table, IDENT_MAX), columns: refColumns },
  }
}

function column(c: DiscoveredColumn): DiscoveredColumn {
  return {
    name: text(c.name, IDENT_MAX),
    data_type: text(c.data_type, IDENT_MAX),
    nullable: !!c.nullable,
    default: textOrNull(c.default, IDENT_MAX),
    comment: textOrNull(c.comment, COMMENT_MAX),
    position: Number.isInteger(c.position) ? c.position : 0,
    ...(typeof c.primary_key === 'boolean' ? { primary_key: c.primary_key } : {}),
    ...(c.identity === true ? { identity: true } : {}),
  }
}

export function normaliseSchema(tables: DiscoveredTable[]): DiscoveredTable[] {
  return tables.map((t) => {
    const fks = Array.isArray(t.foreign_keys) ? t.foreign_keys.map(foreignKey).filter((k): k is ForeignKey => !!k) : undefined
    return {
      schema: text(t.schema, IDENT_MAX),
      name: text(t.name, IDENT_MAX),
      kind: t.kind,
      comment: textOrNull(t.comment, COMMENT_MAX),
      columns: t.columns.map(column),
      ...(typeof t.readable === 'boolean' ? { readable: t.readable } : {}),
      ...(fks ? { foreign_keys: fks } : {}),
    }
  })
}

/** The "why this is not everything" notes: short remote-free sentences, but bounded all the same. */
export function normalisePartial(p: unknown): string[] | undefined {
  if (!Array.isArray(p)) return undefined
  const out = p.filter((x): x is string => typeof x === 'string').slice(0, 16).map((x) => text(x, COMMENT_MAX))
  return out.length ? out : undefined
}
