import { PROVIDERS, type ProviderRow } from './providers.js'
import { redact } from './redact.js'
import type { CheckContext, CheckInput, CheckResult } from './types.js'

/**
 * The one table-driven checker for every HTTP provider: build the row's request, send it once, classify
 * the status. The body is read only to classify (restricted keys, messages) and is never stored or
 * printed beyond a redacted, shortened message.
 */
const BY_TYPE = new Map(PROVIDERS.map((r) => [r.type, r]))

export function rowFor(type: string): ProviderRow {
  const row = BY_TYPE.get(type)
  if (!row) throw new Error(`no provider row for ${type}`)
  return row
}

/** base_url replaces the provider's default base; the row's path (and query) is appended. */
export function requestUrl(row: ProviderRow, baseUrl?: string): string {
  const base = (baseUrl ?? row.base_url).replace(/\/+$/, '')
  const u = new URL(base + row.path)
  for (const [k, v] of Object.entries(row.query ?? {})) u.searchParams.set(k, v)
  return u.toString()
}

export function requestInit(row: ProviderRow, value: string): RequestInit & { headers: Record<string, string> } {
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'credctl', ...(row.headers ?? {}) }
  headers[row.auth_header] = `${row.auth_prefix}${value}`
  return { method: row.method, headers, redirect: 'error' }
}

/** The provider's own error message, if any, shortened: bodies may echo part of the key, so redact. */
function bodyMessage(body: string, value: string): string {
  let msg = ''
  try {
    const j = JSON.parse(body) as Record<string, unknown>
    const e = j.error ?? j.detail ?? j.message ?? j.errors
    if (typeof e === 'string') msg = e
    else if (e && typeof e === 'object') {
      const o = (Array.isArray(e) ? e[0] : e) as Record<string, unknown>
      msg = String(o?.message ?? o?.code ?? o?.status ?? '')
    }
  } catch {
    /* not JSON: don't echo arbitrary bodies */
  }
  return redact(msg, [value]).replace(/\s+/g, ' ').slice(0, 160)
}

export async function validate(input: CheckInput, ctx: CheckContext): Promise<CheckResult> {
  const row = rowFor(input.type)
  const url = requestUrl(row, input.base_url)
  const res = await ctx.fetch(url, { ...requestInit(row, input.value), signal: ctx.signal })
  const body = await res.text().catch(() => '')
  const status = res.status
  const detail = bodyMessage(body, input.value)
  const suffix = detail ? `: ${detail}` : ''
  const details = { http_status: status }
  const restricted = row.restricted?.find((r) => r.status === status && (!r.body || body.includes(r.body)))
  if (restricted) return { status: 'restricted', message: `key is real but lacks a permission (HTTP ${status})${suffix}`, details }
  if (row.valid.includes(status)) return { status: 'valid', message: `accepted (HTTP ${status})`, details }
  if (status === 429) return { status: 'valid', message: 'key accepted but rate limited (HTTP 429)', details }
  if (row.invalid.includes(status)) return { status: 'invalid', message: `key refused (HTTP ${status})${suffix}`, details }
  return { status: 'error', message: `unexpected answer from ${new URL(url).host} (HTTP ${status})${suffix}`, details }
}
