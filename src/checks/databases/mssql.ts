import type { CheckContext, CheckInput, CheckResult, DiscoveredSchema, ForeignKey } from '../types.js'
import { hostKey } from '../target.js'
import { abortable, DriverTimeout, foreignKeys, groupRows, loadDriver, schemaFilter, tableKey, watchdog, type CatalogRow, type DiscoverCtx, type FkRow, type TableFacts } from './common.js'
import { loginVerdict, MSSQL, VerdictError } from './login-errors.js'
import { parseMssql, type MssqlTarget } from './mssql-config.js'

/**
 * SQL Server with mssql (tedious), an optional dependency: it weighs ~76 MB (tedious pulls the Azure
 * identity SDK), so it is loaded only to check an mssql credential, and its absence is a clear
 * "install mssql" message. Pinned to mssql 12 + tedious 19: tedious 20 needs Node 22.
 * Discovery is one sys.* query per database (INFORMATION_SCHEMA has no comments), WITH (NOLOCK) so a
 * long DDL transaction elsewhere does not block it.
 */
type Pool = import('mssql').ConnectionPool

/**
 * tedious turns the server's login ERROR token into a bare "ELOGIN" with only its text: the number
 * (18456, 40615, …) is on the token, seen through the connection's errorMessage event.
 */
interface LoginErrors {
  last?: number
}

export function poolConfig(t: MssqlTarget, timeoutMs: number, seen: LoginErrors = {}): import('mssql').config {
  return {
    beforeConnect: (conn: unknown) => {
      ;(conn as { on(e: 'errorMessage', f: (tok: { number?: number }) => void): void }).on('errorMessage', (tok) => {
        if (typeof tok.number === 'number') seen.last = tok.number
      })
    },
    server: t.server,
    ...(t.port !== undefined ? { port: t.port } : {}),
    ...(t.database ? { database: t.database } : {}),
    user: t.user,
    password: t.password,
    connectionTimeout: timeoutMs,
    requestTimeout: timeoutMs,
    pool: { max: 1, min: 0 },
    options: {
      encrypt: t.encrypt,
      trustServerCertificate: t.trustServerCertificate,
      ...(t.instanceName ? { instanceName: t.instanceName } : {}),
      appName: 'credctl',
      cancelTimeout: Math.min(5000, timeoutMs),
    },
  }
}

async function connect(t: MssqlTarget, ctx: CheckContext, seen: LoginErrors = {}): Promise<Pool> {
  const mssql = await loadDriver('mssql', 'mssql', () => import('mssql'))
  const pool = new (mssql.default?.ConnectionPool ?? mssql.ConnectionPool)(poolConfig(t, ctx.timeoutMs, seen))
  pool.on('error', () => {})
  const stop = watchdog(ctx.signal, () => void pool.close().catch(() => {}))
  try {
    await abortable(pool.connect(), ctx.signal, 'the server did not answer', ctx.timeoutMs)
  } catch (e) {
    stop()
    void pool.close().catch(() => {})
    // tedious says ETIMEOUT ("Failed to connect to host:port in N ms").
    if ((e as { code?: string }).code === 'ETIMEOUT') throw new DriverTimeout('the server did not answer', ctx.timeoutMs)
    throw e
  }
  ;(pool as unknown as { __credctlStop?: () => void }).__credctlStop = stop
  return pool
}

async function close(pool: Pool): Promise<void> {
  ;(pool as unknown as { __credctlStop?: () => void }).__credctlStop?.()
  await pool.close().catch(() => {})
}

/** Login errors by the server's number (login-errors.ts): refused, locked, expired, Azure's firewall. */
async function connectOrRefuse(input: CheckInput, ctx: CheckContext): Promise<Pool | CheckResult> {
  const t = parseMssql(input.value)
  const seen: LoginErrors = {}
  try {
    return await connect(t, ctx, seen)
  } catch (e) {
    const code = (e as { code?: string }).code
    const number = seen.last
    const verdict = loginVerdict(MSSQL, number, `SQL Server error ${number}`)
    if (verdict) return verdict
    if (code === 'ELOGIN') return { status: 'invalid', message: 'server refused the credentials: login failed (ELOGIN); check the user and password, or rotate the credential', details: { code } }
    throw e
  }
}

export async function validate(input: CheckInput, ctx: CheckContext): Promise<CheckResult> {
  const c = await connectOrRefuse(input, ctx)
  if ('status' in c) return c
  try {
    const r = await c.request().query<{ ok: number; v: string }>('SELECT 1 AS ok, CAST(SERVERPROPERTY(\'ProductVersion\') AS nvarchar(64)) AS v')
    const version = `SQL Server ${r.recordset[0]?.v ?? ''}`.trim()
    return { status: 'valid', message: `connected; SELECT 1 ok (${version})`, details: { version } }
  } finally {
    await close(c)
  }
}

export function catalogSql(schemaCount: number): string {
  const filter = schemaCount ? `AND s.name IN (${Array.from({ length: schemaCount }, (_, i) => `@s${i}`).join(', ')})` : ''
  return `
SELECT s.name AS table_schema, o.name AS table_name, o.type AS object_type,
       CAST(tep.value AS nvarchar(max)) AS table_comment,
       c.column_id AS position, c.name AS column_name,
       TYPE_NAME(c.user_type_id) AS type_name, c.max_length, c.precision, c.scale,
       c.is_nullable, c.is_identity, dc.definition AS column_default, cc.definition AS computed_definition,
       cc.is_persisted, CAST(cep.value AS nvarchar(max)) AS column_comment,
       CAST(CASE WHEN EXISTS (SELECT 1 FROM sys.indexes i WITH (NOLOCK) JOIN sys.index_columns ic WITH (NOLOCK) ON ic.object_id = i.object_id AND ic.index_id = i.index_id
                              WHERE i.object_id = o.object_id AND i.is_primary_key = 1 AND ic.column_id = c.column_id) THEN 1 ELSE 0 END AS bit) AS is_primary_key,
       HAS_PERMS_BY_NAME(QUOTENAME(s.name) + '.' + QUOTENAME(o.name), 'OBJECT', 'SELECT') AS can_select,
       HAS_PERMS_BY_NAME(DB_NAME(), 'DATABASE', 'VIEW DEFINITION') AS sees_all
FROM sys.objects o WITH (NOLOCK)
JOIN sys.schemas s WITH (NOLOCK) ON s.schema_id = o.schema_id
JOIN sys.columns c WITH (NOLOCK) ON c.object_id = o.object_id
LEFT JOIN sys.default_constraints dc WITH (NOLOCK) ON dc.object_id = c.default_object_id
LEFT JOIN sys.computed_columns cc WITH (NOLOCK) ON cc.object_id = c.object_id AND cc.column_id = c.column_id
LEFT JOIN sys.extended_properties tep WITH (NOLOCK) ON tep.class = 1 AND tep.major_id = o.object_id AND tep.minor_id = 0 AND tep.name = N'MS_Description'
LEFT JOIN sys.extended_properties cep WITH (NOLOCK) ON cep.class = 1 AND cep.major_id = o.object_id AND cep.minor_id = c.column_id AND cep.name = N'MS_Description'
WHERE o.type IN ('U', 'V', 'ET') AND o.is_ms_shipped = 0 ${filter}
ORDER BY s.name, o.name, c.column_id`
}

export interface MssqlRow {
  table_schema: string
  table_name: string
  object_type: string
  table_comment: string | null
  position: number
  column_name: string
  type_name: string
  max_length: number
  precision: number
  scale: number
  is_nullable: boolean
  is_identity: boolean
  column_default: string | null
  computed_definition: string | null
  is_persisted: boolean | null
  column_comment: string | null
  is_primary_key?: boolean
  /** HAS_PERMS_BY_NAME: 1, 0, or NULL when it cannot tell. */
  can_select?: number | null
  sees_all?: number | null
}

/** Foreign keys of the same objects, one row per column pair in key order. */
export function foreignKeySql(schemaCount: number): string {
  const filter = schemaCount ? `AND s.name IN (${Array.from({ length: schemaCount }, (_, i) => `@s${i}`).join(', ')})` : ''
  return `
SELECT s.name AS table_schema, o.name AS table_name, fk.name AS name, pc.name AS column_name,
       rs.name AS ref_schema, ro.name AS ref_table, rc.name AS ref_column
FROM sys.foreign_keys fk WITH (NOLOCK)
JOIN sys.foreign_key_columns fkc WITH (NOLOCK) ON fkc.constraint_object_id = fk.object_id
JOIN sys.objects o WITH (NOLOCK) ON o.object_id = fk.parent_object_id
JOIN sys.schemas s WITH (NOLOCK) ON s.schema_id = o.schema_id
JOIN sys.columns pc WITH (NOLOCK) ON pc.object_id = fkc.parent_object_id AND pc.column_id = fkc.parent_column_id
JOIN sys.objects ro WITH (NOLOCK) ON ro.object_id = fk.referenced_object_id
JOIN sys.schemas rs WITH (NOLOCK) ON rs.schema_id = ro.schema_id
JOIN sys.columns rc WITH (NOLOCK) ON rc.object_id = fkc.referenced_object_id AND rc.column_id = fkc.referenced_column_id
WHERE o.is_ms_shipped = 0 ${filter}
ORDER BY s.name, o.name, fk.name, fkc.constraint_column_id`
}

/** sys.columns.max_length is in bytes (nvarchar/nchar: 2 per character) and -1 for (max). */
export function mssqlType(r: Pick<MssqlRow, 'type_name' | 'max_length' | 'precision' | 'scale'>): string {
  const t = r.type_name
  const lower = t.toLowerCase()
  if (['varchar', 'char', 'varbinary', 'binary', 'nvarchar', 'nchar'].includes(lower)) {
    if (r.max_length === -1) return `${t}(max)`
    return `${t}(${lower.startsWith('n') ? r.max_length / 2 : r.max_length})`
  }
  if (lower === 'decimal' || lower === 'numeric') return `${t}(${r.precision},${r.scale})`
  if (['datetime2', 'time', 'datetimeoffset'].includes(lower)) return `${t}(${r.scale})`
  return t
}

/** SQL Server stores defaults wrapped in parentheses, often twice: ((0)), (getdate()), ('new'). */
export function unwrapParens(s: string): string {
  let out = s.trim()
  for (;;) {
    if (!out.startsWith('(') || !out.endsWith(')')) return out
    let depth = 0
    let matchesLast = true
    for (let i = 0; i < out.length; i++) {
      if (out[i] === '(') depth++
      else if (out[i] === ')') depth--
      if (depth === 0 && i < out.length - 1) {
        matchesLast = false
        break
      }
    }
    if (!matchesLast) return out
    out = out.slice(1, -1).trim()
  }
}

const KIND: Record<string, CatalogRow['kind']> = { U: 'table', V: 'view', ET: 'external' }

export function mssqlRow(r: MssqlRow): CatalogRow {
  let dflt: string | null = r.column_default === null ? null : unwrapParens(r.column_default)
  if (r.computed_definition) dflt = `AS ${r.computed_definition}${r.is_persisted ? ' PERSISTED' : ''}`
  // IDENTITY is not a default: the column says identity: true.
  return {
    schema: r.table_schema,
    table: r.table_name,
    kind: KIND[r.object_type.trim()] ?? 'table',
    table_comment: r.table_comment ?? null,
    position: Number(r.position),
    column: r.column_name,
    data_type: mssqlType(r),
    nullable: !!r.is_nullable,
    default: dflt,
    comment: r.column_comment ?? null,
    primary_key: !!r.is_primary_key,
    identity: !!r.is_identity,
  }
}

/** Readable: SELECT on the object (HAS_PERMS_BY_NAME); NULL (cannot tell) leaves it unsaid. */
export function mssqlFacts(r: MssqlRow, fks: Map<string, ForeignKey[]>): TableFacts {
  const k = tableKey(r.table_schema, r.table_name)
  return { ...(r.can_select === 0 || r.can_select === 1 ? { readable: r.can_select === 1 } : {}), foreign_keys: fks.get(k) ?? [] }
}

/**
 * SQL Server shows a user only the objects it holds some permission on, unless it has VIEW
 * DEFINITION on the database (https://learn.microsoft.com/sql/relational-databases/security/metadata-visibility-configuration).
 */
export function mssqlPartial(rows: MssqlRow[]): string[] {
  const sees = rows[0]?.sees_all
  return rows.length && sees === 0 ? ['SQL Server shows only the objects this login holds a permission on (no VIEW DEFINITION on the database): more tables may exist'] : []
}

export async function discoverSchema(input: CheckInput, ctx: DiscoverCtx): Promise<DiscoveredSchema> {
  const c = await connectOrRefuse(input, ctx)
  if ('status' in c) throw new VerdictError(c)
  try {
    const schemas = schemaFilter(ctx.options) ?? []
    const req = c.request()
    schemas.forEach((s, i) => req.input(`s${i}`, s))
    const r = await req.query<MssqlRow>(catalogSql(schemas.length))
    const fkReq = c.request()
    schemas.forEach((s, i) => fkReq.input(`s${i}`, s))
    const fkRows = (await fkReq.query<{ table_schema: string; table_name: string; name: string; column_name: string; ref_schema: string; ref_table: string; ref_column: string }>(foreignKeySql(schemas.length))).recordset
    const fks = foreignKeys(fkRows.map((x): FkRow => ({ schema: x.table_schema, table: x.table_name, name: x.name, column: x.column_name, ref_schema: x.ref_schema, ref_table: x.ref_table, ref_column: x.ref_column })))
    const facts = new Map<string, TableFacts>(r.recordset.map((x) => [tableKey(x.table_schema, x.table_name), mssqlFacts(x, fks)]))
    return { tables: groupRows(r.recordset.map(mssqlRow), ctx.options?.maxTables, facts), partial: mssqlPartial(r.recordset), details: { queries: 2 } }
  } catch (e) {
    if ((e as { code?: string }).code === 'ETIMEOUT') throw new DriverTimeout('the catalog query', ctx.timeoutMs)
    throw e
  } finally {
    await close(c)
  }
}

/**
 * Where the check goes (per-host cap, target.ts): the server and its port (1433, the default; a named
 * instance without a port counts as the server's default port: same machine, same service).
 */
export function target(input: CheckInput): string | undefined {
  const t = parseMssql(input.value)
  return hostKey(t.server, t.port ?? 1433)
}
