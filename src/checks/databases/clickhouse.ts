import type { CheckContext, CheckInput, CheckResult, DiscoveredSchema } from '../types.js'
import { urlKey } from '../target.js'
import { DriverTimeout, groupRows, loadDriver, nonEmpty, schemaFilter, watchdog, type CatalogRow, type DiscoverCtx } from './common.js'
import { CLICKHOUSE, loginVerdict, VerdictError } from './login-errors.js'

/**
 * ClickHouse over its HTTP interface with @clickhouse/client (optional, zero dependencies). The URL is
 * parsed here: the client rejects clickhouse:// and keeps the whole URL, password included, on its parse
 * errors. Validation runs SELECT 1, never /ping (which answers "Ok." to a wrong password). The client's
 * own logger is silenced: it prints stack traces to stderr on every failed query.
 * Discovery: version(), then system.columns and system.tables (two queries for the whole server, merged
 * here rather than joined, so the same SQL works from 18.x to today). Old servers (< 21) have no
 * query parameters, no column position and no table comment: literals are quoted here, position is
 * the row order, and table comments are absent.
 */
import { parseClickhouseUrl, type ClickhouseTarget } from './clickhouse-url.js'

type Client = import('@clickhouse/client').ClickHouseClient

async function connect(t: ClickhouseTarget, ctx: CheckContext): Promise<Client> {
  const ch = await loadDriver('@clickhouse/client', 'clickhouse', () => import('@clickhouse/client'))
  const client = ch.createClient({
    url: t.url,
    username: t.username,
    password: t.password,
    ...(t.database ? { database: t.database } : {}),
    request_timeout: ctx.timeoutMs,
    application: 'credctl',
    log: { level: ch.ClickHouseLogLevel.OFF },
    keep_alive: { enabled: false },
    // Server-side statement limit, in seconds.
    clickhouse_settings: { max_execution_time: Math.max(1, Math.ceil(ctx.timeoutMs / 1000)) },
  })
  return client
}

export function errorCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown }).code
  if (typeof code === 'string' && /^\d+$/.test(code)) return code
  // Old servers' error text ("Code: 193, e.displayText() = …") does not match the client's parser.
  return /^Code: (\d+)/.exec(e instanceof Error ? e.message : '')?.[1]
}

function asTimeout(e: unknown, ms: number): unknown {
  const m = e instanceof Error ? e.message : ''
  return /^Timeout error/i.test(m) || errorCode(e) === '159' ? new DriverTimeout('the server did not answer', ms) : e
}

async function query<T>(client: Client, ctx: CheckContext, sql: string): Promise<T[]> {
  const rs = await client.query({ query: sql, format: 'JSONEachRow', abort_signal: ctx.signal })
  return rs.json<T>()
}

/** Run fn with a client; refused credentials become an `invalid` result. */
async function withClient<T>(input: CheckInput, ctx: CheckContext, fn: (c: Client) => Promise<T>): Promise<T | CheckResult> {
  const client = await connect(parseClickhouseUrl(input.value), ctx)
  const stop = watchdog(ctx.signal, () => void client.close())
  try {
    return await fn(client)
  } catch (e) {
    const code = errorCode(e)
    const verdict = loginVerdict(CLICKHOUSE, code, `ClickHouse code ${code}`)
    if (verdict) return verdict
    throw asTimeout(e, ctx.timeoutMs)
  } finally {
    stop()
    await client.close().catch(() => {})
  }
}

export async function validate(input: CheckInput, ctx: CheckContext): Promise<CheckResult> {
  const r = await withClient(input, ctx, async (c) => {
    const [row] = await query<{ ok: number; v: string }>(c, ctx, 'SELECT 1 AS ok, version() AS v')
    const version = `ClickHouse ${row?.v ?? ''}`.trim()
    return { status: 'valid', message: `connected; SELECT 1 ok (${version})`, details: { version } } satisfies CheckResult
  })
  return r
}

/** String literal for servers without query parameters (< 19.11). */
export const chQuote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`

const SYSTEM_DBS = ['system', 'INFORMATION_SCHEMA', 'information_schema']

export function catalogQueries(major: number, dbs: string[] | null): { columns: string; tables: string } {
  const modern = major >= 21
  const where = (col: string) => (dbs ? `${col} IN (${dbs.map(chQuote).join(', ')})` : `${col} NOT IN (${SYSTEM_DBS.map(chQuote).join(', ')})`)
  return {
    // is_in_primary_key: since 18.x (verified on 18.16.1).
    columns: `SELECT database, table, name, type, default_kind, default_expression, comment, is_in_primary_key${modern ? ', position' : ''}
FROM system.columns WHERE ${where('database')}${modern ? ' ORDER BY database, table, position' : ''}`,
    tables: `SELECT database, name, engine${modern ? ', comment' : ''} FROM system.tables WHERE ${where('database')}`,
  }
}

export interface ChColumnRow {
  database: string
  table: string
  name: string
  type: string
  default_kind: string
  default_expression: string
  comment: string
  is_in_primary_key?: number | string
  position?: number | string
}
export interface ChTableRow {
  database: string
  name: string
  engine: string
  comment?: string
}

/** Nullable(T) and LowCardinality(Nullable(T)) -> nullable T; everything else is NOT NULL in ClickHouse. */
export function unwrapNullable(type: string): { data_type: string; nullable: boolean } {
  const m = /^Nullable\((.*)\)$/s.exec(type)
  if (m) return { data_type: m[1]!, nullable: true }
  const lc = /^LowCardinality\(Nullable\((.*)\)\)$/s.exec(type)
  if (lc) return { data_type: `LowCardinality(${lc[1]})`, nullable: true }
  return { data_type: type, nullable: false }
}

const EXTERNAL = /^(URL|S3|S3Queue|HDFS|File|MySQL|PostgreSQL|MongoDB|Kafka|RabbitMQ|NATS|JDBC|ODBC|Redis|SQLite|AzureBlobStorage|DeltaLake|Hudi|Iceberg\w*|Hive|ExternalDistributed)$/

export function chKind(engine: string): CatalogRow['kind'] {
  if (engine === 'View' || engine === 'LiveView' || engine === 'WindowView') return 'view'
  if (engine === 'MaterializedView') return 'materialized_view'
  return EXTERNAL.test(engine) ? 'external' : 'table'
}

/** Merge columns and tables; hidden .inner tables of materialized views are storage, not tables. */
export function chRows(cols: ChColumnRow[], tables: ChTableRow[]): CatalogRow[] {
  const byKey = new Map(tables.map((t) => [`${t.database}\0${t.name}`, t]))
  const seen = new Map<string, number>()
  const out: CatalogRow[] = []
  for (const c of cols) {
    if (c.table.startsWith('.inner')) continue
    const key = `${c.database}\0${c.table}`
    const t = byKey.get(key)
    const n = (seen.get(key) ?? 0) + 1
    seen.set(key, n)
    const { data_type, nullable } = unwrapNullable(c.type)
    const kind = c.default_kind
    const dflt = !kind || !c.default_expression ? null : kind === 'DEFAULT' ? c.default_expression : `${kind} ${c.default_expression}`
    out.push({
      schema: c.database,
      table: c.table,
      kind: chKind(t?.engine ?? ''),
      table_comment: nonEmpty(t?.comment),
      // Without a position column (old servers), system.columns lists a table's columns in order.
      position: c.position !== undefined ? Number(c.position) : n,
      column: c.name,
      data_type,
      nullable,
      default: dflt,
      comment: nonEmpty(c.comment),
      // ClickHouse's primary key is the sparse index (not unique): still what its catalog calls the key.
      ...(c.is_in_primary_key !== undefined ? { primary_key: Number(c.is_in_primary_key) === 1 } : {}),
    })
  }
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
  return out.sort((a, b) => cmp(a.schema, b.schema) || cmp(a.table, b.table) || a.position - b.position)
}

export async function discoverSchema(input: CheckInput, ctx: DiscoverCtx): Promise<DiscoveredSchema> {
  const r = await withClient(input, ctx, async (c) => {
    const [v] = await query<{ v: string }>(c, ctx, 'SELECT version() AS v')
    const version = String(v?.v ?? '')
    const major = Number(version.split('.')[0]) || 0
    const sql = catalogQueries(major, schemaFilter(ctx.options))
    const cols = await query<ChColumnRow>(c, ctx, sql.columns)
    const tables = await query<ChTableRow>(c, ctx, sql.tables)
    return { tables: groupRows(chRows(cols, tables), ctx.options?.maxTables), details: { queries: 3, version: `ClickHouse ${version}` } }
  })
  if ('status' in r) throw new VerdictError(r)
  return r
}

/** Where the check goes (per-host cap, target.ts): the HTTP interface's host and port. */
export function target(input: CheckInput): string | undefined {
  return urlKey(parseClickhouseUrl(input.value).url)
}
