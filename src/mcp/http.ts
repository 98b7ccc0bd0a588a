import { PROVIDERS } from '../checks/providers.js'
import { requestInit } from '../checks/http.js'
import { authHeader, DEFAULT_AUTH_HEADER } from '../checks/tools/api_key.js'
import { CredctlError } from '../errors.js'
import { checkServiceUrl } from '../lib/url-safety.js'
import type { CredentialRecord } from '../vault/format.js'
import { BODY_MAX } from './envelope.js'
import { joinUnderBase } from './url.js'

/**
 * http_get / http_request: one request to the credential's own service, with the credential's auth
 * applied the way its check applies it (a provider row's header and prefix, checks/http.ts requestInit;
 * an api_key's header template, checks/tools/api_key.ts authHeader), to a URL built by url.ts.
 *
 * Base URL: a provider credential's stored base_url, else its provider's default; an api_key's is the
 * origin of its check URL (an api_key has no base_url of its own). Either passes the one URL-safety
 * check (https, or http to this machine only) again before a key goes anywhere. Other types (oauth,
 * databases, smtp, files) have no HTTP target: INVALID_INPUT.
 */
export interface HttpTarget {
  base: string
  /** The auth header (its name in lower case) and every fixed header the service needs. */
  headers: Record<string, string>
  authName: string
}

const ROWS = new Map(PROVIDERS.map((r) => [r.type, r]))
const lower = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]))

export function httpTargetOf(rec: Pick<CredentialRecord, 'type' | 'schema_type' | 'base_url' | 'settings'>, value: string): HttpTarget {
  const type = rec.schema_type ?? rec.type
  const row = ROWS.get(type)
  if (row) {
    const base = checkServiceUrl(rec.base_url ?? row.base_url, 'base URL')
    const { headers } = requestInit(row, value)
    return { base, headers: lower(headers), authName: row.auth_header.toLowerCase() }
  }
  if (type === 'api_key') {
    const check = rec.settings.check_url
    if (!check) throw new CredctlError('INVALID_INPUT', 'this api_key credential has no check URL, so it has no service to call', { hint: 'the user can set one with `credctl update NAME --check-url URL`' })
    const base = `${new URL(checkServiceUrl(check, 'check URL')).origin}/`
    const [name, header] = authHeader(rec.settings.auth_header || DEFAULT_AUTH_HEADER, value)
    return { base, headers: lower({ accept: 'application/json', 'user-agent': 'credctl', [name]: header }), authName: name.toLowerCase() }
  }
  throw new CredctlError('INVALID_INPUT', `the http tools serve provider (llm, speech, image, video) and api_key credentials, not ${type}`)
}

/**
 * Header names an agent may not set: credentials and identity (Authorization, Cookie, Proxy-*, Host,
 * any name holding key, token, secret, auth, signature, session, cookie or password anywhere, case
 * aside), the credential's own auth header, method overrides (X-HTTP-Method, X-HTTP-Method-Override,
 * X-Method-Override: they would turn an approved-free GET into a DELETE at many frameworks), and what
 * framing and routing belong to the HTTP client (Content-Length, Transfer-Encoding, Connection,
 * Forwarded...).
 */
const REFUSED_HEADER = /^(?:host|connection|content-length|transfer-encoding|te|trailer|upgrade|keep-alive|expect|forwarded|via|origin|referer)$|^proxy-|^x-forwarded-|^x-real-ip$|^x-http-method(?:-override)?$|^x-method-override$|^x-original-|^x-rewrite-url$|^x-host$|^x-forwarded$|key|token|secret|auth|signature|session|cookie|password|credential/i

export function checkHeaders(given: Record<string, string>, t: HttpTarget): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(given)) {
    if (!/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/.test(name)) throw new CredctlError('INVALID_INPUT', 'header refused: not a valid header name')
    if (REFUSED_HEADER.test(name) || name.toLowerCase() === t.authName) {
      throw new CredctlError('INVALID_INPUT', `header refused: ${name.slice(0, 100)} (credctl applies the credential's auth itself; auth, cookie, proxy, host and framing headers cannot be supplied)`)
    }
    // eslint-disable-next-line no-control-regex
    if (typeof value !== 'string' || value.length > 4096 || /[\r\n\u0000]/.test(value)) throw new CredctlError('INVALID_INPUT', `header ${name.slice(0, 100)}: a value of at most 4096 characters on one line`)
    out[name.toLowerCase()] = value
  }
  return out
}

export interface HttpCall {
  method: string
  path: string
  query?: Record<string, string> | undefined
  headers?: Record<string, string> | undefined
  /** A string is sent as is; anything else as JSON. */
  body?: unknown
}

/**
 * The body as it will be sent (a string as is, anything else as JSON), undefined for none; checked here.
 * @throws CredctlError INVALID_INPUT for a body on a GET, or one over REQUEST_BODY_MAX bytes
 */
export function bodyOf(call: Pick<HttpCall, 'method' | 'body'>): string | undefined {
  if (call.body === undefined || call.body === null) return undefined
  if (call.method === 'GET') throw new CredctlError('INVALID_INPUT', 'a GET has no body')
  const body = typeof call.body === 'string' ? call.body : JSON.stringify(call.body)
  if (Buffer.byteLength(body) > REQUEST_BODY_MAX) throw new CredctlError('INVALID_INPUT', `body refused: more than ${REQUEST_BODY_MAX} bytes`)
  return body
}

export interface HttpReply {
  status: number
  content_type: string
  body: string
  truncated: boolean
}

/** Largest request body an agent may send, in bytes. */
export const REQUEST_BODY_MAX = 1024 * 1024

/** The URL a call goes to (url.ts rules), checked before any value is decrypted. */
export function urlOf(base: string, call: Pick<HttpCall, 'path' | 'query'>): URL {
  return joinUnderBase(base, call.path, call.query ?? {})
}

/** Text-like content types are returned as text; everything else is summarised. */
const TEXTUAL = /^(?:text\/|application\/(?:[\w.+-]*\+)?(?:json|xml|javascript|x-www-form-urlencoded|x-ndjson|yaml|graphql)\b)/i

async function readCapped(res: Response): Promise<{ bytes: Buffer; truncated: boolean }> {
  if (!res.body) return { bytes: Buffer.alloc(0), truncated: false }
  const reader = res.body.getReader()
  const chunks: Uint8Array[] = []
  let n = 0
  let truncated = false
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
      n += value.byteLength
      if (n > BODY_MAX) {
        truncated = true
        break
      }
    }
  } finally {
    await reader.cancel().catch(() => {})
  }
  return { bytes: Buffer.concat(chunks).subarray(0, BODY_MAX), truncated }
}

/**
 * Send one request: redirects are refused (`redirect: 'manual'`, and a 3xx answer is an error naming
 * only the host it pointed to: following it would carry the key there), the body read to BODY_MAX bytes,
 * a non-text body summarised. The reply is NOT redacted here: the caller redacts everything it returns.
 */
export async function sendCall(url: URL, t: HttpTarget, call: HttpCall, signal: AbortSignal, fetchFn: typeof fetch = fetch): Promise<HttpReply> {
  // The service's fixed headers, then the agent's (it may ask for another Accept or a beta feature),
  // then the credential's auth header, last, so nothing the agent sends can replace it.
  const headers: Record<string, string> = { ...t.headers, ...checkHeaders(call.headers ?? {}, t), [t.authName]: t.headers[t.authName]! }
  const body = bodyOf(call)
  if (body !== undefined) headers['content-type'] ??= typeof call.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json'
  const res = await fetchFn(url, { method: call.method, headers, ...(body !== undefined ? { body } : {}), redirect: 'manual', signal })
  const contentType = (res.headers.get('content-type') ?? '').slice(0, 200)
  if (res.status >= 300 && res.status < 400) {
    await res.body?.cancel().catch(() => {})
    let to = ''
    try {
      // The host as the server sent it (not lower-cased by URL): the redaction is case-sensitive, and a
      // Location naming `<key>.evil.example` must be masked like any echo.
      const raw = res.headers.get('location') ?? ''
      if (new URL(raw, url).host) to = ` to another place (${raw.length} characters, not shown)`
    } catch {
      /* no usable Location */
    }
    throw new CredctlError('CHECK_FAILED', `the service answered a redirect (HTTP ${res.status}${to}); redirects are not followed, so the key is not sent elsewhere`)
  }
  const { bytes, truncated } = await readCapped(res)
  const text = bytes.toString('utf8')
  const binary = (contentType !== '' && !TEXTUAL.test(contentType)) || text.includes('\u0000') || (text.includes('\ufffd') && !bytes.includes(Buffer.from('\ufffd')))
  return {
    status: res.status,
    content_type: contentType,
    body: binary ? `<binary body: ${bytes.byteLength}${truncated ? '+' : ''} bytes of ${contentType || 'unknown type'}, not shown>` : text,
    truncated,
  }
}
