import { guessShape, valueParts, type Part, type Shape } from '../lib/value-parts.js'
/**
 * The one redaction function. Everything a check, a driver or the HTTP layer says passes through here
 * before it is printed, stored or thrown: drivers quote connection strings in errors (mysql2, clickhouse),
 * providers echo parts of a wrong key, and Node's fetch errors carry URLs.
 *
 * What a secret is comes from the same parse as the input check and the mask (src/lib/value-parts.ts):
 * the secret parts of the value (URI password, secret query parameters, ADO/JDBC passwords, JSON
 * secrets), raw and decoded, plus the whole value.
 */
const MASK = '****'

/** Every reading of a value that the parse accepts: its own shape, and a URI or connection string if it can be one. */
function readings(v: string): Part[][] {
  const shapes = new Set<Shape>([guessShape(v), 'uri', 'mssql'])
  const out: Part[][] = []
  for (const shape of shapes) {
    try {
      out.push(valueParts(shape, v))
    } catch {
      /* not this shape */
    }
  }
  return out
}

function decoded(s: string): string | undefined {
  try {
    const d = decodeURIComponent(s)
    return d === s ? undefined : d
  } catch {
    return undefined
  }
}

/**
 * The secret texts of a value: its secret parts, raw and percent-decoded, and the PEM lines of a key
 * (PEM bodies get re-wrapped or quoted line by line). A value of no structure is secret whole.
 */
function secretAtoms(value: string): string[] {
  const v = value.trim()
  const atoms = new Set<string>()
  const rs = readings(v)
  // No structure at all (a key, a token, a value stored before the input check was strict): the whole
  // value is one secret.
  if (rs.length === 0 && v) atoms.add(v)
  for (const parts of rs) {
    for (const p of parts) {
      if (!p.secret || !p.text) continue
      // Raw, as the driver sees it (unquoted ADO value, decoded password), and percent-decoded.
      for (const t of [p.text, p.plain, decoded(p.text)]) {
        if (!t) continue
        atoms.add(t)
        for (const line of t.split(/\\n|\n/)) if (line.length >= 16 && !line.startsWith('-----')) atoms.add(line)
      }
    }
  }
  // A value no parse can read (stored before the input check was strict): the widest reading of a
  // URI password (userinfo up to the LAST "@" of the whole value) and any Password= value.
  const wide = /^[a-z][a-z0-9+.-]*:\/\/([^]*)@/i.exec(v)?.[1]
  if (wide?.includes(':')) {
    const pw = wide.slice(wide.indexOf(':') + 1)
    atoms.add(pw)
    const d = decoded(pw)
    if (d) atoms.add(d)
  }
  for (const mm of v.matchAll(/(?:^|;)\s*(?:password|pwd)\s*=\s*("(?:[^"]|"")*"|'(?:[^']|'')*'|\{(?:[^}]|\}\})*\}|[^;]*)/gi)) {
    const raw = (mm[1] ?? '').trim()
    if (raw) atoms.add(raw)
  }
  return [...atoms]
}

/** Pieces of a secret worth hunting for on their own: the whole value plus the parts a driver may quote. */
export function secretPieces(value: string): string[] {
  const pieces = new Set<string>()
  const v = value.trim()
  if (v) pieces.add(v)
  if (value && value !== v) pieces.add(value)
  for (const a of secretAtoms(value)) pieces.add(a)
  // Very short fragments would shred ordinary words; 4 characters is the floor.
  return [...pieces].filter((p) => p.length >= 4).sort((a, b) => b.length - a.length)
}

/**
 * Partial echoes: a server that quotes the key minus its last characters ("sk-proj-abc…"), a log that
 * cuts a password in two. Any run of a secret's characters of at least PARTIAL_MIN characters AND at
 * least half the secret is masked, wherever it sits (prefixes, suffixes and middles alike).
 *
 * Why these numbers: below 8 characters a run matches ordinary words and ids ("postgres", a hex
 * prefix) too often, and reveals at most ~48 bits of a random secret; a run shorter than half leaves
 * the larger part unknown, which is what the mask itself shows of a key (a quarter). At half, an echo
 * would identify the secret and halve the work to guess it, so it goes. Only the secret parts are
 * hunted this way, never a whole connection string, whose public parts (host, database) a message
 * must keep.
 */
const PARTIAL_MIN = 8

function partialRanges(text: string, atom: string, ranges: [number, number][]): void {
  const need = Math.max(PARTIAL_MIN, Math.ceil(atom.length / 2))
  if (atom.length < PARTIAL_MIN || text.length < need) return
  // Index the atom by its 8-character grams; every run of >= need characters starts with one.
  const at = new Map<string, number[]>()
  for (let j = 0; j + PARTIAL_MIN <= atom.length; j++) {
    const g = atom.slice(j, j + PARTIAL_MIN)
    const l = at.get(g)
    if (l) l.push(j)
    else at.set(g, [j])
  }
  for (let i = 0; i + need <= text.length; i++) {
    const js = at.get(text.slice(i, i + PARTIAL_MIN))
    if (!js) continue
    let best = 0
    for (const j of js) {
      let k = PARTIAL_MIN
      while (i + k < text.length && j + k < atom.length && text[i + k] === atom[j + k]) k++
      if (k > best) best = k
    }
    if (best >= need) ranges.push([i, i + best])
  }
}

function maskRanges(text: string, ranges: [number, number][]): string {
  if (ranges.length === 0) return text
  ranges.sort((a, b) => a[0] - b[0])
  const merged: [number, number][] = []
  for (const [a, b] of ranges) {
    const last = merged[merged.length - 1]
    if (last && a <= last[1]) last[1] = Math.max(last[1], b)
    else merged.push([a, b])
  }
  let out = ''
  let pos = 0
  for (const [a, b] of merged) {
    out += text.slice(pos, a) + MASK
    pos = b
  }
  return out + text.slice(pos)
}

/**
 * Remove the given secrets from text credctl wrote itself (an input error, an import skip reason): each
 * secret part and its partial echoes, and nothing else, so the text keeps its examples of a format.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = String(text)
  // Every occurrence of a piece (raw or JSON-escaped, as error bodies quote it) and every partial echo
  // of a secret part is found on the same text first and masked in one pass, so masking one piece can
  // never break up a longer one that contains it.
  const ranges: [number, number][] = []
  const json = (x: string) => JSON.stringify(x).slice(1, -1)
  for (const s of secrets) {
    for (const piece of secretPieces(s))
      for (const form of new Set([piece, json(piece)]))
        for (let i = out.indexOf(form); i >= 0; i = out.indexOf(form, i + 1)) ranges.push([i, i + form.length])
    for (const atom of secretAtoms(s)) for (const form of new Set([atom, json(atom)])) partialRanges(out, form, ranges)
  }
  out = maskRanges(out, ranges)
  return out
}

/** Remove every known secret and every secret-shaped fragment (URI passwords, auth headers, key params). */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = redactSecrets(text, secrets)
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

