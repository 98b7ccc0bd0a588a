import { CredctlError } from '../errors.js'
import { TYPES, typeInfo } from './catalogue.js'
import { forbiddenVariable, isCredctlSetting } from './env-guard.js'
import type { Credential } from './view.js'
import { find } from './records.js'

/**
 * Which variables `credctl run` sets, from which credentials (the rules; run.ts only executes them).
 *
 * - Each type's default credential goes under its conventional variables: the `env` list of the
 *   catalogue (OPENAI_API_KEY, ANTHROPIC_API_KEY, ...; DATABASE_URL and POSTGRES_URL for postgresql,
 *   MYSQL_URL, SNOWFLAKE_URL, REDSHIFT_URL, MSSQL_URL, CLICKHOUSE_URL, STATIC_FILE_PATH, SMTP_URL).
 * - tools/database is injected like its schema_type (a database credential with schema_type mysql
 *   fills MYSQL_URL) but after every dedicated type, so a postgresql default keeps DATABASE_URL.
 * - tools/api_key and tools/oauth have no conventional name: the variable is derived from the
 *   credential's name (`Stripe Prod` -> STRIPE_PROD_API_KEY, `github` oauth -> GITHUB_TOKEN; a name
 *   already ending in _API_KEY/_KEY/_TOKEN/_SECRET, or _TOKEN for oauth, is kept as it is).
 * - A service-account JSON (bigquery, or database with schema_type bigquery) is written to a 0600 file
 *   in a private temporary directory, removed when the command ends; the variable holds the path
 *   (GOOGLE_APPLICATION_CREDENTIALS is a path by definition).
 * - An oauth value stored as JSON injects its access_token.
 * - Several defaults wanting one variable: the type listed first in the catalogue wins (openai before
 *   openai_audio and openai_image for OPENAI_API_KEY, fal before pika for FAL_KEY); the others are
 *   reported by --dry-run and reachable with `--env VAR=NAME`.
 * - `--env VAR=NAME` injects a named credential under VAR and overrides any default for VAR.
 * - Soft-deleted credentials are never candidates, not even by id through --env.
 * - Nothing named CREDCTL_* is ever set or passed on, and no variable that changes how programs load or
 *   are found (PATH, LD_*, NODE_OPTIONS, ...) is ever set: see env-guard.ts. A derived name that is
 *   one of them is not injected and reported in `refused`.
 */

export interface EnvRef {
  variable: string
  ref: string
}

export interface PlannedVar {
  variable: string
  credential: Credential
  source: 'default' | 'env'
  /** The value goes into a 0600 temporary file and the variable holds its path. */
  file: boolean
}

export interface ShadowedVar {
  variable: string
  credential: Credential
  /** What set the variable instead. */
  by: Credential
  source: 'default' | 'env'
}

/** A default whose derived variable env-guard refuses (an api_key named "credctl master key"). */
export interface RefusedVar {
  variable: string
  credential: Credential
  reason: string
}

export interface RunPlan {
  vars: PlannedVar[]
  shadowed: ShadowedVar[]
  refused: RefusedVar[]
}

const VAR_RE = /^[A-Za-z_][A-Za-z0-9_]*$/

/** Upper snake case from a credential name; '' when nothing usable is left. */
export function envName(name: string): string {
  const s = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toUpperCase()
  if (!s) return ''
  return /^[0-9]/.test(s) ? `_${s}` : s
}

/** The type whose value shape and variables a credential has (database -> its schema_type). */
const effectiveType = (c: Pick<Credential, 'type' | 'schema_type'>) => (c.type === 'database' && c.schema_type ? c.schema_type : c.type)

/** Variables a default credential fills (in order), per the rules above. */
export function variablesFor(c: Pick<Credential, 'type' | 'schema_type' | 'name'>): string[] {
  if (c.type === 'api_key') {
    const n = envName(c.name)
    if (!n) return []
    return [/(_API_KEY|_KEY|_TOKEN|_SECRET)$/.test(n) ? n : `${n}_API_KEY`]
  }
  if (c.type === 'oauth') {
    const n = envName(c.name)
    if (!n) return []
    return [/_TOKEN$/.test(n) ? n : `${n}_TOKEN`]
  }
  return [...(typeInfo(effectiveType(c))?.env ?? [])]
}

export const injectsAsFile = (c: Pick<Credential, 'type' | 'schema_type'>) => effectiveType(c) === 'bigquery'

/** The string a variable receives from a decrypted value (the file path is substituted later). */
export function injectedValue(c: Pick<Credential, 'type' | 'schema_type'>, value: string): string {
  if (c.type === 'oauth' && value.trimStart().startsWith('{')) {
    try {
      const o = JSON.parse(value) as { access_token?: unknown }
      if (typeof o.access_token === 'string') return o.access_token
    } catch {
      /* stored values were checked on input; fall back to the raw value */
    }
  }
  return value
}

/** Parse `--env VAR=NAME` flags; a malformed one is a usage error naming it (never a value: there is none). */
export function parseEnvRefs(flags: string[] | undefined): EnvRef[] {
  const out: EnvRef[] = []
  for (const raw of flags ?? []) {
    const eq = raw.indexOf('=')
    const variable = eq < 0 ? '' : raw.slice(0, eq)
    const ref = eq < 0 ? '' : raw.slice(eq + 1)
    if (!VAR_RE.test(variable) || ref === '') {
      throw new CredctlError('USAGE', `invalid --env ${JSON.stringify(raw.slice(0, 80))}: expected VAR=NAME, e.g. --env OPENAI_API_KEY='OpenAI Audio'`, {
        hint: eq < 0 ? 'the command goes after --: credctl run --env VAR=NAME -- CMD ARGS' : undefined,
      })
    }
    const why = forbiddenVariable(variable)
    if (why) throw new CredctlError('USAGE', `--env ${variable}: ${variable} ${why}`, { hint: 'choose another variable name' })
    if (out.some((o) => o.variable === variable)) throw new CredctlError('USAGE', `--env ${variable} is given twice`)
    out.push({ variable, ref })
  }
  return out
}

const ORDER = new Map(TYPES.map((t, i) => [t.type, i]))
// tools/database yields to every dedicated type for the variables it borrows from its schema_type.
const rank = (c: Credential) => (c.type === 'database' ? TYPES.length : (ORDER.get(c.type) ?? TYPES.length))

/**
 * Plan a run from the vault's credentials (deleted ones included, so that a reference to one gets a
 * clear message): which variable each credential fills and which defaults lost a variable to another.
 */
export function planRun(all: Credential[], opts: { only?: string[]; env?: EnvRef[] } = {}): RunPlan {
  const live = all.filter((c) => !c.deleted_at)
  const only = opts.only?.length ? new Set(opts.only) : undefined
  for (const t of only ?? []) {
    if (!typeInfo(t)) throw new CredctlError('INVALID_INPUT', `unknown type "${t}" in --only; see \`credctl types\``)
  }
  const defaults = live.filter((c) => c.is_default && (!only || only.has(c.type))).sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name))
  for (const t of only ?? []) {
    if (!defaults.some((c) => c.type === t)) {
      throw new CredctlError('NOT_FOUND', `--only ${t}: there is no default ${t} credential`, {
        hint: 'make one the default with `credctl set-default NAME`, or inject it with --env VAR=NAME',
      })
    }
  }
  const claimed = new Map<string, PlannedVar>()
  const shadowed: ShadowedVar[] = []
  const refused: RefusedVar[] = []
  const explicit = new Map<string, Credential>()
  for (const e of opts.env ?? []) {
    // The one lookup (records.ts find): name, id or id prefix; AMBIGUOUS when it means several.
    let c: Credential
    try {
      c = find({ credentials: all }, e.ref)
    } catch (err) {
      if (!(err instanceof CredctlError) || err.code !== 'NOT_FOUND') throw err
      const gone = all.some((x) => x.deleted_at && (x.id === e.ref || x.name === e.ref))
      throw new CredctlError('NOT_FOUND', `--env ${e.variable}: no credential named "${e.ref}"${gone ? ' (it is deleted, and deleted credentials are never injected)' : ''}`, {
        hint: 'see `credctl list`',
      })
    }
    explicit.set(e.variable, c)
    claimed.set(e.variable, { variable: e.variable, credential: c, source: 'env', file: injectsAsFile(c) })
  }
  for (const c of defaults) {
    for (const variable of variablesFor(c)) {
      const reason = forbiddenVariable(variable)
      if (reason) {
        refused.push({ variable, credential: c, reason })
        continue
      }
      const held = claimed.get(variable)
      if (held) {
        if (held.credential.id !== c.id) shadowed.push({ variable, credential: c, by: held.credential, source: held.source })
        continue
      }
      claimed.set(variable, { variable, credential: c, source: 'default', file: injectsAsFile(c) })
    }
  }
  return { vars: [...claimed.values()], shadowed, refused }
}

/**
 * The child's environment: the parent's, minus every CREDCTL_* setting (master key, passphrase, vault
 * path, export passphrase, ...), plus the planned variables. A variable already set by the parent is
 * replaced: the vault is the source of truth inside `credctl run`. The parent's PATH, LD_* ... are the
 * user's own and pass unchanged; credctl itself never sets one (a planned one is a bug: refused here
 * rather than handed to the command).
 */
export function childEnv(parent: NodeJS.ProcessEnv, vars: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(parent)) {
    if (v === undefined || isCredctlSetting(k)) continue
    out[k] = v
  }
  for (const k of Object.keys(vars)) {
    const why = forbiddenVariable(k)
    if (why) throw new Error(`internal: the run plan sets ${k}, which ${why}`)
  }
  return { ...out, ...vars }
}
