import { checkServiceUrl } from '../../credentials/urls.js'
import { CredctlError } from '../../errors.js'
import { statusOfError } from '../classify.js'
import { redactError } from '../redact.js'
import { classify, configuredCheckUrl, providerSaid, send, type HttpAnswer, type Rules } from '../http.js'
import type { CheckContext, CheckInput, CheckResult } from '../types.js'

/**
 * An OAuth token: a Bearer GET on the credential's check URL (a userinfo or introspection endpoint).
 * When the token is refused (401) and the value carries refresh_token and token_url, one refresh-token
 * grant (RFC 6749 section 6) gets a new access token, which is sent once more and returned as `newValue`
 * for the SDK to store encrypted. The new value is returned even when the retry is refused: a server that
 * rotates refresh tokens has already invalidated the old one, and dropping the new one would lose the
 * credential.
 */
interface OAuthValue {
  access_token: string
  refresh_token?: string
  token_url?: string
  client_id?: string
  client_secret?: string
  [k: string]: unknown
}

// RFC 6750: 401 invalid_token; 403 insufficient_scope is a real token lacking a scope (see restricted()).
const RULES: Rules = { valid: Array.from({ length: 100 }, (_, i) => 200 + i), invalid: [401, 403] }

function parse(value: string): OAuthValue {
  if (!value.startsWith('{')) return { access_token: value }
  const o = JSON.parse(value) as OAuthValue
  if (typeof o.access_token !== 'string' || !o.access_token) throw new CredctlError('INVALID_INPUT', 'the oauth value has no access_token')
  return o
}

const str = (x: unknown): x is string => typeof x === 'string' && x.length > 0

function probe(url: string, token: string, ctx: CheckContext): Promise<HttpAnswer> {
  return send(url, { method: 'GET', headers: { accept: 'application/json', 'user-agent': 'credctl', authorization: `Bearer ${token}` } }, ctx)
}

function verdict(a: HttpAnswer, secrets: string[]): CheckResult {
  // The scope error is in WWW-Authenticate (RFC 6750 section 3), where a body rule cannot see it.
  if (a.status === 403 && /insufficient_scope/i.test(a.headers.get('www-authenticate') ?? '')) {
    return { status: 'restricted', message: `token is real but lacks a scope (insufficient_scope, HTTP 403 from ${a.host})`, details: { http_status: 403 } }
  }
  return classify(RULES, a, secrets)
}

/** One refresh_token grant; client credentials in the body (client_secret_post), the form most servers accept. */
async function refresh(tok: OAuthValue & { refresh_token: string; token_url: string }, ctx: CheckContext, secrets: string[]) {
  const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tok.refresh_token })
  if (str(tok.client_id)) form.set('client_id', tok.client_id)
  if (str(tok.client_secret)) form.set('client_secret', tok.client_secret)
  const a = await send(
    tok.token_url,
    { method: 'POST', headers: { accept: 'application/json', 'user-agent': 'credctl', 'content-type': 'application/x-www-form-urlencoded' }, body: form.toString() },
    ctx,
  )
  let json: Record<string, unknown> = {}
  try {
    json = JSON.parse(a.body) as Record<string, unknown>
  } catch {
    /* not JSON: no token */
  }
  if (a.status >= 200 && a.status < 300 && str(json.access_token)) {
    return { ok: true as const, access_token: json.access_token, refresh_token: str(json.refresh_token) ? json.refresh_token : undefined, host: a.host }
  }
  // invalid_grant (revoked or expired refresh token) and invalid_client are refusals; anything else is an error.
  const code = str(json.error) ? `, ${json.error.replace(/[^\w.-]/g, '').slice(0, 40)}` : ''
  const said = providerSaid(a, secrets)
  return {
    ok: false as const,
    refused: a.status === 400 || a.status === 401,
    message: `the refresh at ${a.host} failed (HTTP ${a.status}${code})${said && said !== json.error ? `: ${said}` : ''}`,
  }
}

export async function validate(input: CheckInput, ctx: CheckContext): Promise<CheckResult> {
  const url = configuredCheckUrl(input, 'set one (a userinfo or introspection endpoint) with `credctl update NAME --check-url URL`')
  const tok = parse(input.value)
  if (str(tok.token_url)) checkServiceUrl(tok.token_url, 'token_url')
  const first = await probe(url, tok.access_token, ctx)
  if (first.status !== 401 || !str(tok.refresh_token) || !str(tok.token_url)) {
    const r = verdict(first, [input.value])
    if (first.status === 401 && !str(tok.refresh_token)) r.message += ' (no refresh_token to renew it with)'
    else if (first.status === 401) r.message += ' (no token_url to renew it at)'
    return r
  }
  const g = await refresh({ ...tok, refresh_token: tok.refresh_token, token_url: tok.token_url }, ctx, [input.value])
  if (!g.ok) return { status: g.refused ? 'invalid' : 'error', message: `access token refused (HTTP 401) and ${g.message}`, details: { http_status: 401 } }
  const newValue = JSON.stringify({ ...tok, access_token: g.access_token, ...(g.refresh_token ? { refresh_token: g.refresh_token } : {}) })
  const secrets = [input.value, newValue]
  let r: CheckResult
  try {
    r = verdict(await probe(url, g.access_token, ctx), secrets)
  } catch (e) {
    // The grant may have rotated the refresh token: a failed retry must not lose the new value.
    const status = statusOfError(e, ctx.signal)
    r = { status, message: status === 'timeout' ? `no answer within ${ctx.timeoutMs / 1000} s` : redactError(e, secrets) }
  }
  return { ...r, message: `refreshed at ${g.host} (new access token stored); check: ${r.message}`, newValue }
}
