import { redactSecrets } from '../checks/redact.js'
import { CredctlError } from '../errors.js'
import { TYPES } from './catalogue.js'
import { randomToken, secretReason } from './secret-rule.js'
import { StringSet } from '../lib/string-set.js'

/**
 * .env files: parsing (dotenv syntax) and mapping each variable to a credential type.
 *
 * Syntax: `KEY=VALUE` lines; blank lines and `#` comments; an optional `export ` prefix; values bare
 * (a ` #` starts a comment, surrounding blanks are trimmed), in single quotes or backticks (literal), or
 * in double quotes (\n, \r, \t, \", \\ and \$ escapes); quoted values may span lines. Backticks are
 * dotenv's third quote (motdotla/dotenv lib/main.js, LINE: `` `(?:\\`|[^`])*` ``, then the quotes are
 * stripped and nothing is unescaped): a `\`` inside does not close the value and is kept as written.
 * A later definition of a variable replaces an earlier one, as in a shell and in dotenv. A line that is
 * none of these is an error naming the line number: silently dropping it could lose a credential.
 * Messages never contain a value. Line ends are LF, CRLF or CR (read as dotenv does: `\r\n?` -> `\n`).
 */
export interface EnvEntry {
  name: string
  value: string
  line: number
  /** The value was written in quotes (a `credctl://` reference there may hold a raw space: references.ts). */
  quoted: boolean
  /**
   * Where the value is written in the text given to the parser, as UTF-16 offsets [start, end): the
   * whole token as written, quotes included (`"a\nb"`, `'x'`), or the bare value without blanks or a
   * trailing comment; empty (start = end) for `NAME=`. Replacing this span with another token rewrites
   * the value and nothing else (import --template); offsets count the original line ends and BOM.
   */
  span: { start: number; end: number }
}

/** Every definition in file order (overridden ones included) and every comment, for rewriting the file. */
export interface EnvScan {
  definitions: (EnvEntry & { overridden: boolean })[]
  /** Comments (from `#` to the end of its line, line end excluded), as spans of the original text. */
  comments: { start: number; end: number }[]
}

const KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/
const PASTED_KEY = 'expected NAME=VALUE (this line looks like part of a pasted key; nothing of it is shown)'

/**
 * A "name" that is a piece of a key rather than a variable's name: one the secret rule's entropy test
 * flags (secret-rule.ts randomToken), or, with an empty value, 16+ characters mixing lower case, upper
 * case and digits with no separator (base64). Variable names are UPPER_SNAKE, lower_snake, dotted or
 * camelCase words; `_` is no base64 character of a line that ends in "=". randomToken splits names at
 * `_`, `.` and `-`, so only a 16+ character word mixing letters and digits with high entropy trips it.
 */
function keyPiece(name: string): boolean {
  return /^[A-Za-z0-9+/]{16,}$/.test(name) && /[a-z]/.test(name) && /[A-Z]/.test(name) && /[0-9]/.test(name)
}
const QUOTE_NAMES: Record<string, string> = { '"': 'double quote', "'": 'single quote', '`': 'backtick' }

/** The text with line ends normalised to LF and the BOM dropped, and each LF-text offset's place in the original. */
function normalise(text: string): { src: string; orig: Int32Array } {
  const orig = new Int32Array(text.length + 1)
  let n = 0
  let i = text.startsWith('\uFEFF') ? 1 : 0
  const parts: string[] = []
  let from = i
  for (; i < text.length; i++) {
    if (text[i] !== '\r') {
      orig[n++] = i
      continue
    }
    parts.push(text.slice(from, i), '\n')
    orig[n++] = i
    if (text[i + 1] === '\n') i++
    from = i + 1
  }
  parts.push(text.slice(from))
  orig[n] = text.length
  return { src: parts.join(''), orig: orig.subarray(0, n + 1) }
}

/** Every definition and comment of a .env text (see EnvScan); throws CredctlError (exit 2) naming the line. */
export function scanEnvFile(text: string, label = '.env'): EnvScan {
  const { src, orig } = normalise(text)
  const at = (n: number) => orig[n]!
  const defs: EnvScan['definitions'] = []
  const last = new Map<string, number>()
  const comments: EnvScan['comments'] = []
  const comment = (from: number, to: number) => {
    const h = src.indexOf('#', from)
    if (h >= 0 && h < to) comments.push({ start: at(h), end: at(to) })
  }
  let i = 0
  let line = 1
  const fail = (why: string, at = line): never => {
    throw new CredctlError('INVALID_INPUT', `${label}:${at}: ${why}`)
  }
  while (i < src.length) {
    // one logical line
    const startLine = line
    let end = src.indexOf('\n', i)
    if (end < 0) end = src.length
    const raw = src.slice(i, end)
    const trimmed = raw.trim()
    if (trimmed === '' || trimmed.startsWith('#')) {
      if (trimmed) comment(i, end)
      i = end + 1
      line++
      continue
    }
    const m = /^\s*(?:export\s+)?([^=\s]+)\s*=\s*/.exec(raw)
    if (!m) fail(/^\s*export\s+[A-Za-z_][A-Za-z0-9_]*\s*$/.test(raw) ? 'an `export NAME` line without a value' : 'expected NAME=VALUE')
    const key = m![1]!
    // Never quote the "name": a stray line of a pasted key (base64 ending in "=") parses as NAME=VALUE.
    if (!KEY.test(key)) fail('invalid variable name (not shown: a malformed line may be part of a secret)')
    if (randomToken(key)) fail(PASTED_KEY)
    let j = i + m![0].length
    const valueStart = j
    let valueEnd: number
    let value: string
    let quoted = false
    const q = src[j]
    if (q === '"' || q === "'" || q === '`') {
      j++
      let buf = ''
      let closed = false
      while (j < src.length) {
        const ch = src[j]!
        if (ch === q) {
          closed = true
          j++
          break
        }
        if (ch === '\n') line++
        if (q === '"' && ch === '\\' && j + 1 < src.length) {
          const nx = src[j + 1]!
          const esc: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\', $: '$' }
          if (nx in esc) {
            buf += esc[nx]
            j += 2
            continue
          }
        }
        if (q === '`' && ch === '\\' && src[j + 1] === '`') {
          buf += '\\`'
          j += 2
          continue
        }
        buf += ch
        j++
      }
      if (!closed) fail(`unterminated ${QUOTE_NAMES[q]} in ${key}`, startLine)
      valueEnd = j
      // After the closing quote: only blanks and an optional comment.
      let k = src.indexOf('\n', j)
      if (k < 0) k = src.length
      const rest = src.slice(j, k)
      if (rest.trim() !== '' && !rest.trim().startsWith('#')) fail(`unexpected text after the closing ${q === '`' ? 'backtick' : 'quote'} of ${key}`)
      comment(j, k)
      value = buf
      quoted = true
      i = k + 1
    } else {
      let rest = raw.slice(m![0].length)
      const hash = rest.search(/\s#/)
      if (hash >= 0) {
        comment(j + hash, end)
        rest = rest.slice(0, hash)
      }
      value = rest.trim()
      valueEnd = j + value.length
      // "NAME==" is the tail of base64 (a pasted key, the last line of a PEM), not an assignment.
      if (/^=+$/.test(value)) fail(PASTED_KEY)
      // A stray base64 line ("dGhpc2lz...MA=") parses as NAME with an empty value: its "name" is a piece
      // of a key, and would be printed (run --dry-run, the import report) and kept in a template.
      if (value === '' && keyPiece(key)) fail(PASTED_KEY)
      i = end + 1
    }
    // No program can receive a NUL in its environment (C strings end there): refused here, by line only.
    if (value.includes('\0')) fail(`a NUL byte in the value of ${key} (no environment variable can hold one; the value is not shown)`, startLine)
    const prev = last.get(key)
    if (prev !== undefined) defs[prev]!.overridden = true
    last.set(key, defs.length)
    defs.push({ name: key, value, line: startLine, span: { start: at(valueStart), end: at(valueEnd) }, overridden: false, quoted })
    line++
  }
  return { definitions: defs, comments }
}

/** The variables of a .env text: the last definition of each, in the order of those last definitions. */
export function parseEnvFile(text: string, label = '.env'): EnvEntry[] {
  return scanEnvFile(text, label)
    .definitions.filter((d) => !d.overridden)
    .map(({ overridden: _, ...e }) => e)
}

/** URL schemes that name a type outright, whatever the variable is called. */
export const SCHEME_TYPES: Record<string, string> = {
  'postgres:': 'postgresql',
  'postgresql:': 'postgresql',
  'mysql:': 'mysql',
  'mariadb:': 'mysql',
  'redshift:': 'redshift',
  'snowflake:': 'snowflake',
  'mssql:': 'mssql',
  'sqlserver:': 'mssql',
  'clickhouse:': 'clickhouse',
  'smtp:': 'smtp',
  'smtps:': 'smtp',
}

/**
 * Conventional variable -> type, from the catalogue's `env` lists. Where several types share a name
 * the one listed first wins (OPENAI_API_KEY -> openai, not openai_audio; FAL_KEY -> fal, not pika),
 * the same precedence `credctl run` uses, so an import followed by a run gives back the same variables.
 */
export const VARIABLE_TYPES: ReadonlyMap<string, string> = (() => {
  const m = new Map<string, string>()
  for (const t of TYPES) for (const v of t.env) if (!m.has(v)) m.set(v, t.type)
  return m
})()

/**
 * What a variable becomes: a credential of `type`, or skipped. `secret` says whether the variable holds
 * a secret (src/credentials/secret-rule.ts, plus every variable a provider type claims): a secret that is
 * not imported makes `import` exit 1, and `--template` never writes it.
 */
export type Mapping = { type: string; reason: string } | { skip: string; secret: boolean }

/**
 * Which type a variable holds. In order: credctl's own settings are never imported; a URL whose scheme
 * names a type wins (DATABASE_URL=mysql://... is mysql); then the conventional names; then generic
 * `*_API_KEY` / `*_API_TOKEN` variables; then any variable that holds a secret by the secret rule
 * (STRIPE_SECRET_KEY, TWILIO_AUTH_TOKEN, a PEM PRIVATE_KEY, REDIS_URL with a password) becomes
 * tools/api_key, named after the variable. What is left is configuration (NODE_ENV, PORT, URLs
 * without credentials), skipped. The value is looked at only to classify it, and never reported.
 */
export function mapVariable(name: string, value: string): Mapping {
  if (/^CREDCTL_/i.test(name)) return { skip: 'a credctl setting, not a credential', secret: secretReason(name, value) !== undefined }
  if (value.trim() === '') return { skip: 'empty value', secret: false }
  const scheme = /^([a-z][a-z0-9+.-]*:)\/\//i.exec(value.trim())?.[1]?.toLowerCase()
  if (scheme && SCHEME_TYPES[scheme]) return { type: SCHEME_TYPES[scheme], reason: `${scheme}// URL` }
  const known = VARIABLE_TYPES.get(name)
  if (known === 'bigquery') return { type: 'bigquery', reason: 'conventional variable (service-account JSON or its file)' }
  // A conventional name with a value of the wrong shape (DATABASE_URL=redis://...) is then skipped by
  // the type's input check, whose message names the expected shape, never the value.
  if (known) return { type: known, reason: 'conventional variable' }
  if (/_API_(KEY|TOKEN)$/.test(name) && !scheme) return { type: 'api_key', reason: 'generic *_API_KEY variable' }
  const why = secretReason(name, value)
  if (why) return { type: 'api_key', reason: `a secret of no provider type (${why})` }
  if (scheme) return { skip: `not a secret: a ${scheme}// URL without credentials`, secret: false }
  return { skip: 'not a secret: configuration', secret: false }
}

/**
 * Whether a variable holds a secret: a provider type claims it (a service-account path excepted: the
 * file is the secret, the path is not), or the secret rule says so. The one answer `import` and its
 * template use.
 */
export function holdsSecret(name: string, value: string): boolean {
  const m = mapVariable(name, value)
  if ('skip' in m) return m.secret
  return !pathValued(m.type, value) || secretReason(name, value) !== undefined
}

/**
 * A variable that holds a path, which is no secret: a service-account file's path (the file is the
 * secret) and a static_file path. With --template the line stays as written (planEnvImport).
 */
function pathValued(type: string, value: string): boolean {
  return type === 'static_file' || (type === 'bigquery' && !value.trim().startsWith('{'))
}

/** A skipped variable: `secret` as in Mapping; `same_as` names the variable whose credential holds the same value. */
export interface EnvSkip {
  source: string
  name: string
  reason: string
  secret: boolean
  same_as?: string
}

export interface EnvPlan {
  items: { source: string; name: string; type: string; value: string; reason: string; exact: boolean }[]
  skipped: EnvSkip[]
}

/**
 * Map parsed entries to credentials named after their variable. GOOGLE_APPLICATION_CREDENTIALS holds a
 * path by convention: the file it names (relative to the .env file's directory) is read through
 * `readFile`; inline JSON is taken as is. A static_file path (STATIC_FILE_PATH) is stored resolved by
 * `resolvePath` (against the .env file's directory; without it, as the type's input check resolves it),
 * and with `exact` the template keeps the line as written, since a path is no secret. A value equal to an earlier one (DATABASE_URL and
 * POSTGRES_URL pointing at the same database) is imported once; the later one is skipped with `same_as`.
 * `exact` (import --template): every value is compared and stored byte for byte (`exact` on each
 * item), since the template must give the program the very bytes the .env gave it.
 */
export async function planEnvImport(entries: EnvEntry[], readFile: (p: string) => Promise<string>, opts: { exact?: boolean; resolvePath?: (p: string) => string } = {}): Promise<EnvPlan> {
  const plan: EnvPlan = { items: [], skipped: [] }
  const seen = new Map<string, string>()
  for (const e of entries) {
    const m = mapVariable(e.name, e.value)
    if ('skip' in m) {
      plan.skipped.push({ source: e.name, name: e.name, reason: m.skip, secret: m.secret })
      continue
    }
    let value = e.value
    let exact = !!opts.exact
    if (m.type === 'static_file' && opts.resolvePath && !/^~(?:\/|$)/.test(value.trim())) {
      value = opts.resolvePath(value.trim())
      exact = false // the credential holds the resolved path, the variable the path as written
    }
    if (m.type === 'bigquery' && !value.trim().startsWith('{')) {
      try {
        value = await readFile(value.trim())
        exact = false // the credential holds the file, the variable its path
      } catch (err) {
        // The read error names the path, and the "path" may be a token pasted into the wrong variable.
        const why = err instanceof CredctlError ? err.message : ((err as NodeJS.ErrnoException).code ?? 'error')
        plan.skipped.push({ source: e.name, name: e.name, reason: redactSecrets(`it names a service-account file that cannot be used (${why})`, [value]), secret: secretReason(e.name, e.value) !== undefined })
        continue
      }
    }
    const key = `${m.type}\0${exact ? value : value.trim()}`
    const first = seen.get(key)
    if (first !== undefined) {
      plan.skipped.push({ source: e.name, name: e.name, reason: `same ${m.type} value as ${first}, imported once`, secret: true, same_as: first })
      continue
    }
    seen.set(key, e.name)
    plan.items.push({ source: e.name, name: e.name, type: m.type, value, reason: m.reason, exact })
  }
  // Configuration that contains a secret of the file (GREETING="... <DB_PASSWORD> ...") holds it too.
  const byName = new Map(entries.map((e) => [e.name, e.value]))
  const secrets = new StringSet([...plan.items.map((i) => i.value), ...plan.skipped.filter((s) => s.secret).map((s) => byName.get(s.source)!)])
  if (secrets.size > 0) {
    plan.skipped = plan.skipped.filter((s) => {
      const value = byName.get(s.source)!
      if (s.secret || s.reason === 'empty value' || /^CREDCTL_/i.test(s.name) || !secrets.foundIn(value)) return true
      plan.items.push({ source: s.source, name: s.name, type: 'api_key', value, reason: 'contains a secret value of another variable', exact: !!opts.exact })
      return false
    })
  }
  return plan
}
