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
 * Echoes of a secret, whole or in pieces: a server that quotes the key minus its last characters, one
 * that quotes it in two halves ("bad key kAbC… … …xyzW"), percent-encoded (%6b%41…), JSON-escaped, hex
 * or base64. What is bounded is the TOTAL of a secret part that survives in a message, not its longest
 * single run: a bound on single runs lets a secret through in two runs just under it.
 *
 * How: every position of the message covered by one of the secret's q-grams (q = 3; 4 for parts longer
 * than 256 characters, whose 3-grams would cover ordinary words) is marked, in the message as written
 * and in its percent-, hex- and base64-decoded readings (a decoded character marks the characters it
 * was written with). Then
 *   1. every marked run of 8 or more characters is masked (a run that long identifies the secret, and
 *      today's floor was 8 too), and
 *   2. when the marked characters of one secret part reach more than a quarter of it, or 12, every
 *      marked run is masked: the message is echoing the secret, and its short pieces go with it.
 * A marked run of fewer than 8 characters glued to a longer word counts for neither (see below).
 * So, of a secret part of 12 or more characters, at most a quarter (and fewer than 12 characters, and
 * no 8 in a row) can remain in pieces that stand apart, which is what a mask shows of a key at most. Why q = 3: a piece of 3 characters is the smallest the
 * bound has to see (a 12-character password in 4 pieces); marked characters count in the message's
 * own units, so an encoded echo is counted about three times over (masking more, never less).
 * Rule 2 is for parts of at least 12 characters: below that a quarter is under one gram, and a 3-gram
 * of a short password matches ordinary words; those keep rule 1 and the exact matches.
 * Only the secret parts are hunted this way, never a whole connection string, whose public parts (host,
 * database) a message must keep.
 */
const RUN_MAX = 8
const TOTAL_MIN_PART = 12
const TOTAL_CAP = 12

/** A reading of the message: its text, and for each character the source range it was written with. */
interface Reading {
  text: string
  from: number[]
  to: number[]
}

function asIs(text: string): Reading {
  const from = Array.from({ length: text.length }, (_, i) => i)
  return { text, from, to: from.map((i) => i + 1) }
}

/** %XX decoded byte by byte (upper or lower hex, mixed with raw characters). */
function percentReading(text: string): Reading | undefined {
  if (!/%[0-9a-f]{2}/i.test(text)) return undefined
  const r: Reading = { text: '', from: [], to: [] }
  for (let i = 0; i < text.length; ) {
    const n = /^%[0-9a-f]{2}/i.test(text.slice(i, i + 3)) ? 3 : 1
    r.text += n === 3 ? String.fromCharCode(parseInt(text.slice(i + 1, i + 3), 16)) : text[i]
    r.from.push(i)
    r.to.push(i + n)
    i += n
  }
  return r
}

/** Hex and base64 runs of the message, decoded, one after another (a NUL between them, which no gram holds). */
function encodedReading(text: string, re: RegExp, decode: (t: string) => Buffer, width: (k: number, len: number) => [number, number]): Reading | undefined {
  const r: Reading = { text: '', from: [], to: [] }
  for (const m of text.matchAll(re)) {
    const bytes = decode(m[0])
    for (let k = 0; k < bytes.length; k++) {
      const [a, b] = width(k, m[0].length)
      r.text += String.fromCharCode(bytes[k]!)
      r.from.push(m.index + a)
      r.to.push(m.index + b)
    }
    r.text += '\0'
    r.from.push(m.index)
    r.to.push(m.index)
  }
  return r.text ? r : undefined
}

function messageReadings(text: string): Reading[] {
  const out = [asIs(text)]
  const pct = percentReading(text)
  if (pct) out.push(pct)
  const hex = encodedReading(text, /(?:[0-9a-f]{2}){6,}|(?:[0-9A-F]{2}){6,}/g, (t) => Buffer.from(t, 'hex'), (k) => [2 * k, 2 * k + 2])
  if (hex) out.push(hex)
  const b64 = encodedReading(
    text,
    /[A-Za-z0-9+/_-]{8,}={0,2}/g,
    (t) => Buffer.from(t, 'base64'),
    (k, len) => [Math.floor((4 * k) / 3), Math.min(len, Math.ceil((4 * (k + 1)) / 3))],
  )
  if (b64) out.push(b64)
  return out
}

/** The q-grams of a secret's forms (as written, JSON-escaped, and its UTF-8 bytes for decoded readings). */
const gramCache = new Map<string, Set<string>>()
function gramsOf(atom: string, q: number): Set<string> {
  const key = `${q}\0${atom}`
  let set = gramCache.get(key)
  if (set) return set
  set = new Set<string>()
  const json = JSON.stringify(atom).slice(1, -1)
  for (const form of new Set([atom, json, Buffer.from(atom, 'utf8').toString('latin1')]))
    for (let j = 0; j + q <= form.length; j++) set.add(form.slice(j, j + q))
  if (gramCache.size > 64) gramCache.clear()
  gramCache.set(key, set)
  return set
}

function partialRanges(text: string, views: Reading[], atom: string, ranges: [number, number][]): void {
  if (atom.length < RUN_MAX) return
  const q = atom.length > 256 ? 4 : 3
  const grams = gramsOf(atom, q)
  const covered = new Uint8Array(text.length)
  for (const v of views)
    for (let i = 0; i + q <= v.text.length; i++)
      if (grams.has(v.text.slice(i, i + q))) covered.fill(1, v.from[i], v.to[i + q - 1])
  const runs: [number, number][] = []
  let total = 0
  const inWord = (c: string | undefined) => c !== undefined && /[A-Za-z0-9]/.test(c)
  for (let i = 0; i < text.length; i++) {
    if (!covered[i]) continue
    let j = i
    while (j < text.length && covered[j]) j++
    // A short match glued to a longer word is part of that word ("pro" of "provided" against a key
    // "sk-proj-…", "space" of "whitespace" against a password of words), not an echo: an echoed piece
    // stands apart from the words around it (quotes, spaces, "...", "****"). 8 or more go regardless.
    if (!(j - i < RUN_MAX && (inWord(text[i - 1]) || inWord(text[j])))) {
      runs.push([i, j])
      total += j - i
    }
    i = j
  }
  const echoed = atom.length >= TOTAL_MIN_PART && (4 * total > atom.length || total >= TOTAL_CAP)
  for (const r of runs) if (echoed || r[1] - r[0] >= RUN_MAX) ranges.push(r)
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
  const views = secrets.length ? messageReadings(out) : []
  for (const s of secrets) {
    for (const piece of secretPieces(s))
      for (const form of new Set([piece, json(piece)]))
        for (let i = out.indexOf(form); i >= 0; i = out.indexOf(form, i + 1)) ranges.push([i, i + form.length])
    for (const atom of secretAtoms(s)) partialRanges(out, views, atom, ranges)
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

