import { PROVIDERS, type BodyTest, type ProviderRow, type Scalar, type Verdict } from './providers.js'
import { CredctlError } from '../errors.js'
import { checkServiceUrl } from '../lib/url-safety.js'
import { isJsonObject } from '../lib/strict.js'
import { redact } from './redact.js'
import type { CheckContext, CheckInput, CheckResult } from './types.js'
import { urlKey } from './target.js'

/**
 * The one table-driven checker for every HTTP provider: build the row's request, send it once, classify
 * the answer by the row's rules (status and body, see classify). The body is read only to classify and to
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

/** Only a body the server labels as JSON (or does not label) is read as the provider's JSON. */
function jsonOf(a: HttpAnswer): unknown {
  const type = a.headers.get('content-type') ?? ''
  if (type && !/json/i.test(type)) return undefined
  try {
    return JSON.parse(a.body) as unknown
  } catch {
    return undefined
  }
}

/** An HTML page (a portal, a CDN's error page, a login form): never an API's own answer. */
function isHtml(a: HttpAnswer): boolean {
  return /html/i.test(a.headers.get('content-type') ?? '') || /^\s*</.test(a.body)
}

/** Every value at a dotted path; '*' stands for each element of an array ('error.details.*.reason'). */
function valuesAt(json: unknown, path: string): unknown[] {
  let cur: unknown[] = [json]
  for (const k of path ? path.split('.') : []) {
    const next: unknown[] = []
    for (const o of cur) {
      if (o === null || typeof o !== 'object') continue
      if (k === '*') {
        if (Array.isArray(o)) next.push(...(o as unknown[]))
      } else if (Object.hasOwn(o, k)) next.push((o as Record<string, unknown>)[k])
    }
    cur = next
  }
  return cur
}

const same = (want: Scalar, v: unknown) => want === v || (typeof want === 'string' && v !== null && typeof v !== 'object' && want === String(v))

function holds(t: BodyTest, v: unknown): boolean {
  if (v === undefined) return false
  switch (t.is) {
    case 'array':
      if (!Array.isArray(v)) return false
      break
    case 'object':
      if (!isJsonObject(v)) return false
      break
    case 'truthy':
      if (v === null || v === false || v === 0 || v === '') return false
      break
    case undefined:
      break
    default:
      if (typeof v !== t.is) return false
  }
  if (t.in && !t.in.some((w) => same(w, v))) return false
  if (t.notIn && (v === null || t.notIn.some((w) => same(w, v)))) return false
  if (t.match !== undefined && !(typeof v !== 'object' && v !== null && new RegExp(t.match, 'i').test(String(v)))) return false
  return true
}

/** A test holds when some value at its path passes it. */
export function passes(t: BodyTest, json: unknown): boolean {
  return valuesAt(json, t.path).some((v) => holds(t, v))
}

/** Long token-shaped runs (other keys, partial echoes, request signatures) say nothing a user needs. */
const TOKENISH = /[A-Za-z0-9_\-+/=]{24,}/g

/** The provider's own error message, if any, on one short line, without the key or anything key-shaped. */
function providerMessage(json: unknown, secrets: readonly string[]): string {
  let msg = ''
  if (isJsonObject(json)) {
    const j = json
    const e = j.error_description ?? j.error ?? j.detail ?? j.message ?? j.err_msg ?? j.errors
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
    .slice(0, 200)
    .replace(/[\s.]+$/, '')
    .trim()
}

/** What the provider said about the answer, redacted and shortened ('' when nothing useful). */
export function providerSaid(a: HttpAnswer, secrets: readonly string[]): string {
  return providerMessage(jsonOf(a), secrets)
}

/** What to do next, by verdict, when a rule does not say it better. */
export const NEXT: Record<Verdict, string> = {
  valid: '',
  invalid: 'rotate it: create a new key at the provider and store it with `credctl update NAME --value-stdin`',
  restricted: 'the key works; grant it the permission named above if credctl should be able to check it',
  exhausted: 'top up the account (credits or billing) at the provider; the key itself is fine, do not rotate it',
  unreachable: 'try again later; if it persists, check the base URL, proxy and network',
  error: 'check the base URL; if it is right, try again later: the stored verdict was not changed',
}

/** Statuses an edge, gateway or WAF answers with on its own (Cloudflare's 52x included). */
const EDGE = new Set([403, 429, 502, 503, 504, 520, 521, 522, 523, 524, 525, 526, 527, 530])
/** A provider-shaped answer with these says the provider is overloaded or down, not that the key is bad. */
const OVERLOAD = new Set([502, 503, 504, 529])

/**
 * How to read one service's answers: the provider table's row, or the rules of a tools check (api_key,
 * oauth). `own: 'not-html'` is for a check URL with no documented body: any non-HTML answer is the
 * service's own.
 */
export type Rules = Pick<ProviderRow, 'name' | 'valid' | 'success' | 'error' | 'rules'> & { own?: 'shape' | 'not-html' }

/** The verdict, its one-line message with the provider's own words and what to do next. */
function result(status: Verdict, headline: string, said: string, next: string, http: number): CheckResult {
  const quote = said ? `: ${said}` : ''
  const todo = next ? `. Next: ${next}` : ''
  return { status, message: `${headline}${quote}${todo}`, details: { http_status: http } }
}

/**
 * Status and body -> verdict, one mechanism for every HTTP check:
 * 1. Is it the provider's own answer? A success status with the documented success body, or another status
 *    with the documented error body (for a tools check: anything but an HTML page).
 * 2. The row's rules, in order (each names statuses and body tests; a `text` rule reads a documented page).
 * 3. The provider's own answer that no rule names: its success body is valid, a 429 is a real key that is
 *    rate limited, a 502/503/504/529 is overload (unreachable), anything else an error.
 * 4. An answer that is not the provider's says nothing about the key: an edge's or gateway's (403, 429,
 *    5xx) is unreachable, a redirect or anything else an error. Neither changes a stored verdict.
 */
export function classify(rules: Rules, a: HttpAnswer, secrets: readonly string[]): CheckResult {
  const { status, host } = a
  const json = jsonOf(a)
  const html = isHtml(a)
  const ok = rules.valid.includes(status)
  const own =
    rules.own === 'not-html'
      ? !html
      : json !== undefined && (ok ? rules.success.every((t) => passes(t, json)) : rules.error.some((t) => passes(t, json)))
  const said = providerMessage(json, secrets)
  const at = `(HTTP ${status} from ${host})`
  for (const r of rules.rules) {
    if (!r.status.includes(status)) continue
    const applies = r.text !== undefined ? json === undefined && new RegExp(r.text, 'i').test(a.body) : own && (r.when ?? []).every((t) => passes(t, json))
    if (applies) return result(r.verdict, `${r.reason} ${at}`, said, r.next ?? NEXT[r.verdict], status)
  }
  if (own) {
    if (ok && rules.success.every((t) => passes(t, json))) return result('valid', `accepted by ${host} (HTTP ${status})`, '', '', status)
    if (ok) return result('error', `the answer ${at} lacks the expected field`, '', 'check the check URL and the expectation (--expect)', status)
    if (status === 429) return result('valid', `accepted by ${host} but rate limited (HTTP 429)`, said, 'the key works; check again later for a fresh answer', status)
    if (OVERLOAD.has(status)) return result('unreachable', `${rules.name} is overloaded or unavailable ${at}`, said, NEXT.unreachable, status)
    return result('error', `unexpected answer ${at}`, said, NEXT.error, status)
  }
  if (status >= 300 && status < 400) {
    let to = ''
    try {
      to = ` to ${new URL(a.headers.get('location') ?? '', `http://${host}`).host}`
    } catch {
      /* no usable Location */
    }
    return result('error', `${host} redirects${to} (HTTP ${status}); not followed, so the key is not sent elsewhere`, '', 'check the base URL', status)
  }
  const server = (a.headers.get('server') ?? '').replace(/[^\w. /-]/g, '').slice(0, 30)
  const what = `${html ? 'an HTML page' : json === undefined ? 'a non-JSON answer' : `a JSON answer not shaped like ${rules.name}'s`}${server ? ` (server: ${server})` : ''}`
  if (EDGE.has(status) || status >= 500) {
    const unreachable = EDGE.has(status)
    return result(
      unreachable ? 'unreachable' : 'error',
      `not ${rules.name}'s answer: ${what} ${at}, likely a gateway, CDN or proxy; the key was not judged`,
      '',
      unreachable ? NEXT.unreachable : NEXT.error,
      status,
    )
  }
  return result(
    'error',
    `not ${rules.name}'s answer: ${what} ${at}; the key was not judged`,
    '',
    ok ? 'a captive portal, proxy or wrong base URL answered: sign in to the network or check the base URL, then validate again' : NEXT.error,
    status,
  )
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

/** Where the check goes (per-host cap, target.ts): the host and port of the row's URL under the credential's base. */
export function target(input: CheckInput): string | undefined {
  return urlKey(requestUrl(rowFor(input.type), input.base_url))
}
