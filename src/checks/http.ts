import { PROVIDERS, type BodyRule, type ProviderRow } from './providers.js'
import { CredctlError } from '../errors.js'
import { checkServiceUrl } from '../credentials/urls.js'
import { redact } from './redact.js'
import type { CheckContext, CheckInput, CheckResult } from './types.js'

/**
 * The one table-driven checker for every HTTP provider: build the row's request, send it once, classify
 * the answer by the row's rules. The body is read only to classify (restricted keys, refused keys) and to
 * quote the provider's own one-line error message, redacted and shortened; nothing else of it is kept.
 * The api_key and oauth checks reuse send() and classify() with rules of their own.
 */
const BY_TYPE = new Map(PROVIDERS.map((r) => [r.type, r]))

export function rowFor(type: string): ProviderRow {
  const row = BY_TYPE.get(type)
  if (!row) throw new Error(`no provider row for ${type}`)
  return row
}

/**
 * base_url replaces the provider's default base and the row's path is appended to its path, as the
 * providers' SDKs do with baseURL; a query the base carries (a gateway's tenant) is kept.
 */
export function requestUrl(row: Pick<ProviderRow, 'base_url' | 'path' | 'query'>, baseUrl?: string): string {
  const u = new URL(baseUrl ?? row.base_url)
  u.pathname = u.pathname.replace(/\/+$/, '') + row.path
  for (const [k, v] of Object.entries(row.query ?? {})) u.searchParams.set(k, v)
  return u.toString()
}

export function requestInit(row: Pick<ProviderRow, 'method' | 'auth_header' | 'auth_prefix' | 'headers'>, value: string): RequestInit & { headers: Record<string, string> } {
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'credctl', ...(row.headers ?? {}) }
  headers[row.auth_header] = `${row.auth_prefix}${value}`
  return { method: row.method, headers }
}

export interface HttpAnswer {
  status: number
  /** At most BODY_CAP bytes of the body, for classification only. */
  body: string
  headers: Headers
  host: string
}

/** Enough for any error body or key description; a huge model list is cut (it is never needed). */
const BODY_CAP = 64 * 1024

async function readBody(res: Response): Promise<string> {
  if (!res.body) return ''
  const reader = res.body.getReader()
  const chunks: Uint8Array[] = []
  let n = 0
  try {
    while (n < BODY_CAP) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
      n += value.byteLength
    }
  } finally {
    await reader.cancel().catch(() => {})
  }
  return Buffer.concat(chunks).subarray(0, BODY_CAP).toString('utf8')
}

/**
 * Send one request under the check's signal (the timeout covers the body too). Redirects are not
 * followed: a redirect would carry the key's header to wherever the Location points, and a key check
 * has no reason to be redirected, so a 3xx is reported as an unexpected answer.
 */
export async function send(url: string, init: RequestInit, ctx: CheckContext): Promise<HttpAnswer> {
  const res = await ctx.fetch(url, { ...init, redirect: 'manual', signal: ctx.signal })
  const body = await readBody(res)
  return { status: res.status, body, headers: res.headers, host: new URL(url).host }
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown
  } catch {
    return undefined
  }
}

/** The value at a dotted path ('error.code', 'accounts.0.suspendState'); undefined when absent. */
function at(json: unknown, path: string): unknown {
  let o: unknown = json
  for (const k of path.split('.')) o = o !== null && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined
  return o
}

function matches(rule: BodyRule, status: number, json: unknown): boolean {
  if (!rule.status.includes(status)) return false
  if (!rule.path) return true
  const v = at(json, rule.path) as string | number | boolean | undefined | null
  if (rule.in) return v !== undefined && v !== null && rule.in.includes(v)
  if (rule.notIn) return v !== undefined && v !== null && !rule.notIn.includes(v)
  return v !== undefined
}

/** Long token-shaped runs (other keys, partial echoes, request signatures) say nothing a user needs. */
const TOKENISH = /[A-Za-z0-9_\-+/=]{24,}/g

/** The provider's own error message, if any, on one short line, without the key or anything key-shaped. */
function providerMessage(json: unknown, secrets: readonly string[]): string {
  let msg = ''
  if (json && typeof json === 'object') {
    const j = json as Record<string, unknown>
    const e = j.error_description ?? j.error ?? j.detail ?? j.message ?? j.errors
    if (typeof e === 'string') msg = e
    else if (e && typeof e === 'object') {
      const o = (Array.isArray(e) ? e[0] : e) as Record<string, unknown> | undefined
      const m = o?.message ?? o?.msg ?? o?.code ?? o?.status
      msg = typeof m === 'string' ? m : ''
    }
  }
  // Non-JSON bodies (HTML error pages) are never quoted: they are noise at best.
  return redact(msg, secrets)
    .replace(TOKENISH, (t) => (/\d/.test(t) && /[A-Za-z]/.test(t) ? '****' : t))
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200)
}

/** What the provider said about the answer, redacted and shortened ('' when nothing useful). */
export function providerSaid(a: HttpAnswer, secrets: readonly string[]): string {
  return providerMessage(parseJson(a.body), secrets)
}

export type Rules = Pick<ProviderRow, 'valid' | 'invalid' | 'restricted' | 'refused'>

/**
 * Status and body -> verdict, in this order: restricted (a real key lacking a permission), refused (a
 * success status whose body says the key is unusable), valid, 429 (rate limiting happens after
 * authentication: the key is real), invalid, and anything else an error that leaves is_valid alone.
 */
export function classify(rules: Rules, a: HttpAnswer, secrets: readonly string[]): CheckResult {
  const { status, host } = a
  const json = parseJson(a.body)
  const said = providerMessage(json, secrets)
  const suffix = said ? `: ${said}` : ''
  const details = { http_status: status }
  const restricted = rules.restricted?.find((r) => matches(r, status, json))
  if (restricted) return { status: 'restricted', message: `${restricted.reason} (HTTP ${status} from ${host})${suffix}`, details }
  const refused = rules.refused?.find((r) => matches(r, status, json))
  if (refused) {
    const found = refused.path ? ` (${refused.path}: ${JSON.stringify(at(json, refused.path))})` : ''
    return { status: 'invalid', message: `key refused: ${refused.reason}${found} (HTTP ${status} from ${host})`, details }
  }
  if (rules.valid.includes(status)) return { status: 'valid', message: `accepted by ${host} (HTTP ${status})`, details }
  if (status === 429) return { status: 'valid', message: `accepted by ${host} but rate limited (HTTP 429)${suffix}`, details }
  if (rules.invalid.includes(status)) return { status: 'invalid', message: `refused by ${host} (HTTP ${status})${suffix}`, details }
  if (status >= 300 && status < 400) {
    let to = ''
    try {
      to = ` to ${new URL(a.headers.get('location') ?? '', `http://${host}`).host}`
    } catch {
      /* no usable Location */
    }
    return { status: 'error', message: `${host} redirects${to} (HTTP ${status}); not followed, so the key is not sent elsewhere: check the base URL`, details }
  }
  return { status: 'error', message: `unexpected answer from ${host} (HTTP ${status})${suffix}`, details }
}

export async function validate(input: CheckInput, ctx: CheckContext): Promise<CheckResult> {
  const row = rowFor(input.type)
  const answer = await send(requestUrl(row, input.base_url), requestInit(row, input.value), ctx)
  return classify(row, answer, [input.value])
}

/**
 * The check URL of an api_key or oauth credential. Without one there is nothing to check, and
 * "valid" would be a lie: NO_CHECK, which the SDK reports (is_valid stays null, exit 2). The URL is
 * checked when stored; it is checked again here, so a key is never sent over plain http.
 */
export function configuredCheckUrl(input: CheckInput, hint: string): string {
  const url = input.settings.check_url
  if (!url) throw new CredctlError('NO_CHECK', `nothing to check: this ${input.type} credential has no check URL, so it was not verified`, { hint })
  return checkServiceUrl(url, 'check URL')
}

