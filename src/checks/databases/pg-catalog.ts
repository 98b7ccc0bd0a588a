import type { DiscoveredTable, ForeignKey, TableKind } from '../types.js'
import type { CatalogRow } from './common.js'

/**
 * PostgreSQL's catalog in one query over pg_catalog (not information_schema: its views evaluate
 * privilege functions per row, orders of magnitude slower on big catalogs, and they omit materialized
 * views). Partitions are left out (their parent is listed), dropped columns are skipped.
 *
 * Shape: one row per table, its columns aggregated into a JSON array in column order (9.4+). Against a
 * row per column this sends each table's names once instead of once per column, sorts 2,000 table rows
 * instead of 40,000 wide column rows (which spilled to disk at the default work_mem), and the driver's
 * JSON.parse does the decoding (bench/discover-pg.mjs measures it).
 * Defaults are deparsed with relid 0 (no relation to open per call: defaults cannot reference columns);
 * generated columns' expressions do reference them, so they get their table.
 * Column differences by version: relispartition since 10, attgenerated since 12, attidentity since 10;
 * servers older than 9.4 (no json_build_array) get the same query a row per column.
 */
export function pgCatalogQuery(versionNum: number, schemas: string[] | null, maxTables?: number, shape?: 'json' | 'rows'): { text: string; values: unknown[]; json: boolean } {
  const v10 = versionNum === 0 || versionNum >= 100000
  const v12 = versionNum === 0 || versionNum >= 120000
  const json = shape ? shape === 'json' : versionNum === 0 || versionNum >= 90400
  const generated = v12 ? 'a.attgenerated::text' : "''::text"
  const identity = v10 ? 'a.attidentity::text' : "''::text"
  const dflt = `pg_catalog.pg_get_expr(d.adbin, CASE WHEN ${generated} = '' THEN 0 ELSE d.adrelid END)`
  const kind = "CASE c.relkind WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized_view' WHEN 'f' THEN 'external' ELSE 'table' END"
  // Listed is not readable: the catalog shows every table of a schema the role may use.
  // A schema without USAGE is listed too (its tables marked unreadable) rather than left out unsaid.
  const readable = "(pg_catalog.has_schema_privilege(n.oid, 'USAGE') AND pg_catalog.has_table_privilege(c.oid, 'SELECT'))"
  // The primary key is joined once per table (pk), not looked up per column.
  const pk = 'COALESCE(a.attnum = ANY (pk.conkey), false)'
  const pkJoin = "LEFT JOIN pg_catalog.pg_constraint pk ON pk.conrelid = c.oid AND pk.contype = 'p'"
  // Each foreign key: name, referenced schema and table, then both column lists in key order.
  const keyNames = (rel: string, keys: string) =>
    `(SELECT json_agg(ka.attname ORDER BY k.i) FROM unnest(${keys}) WITH ORDINALITY AS k(attnum, i) JOIN pg_catalog.pg_attribute ka ON ka.attrelid = ${rel} AND ka.attnum = k.attnum)`
  const fks = `(SELECT json_agg(json_build_array(fk.conname, rn.nspname, rc.relname, ${keyNames('fk.conrelid', 'fk.conkey')}, ${keyNames('fk.confrelid', 'fk.confkey')}) ORDER BY fk.conname)
        FROM pg_catalog.pg_constraint fk
        JOIN pg_catalog.pg_class rc ON rc.oid = fk.confrelid
        JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
        WHERE fk.conrelid = c.oid AND fk.contype = 'f')`
  const where = `
WHERE c.relkind IN ('r','p','v','m','f')
  ${v10 ? 'AND NOT c.relispartition' : ''}
  AND n.nspname NOT IN ('pg_catalog','information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
  AND ($1::text[] IS NULL OR n.nspname = ANY($1::text[]))`
  // The JSON shape aggregates each table's columns in a correlated subquery: index lookups per table
  // instead of sorting every column row of the database, and LIMIT stops before reading the rest.
  const text = json
    ? `
SELECT n.nspname AS table_schema, c.relname AS table_name, ${kind} AS table_kind, td.description AS table_comment,
       ${readable} AS readable, ${fks} AS foreign_keys,
       (SELECT json_agg(json_build_array(a.attnum, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), NOT a.attnotnull,
                                         ${dflt}, ${generated}, ${identity}, cd.description, ${pk}) ORDER BY a.attnum)
        FROM pg_catalog.pg_attribute a
        LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        LEFT JOIN pg_catalog.pg_description cd ON cd.objoid = a.attrelid AND cd.classoid = 'pg_catalog.pg_class'::regclass AND cd.objsubid = a.attnum
        WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_description td ON td.objoid = c.oid AND td.classoid = 'pg_catalog.pg_class'::regclass AND td.objsubid = 0
${pkJoin}
${where}
ORDER BY n.nspname, c.relname
LIMIT $2::bigint`
    : `
SELECT n.nspname AS table_schema, c.relname AS table_name, ${kind} AS table_kind, td.description AS table_comment,
       a.attnum AS position, a.attname AS column_name, pg_catalog.format_type(a.atttypid, a.atttypmod) AS data_type,
       NOT a.attnotnull AS nullable, ${dflt} AS column_default, ${generated} AS generated, ${identity} AS identity,
       cd.description AS column_comment, ${pk} AS primary_key, ${readable} AS readable
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
LEFT JOIN pg_catalog.pg_description td ON td.objoid = c.oid AND td.classoid = 'pg_catalog.pg_class'::regclass AND td.objsubid = 0
LEFT JOIN pg_catalog.pg_description cd ON cd.objoid = c.oid AND cd.classoid = 'pg_catalog.pg_class'::regclass AND cd.objsubid = a.attnum
${pkJoin}
${where}
ORDER BY n.nspname, c.relname, a.attnum`
  // A row per table: --max-tables is a LIMIT (NULL: none). The row shape is capped while grouping.
  return { text, values: json ? [schemas, maxTables ?? null] : [schemas], json }
}

/** A row of the JSON shape: the table, then [position, name, type, nullable, default, generated, identity, comment, primary key] per column. */
export interface PgTableRow {
  table_schema: string
  table_name: string
  table_kind: TableKind
  table_comment: string | null
  readable: boolean
  /** [name, referenced schema, referenced table, columns, referenced columns] per key; null: none. */
  foreign_keys: [string, string, string, string[], string[]][] | null
  /** null for a table without columns (CREATE TABLE t ()). */
  columns: [number, string, string, boolean, string | null, string, string, string | null, boolean][] | null
}

/** The JSON shape straight into tables (no per-column intermediate objects: 40,000 columns add up). */
export function pgTables(rows: PgTableRow[]): DiscoveredTable[] {
  return rows.map((t) => ({
    schema: t.table_schema,
    name: t.table_name,
    kind: t.table_kind,
    comment: t.table_comment,
    columns: (t.columns ?? []).map(([position, name, data_type, nullable, dflt, generated, identity, comment, primary_key]) => ({
      name,
      data_type,
      nullable,
      default: columnDefault(dflt, generated, identity),
      comment,
      position,
      primary_key,
      ...(identity === 'a' || identity === 'd' ? { identity: true } : {}),
    })),
    readable: t.readable,
    foreign_keys: (t.foreign_keys ?? []).map(
      ([name, schema, table, columns, refColumns]): ForeignKey => ({ name, columns, references: { schema, table, columns: refColumns } }),
    ),
  }))
}

export interface PgCatalogRow {
  table_schema: string
  table_name: string
  table_kind: TableKind
  table_comment: string | null
  position: number
  column_name: string
  data_type: string
  nullable: boolean
  column_default: string | null
  generated: string
  identity: string
  column_comment: string | null
  primary_key: boolean
  readable: boolean
}

/**
 * Generated columns have no default: say what computes them instead, as DDL would. Identity columns
 * have none either (the column says `identity: true`), like MySQL's AUTO_INCREMENT and SQL Server's
 * IDENTITY; a serial column's nextval(...) is a real default and stays.
 */
export function columnDefault(expr: string | null, generated: string, identity: string): string | null {
  if (generated === 's') return `GENERATED ALWAYS AS (${expr ?? ''}) STORED`
  if (generated === 'v') return `GENERATED ALWAYS AS (${expr ?? ''}) VIRTUAL`
  if (identity === 'a' || identity === 'd') return null
  return expr
}

export function pgRow(r: PgCatalogRow): CatalogRow {
  const dflt = columnDefault(r.column_default, r.generated, r.identity)
  return {
    schema: r.table_schema,
    table: r.table_name,
    kind: r.table_kind,
    table_comment: r.table_comment,
    position: Number(r.position),
    column: r.column_name,
    data_type: r.data_type,
    nullable: r.nullable,
    default: dflt,
    comment: r.column_comment,
    primary_key: r.primary_key,
    identity: r.identity === 'a' || r.identity === 'd',
  }
}
