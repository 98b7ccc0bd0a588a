import type { CatalogRow } from './common.js'

/**
 * Redshift's catalog in one query. svv_columns covers local tables, late-binding views and external
 * (Spectrum) tables, which pg_attribute does not; pg_class is joined only for the kind and the table
 * comment, and a column without a pg_class row is an external table. The PostgreSQL query cannot be
 * reused: Redshift (a PostgreSQL 8.0 fork) has no relispartition, attgenerated or array parameters, so
 * the schema filter is a list of placeholders.
 */
export function redshiftCatalogQuery(schemas: string[] | null): { text: string; values: unknown[] } {
  const filter = schemas ? `AND c.table_schema IN (${schemas.map((_, i) => `$${i + 1}`).join(', ')})` : ''
  const text = `
SELECT c.table_schema, c.table_name,
       CASE WHEN cl.relkind IS NULL THEN 'external' WHEN cl.relkind = 'v' THEN 'view'
            WHEN cl.relkind = 'm' THEN 'materialized_view' ELSE 'table' END AS table_kind,
       td.description AS table_comment,
       c.ordinal_position AS position, c.column_name, c.data_type,
       c.character_maximum_length, c.numeric_precision, c.numeric_scale,
       c.is_nullable, c.column_default, c.remarks AS column_comment
FROM svv_columns c
LEFT JOIN pg_catalog.pg_namespace n ON n.nspname = c.table_schema
LEFT JOIN pg_catalog.pg_class cl ON cl.relnamespace = n.oid AND cl.relname = c.table_name AND cl.relkind IN ('r','v','m','p','f')
LEFT JOIN pg_catalog.pg_description td ON td.objoid = cl.oid AND td.objsubid = 0
WHERE c.table_schema NOT IN ('information_schema', 'pg_catalog', 'catalog_history', 'pg_internal', 'pg_automv')
  AND c.table_schema NOT LIKE 'pg\\_temp\\_%'
  ${filter}
ORDER BY c.table_schema, c.table_name, c.ordinal_position`
  return { text, values: schemas ?? [] }
}

export interface RedshiftRow {
  table_schema: string
  table_name: string
  table_kind: CatalogRow['kind']
  table_comment: string | null
  position: number | string
  column_name: string
  data_type: string
  character_maximum_length: number | string | null
  numeric_precision: number | string | null
  numeric_scale: number | string | null
  is_nullable: string
  column_default: string | null
  column_comment: string | null
}

/** svv_columns splits the type: put length/precision back so it reads like DDL (varchar(256), numeric(12,2)). */
export function redshiftType(r: Pick<RedshiftRow, 'data_type' | 'character_maximum_length' | 'numeric_precision' | 'numeric_scale'>): string {
  const t = r.data_type
  if (r.character_maximum_length !== null && r.character_maximum_length !== undefined && /char/i.test(t)) return `${t}(${r.character_maximum_length})`
  if (/^(numeric|decimal)$/i.test(t) && r.numeric_precision !== null && r.numeric_precision !== undefined) {
    return `${t}(${r.numeric_precision},${r.numeric_scale ?? 0})`
  }
  return t
}

export function redshiftRow(r: RedshiftRow): CatalogRow {
  return {
    schema: r.table_schema,
    table: r.table_name,
    kind: r.table_kind,
    table_comment: r.table_comment || null,
    position: Number(r.position),
    column: r.column_name,
    data_type: redshiftType(r),
    nullable: String(r.is_nullable).toUpperCase() !== 'NO',
    default: r.column_default ?? null,
    comment: r.column_comment || null,
  }
}
