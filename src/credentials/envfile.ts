import { redactSecrets } from '../checks/redact.js'
import { CredctlError } from '../errors.js'
import { TYPES } from './catalogue.js'

/**
 * .env files: parsing (dotenv syntax) and mapping each variable to a credential type.
 *
 * Syntax: `KEY=VALUE` lines; blank lines and `#` comments; an optional `export ` prefix; values bare
 * (a ` #` starts a comment, surrounding blanks are trimmed), in single quotes (literal), or in double
 * quotes (\n, \r, \t, \", \\ and \$ escapes); quoted values may span lines. A later definition of a
 * variable replaces an earlier one, as in a shell. A line that is none of these is an error naming the
 * line number: silently dropping it could lose a credential. Messages never contain a value.
 */
export interface EnvEntry {
  name: string
  value: string
  line: number
  /** The value was written in quotes (a `credctl://` reference there may hold a raw space: references.ts). */
  quoted: boolean
}

const KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/

export function parseEnvFile(text: string, label = '.env'): EnvEntry[] {
  const src = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n')
  const out = new Map<string, EnvEntry>()
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
      i = end + 1
      line++
      continue
    }
    const m = /^\s*(?:export\s+)?([^=\s]+)\s*=\s*/.exec(raw)
    if (!m) fail(/^\s*export\s+[A-Za-z_][A-Za-z0-9_]*\s*$/.test(raw) ? 'an `export NAME` line without a value' : 'expected NAME=VALUE')
    const key = m![1]!
    // Never quote the "name": a stray line of a pasted key (base64 ending in "=") parses as NAME=VALUE.
    if (!KEY.test(key)) fail('invalid variable name (not shown: a malformed line may be part of a secret)')
    let j = i + m![0].length
    let value: string
    let quoted = false
    const q = src[j]
    if (q === '"' || q === "'") {
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
        buf += ch
        j++
      }
      if (!closed) fail(`unterminated ${q === '"' ? 'double' : 'single'} quote in ${key}`, startLine)
      // After the closing quote: only blanks and an optional comment.
      let k = src.indexOf('\n', j)
      if (k < 0) k = src.length
      const rest = src.slice(j, k)
      if (rest.trim() !== '' && !/^\s+#/.test(rest) && !rest.trim().startsWith('#')) fail(`unexpected text after the closing quote of ${key}`)
      value = buf
      quoted = true
      i = k + 1
    } else {
      let rest = raw.slice(m![0].length)
      const hash = rest.search(/\s#/)
      if (hash >= 0) rest = rest.slice(0, hash)
      value = rest.trim()
      // "NAME==" is the tail of base64 (a pasted key, the last line of a PEM), not an assignment.
      if (/^=+$/.test(value)) fail('expected NAME=VALUE (this line looks like part of a pasted key; nothing of it is shown)')
      i = end + 1
    }
    out.delete(key) // keep the order of the last definition
    out.set(key, { name: key, value, line: startLine, quoted })
    line++
  }
  return [...out.values()]
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

export type Mapping = { type: string; reason: string } | { skip: string }

/**
 * Which type a variable holds. In order: credctl's own settings are never imported; a URL whose scheme
 * names a type wins (DATABASE_URL=mysql://... is mysql); then the conventional names; then generic
 * `*_API_KEY` / `*_API_TOKEN` variables become tools/api_key. Anything else is skipped and reported.
 * The value is looked at only to read a URL scheme or a JSON shape, and never reported.
 */
export function mapVariable(name: string, value: string): Mapping {
  if (/^CREDCTL_/i.test(name)) return { skip: 'a credctl setting, not a credential' }
  if (value.trim() === '') return { skip: 'empty value' }
  const scheme = /^([a-z][a-z0-9+.-]*:)\/\//i.exec(value.trim())?.[1]?.toLowerCase()
  if (scheme && SCHEME_TYPES[scheme]) return { type: SCHEME_TYPES[scheme], reason: `${scheme}// URL` }
  const known = VARIABLE_TYPES.get(name)
  if (known === 'bigquery') return { type: 'bigquery', reason: 'conventional variable (service-account JSON or its file)' }
  // A conventional name with a value of the wrong shape (DATABASE_URL=redis://...) is then skipped by
  // the type's input check, whose message names the expected shape, never the value.
  if (known) return { type: known, reason: 'conventional variable' }
  if (/_API_(KEY|TOKEN)$/.test(name) && !scheme) return { type: 'api_key', reason: 'generic *_API_KEY variable' }
  if (scheme) return { skip: `${scheme}// URL of no known type` }
  return { skip: 'no known type uses this variable' }
}

export interface EnvPlan {
  items: { source: string; name: string; type: string; value: string; reason: string }[]
  skipped: { source: string; name: string; reason: string }[]
}

/**
 * Map parsed entries to credentials named after their variable. GOOGLE_APPLICATION_CREDENTIALS holds a
 * path by convention: the file it names (relative to the .env file's directory) is read through
 * `readFile`; inline JSON is taken as is. A value equal to an earlier one (DATABASE_URL and
 * POSTGRES_URL pointing at the same database) is imported once.
 */
export async function planEnvImport(entries: EnvEntry[], readFile: (p: string) => Promise<string>): Promise<EnvPlan> {
  const plan: EnvPlan = { items: [], skipped: [] }
  const seen = new Map<string, string>()
  for (const e of entries) {
    const m = mapVariable(e.name, e.value)
    if ('skip' in m) {
      plan.skipped.push({ source: e.name, name: e.name, reason: m.skip })
      continue
    }
    let value = e.value
    if (m.type === 'bigquery' && !value.trim().startsWith('{')) {
      try {
        value = await readFile(value.trim())
      } catch (err) {
        // The read error names the path, and the "path" may be a token pasted into the wrong variable.
        const why = err instanceof CredctlError ? err.message : ((err as NodeJS.ErrnoException).code ?? 'error')
        plan.skipped.push({ source: e.name, name: e.name, reason: redactSecrets(`it names a service-account file that cannot be used (${why})`, [value]) })
        continue
      }
    }
    const key = `${m.type}\0${value.trim()}`
    const first = seen.get(key)
    if (first !== undefined) {
      plan.skipped.push({ source: e.name, name: e.name, reason: `same ${m.type} value as ${first}, imported once` })
      continue
    }
    seen.set(key, e.name)
    plan.items.push({ source: e.name, name: e.name, type: m.type, value, reason: m.reason })
  }
  return plan
}
