import { createSign } from 'node:crypto'
import { CredctlError } from '../../errors.js'
import { checkServiceUrl } from '../../lib/url-safety.js'
import type { CheckContext, CheckInput, CheckResult, DiscoveredSchema } from '../types.js'
import { urlKey } from '../target.js'
import { parseServiceAccount, type ServiceAccount } from './bigquery-key.js'
import { groupRows, nonEmpty, refused, schemaFilter, type CatalogRow, type DiscoverCtx } from './common.js'

/**
 * BigQuery over plain REST, with the service account's OAuth token obtained by a JWT signed with
 * node:crypto. Why not @google-cloud/bigquery: it is 15 MB and 41 packages for three HTTP calls, its
 * v9 needs Node 22, and its auth library ignores the key's token_uri (so no proxy or local stand-in
 * can answer it). Here everything goes through ctx.fetch with the check's abort signal:
 *   token:     POST key.token_uri (JWT bearer grant)
 *   validate:  jobs.query `SELECT 1` (0 bytes processed: free)
 *   discover:  datasets.list, then ONE jobs.query per region over INFORMATION_SCHEMA
 *              (COLUMNS ⋈ COLUMN_FIELD_PATHS ⋈ TABLES ⋈ TABLE_OPTIONS), paged with getQueryResults.
 * The API base is https://bigquery.googleapis.com, or the credential's base_url (proxies, tests).
 * Settings: `project` (else the key's project_id), `location` (the region of datasets whose listing
 * does not say it). Every INFORMATION_SCHEMA job is billed at least 10 MB; per-table REST (tables.get)
 * would be free but N+1 calls.
 */
const DEFAULT_BASE = 'https://bigquery.googleapis.com'
// jobs.query documents the bigquery and cloud-platform scopes; the service account's IAM roles still
// bound what it may do, and credctl only sends read-only SQL.
const SCOPE = 'https://www.googleapis.com/auth/bigquery'

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url')

/** RS256 JWT for the OAuth 2.0 JWT bearer grant (RFC 7523), as Google's token endpoint expects. */
export function signJwt(sa: ServiceAccount, nowSec: number): string {
  const header = { alg: 'RS256', typ: 'JWT', ...(sa.private_key_id ? { kid: sa.private_key_id } : {}) }
  const claims = { iss: sa.client_email, scope: SCOPE, aud: sa.token_uri, iat: nowSec, exp: nowSec + 3600 }
  const unsigned = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`
  const sig = createSign('RSA-SHA256').update(unsigned).sign(sa.private_key)
  return `${unsigned}.${b64url(sig)}`
}

/** An HTTP answer that says no; kept apart so validate can tell refused, restricted and broken apart. */
export class ApiError extends Error {
  readonly httpStatus: number
  readonly reason: string
  constructor(httpStatus: number, reason: string, message: string) {
    super(message)
    this.name = 'ApiError'
    this.httpStatus = httpStatus
    this.reason = reason
  }
}

async function readJson(res: Response): Promise<Record<string, unknown>> {
  const text = await res.text()
  try {
    return JSON.parse(text) as Record<string, unknown>
  } catch {
    return {}
  }
}

/** Google error bodies: {error:{code,message,status,errors:[{reason}]}} or OAuth's {error,error_description}. */
function apiError(status: number, body: Record<string, unknown>, what: string): ApiError {
  const e = body.error
  if (e && typeof e === 'object') {
    const o = e as { message?: string; status?: string; errors?: { reason?: string }[] }
    const reason = o.errors?.[0]?.reason ?? o.status ?? ''
    return new ApiError(status, reason, `${what}: HTTP ${status} ${reason} ${String(o.message ?? '').slice(0, 200)}`.trim())
  }
  const reason = typeof e === 'string' ? e : ''
  const desc = typeof body.error_description === 'string' ? body.error_description.slice(0, 200) : ''
  return new ApiError(status, reason, `${what}: HTTP ${status} ${reason} ${desc}`.trim())
}

interface Session {
  base: string
  project: string
  token: string
  ctx: CheckContext
}

async function token(sa: ServiceAccount, ctx: CheckContext): Promise<string> {
  // The token URI sits inside the key (a secret): not quoted when it does not parse.
  const uri = checkServiceUrl(sa.token_uri, "the key's token_uri", { partOfSecret: true })
  const body = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: signJwt(sa, Math.floor(ctx.now().getTime() / 1000)) })
  const res = await ctx.fetch(uri, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body, signal: ctx.signal, redirect: 'error' })
  const j = await readJson(res)
  if (!res.ok || typeof j.access_token !== 'string') throw apiError(res.status, j, 'token endpoint')
  return j.access_token
}

async function api(s: Session, method: 'GET' | 'POST', path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await s.ctx.fetch(`${s.base}/bigquery/v2${path}`, {
    method,
    headers: { authorization: `Bearer ${s.token}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
    signal: s.ctx.signal,
    redirect: 'error',
  })
  const j = await readJson(res)
  if (!res.ok) throw apiError(res.status, j, `${method} ${path.split('?')[0]}`)
  return j
}

async function open(input: CheckInput, ctx: CheckContext): Promise<Session> {
  const sa = parseServiceAccount(input.value)
  const project = input.settings.project || sa.project_id
  if (!project) throw new CredctlError('INVALID_INPUT', 'no BigQuery project: the key has no project_id; set one with --project')
  const base = checkServiceUrl(input.base_url || DEFAULT_BASE, 'BigQuery base URL').replace(/\/+$/, '')
  return { base, project, token: await token(sa, ctx), ctx }
}

const pp = (p: string) => `/projects/${encodeURIComponent(p)}`

interface QueryResult {
  fields: string[]
  rows: (string | null)[][]
}

/** jobs.query, then getQueryResults while the job runs or pages remain. */
export async function runQuery(s: Session, sql: string, opts: { location?: string; params?: unknown[] } = {}): Promise<QueryResult> {
  const waitMs = Math.max(1000, Math.min(s.ctx.timeoutMs, 10_000))
  let r = await api(s, 'POST', `${pp(s.project)}/queries`, {
    query: sql,
    useLegacySql: false,
    timeoutMs: waitMs,
    jobTimeoutMs: String(s.ctx.timeoutMs),
    maxResults: 10_000,
    ...(opts.location ? { location: opts.location } : {}),
    ...(opts.params ? { parameterMode: 'NAMED', queryParameters: opts.params } : {}),
    labels: { client: 'credctl' },
  })
  const job = r.jobReference as { jobId?: string; location?: string } | undefined
  const out: QueryResult = { fields: [], rows: [] }
  for (;;) {
    if (r.jobComplete !== false) {
      const schema = r.schema as { fields?: { name: string }[] } | undefined
      if (schema?.fields && out.fields.length === 0) out.fields = schema.fields.map((f) => f.name)
      for (const row of (r.rows as { f: { v: unknown }[] }[] | undefined) ?? []) out.rows.push(row.f.map((c) => (c.v === null || c.v === undefined ? null : String(c.v))))
      if (!r.pageToken) return out
    }
    if (!job?.jobId) return out
    const q = new URLSearchParams({ timeoutMs: String(waitMs), maxResults: '10000', ...(job.location ? { location: job.location } : {}), ...(r.jobComplete !== false && r.pageToken ? { pageToken: String(r.pageToken) } : {}) })
    r = await api(s, 'GET', `${pp(s.project)}/queries/${encodeURIComponent(job.jobId)}?${q}`)
  }
}

export async function validate(input: CheckInput, ctx: CheckContext): Promise<CheckResult> {
  let s: Session
  try {
    s = await open(input, ctx)
  } catch (e) {
    // invalid_grant (bad signature, deleted key), invalid_client, unauthorized_client: refused.
    if (e instanceof ApiError && e.httpStatus >= 400 && e.httpStatus < 500) return refused(`token endpoint refused the service account: ${e.reason || `HTTP ${e.httpStatus}`}`, { http_status: e.httpStatus })
    throw e
  }
  try {
    const r = await runQuery(s, 'SELECT 1 AS ok', input.settings.location ? { location: input.settings.location } : {})
    return { status: 'valid', message: `token ok; SELECT 1 ok in project ${s.project} (${r.rows.length} row)`, details: { project: s.project } }
  } catch (e) {
    if (!(e instanceof ApiError)) throw e
    if (e.httpStatus === 401) return refused(`BigQuery refused the token (HTTP 401 ${e.reason})`, { http_status: 401 })
    if (e.httpStatus === 403) return { status: 'restricted', message: `service account is real but may not run queries in ${s.project} (${e.reason || 'HTTP 403'}: needs bigquery.jobs.create)`, details: { http_status: 403 } }
    if (e.httpStatus === 404) return refused(`project ${s.project} not found or not visible to this service account`, { http_status: 404 })
    throw e
  }
}

/** `region-us`, `region-europe-west1`: the qualifier INFORMATION_SCHEMA needs for a whole region. */
export const regionQualifier = (location: string) => `region-${location.toLowerCase()}`

export function catalogSql(project: string, location: string): string {
  if (/[`\\]/.test(project) || !/^[a-z0-9-]+$/i.test(location)) throw new Error('invalid project or location name')
  const v = (view: string) => `\`${project}\`.\`${regionQualifier(location)}\`.INFORMATION_SCHEMA.${view}`
  return `SELECT c.table_schema, c.table_name, t.table_type, JSON_VALUE(o.option_value) AS table_comment,
       c.ordinal_position, p.field_path AS column_name, p.data_type, c.is_nullable, c.column_default,
       p.description AS column_comment
FROM ${v('COLUMNS')} c
JOIN ${v('COLUMN_FIELD_PATHS')} p ON p.table_schema = c.table_schema AND p.table_name = c.table_name AND p.column_name = c.column_name
JOIN ${v('TABLES')} t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
LEFT JOIN ${v('TABLE_OPTIONS')} o ON o.table_schema = c.table_schema AND o.table_name = c.table_name AND o.option_name = 'description'
WHERE c.ordinal_position IS NOT NULL AND c.table_schema IN UNNEST(@datasets)
ORDER BY c.table_schema, c.table_name, c.ordinal_position, p.field_path`
}

const KIND: Record<string, CatalogRow['kind']> = {
  'BASE TABLE': 'table',
  CLONE: 'table',
  SNAPSHOT: 'table',
  VIEW: 'view',
  'MATERIALIZED VIEW': 'materialized_view',
  EXTERNAL: 'external',
}

/**
 * Rows -> catalog rows. Nested STRUCT fields come as their own rows (`address.city`) right after their
 * parent and share its position (BigQuery has no sub-position). column_default is the string "NULL"
 * when there is none.
 */
export function bigqueryRows(r: QueryResult): CatalogRow[] {
  const i = Object.fromEntries(r.fields.map((f, n) => [f, n]))
  const get = (row: (string | null)[], f: string) => row[i[f] ?? -1] ?? null
  return r.rows.map((row) => {
    const d = get(row, 'column_default')
    return {
      schema: String(get(row, 'table_schema')),
      table: String(get(row, 'table_name')),
      kind: KIND[String(get(row, 'table_type'))] ?? 'table',
      table_comment: nonEmpty(get(row, 'table_comment')),
      position: Number(get(row, 'ordinal_position')),
      column: String(get(row, 'column_name')),
      data_type: String(get(row, 'data_type')),
      nullable: get(row, 'is_nullable') !== 'NO',
      default: d === null || d.toUpperCase() === 'NULL' ? null : d,
      comment: nonEmpty(get(row, 'column_comment')),
    }
  })
}

interface DatasetItem {
  datasetReference?: { datasetId?: string }
  location?: string
}

export async function discoverSchema(input: CheckInput, ctx: DiscoverCtx): Promise<DiscoveredSchema> {
  const s = await open(input, ctx)
  // Datasets and their regions (one listing, paged): INFORMATION_SCHEMA is per region.
  const byRegion = new Map<string, string[]>()
  const wanted = schemaFilter(ctx.options)
  let pageToken: string | undefined
  let calls = 0
  do {
    const q = new URLSearchParams({ maxResults: '1000', ...(pageToken ? { pageToken } : {}) })
    const r = await api(s, 'GET', `${pp(s.project)}/datasets?${q}`)
    calls++
    for (const d of (r.datasets as DatasetItem[] | undefined) ?? []) {
      const id = d.datasetReference?.datasetId
      if (!id || (wanted && !wanted.includes(id))) continue
      const loc = d.location || input.settings.location || 'US'
      byRegion.set(loc, [...(byRegion.get(loc) ?? []), id])
    }
    pageToken = typeof r.nextPageToken === 'string' ? r.nextPageToken : undefined
  } while (pageToken)
  const rows: CatalogRow[] = []
  for (const [location, datasets] of [...byRegion].sort(([a], [b]) => a.localeCompare(b))) {
    const params = [{ name: 'datasets', parameterType: { type: 'ARRAY', arrayType: { type: 'STRING' } }, parameterValue: { arrayValues: datasets.map((value) => ({ value })) } }]
    rows.push(...bigqueryRows(await runQuery(s, catalogSql(s.project, location), { location, params })))
    calls++
  }
  return { tables: groupRows(rows, ctx.options?.maxTables), details: { queries: byRegion.size, api_calls: calls, regions: [...byRegion.keys()].sort() } }
}

/** Where the check goes (per-host cap, target.ts): the API base (the token endpoint is asked once per check). */
export function target(input: CheckInput): string | undefined {
  return urlKey(input.base_url || DEFAULT_BASE)
}
