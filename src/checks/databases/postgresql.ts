import type { CheckContext, CheckInput, CheckResult, DiscoverOptions, DiscoveredSchema, DiscoveredTable, TableKind } from '../types.js'

/**
 * PostgreSQL: connect with pg, SELECT 1, and discover the schema with one pg_catalog query for the whole
 * database (information_schema is made of per-row privilege views: orders of magnitude slower on big
 * catalogs, and it omits materialized views). pg waits forever by default and ignores connect_timeout
 * in the URI, so the timeouts are passed explicitly, plus the caller's abort signal as a watchdog.
 */
type PgClient = import('pg').Client

export const CATALOG_SQL = `
SELECT n.nspname AS table_schema, c.relname AS table_name,
       CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'table' WHEN 'v' THEN 'view'
                      WHEN 'm' THEN 'materialized_view' WHEN 'f' THEN 'external' END AS table_kind,
       obj_description(c.oid, 'pg_class') AS table_comment,
       a.attnum AS position, a.attname AS column_name,
       pg_catalog.format_type(a.atttypid, a.atttypmod) AS data_type,
       NOT a.attnotnull AS nullable,
       pg_get_expr(d.adbin, d.adrelid) AS column_default,
       col_description(c.oid, a.attnum) AS column_comment
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
WHERE c.relkind IN ('r','p','v','m','f')
  AND NOT c.relispartition
  AND n.nspname NOT IN ('pg_catalog','information_schema')
  AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'
  AND pg_catalog.has_schema_privilege(n.oid, 'USAGE')
  AND ($1::text[] IS NULL OR n.nspname = ANY($1::text[]))
ORDER BY 1, 2, a.attnum`

export function connectionConfig(value: string, timeoutMs: number) {
  const u = new URL(value)
  // redshift:// is PostgreSQL's wire protocol; pg only understands postgres(ql)://.
  if (u.protocol === 'redshift:') u.protocol = 'postgresql:'
  return {
    connectionString: u.toString(),
    connectionTimeoutMillis: timeoutMs,
    statement_timeout: timeoutMs,
    query_timeout: timeoutMs,
    application_name: 'credctl',
  }
}

export async function connect(input: CheckInput, ctx: CheckContext): Promise<PgClient> {
  const { default: pg } = await import('pg')
  const client = new pg.Client(connectionConfig(input.value, ctx.timeoutMs))
  // An error event after connect (server gone) must not crash the process.
  client.on('error', () => {})
  const kill = () => void client.end().catch(() => {})
  ctx.signal.addEventListener('abort', kill, { once: true })
  try {
    await client.connect()
  } catch (e) {
    ctx.signal.removeEventListener('abort', kill)
    await client.end().catch(() => {})
    throw e
  }
  return client
}

/** SQLSTATE classes that mean "the server refused these credentials" (28: auth, 3D: no such database). */
const REFUSED = /^(28|3D|42501)/

export async function validate(input: CheckInput, ctx: CheckContext): Promise<CheckResult> {
  let client: PgClient
  try {
    client = await connect(input, ctx)
  } catch (e) {
    const code = (e as { code?: string }).code ?? ''
    if (REFUSED.test(code)) return { status: 'invalid', message: `server refused the credentials (SQLSTATE ${code})`, details: { sqlstate: code } }
    throw e
  }
  try {
    const r = await client.query<{ version: string }>('SELECT 1 AS ok, version() AS version')
    const version = String(r.rows[0]?.version ?? '').split(' on ')[0]
    return { status: 'valid', message: `connected; SELECT 1 ok (${version})`, details: { version } }
  } finally {
    await client.end().catch(() => {})
  }
}

interface Row {
  table_schema: string
  table_name: string
  table_kind: TableKind
  table_comment: string | null
  position: number
  column_name: string
  data_type: string
  nullable: boolean
  column_default: string | null
  column_comment: string | null
}

export function rowsToTables(rows: Row[], maxTables?: number): DiscoveredTable[] {
  const tables: DiscoveredTable[] = []
  let cur: DiscoveredTable | undefined
  for (const r of rows) {
    if (!cur || cur.schema !== r.table_schema || cur.name !== r.table_name) {
      if (maxTables !== undefined && tables.length >= maxTables) break
      cur = { schema: r.table_schema, name: r.table_name, kind: r.table_kind, comment: r.table_comment, columns: [] }
      tables.push(cur)
    }
    cur.columns.push({
      name: r.column_name,
      data_type: r.data_type,
      nullable: r.nullable,
      default: r.column_default,
      comment: r.column_comment,
      position: Number(r.position),
    })
  }
  return tables
}

export async function discoverSchema(
  input: CheckInput,
  ctx: CheckContext & { options?: DiscoverOptions },
): Promise<DiscoveredSchema> {
  const client = await connect(input, ctx)
  try {
    const schemas = ctx.options?.schemas?.length ? ctx.options.schemas : null
    const r = await client.query<Row>(CATALOG_SQL, [schemas])
    return { tables: rowsToTables(r.rows, ctx.options?.maxTables), details: { queries: 1 } }
  } finally {
    await client.end().catch(() => {})
  }
}
