import { guessShape, schemeAndHost, showParts, valueParts, type Part, type Shape } from '../lib/value-parts.js'
import { typeInfo, type MaskKind } from './catalogue.js'

/**
 * Type-aware masking (DESIGN section 2). The masked form is computed when a value is written and stored
 * beside the ciphertext, in the clear, so listing never needs the key: a mask that fails open writes
 * the secret to disk. So the mask is built from the same parse that checked the value at input
 * (src/lib/value-parts.ts), and fails closed: it shows only the parts that parse placed as public
 * (scheme, user, host, port, database, listed parameters) and `****` for everything else; a value the
 * parse cannot read shows its scheme and host at most. A key never shows more than a quarter of its
 * characters; short keys (12 characters or fewer) are fully masked.
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

/** The parse a type's values get: the catalogue's mask kind names it (`any`: tools/database, by shape). */
export function shapeOf(kind: MaskKind, value: string): Shape {
  switch (kind) {
    case 'key':
      return 'token'
    case 'uri':
      return 'uri'
    case 'ado':
      return 'mssql'
    case 'service_account':
      return 'json'
    case 'oauth':
      return value.trim().startsWith('{') ? 'json' : 'token'
    case 'path':
      return 'path'
    case 'any':
      return guessShape(value)
  }
}

/** A JSON value's string at `key`, if the parse placed it as public (never a secret part). */
function publicJsonString(value: string, parts: readonly Part[], key: string): string | undefined {
  const o = JSON.parse(value.trim()) as Record<string, unknown>
  const x = o[key]
  return typeof x === 'string' && x && parts.some((p) => !p.secret && p.text === x) && !parts.some((p) => p.secret && p.text === x) ? x : undefined
}

function render(kind: MaskKind, shape: Shape, parts: readonly Part[], value: string): string {
  if (shape === 'path') return showParts(parts)
  if (shape === 'token') return maskKey(value)
  if (shape !== 'json') return showParts(parts)
  const v = value.trim()
  if (kind === 'oauth') {
    const o = JSON.parse(v) as { access_token?: unknown; refresh_token?: unknown }
    const at = typeof o.access_token === 'string' ? maskKey(o.access_token) : FULL
    return typeof o.refresh_token === 'string' ? `${at} (+refresh token)` : at
  }
  // A service account shows only its client_email (an identity, not a secret).
  const email = publicJsonString(v, parts, 'client_email')
  return email ? `service account ${email}` : FULL
}

export function mask(type: string, value: string): string {
  const kind = typeInfo(type)?.mask ?? 'key'
  const shape = shapeOf(kind, value)
  try {
    return render(kind, shape, valueParts(shape, value), value)
  } catch {
    // Refused at input today; a value stored before the parse was strict, or one given straight to
    // the SDK's mask(): scheme and host, never a guess at where the password ends.
    return schemeAndHost(value) ?? FULL
  }
}

/**
 * A stored masked form, shown: masked again by the current parse. Every mask this version writes is
 * unchanged by it (test/unit/mask-canary.test.ts checks that), while a record written by an older
 * credctl, whose mask could fail open (`postgresql://analytics:2024/Spring-Rain@db…`), is shown safely
 * without needing the key. Keys, JSON and paths are left as stored: their masks are not values of the type.
 */
export function remask(type: string, masked: string): string {
  const kind = typeInfo(type)?.mask
  const structured = kind === 'uri' || kind === 'ado' || (kind === 'any' && (guessShape(masked) === 'uri' || guessShape(masked) === 'mssql'))
  return structured ? mask(type, masked) : masked
}

/**
 * The texts `credctl run` conceals in a command's output for one value (src/lib/conceal.ts): the secret
 * parts the mask hides, from the same parse, each as written and as a driver reads it (percent-decoded,
 * unquoted), and for JSON values also JSON-escaped (how a service-account file's bytes show a private
 * key's newlines). A key is one secret part, itself; a path has none; a value the parse cannot read is
 * concealed whole. Public parts (a URL's host, a service account's client_email) stay readable.
 */
export function secretTexts(type: string, value: string): string[] {
  const kind = typeInfo(type)?.mask ?? 'key'
  const shape = shapeOf(kind, value)
  const out = new Set<string>()
  try {
    for (const p of valueParts(shape, value)) {
      if (!p.secret) continue
      for (const t of [p.text, p.plain]) {
        if (!t) continue
        out.add(t)
        if (shape === 'json') out.add(JSON.stringify(t).slice(1, -1))
      }
    }
  } catch {
    out.add(value.trim())
  }
  if (shape === 'token' && value !== value.trim()) out.add(value)
  return [...out].filter((t) => t.length > 0)
}
