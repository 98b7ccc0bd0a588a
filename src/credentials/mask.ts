import { typeInfo, type MaskKind } from './catalogue.js'

/**
 * Type-aware masking (DESIGN section 2). The masked form is computed when a value is written and stored
 * beside the ciphertext, so listing never needs the key. A secret never shows more than a quarter of its
 * characters; short secrets (12 characters or fewer) are fully masked.
 */
const FULL = '********'

export function maskKey(value: string): string {
  const v = value.trim()
  if (v.length <= 12) return FULL
  const budget = Math.floor(v.length / 4)
  const suffix = Math.min(4, budget)
  const prefix = Math.min(5, budget - suffix)
  return `${v.slice(0, prefix)}...${v.slice(v.length - suffix)}`
}

/** Query parameters that may hold a secret: any name containing one of these words. */
const SECRET_PARAM = /([?&][^=&#]*(?:pass|pwd|secret|token|key|auth|cred)[^=&#]*=)[^&#]*/gi

/** Split `scheme://userinfo@host...` the way URL parsers do: userinfo ends at the LAST "@" of the authority. */
export function splitUri(value: string): { scheme: string; user?: string; password?: string; rest: string } | undefined {
  const m = /^([a-z][a-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/is.exec(value)
  if (!m) return undefined
  const [, scheme, authority, tail] = m as unknown as [string, string, string, string]
  const at = authority.lastIndexOf('@')
  if (at < 0) return { scheme, rest: authority + tail }
  const userinfo = authority.slice(0, at)
  const colon = userinfo.indexOf(':')
  return {
    scheme,
    user: colon < 0 ? userinfo : userinfo.slice(0, colon),
    ...(colon < 0 ? {} : { password: userinfo.slice(colon + 1) }),
    rest: authority.slice(at + 1) + tail,
  }
}

/** scheme://user:****@host:port/db — everything but the password (and secret-looking query params). */
export function maskUri(value: string): string {
  const v = value.trim()
  const u = splitUri(v)
  if (!u) return maskKey(v)
  const auth = u.user !== undefined ? `${u.user}${u.password !== undefined ? ':****' : ''}@` : ''
  return `${u.scheme}${auth}${u.rest.replace(SECRET_PARAM, '$1****')}`
}

/**
 * ADO-style `Server=…;User Id=…;Password=…`: keep everything but the password, whose value may be
 * quoted ("…", '…') or braced ({…}) and then contain ";".
 */
export function maskAdo(value: string): string {
  return value
    .trim()
    .replace(/((?:^|;)\s*(?:password|pwd)\s*=\s*)("(?:[^"]|"")*"|'(?:[^']|'')*'|\{(?:[^}]|\}\})*\}|[^;]*)/gi, '$1****')
}

export function maskServiceAccount(value: string): string {
  try {
    const o = JSON.parse(value) as { client_email?: unknown }
    if (typeof o.client_email === 'string') return `service account ${o.client_email}`
  } catch {
    /* fall through */
  }
  return FULL
}

export function maskOauth(value: string): string {
  const v = value.trim()
  if (v.startsWith('{')) {
    try {
      const o = JSON.parse(v) as { access_token?: unknown; refresh_token?: unknown }
      const at = typeof o.access_token === 'string' ? maskKey(o.access_token) : FULL
      return typeof o.refresh_token === 'string' ? `${at} (+refresh token)` : at
    } catch {
      return FULL
    }
  }
  return maskKey(v)
}

/** Guess the shape of a generic value (tools/database): URI, ADO string, JSON or plain key. */
function maskByShape(value: string): string {
  const v = value.trim()
  if (v.startsWith('{')) return maskServiceAccount(v)
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) return maskUri(v)
  if (v.includes('=') && v.includes(';')) return maskAdo(v)
  // A path is not a secret, but a generic value might be: mask it like a key.
  return maskKey(v)
}

const BY_KIND: Record<MaskKind, (v: string) => string> = {
  key: maskKey,
  uri: maskByShape,
  ado: maskByShape,
  service_account: maskServiceAccount,
  oauth: maskOauth,
  // A static_file value is a local path or glob: not a secret, and the user needs to see which files.
  path: (v) => v.trim(),
}

export function mask(type: string, value: string): string {
  const info = typeInfo(type)
  return (info ? BY_KIND[info.mask] : maskKey)(value)
}
