import { randomUUID } from 'node:crypto'
import { checkServiceUrl } from '../../lib/url-safety.js'
import type { CheckContext, CheckInput, CheckResult, DiscoveredSchema } from '../types.js'
import { urlKey } from '../target.js'
import { accountHost, parseSnowflakeUri, type SnowflakeTarget } from './snowflake-uri.js'
import { groupRows, nonEmpty, refused, schemaFilter, type CatalogRow, type DiscoverCtx } from './common.js'

/**
 * Snowflake over the REST protocol its own drivers speak (login-request, query-request), with fetch.
 * Why not snowflake-sdk: 122 MB and 131 packages (AWS and Azure SDKs for PUT/GET staging), a login that
 * retries a refused connection for minutes, a connectAsync() that resolves when the login failed, and a
 * snowflake.log written into the working directory. Why not the public SQL API (/api/v2/statements): it
 * takes only OAuth or key-pair JWTs, not the user/password a snowflake:// URI carries.
 *   login:     POST /session/v1/login-request  (STATEMENT_TIMEOUT_IN_SECONDS set for the session)
 *   query:     POST /queries/v1/query-request  (Authorization: Snowflake Token="…"), polling
 *              getResultUrl while the query runs, and fetching result chunks when there are any
 *   logout:    POST /session?delete=true
 * The host is https://<account>.snowflakecomputing.com, or the credential's base_url (private link,
 * proxies, the local stand-in of the tests). Discovery needs no warehouse: SHOW TABLES and SHOW VIEWS
 * once for the database, then SHOW COLUMNS once per schema (per-schema keeps each answer under SHOW's
 * 10,000-row cap far more often than IN DATABASE, and stays on Snowflake's fast metadata path).
 */
/** A Snowflake "success: false" answer. */
export class SnowflakeError extends Error {
  readonly sfCode: string
  constructor(sfCode: string, message: string) {
    super(message)
    this.name = 'SnowflakeError'
    this.sfCode = sfCode
  }
}

interface Session {
  base: string
  token: string
  database: string | null
  ctx: CheckContext
  seq: number
}

const APP = { CLIENT_APP_ID: 'JavaScript', CLIENT_APP_VERSION: '2.1.0' }

async function post(ctx: CheckContext, url: string, body: unknown, token?: string): Promise<Record<string, unknown>> {
  const res = await ctx.fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      'user-agent': 'credctl',
      ...(token ? { authorization: `Snowflake Token="${token}"` } : {}),
    },
    body: JSON.stringify(body),
    signal: ctx.signal,
    redirect: 'error',
  })
  return answer(res)
}

async function answer(res: Response): Promise<Record<string, unknown>> {
  const text = await res.text()
  let j: Record<string, unknown>
  try {
    j = JSON.parse(text) as Record<string, unknown>
  } catch {
    throw new SnowflakeError(`HTTP${res.status}`, `unexpected answer (HTTP ${res.status})`)
  }
  return j
}

/** Login codes that mean "refused": 390100 wrong user/password, 390101-390104 disabled/locked, 390189/390201 role or database not granted. */
const REFUSED = /^390(1\d\d|20\d|189|144)$/

export async function login(t: SnowflakeTarget, base: string, ctx: CheckContext): Promise<Session> {
  const q = new URLSearchParams({ requestId: randomUUID(), request_guid: randomUUID() })
  if (t.database) q.set('databaseName', t.database)
  if (t.schema) q.set('schemaName', t.schema)
  if (t.warehouse) q.set('warehouse', t.warehouse)
  if (t.role) q.set('roleName', t.role)
  const j = await post(ctx, `${base}/session/v1/login-request?${q}`, {
    data: {
      ...APP,
      ACCOUNT_NAME: t.account.split('.')[0]!.toUpperCase(),
      LOGIN_NAME: t.user,
      PASSWORD: t.password,
      CLIENT_ENVIRONMENT: { APPLICATION: 'credctl', OS: process.platform, OS_VERSION: process.version },
      SESSION_PARAMETERS: { STATEMENT_TIMEOUT_IN_SECONDS: Math.max(1, Math.ceil(ctx.timeoutMs / 1000)), CLIENT_SESSION_KEEP_ALIVE: false },
    },
  })
  const data = (j.data ?? {}) as { token?: string; sessionInfo?: { databaseName?: string | null } }
  if (j.success !== true || !data.token) throw new SnowflakeError(String(j.code ?? ''), String(j.message ?? 'login failed').slice(0, 200))
  return { base, token: data.token, database: data.sessionInfo?.databaseName ?? null, ctx, seq: 0 }
}

export async function logout(s: Session): Promise<void> {
  await post(s.ctx, `${s.base}/session?delete=true&request_guid=${randomUUID()}`, {}, s.token).catch(() => {})
}

interface Result {
  names: string[]
  rows: (string | null)[][]
}

const IN_PROGRESS = new Set(['333333', '333334'])

/** One statement; waits (polling getResultUrl) while it runs, then reads its chunks if any. */
export async function query(s: Session, sqlText: string): Promise<Result> {
  let j = await post(s.ctx, `${s.base}/queries/v1/query-request?requestId=${randomUUID()}&request_guid=${randomUUID()}`, { sqlText, asyncExec: false, sequenceId: ++s.seq, querySubmissionTime: Date.now() }, s.token)
  while (IN_PROGRESS.has(String(j.code))) {
    const url = String((j.data as { getResultUrl?: string } | undefined)?.getResultUrl ?? '')
    if (!url.startsWith('/')) throw new SnowflakeError(String(j.code), 'query in progress without a result URL')
    await new Promise((r) => setTimeout(r, 250))
    const res = await s.ctx.fetch(`${s.base}${url}`, { headers: { accept: 'application/json', authorization: `Snowflake Token="${s.token}"` }, signal: s.ctx.signal, redirect: 'error' })
    j = await answer(res)
  }
  if (j.success !== true) throw new SnowflakeError(String(j.code ?? ''), String(j.message ?? 'query failed').slice(0, 300))
  const data = j.data as {
    rowtype?: { name: string }[]
    rowset?: (string | null)[][]
    queryResultFormat?: string
    chunks?: { url: string }[]
    chunkHeaders?: Record<string, string>
    qrmk?: string
  }
  if (data.queryResultFormat && data.queryResultFormat !== 'json') throw new SnowflakeError('FORMAT', `unsupported result format ${data.queryResultFormat}`)
  const rows = [...(data.rowset ?? [])]
  // Large answers come as chunks on cloud storage: fetched without the Snowflake token.
  const headers = data.chunkHeaders ?? (data.qrmk ? { 'x-amz-server-side-encryption-customer-algorithm': 'AES256', 'x-amz-server-side-encryption-customer-key': data.qrmk } : {})
  for (const c of data.chunks ?? []) {
    const res = await s.ctx.fetch(c.url, { headers, signal: s.ctx.signal })
    if (!res.ok) throw new SnowflakeError(`HTTP${res.status}`, `result chunk: HTTP ${res.status}`)
    rows.push(...(JSON.parse(`[${await res.text()}]`) as (string | null)[][]))
  }
  return { names: (data.rowtype ?? []).map((r) => r.name.toLowerCase()), rows }
}

async function open(input: CheckInput, ctx: CheckContext): Promise<Session> {
  const t = parseSnowflakeUri(input.value)
  const base = checkServiceUrl(input.base_url || accountHost(t.account), 'Snowflake URL', { partOfSecret: !input.base_url }).replace(/\/+$/, '')
  return login(t, base, ctx)
}

async function openOrRefuse(input: CheckInput, ctx: CheckContext): Promise<Session | CheckResult> {
  try {
    return await open(input, ctx)
  } catch (e) {
    if (e instanceof SnowflakeError && REFUSED.test(e.sfCode)) return refused(`Snowflake refused the login: ${e.message} (${e.sfCode})`, { code: e.sfCode })
    throw e
  }
}

export async function validate(input: CheckInput, ctx: CheckContext): Promise<CheckResult> {
  const s = await openOrRefuse(input, ctx)
  if ('status' in s) return s
  try {
    const r = await query(s, 'SELECT 1 AS ok, CURRENT_VERSION() AS v')
    const version = `Snowflake ${r.rows[0]?.[1] ?? ''}`.trim()
    return { status: 'valid', message: `logged in; SELECT 1 ok (${version})`, details: { version } }
  } finally {
    await logout(s)
  }
}

/** Names from the server are exact: quote them. Names typed by the user follow identifier rules. */
export const quoteIdent = (s: string) => `"${s.replace(/"/g, '""')}"`
export const userIdent = (s: string) => (/^[A-Za-z_][A-Za-z0-9_$]*$/.test(s) ? s : quoteIdent(s))

const col = (r: Result, row: (string | null)[], name: string) => row[r.names.indexOf(name)] ?? null

/** SHOW COLUMNS' data_type is JSON: {"type":"FIXED","precision":38,"scale":0,"nullable":true}. */
export function snowflakeType(json: string | null): { data_type: string; nullable: boolean | null } {
  let t: { type?: string; precision?: number; scale?: number; length?: number; nullable?: boolean }
  try {
    t = JSON.parse(json ?? '') as typeof t
  } catch {
    return { data_type: json ?? 'UNKNOWN', nullable: null }
  }
  const n = t.nullable ?? null
  switch (t.type) {
    case 'FIXED':
      return { data_type: `NUMBER(${t.precision ?? 38},${t.scale ?? 0})`, nullable: n }
    case 'TEXT':
      return { data_type: `VARCHAR(${t.length ?? 16777216})`, nullable: n }
    case 'BINARY':
      return { data_type: `BINARY(${t.length ?? 8388608})`, nullable: n }
    case 'REAL':
      return { data_type: 'FLOAT', nullable: n }
    case 'TIME':
    case 'TIMESTAMP_LTZ':
    case 'TIMESTAMP_NTZ':
    case 'TIMESTAMP_TZ':
      return { data_type: `${t.type}(${t.scale ?? 9})`, nullable: n }
    default:
      return { data_type: t.type ?? 'UNKNOWN', nullable: n }
  }
}

interface TableInfo {
  kind: CatalogRow['kind']
  comment: string | null
}

/** Rows of SHOW TABLES / SHOW VIEWS -> kind and comment per schema.table. */
export function tableInfos(tables: Result, views: Result): Map<string, TableInfo> {
  const m = new Map<string, TableInfo>()
  for (const row of tables.rows) {
    const ext = col(tables, row, 'is_external') === 'Y'
    m.set(`${col(tables, row, 'schema_name')}\0${col(tables, row, 'name')}`, { kind: ext ? 'external' : 'table', comment: nonEmpty(col(tables, row, 'comment')) })
  }
  for (const row of views.rows) {
    const mat = String(col(views, row, 'is_materialized')).toLowerCase() === 'true'
    m.set(`${col(views, row, 'schema_name')}\0${col(views, row, 'name')}`, { kind: mat ? 'materialized_view' : 'view', comment: nonEmpty(col(views, row, 'comment')) })
  }
  return m
}

/** SHOW COLUMNS lists each table's columns in order; it has no ordinal, so position is that order. */
export function columnRows(r: Result, infos: Map<string, TableInfo>): CatalogRow[] {
  const seen = new Map<string, number>()
  const out: CatalogRow[] = []
  for (const row of r.rows) {
    const schema = String(col(r, row, 'schema_name'))
    const table = String(col(r, row, 'table_name'))
    const key = `${schema}\0${table}`
    const n = (seen.get(key) ?? 0) + 1
    seen.set(key, n)
    const info = infos.get(key)
    const { data_type, nullable } = snowflakeType(col(r, row, 'data_type'))
    const nullFlag = col(r, row, 'null?')
    out.push({
      schema,
      table,
      kind: info?.kind ?? 'table',
      table_comment: info?.comment ?? null,
      position: n,
      column: String(col(r, row, 'column_name')),
      data_type,
      nullable: nullable ?? String(nullFlag).toLowerCase() !== 'false',
      default: nonEmpty(col(r, row, 'default')),
      comment: nonEmpty(col(r, row, 'comment')),
    })
  }
  return out
}

/**
 * SHOW returns at most 10,000 rows and says nothing when it stops there
 * (https://docs.snowflake.com/en/sql-reference/sql/show-columns): an answer that long is marked partial.
 */
export const SHOW_CAP = 10_000
export function showCapped(statements: string[]): string[] {
  return statements.map((sql) => `Snowflake's SHOW stops at ${SHOW_CAP.toLocaleString('en-US')} rows and "${sql}" reached it: more may exist (narrow with --schemas)`)
}

export async function discoverSchema(input: CheckInput, ctx: DiscoverCtx): Promise<DiscoveredSchema> {
  const t = parseSnowflakeUri(input.value)
  const s = await openOrRefuse(input, ctx)
  if ('status' in s) throw new Error(s.message)
  try {
    const db = s.database ? quoteIdent(s.database) : t.database ? userIdent(t.database) : null
    if (!db) throw new Error('no database: put one in the URI (snowflake://user:pass@account/DATABASE/SCHEMA)')
    const wanted = schemaFilter(ctx.options) ?? (t.schema ? [t.schema] : null)
    // One schema: SHOW … IN SCHEMA; otherwise IN DATABASE. Two statements either way.
    const scope = wanted?.length === 1 ? `SCHEMA ${db}.${userIdent(wanted[0]!)}` : `DATABASE ${db}`
    const capped: string[] = []
    const show = async (sql: string) => {
      const r = await query(s, sql)
      if (r.rows.length >= SHOW_CAP) capped.push(sql)
      return r
    }
    const tables = await show(`SHOW TABLES IN ${scope}`)
    const views = await show(`SHOW VIEWS IN ${scope}`)
    const infos = tableInfos(tables, views)
    const schemas = [...new Set([...infos.keys()].map((k) => k.split('\0')[0]!))]
      .filter((x) => x !== 'INFORMATION_SCHEMA')
      .filter((x) => !wanted || wanted.some((w) => w === x || (userIdent(w) === w && w.toUpperCase() === x)))
      .sort()
    const rows: CatalogRow[] = []
    for (const schema of schemas) {
      rows.push(...columnRows(await show(`SHOW COLUMNS IN SCHEMA ${db}.${quoteIdent(schema)}`), infos))
      if (ctx.options?.maxTables !== undefined && new Set(rows.map((r) => `${r.schema}\0${r.table}`)).size >= ctx.options.maxTables) break
    }
    const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
    rows.sort((a, b) => cmp(a.schema, b.schema) || cmp(a.table, b.table) || a.position - b.position)
    return { tables: groupRows(rows, ctx.options?.maxTables), partial: showCapped(capped), details: { queries: 2 + schemas.length, schemas: schemas.length } }
  } finally {
    await logout(s)
  }
}

/** Where the check goes (per-host cap, target.ts): the base URL, or the account's host. */
export function target(input: CheckInput): string | undefined {
  return urlKey(input.base_url || accountHost(parseSnowflakeUri(input.value).account))
}
