import { CredctlError } from '../errors.js'
import { TYPES, typeInfo } from './catalogue.js'
import { forbiddenVariable, isCredctlSetting } from './env-guard.js'
import { checkServiceUrl } from '../lib/url-safety.js'
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
 * - `--dotenv FILE` (env-resolve.ts): each variable of the files is set, a `credctl://NAME` value to
 *   that credential's value (a service-account JSON as a 0600 file's path, as above: the same credential
 *   gets the same treatment whichever way it is named), any other value as it is. The files' variables
 *   override the defaults (what a file names is a choice, a default is not); `noDefaults` leaves the
 *   defaults out altogether.
 * - `--env VAR=NAME` injects a named credential under VAR and overrides any default or file for VAR.
 * - Base URLs travel with their keys: an injected credential with a base URL also sets its SDK's
 *   base-URL variable (the catalogue's `base_url_env`: OPENAI_BASE_URL, ANTHROPIC_BASE_URL, ...). A
 *   base-URL variable belongs to the credential whose key the SDK reads: the holders of the type's own
 *   key variables claim it first (in the order above: --env, then catalogue order), then credentials
 *   injected under other --env names. A holder without a base URL claims it too (and leaves it unset),
 *   so another credential's gateway never receives this one's key. Losers are reported in `shadowed`;
 *   `--env OPENAI_BASE_URL=...` is an explicit claim and wins. A stored base URL that a key must not be
 *   sent to (a user or password in it, plain http to another host: urls.ts) is never injected, and
 *   neither is its credential's key: a default is reported in `refused`, an --env name is an error.
 * - Soft-deleted credentials are never candidates, not even by id through --env.
 * - Nothing named CREDCTL_* is ever set or passed on, and no variable that changes how programs load or
 *   are found (PATH, LD_*, NODE_OPTIONS, ...) is ever set: see env-guard.ts. A derived name that is
 *   one of them is not injected and reported in `refused`.
 */

import type { EnvRef, FileVar, LiteralVar, PlannedBaseUrl, PlannedVar, RefusedVar, RunPlan, ShadowedVar } from './types.js'
// The plan's shapes are public (createClient().credentials.planRun returns one): they live in types.ts.
export type { EnvRef, FileVar, LiteralVar, PlannedBaseUrl, PlannedVar, RefusedVar, RunPlan, ShadowedVar } from './types.js'

/** Why a credential's stored base URL must not be handed to its SDK, or undefined when it may. */
export function baseUrlProblem(c: Pick<Credential, 'type' | 'schema_type' | 'base_url'>): string | undefined {
  if (!c.base_url || !(typeInfo(effectiveType(c))?.base_url_env.length)) return undefined
  try {
    checkServiceUrl(c.base_url, 'stored base URL')
    return undefined
  } catch (e) {
    return (e as Error).message
  }
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

/** Whether `ref` could mean this one record (the one lookup on a one-record list). */
const matchesRef = (c: Credential, ref: string) => {
  try {
    return find({ credentials: [c] }, ref, { deleted: true }) === c
  } catch {
    return false
  }
}

/**
 * The live credential a name or id means, as --env and references name them (names compared in NFC,
 * as they are stored). Missing or deleted: NOT_FOUND (exit 3) prefixed with `where` (`--env VAR`,
 * `FILE:LINE: credctl://NAME`), so the message names what the user wrote and where.
 */
export function findLive(all: Credential[], ref: string, where: string): Credential {
  // The one lookup (records.ts find): name, id or an 8+ character id prefix, active records only;
  // AMBIGUOUS when the string means several. Only the message is run's own (where, and "never injected").
  try {
    return find({ credentials: all }, ref)
  } catch (err) {
    if (!(err instanceof CredctlError) || err.code !== 'NOT_FOUND') throw err
    const gone = all.some((c) => c.deleted_at && matchesRef(c, ref))
    throw new CredctlError('NOT_FOUND', `${where}: no credential named "${ref}"${gone ? ' (it is deleted, and deleted credentials are never injected)' : ''}`, {
      hint: 'see `credctl list`',
    })
  }
}

const ORDER = new Map(TYPES.map((t, i) => [t.type, i]))
// tools/database yields to every dedicated type for the variables it borrows from its schema_type.
const rank = (c: Credential) => (c.type === 'database' ? TYPES.length : (ORDER.get(c.type) ?? TYPES.length))

/**
 * Plan a run from the vault's credentials (deleted ones included, so that a reference to one gets a
 * clear message): which variable each credential fills and which defaults lost a variable to another.
 */
export function planRun(all: Credential[], opts: { only?: string[]; env?: EnvRef[]; files?: FileVar[]; noDefaults?: boolean } = {}): RunPlan {
  const live = all.filter((c) => !c.deleted_at)
  if (opts.noDefaults && opts.only?.length) throw new CredctlError('USAGE', '--only picks defaults and --no-defaults leaves them out: give one of them')
  const only = opts.only?.length ? new Set(opts.only) : undefined
  for (const t of only ?? []) {
    if (!typeInfo(t)) throw new CredctlError('INVALID_INPUT', `unknown type "${t}" in --only; see \`credctl types\``)
  }
  const defaults = opts.noDefaults ? [] : live.filter((c) => c.is_default && (!only || only.has(c.type))).sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name))
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
    const c = findLive(all, e.ref, `--env ${e.variable}`)
    const bad = baseUrlProblem(c)
    if (bad) throw new CredctlError('INVALID_INPUT', `--env ${e.variable}: "${c.name}" is not injected: ${bad}`, { hint: `fix it with \`credctl update ${JSON.stringify(c.name)} --base-url URL\`` })
    explicit.set(e.variable, c)
    claimed.set(e.variable, { variable: e.variable, credential: c, source: 'env', file: injectsAsFile(c) })
  }
  // Every reference of the files is checked, even one --env overrides: a stale file is an error now,
  // not on the day the --env goes away.
  const literals = new Map<string, LiteralVar>()
  const overridden: RunPlan['overridden'] = []
  for (const v of opts.files ?? []) {
    const origin = `${v.file}:${v.line}`
    const c = v.ref !== undefined ? findLive(all, v.ref, `${origin}: ${v.raw ?? v.ref}`) : undefined
    if (claimed.has(v.variable)) {
      overridden.push({ variable: v.variable, origin })
      continue
    }
    if (c) claimed.set(v.variable, { variable: v.variable, credential: c, source: 'file', file: injectsAsFile(c), origin })
    else literals.set(v.variable, { variable: v.variable, value: v.value ?? '', origin })
  }
  for (const c of defaults) {
    const bad = baseUrlProblem(c)
    if (bad) {
      refused.push({ variable: typeInfo(effectiveType(c))!.base_url_env[0]!, credential: c, reason: bad, base_url: true })
      continue
    }
    for (const variable of variablesFor(c)) {
      const reason = forbiddenVariable(variable)
      if (reason) {
        refused.push({ variable, credential: c, reason })
        continue
      }
      const held = claimed.get(variable)
      if (held) {
        if (held.credential.id !== c.id) shadowed.push({ variable, credential: c, by: held.credential, source: held.source, ...(held.origin ? { origin: held.origin } : {}) })
        continue
      }
      const literal = literals.get(variable)
      if (literal) {
        shadowed.push({ variable, credential: c, source: 'file', origin: literal.origin })
        continue
      }
      claimed.set(variable, { variable, credential: c, source: 'default', file: injectsAsFile(c) })
    }
  }
  const vars = [...claimed.values()]
  const lits = [...literals.values()]
  const fileBaseUrls: PlannedBaseUrl[] = []
  return { vars, literals: lits, baseUrls: planBaseUrls(vars, lits, shadowed, fileBaseUrls), fileBaseUrls, shadowed, refused, overridden }
}

/**
 * The history detail of a run (its one entry): the program, every variable set from a credential (or
 * `nothing injected`) and the env files: `node: OPENAI_API_KEY, DB_URL (env files .env, .env.local)`.
 * Names only, never a value (an env file's literal values are not recorded either).
 */
export function runDetail(variables: string[], program: string | undefined, files: string[]): string {
  const what = variables.length ? variables.join(', ') : 'nothing injected'
  const from = files.length ? ` (env file${files.length === 1 ? '' : 's'} ${files.join(', ')})` : ''
  return `${program ? `${program}: ` : ''}${what}${from}`
}

/**
 * What decides where a credential's value goes: name, type, schema_type, default flag, deletion, and
 * the base URL its key travels with. A plan
 * is made from a read without the key and the values come from a later read whose integrity was
 * checked; were the file changed in between, the plan could route a secret to the wrong variable (or
 * placeholder), so both reads must agree on this for every credential used.
 */
export function routingOf(c: Pick<Credential, 'name' | 'type' | 'schema_type' | 'is_default' | 'deleted_at' | 'base_url'>): string {
  return JSON.stringify([c.name, c.type, c.schema_type ?? null, c.is_default, c.deleted_at ?? null, c.base_url ?? null])
}

/** The base-URL variables of the planned credentials, by the rules above; losers go to `shadowed`. */
function planBaseUrls(vars: PlannedVar[], literals: LiteralVar[], shadowed: ShadowedVar[], fromFiles: PlannedBaseUrl[]): PlannedBaseUrl[] {
  const literal = new Map(literals.map((l) => [l.variable, l]))
  const ownKey = (p: PlannedVar) => typeInfo(effectiveType(p.credential))?.env.includes(p.variable) ?? false
  const set = new Set(vars.map((p) => p.variable))
  const held = new Map<string, { credential: Credential; source: PlannedVar['source']; url: string | undefined }>()
  const seen = new Set<string>()
  for (const p of [...vars.filter(ownKey), ...vars.filter((x) => !ownKey(x))]) {
    const c = p.credential
    if (seen.has(c.id)) continue
    seen.add(c.id)
    for (const variable of typeInfo(effectiveType(c))?.base_url_env ?? []) {
      // An env file's literal `OPENAI_BASE_URL=...` is the file's choice: it stays, and says so. The key
      // goes where it points, so it must pass the check a stored base URL passes (urls.ts), or nothing runs.
      const lit = literal.get(variable)
      if (lit && lit.value.trim()) {
        try {
          checkServiceUrl(lit.value, `${variable}`, { partOfSecret: true })
        } catch (e) {
          throw new CredctlError('INVALID_INPUT', `${lit.origin}: ${(e as Error).message} (${c.type} "${c.name}" is injected and its SDK would send the key there)`, {
            hint: `point ${variable} at an https URL (http only to localhost), or leave ${c.type} out with --only/--no-defaults`,
          })
        }
        if (!fromFiles.some((b) => b.variable === variable)) fromFiles.push({ variable, credential: c, url: lit.value, origin: lit.origin })
      }
      if (lit) {
        if (c.base_url && c.base_url !== lit.value) shadowed.push({ variable, credential: c, source: 'file', origin: lit.origin, base_url: true })
        continue
      }
      // `--env OPENAI_BASE_URL=NAME` (or a key variable of that name) is a claim of its own.
      const explicit = set.has(variable) ? vars.find((x) => x.variable === variable) : undefined
      const h = explicit ? { ...explicit, url: undefined } : held.get(variable)
      if (h) {
        // Another credential's base URL (or the vendor's default) is where this key would go: say so.
        if (h.credential.id !== c.id && c.base_url !== h.url) shadowed.push({ variable, credential: c, by: h.credential, source: h.source, base_url: true })
        continue
      }
      held.set(variable, { credential: c, source: p.source, url: c.base_url })
    }
  }
  return [...held].flatMap(([variable, h]) => (h.url ? [{ variable, credential: h.credential, url: h.url }] : []))
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
