import { CredctlError } from '../../errors.js'
import { askApproval } from '../approval.js'
import type { CallRecord } from '../context.js'
import { untrusted, type Untrusted } from '../envelope.js'
import { bodyOf, checkHeaders, httpTargetOf, sendCall, urlOf, type HttpReply } from '../http.js'
import { crypto } from '../../lazy-crypto.js'

export interface HttpArgs {
  credential: string
  method?: string | undefined
  path: string
  query?: Record<string, string> | undefined
  headers?: Record<string, string> | undefined
  body?: unknown
}

/** How long one request may take, body included, in ms. */
export const HTTP_TIMEOUT_MS = 30_000

/**
 * http_get (method GET) and http_request (any other method, after the user's approval): one request to
 * the credential's own service (http.ts, url.ts). Order: scope; the value decrypted after the `started`
 * entry; URL and headers checked; for http_request the approval asked (nothing sent unless approved);
 * then the request. The reply is untrusted data; the server redacts it with every value held.
 */
export async function httpCall(call: CallRecord, a: HttpArgs, method: string): Promise<Untrusted<HttpReply>> {
  const c = await call.ctx.scope.find(a.credential)
  call.credentials = [c]
  call.ctx.gate.charge(c.id)
  // On record before the value is used: the method and the path as the agent gave it (no query values).
  // At most 100 characters of it: a refused path is the agent's text, and may carry anything.
  call.detail.push(`${method} ${String(a.path).slice(0, 100)}`)
  const { record, value } = await call.use(c)
  const target = httpTargetOf(record, value)
  const url = urlOf(target.base, a)
  const extra = Object.keys(checkHeaders(a.headers ?? {}, target))
  const body = bodyOf({ method, body: a.body })
  const shown = `${url.pathname}${url.search}`
  call.detail.push(`to ${url.host}${url.pathname}${[...url.searchParams.keys()].length ? ` (query: ${[...new Set(url.searchParams.keys())].join(',')})` : ''}`)
  if (method !== 'GET') {
    const ask = {
      credential: c.name,
      method,
      host: url.host,
      path: shown,
      bodyBytes: body === undefined ? 0 : Buffer.byteLength(body),
      bodySha256: crypto().createHash('sha256').update(body ?? '', 'utf8').digest('hex').slice(0, 16),
      headerNames: extra,
    }
    // The user's answer is awaited outside the call's concurrency slot (limits.ts, Gate.aside).
    const answer = await call.ctx.gate.aside(() => askApproval(call.ctx.server, ask, call.requestId))
    if (answer !== 'approved') {
      call.detail.push(`approval ${answer}`)
      const why = answer === 'unsupported' ? 'this MCP host cannot ask the user (no elicitation support)' : `the user ${answer === 'declined' ? 'declined' : 'cancelled'} it`
      throw new CredctlError('CANCELLED', `not sent: ${why}; http_request needs the user's approval in the MCP host for every call`)
    }
    call.detail.push('approved')
  }
  const reply = await sendCall(url, target, { method, path: a.path, query: a.query, headers: a.headers, body: a.body }, AbortSignal.timeout(HTTP_TIMEOUT_MS), call.ctx.fetch)
  call.detail.push(`HTTP ${reply.status}`)
  return untrusted(reply)
}
