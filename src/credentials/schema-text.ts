import type { DiscoveredTable } from '../checks/types.js'
import { remoteText } from '../lib/text.js'

/**
 * A discovered schema comes from a database server: names, types, defaults and comments are whatever
 * its catalog says (a hostile or careless server can put escapes, NULs or megabytes there). They pass
 * the remote-text boundary before they are stored or printed. Limits: identifiers 1,024 characters
 * (PostgreSQL's are 63 bytes, SQL Server's 128, BigQuery's 1,024), types and defaults 1,024, comments
 * 4,096.
 */
const IDENT_MAX = 1024
const COMMENT_MAX = 4096

export function normaliseSchema(tables: DiscoveredTable[]): DiscoveredTable[] {
  const text = (s: unknown, max: number) => remoteText(s, max)
  const textOrNull = (s: unknown, max: number) => (s === null || s === undefined ? null : remoteText(s, max))
  return tables.map((t) => ({
    schema: text(t.schema, IDENT_MAX),
    name: text(t.name, IDENT_MAX),
    kind: t.kind,
    comment: textOrNull(t.comment, COMMENT_MAX),
    columns: t.columns.map((c) => ({
      name: text(c.name, IDENT_MAX),
      data_type: text(c.data_type, IDENT_MAX),
      nullable: !!c.nullable,
      default: textOrNull(c.default, IDENT_MAX),
      comment: textOrNull(c.comment, COMMENT_MAX),
      position: Number.isInteger(c.position) ? c.position : 0,
    })),
  }))
}
