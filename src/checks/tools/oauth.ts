import { checkServiceUrl } from '../../lib/url-safety.js'
import { isJsonObject } from '../../lib/strict.js'
import { CredctlError } from '../../errors.js'
import { statusOfError } from '../classify.js'
import { redactError } from '../redact.js'
import { classify, configuredCheckUrl, providerSaid, send, type HttpAnswer } from '../http.js'
import type { CheckContext, CheckInput, CheckResult, CheckStatus } from '../types.js'
import { urlKey } from '../target.js'
import { toolRules } from './rules.js'

/**
 * An OAuth token: a Bearer GET on the credential's check URL (a userinfo or introspection endpoint).
 * When the token is refused (401) and the value carries refresh_token and token_url, one refresh-token
 * grant (RFC 6749 section 6) gets a new access token, which is sent once more and returned as `newValue`
 * for the SDK to store encrypted. The new value is returned even when the retry is refused: a server that
 * rotates refresh tokens has already invalidated the old one, and dropping the new one would lose the
 * credential.
 *
 * Client authentication (RFC 6749 section 2.3.1): HTTP Basic first, which every server MUST support, with
 * client_id and client_secret form-urlencoded before Basic encoding (Appendix B); the body form
 * (client_secret_post, "NOT RECOMMENDED" but what some servers only accept) as the fallback when the
 * server answers invalid_client. The form that worked is returned in `settings.token_auth`, so the next
 * refresh starts with it. A public client (client_id, no secret) sends its client_id in the body (3.2.1).
 */
interface OAuthValue {
  access_token: string
  refresh_token?: string
  token_url?: string
  client_id?: string
  client_secret?: string
  [k: string]: unknown
}

export type TokenAuth = 'client_secret_basic' | 'client_secret_post'
export const TOKEN_AUTH: readonly TokenAuth[] = ['client_secret_basic', 'client_secret_post']

function parse(value: string): OAuthValue {
  if (!value.startsWith('{')) return { access_token: value }
  const o = JSON.parse(value) as OAuthValue
  if (typeof o.access_token !== 'string' || !o.access_token) throw new CredctlError('INVALID_INPUT', 'the oauth value has no access_token')
  return o
}

const str = (x: unknown): x is string => typeof x === 'string' && x.length > 0

/** application/x-www-form-urlencoded encoding of one value (RFC 6749 Appendix B), as URLSearchParams does it. */
export function formEncode(s: string): string {
  return new URLSearchParams([['', s]]).toString().slice(1)
}

/** The Authorization header of client_secret_basic (RFC 6749 section 2.3.1). */
export function basicAuth(clientId: string, clientSecret: string): string {
  return `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`).toString('base64')}`
}

function probe(url: string, token: string, ctx: CheckContext): Promise<HttpAnswer> {
  return send(url, { method: 'GET', headers: { accept: 'application/json', 'user-agent': 'credctl', authorization: `Bearer ${token}` } }, ctx)
}

function verdict(a: HttpAnswer, secrets: string[], expect: string | undefined): CheckResult {
  // The scope error is in WWW-Authenticate (RFC 6750 section 3), where a body rule cannot see it.
  if (a.status === 403 && /insufficient_scope/i.test(a.headers.get('www-authenticate') ?? '')) {
    return {
      status: 'restricted',
      message: `token is real but lacks a scope (insufficient_scope, HTTP 403 from ${a.host}). Next: re-authorise with the scope the check URL needs, or check a URL this token may read`,
      details: { http_status: 403 },
    }
  }
  return classify(toolRules('the check URL', expect), a, secrets)
}

/** RFC 6749 section 5.2 error codes: what each says, and what to do. */
const GRANT_ERRORS: Record<string, { status: CheckStatus; what: string; next: string }> = {
  invalid_grant: { status: 'invalid', what: 'the refresh token is expired or revoked (invalid_grant)', next: 're-authorise to get a new refresh token and store it with `credctl update NAME --value-stdin`' },
  invalid_client: { status: 'invalid', what: 'the client credentials were refused (invalid_client)', next: 'check client_id and client_secret in the stored value, or rotate the client secret' },
  unsupported_grant_type: { status: 'error', what: 'the token endpoint does not accept refresh_token grants (unsupported_grant_type): a configuration error, not a bad credential', next: 'check token_url is this client\'s token endpoint and that the client may use refresh tokens' },
  unauthorized_client: { status: 'error', what: 'this client may not use refresh_token grants (unauthorized_client): a configuration error, not a bad credential', next: 'allow the refresh_token grant for the client at the authorization server' },
  invalid_scope: { status: 'error', what: 'the token endpoint refused the scope (invalid_scope)', next: 'remove or correct the scope stored with the token' },
  invalid_request: { status: 'error', what: 'the token endpoint refused the request as malformed (invalid_request)', next: 'check token_url and the stored client_id' },
}

type Grant =
  | { ok: true; access_token: string; refresh_token?: string; host: string; method: TokenAuth | undefined }
  | { ok: false; status: CheckStatus; message: string; code?: string }

/** One refresh_token grant with one form of client authentication. */
async function grant(tok: OAuthValue & { refresh_token: string; token_url: string }, method: TokenAuth | undefined, ctx: CheckContext, secrets: string[]): Promise<Grant> {
  const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: tok.refresh_token })
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'credctl', 'content-type': 'application/x-www-form-urlencoded' }
  if (method === 'client_secret_basic') headers.authorization = basicAuth(tok.client_id!, tok.client_secret!)
  else {
    if (str(tok.client_id)) form.set('client_id', tok.client_id)
    if (method === 'client_secret_post') form.set('client_secret', tok.client_secret!)
  }
  const a = await send(tok.token_url, { method: 'POST', headers, body: form.toString() }, ctx)
  let json: Record<string, unknown> | undefined
  try {
    const j = JSON.parse(a.body) as unknown
    if (isJsonObject(j)) json = j
  } catch {
    /* not JSON: not the token endpoint's own answer */
  }
  if (a.status >= 200 && a.status < 300 && json && str(json.access_token)) {
    return { ok: true, access_token: json.access_token, ...(str(json.refresh_token) ? { refresh_token: json.refresh_token } : {}), host: a.host, method }
  }
  const code = json && str(json.error) ? json.error.replace(/[^\w.-]/g, '').slice(0, 40) : undefined
  const said = providerSaid(a, secrets)
  const quote = said && said !== code ? `: ${said}` : ''
  const known = code && Object.hasOwn(GRANT_ERRORS, code) ? GRANT_ERRORS[code] : undefined
  if (known) return { ok: false, status: known.status, code: code!, message: `the refresh at ${a.host} failed (HTTP ${a.status}): ${known.what}${quote}. Next: ${known.next}` }
  // Not an RFC 6749 answer: an edge or gateway (HTML 502/503/504, 403, 429) or something else; never a verdict.
  const edge = [403, 429, 502, 503, 504].includes(a.status) || (code === 'temporarily_unavailable')
  return {
    ok: false,
    status: edge ? 'unreachable' : 'error',
    ...(code ? { code } : {}),
    message: `the refresh at ${a.host} failed (HTTP ${a.status}${code ? `, ${code}` : ''})${quote}, an answer that says nothing about the token. Next: ${edge ? 'try again later; if it persists, check token_url, proxy and network' : 'check token_url'}`,
  }
}

/**
 * Basic first (or the remembered form), the other form once if the server says invalid_client. Without a
 * client secret there is nothing to choose: a public client's client_id goes in the body.
 */
async function refresh(tok: OAuthValue & { refresh_token: string; token_url: string }, remembered: string | undefined, ctx: CheckContext, secrets: string[]): Promise<Grant> {
  if (!str(tok.client_id) || !str(tok.client_secret)) return grant(tok, undefined, ctx, secrets)
  const first: TokenAuth = remembered === 'client_secret_post' ? 'client_secret_post' : 'client_secret_basic'
  const g = await grant(tok, first, ctx, secrets)
  if (g.ok || g.code !== 'invalid_client') return g
  return grant(tok, first === 'client_secret_basic' ? 'client_secret_post' : 'client_secret_basic', ctx, secrets)
}

export async function validate(input: CheckInput, ctx: CheckContext): Promise<CheckResult> {
  const url = configuredCheckUrl(input, 'set one (a userinfo or introspection endpoint) with `credctl update NAME --check-url URL`')
  const tok = parse(input.value)
  const expect = input.settings.expect
  if (str(tok.token_url)) checkServiceUrl(tok.token_url, 'token_url', { partOfSecret: true })
  const first = await probe(url, tok.access_token, ctx)
  if (first.status !== 401 || !str(tok.refresh_token) || !str(tok.token_url)) {
    const r = verdict(first, [input.value], expect)
    if (first.status === 401 && r.status === 'invalid') {
      r.message += str(tok.refresh_token) ? ' (no token_url to renew it at)' : ' (no refresh_token to renew it with)'
    }
    return r
  }
  const g = await refresh({ ...tok, refresh_token: tok.refresh_token, token_url: tok.token_url }, input.settings.token_auth, ctx, [input.value])
  if (!g.ok) return { status: g.status, message: `access token refused (HTTP 401) and ${g.message}`, details: { http_status: 401 } }
  const newValue = JSON.stringify({ ...tok, access_token: g.access_token, ...(g.refresh_token ? { refresh_token: g.refresh_token } : {}) })
  const secrets = [input.value, newValue]
  // Remember the client authentication that worked, so the next refresh starts with it.
  const settings = g.method && input.settings.token_auth !== g.method ? { token_auth: g.method } : undefined
  let r: CheckResult
  try {
    r = verdict(await probe(url, g.access_token, ctx), secrets, expect)
  } catch (e) {
    // The grant may have rotated the refresh token: a failed retry must not lose the new value.
    const status = statusOfError(e, ctx.signal)
    r = { status, message: status === 'timeout' ? `no answer within ${ctx.timeoutMs / 1000} s` : redactError(e, secrets) }
  }
  return { ...r, message: `refreshed at ${g.host} (new access token stored); check: ${r.message}`, newValue, ...(settings ? { settings } : {}) }
}

/**
 * Where the check goes (per-host cap, target.ts): the check URL's host and port. A refresh also posts
 * to token_url, at most once per check; it is part of the secret and not read for this.
 */
export function target(input: CheckInput): string | undefined {
  return input.settings.check_url ? urlKey(input.settings.check_url) : undefined
}
