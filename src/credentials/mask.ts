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

/** scheme://user:****@host:port/db — everything but the password (and secret-looking query params). */
export function maskUri(value: string): string {
  const v = value.trim()
  const m = /^([a-z][a-z0-9+.-]*:\/\/)(?:([^/?#@:]*)(?::([^/?#@]*))?@)?([^?#]*)(\?[^#]*)?/i.exec(v)
  if (!m) return maskKey(v)
  const [, scheme, user, pass, rest, query] = m
  const auth = user !== undefined ? `${user}${pass !== undefined ? ':****' : ''}@` : ''
  let q = ''
  if (query) {
    q = query.replace(/([?&](?:password|pwd|pass|secret|token|key|api_key|access_token|private_key)[^=&]*=)[^&]*/gi, '$1****')
  }
  return `${scheme}${auth}${rest}${q}`
}

/** ADO-style `Server=…;User Id=…;Password=…`: keep everything but the password. */
export function maskAdo(value: string): string {
  return value
    .trim()
    .split(';')
    .map((part) => {
      const eq = part.indexOf('=')
      if (eq < 0) return part
      const k = part.slice(0, eq).trim().toLowerCase()
      return k === 'password' || k === 'pwd' ? `${part.slice(0, eq)}=****` : part
    })
    .join(';')
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
