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

/** Characters JSON encoders commonly write as \uXXXX although JSON does not require it (the source of each below). */
const HTML_SAFE = /[<>&\u2028\u2029]/g // Go encoding/json, JS/Java "HTML-safe" encoders
const GSON = /[<>&='\u2028\u2029]/g // Gson's default (Google-issued service-account key files: `\u003d`)
const EXTRA = /[<>&='+/\u2028\u2029]/g // escape-happy encoders (Jackson ESCAPE_NON_ASCII-style, PHP JSON_HEX_*)
const NON_ASCII = /[\u007f-\uffff]/g // Python json.dumps (ensure_ascii), Java/.NET ASCII-only writers

const u4 = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`

/** Python repr's body of a str: \\ \n \r \t, other control characters as \xhh, printable text as is. */
function pythonRepr(t: string, quote: string): string {
  let out = ''
  for (const ch of t) {
    const c = ch.codePointAt(0)!
    if (ch === '\\') out += '\\\\'
    else if (ch === '\n') out += '\\n'
    else if (ch === '\r') out += '\\r'
    else if (ch === '\t') out += '\\t'
    else if (ch === quote) out += `\\${quote}`
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`
    else out += ch
  }
  return out
}

/**
 * The forms one secret text takes in a program's output, bounded (at most 16, distinct): as stored;
 * inside a JSON string as JSON.stringify writes it (\n, \", \\, \u00XX); the same with `\/` (PHP, Ruby,
 * Google key files); with the \u-escapes of Go (< > &), Gson (also = and ', as in Google-issued key
 * files), escape-happy encoders (also + and /), and ASCII-only encoders (non-ASCII as \uXXXX, Python
 * json.dumps), each in lower- and upper-case hex; and the body of a Python repr (\n, \xhh; with or
 * without an escaped quote). Known limit: an encoder escaping some other subset of characters is not
 * covered, nor base64 or URL encoding of the whole secret.
 */
export function outputForms(t: string): string[] {
  const json = JSON.stringify(t).slice(1, -1)
  const forms = new Set<string>([t, json, json.replace(/\//g, '\\/')])
  for (const re of [HTML_SAFE, GSON, EXTRA, NON_ASCII]) {
    const lower = json.replace(re, u4)
    forms.add(lower)
    forms.add(lower.replace(/\\u([0-9a-f]{4})/g, (_, h: string) => `\\u${h.toUpperCase()}`))
  }
  forms.add(json.replace(/\//g, '\\/').replace(GSON, u4))
  for (const q of ["'", '"', '']) forms.add(pythonRepr(t, q))
  return [...forms].filter((f) => f.length > 0)
}

/**
 * The texts `credctl run` conceals in a command's output for one value (src/lib/conceal.ts): the secret
 * parts the mask hides, from the same parse, each as written and as a driver reads it (percent-decoded,
 * unquoted), each in every form of outputForms (JSON-escaped, \u-escaped, Python repr: how a program
 * printing its environment or a key file shows it). A service account is also concealed as the exact
 * bytes of the file run-files.ts writes (the value as stored). A key is one secret part, itself; a path
 * has none; a value the parse cannot read is concealed whole. Public parts (a URL's host, a service
 * account's client_email) stay readable.
 */
export function secretTexts(type: string, value: string): string[] {
  const kind = typeInfo(type)?.mask ?? 'key'
  const shape = shapeOf(kind, value)
  const texts = new Set<string>()
  try {
    for (const p of valueParts(shape, value)) {
      if (!p.secret) continue
      for (const t of [p.text, p.plain]) if (t) texts.add(t)
    }
  } catch {
    texts.add(value.trim())
  }
  if (shape === 'token' && value !== value.trim()) texts.add(value)
  const out = new Set<string>()
  for (const t of texts) for (const f of outputForms(t)) out.add(f)
  if (kind === 'service_account' && value.trim()) out.add(value)
  return [...out]
}
