import { splitUri } from '../credentials/mask.js'
/**
 * The one redaction function. Everything a check, a driver or the HTTP layer says passes through here
 * before it is printed, stored or thrown: drivers quote connection strings in errors (mysql2, clickhouse),
 * providers echo parts of a wrong key, and Node's fetch errors carry URLs.
 */
const MASK = '****'

/** Pieces of a secret worth hunting for on their own: the whole value plus the parts a driver may quote. */
export function secretPieces(value: string): string[] {
  const pieces = new Set<string>()
  const v = value.trim()
  if (v) pieces.add(v)
  if (value && value !== v) pieces.add(value)
  // URI: the password (raw and decoded) is what drivers print when they print anything. The userinfo
  // ends at the last "@" of the authority, as URL parsers read it (a password may contain "@").
  const u = splitUri(v)
  if (u?.password) {
    pieces.add(u.password)
    try {
      pieces.add(decodeURIComponent(u.password))
    } catch {
      /* not percent-encoded: the raw form is enough */
    }
  }
  // Secret-looking query parameters (sslpassword=, client_secret=, token=, ...).
  for (const mm of v.matchAll(/[?&][^=&#]*(?:pass|pwd|secret|token|key|auth|cred)[^=&#]*=([^&#]+)/gi)) {
    if (mm[1]) {
      pieces.add(mm[1])
      try {
        pieces.add(decodeURIComponent(mm[1]))
      } catch {
        /* raw form only */
      }
    }
  }
  // key=value;Password=...; (ADO strings) and JSON service accounts.
  for (const mm of v.matchAll(/(?:^|;)\s*(?:password|pwd)\s*=\s*("(?:[^"]|"")*"|'(?:[^']|'')*'|\{(?:[^}]|\}\})*\}|[^;]*)/gi)) {
    const raw = (mm[1] ?? '').trim()
    if (!raw) continue
    pieces.add(raw)
    // The unquoted form is what a driver would print.
    if (/^["'{]/.test(raw)) pieces.add(raw.slice(1, -1).replace(/""|''|\}\}/g, (d) => d[0]!))
  }
  if (v.startsWith('{')) {
    try {
      const obj = JSON.parse(v) as Record<string, unknown>
      for (const k of ['private_key', 'client_secret', 'access_token', 'refresh_token', 'password', 'token']) {
        const x = obj[k]
        if (typeof x === 'string' && x) {
          pieces.add(x)
          // PEM bodies get re-wrapped or quoted line by line: hunt for each long line too.
          for (const line of x.split(/\\n|\n/)) if (line.length >= 16 && !line.startsWith('-----')) pieces.add(line)
        }
      }
    } catch {
      /* not JSON */
    }
  }
  // Very short fragments would shred ordinary words; 4 characters is the floor.
  return [...pieces].filter((p) => p.length >= 4).sort((a, b) => b.length - a.length)
}


/** Remove every known secret and every secret-shaped fragment (URI passwords, auth headers, key params). */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = String(text)
  for (const s of secrets) for (const piece of secretPieces(s)) out = out.split(piece).join(MASK)
  // Also the JSON-escaped form of each piece (error bodies that quote the value inside JSON).
  for (const s of secrets)
    for (const piece of secretPieces(s)) {
      const j = JSON.stringify(piece).slice(1, -1)
      if (j !== piece) out = out.split(j).join(MASK)
    }
  out = out
    // scheme://user:password@host -> scheme://user:****@host
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^\s:/?#@]*:)[^\s@/]+@/gi, `$1${MASK}@`)
    // Authorization: Bearer xyz / x-api-key: xyz (in header dumps)
    .replace(
      /\b(authorization|proxy-authorization|x-api-key|api-key|x-goog-api-key|xi-api-key|x-key)(["']?\s*[:=]\s*["']?)(?:(bearer|basic|token|key)\s+)?[^\s"',;}]+/gi,
      (_m, h: string, sep: string, scheme: string | undefined) => `${h}${sep}${scheme ? `${scheme} ` : ''}${MASK}`,
    )
    // ?key=..., &api_key=..., access_token=..., password=... (also at the very start of the text)
    .replace(
      /((?:^|[?&;,\s])(?:key|api_key|apikey|access_token|refresh_token|id_token|token|password|passwd|pwd|sslpassword|client_secret|secret)=)[^&\s;"']+/gi,
      `$1${MASK}`,
    )
    // "password":"...", password: '...' (JSON and util.inspect dumps of a driver's config object)
    .replace(
      /(["']?\b(?:password|passwd|pwd|sslpassword|secret|client_secret|access_token|refresh_token|id_token|private_key|api_key|apikey|token)["']?\s*[:=]\s*)(["'])(?:\\.|(?!\2)[^\\])*\2/gi,
      `$1$2${MASK}$2`,
    )
  return out
}

/** Redacting wrapper for anything thrown: keeps the class name and code, never the stack or the cause. */
export function redactError(err: unknown, secrets: readonly string[] = []): string {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code
    const cause = (err as { cause?: unknown }).cause
    let msg = err.message || err.name
    // fetch() hides the useful part ("ECONNREFUSED 127.0.0.1:9") in the cause.
    if (cause instanceof Error && cause.message && !msg.includes(cause.message)) msg = `${msg}: ${cause.message}`
    if (typeof code === 'string' && !msg.includes(code)) msg = `${msg} (${code})`
    return redact(msg, secrets)
  }
  return redact(String(err), secrets)
}

