import type { CheckStatus, DiscoveredTable } from '../checks/types.js'
import type { VaultStore } from '../store/types.js'
import type { Keychain, KeyContext } from '../keys/index.js'
import type { RecoverReport } from './recover.js'
import type { Credential } from './view.js'

/*
 * The SDK's data shapes: what createClient() takes, what its methods take and return. Types only, no
 * code: client.ts re-exports them (the public names), and the modules below it (vault-session.ts,
 * bulk.ts) import them from here, so none of them imports client.ts (no cycle; test/unit/layers.test.ts).
 */

/** Options of createClient(); all optional. Tests inject env, keychain, clock and fetch here. */
export interface ClientOptions {
  /** Vault file path. Default: CREDCTL_VAULT, else env-paths('credctl').data/vault.json. */
  vault?: string
  /**
   * Where the vault is kept, instead of the vault file: any VaultStore (src/store/types.ts), e.g.
   * memoryStore() for tests and embedders. `vault` is then ignored.
   */
  store?: VaultStore
  env?: NodeJS.ProcessEnv
  keychain?: Keychain
  /** Key source for a new vault (keychain, env, passphrase, file). Default: CREDCTL_KEY_SOURCE or auto. */
  keySource?: string
  /** Asks for a passphrase when CREDCTL_PASSPHRASE is unset; omit where no terminal exists. */
  askPassphrase?: KeyContext['askPassphrase']
  /** Offers another key source when a new vault finds no keychain (terminal only). */
  chooseKeySource?: KeyContext['chooseFallback']
  now?: () => Date
  fetch?: typeof fetch
  /** Per-check timeout in ms (default 10 000). */
  timeoutMs?: number
  lockTimeoutMs?: number
  /** Keychain call timeout in ms (default 5 000, or CREDCTL_KEYCHAIN_TIMEOUT_MS). */
  keychainTimeoutMs?: number
  /**
   * Told (one line, never a value) what went wrong but did not stop the command: a change that was made
   * but could not be recorded in the history file. Default: nothing is said.
   */
  onWarning?: (message: string) => void
}

export interface CreateInput {
  name: string
  type: string
  category?: string
  value: string
  description?: string | null
  base_url?: string | null
  schema_type?: string | null
  settings?: Record<string, string>
  /** Make it the default of its type (clearing the previous default in the same write). */
  is_default?: boolean
  expires_at?: string | null
}

export interface UpdateInput {
  value?: string
  /**
   * The credential's `updated_at` as the caller read it (before asking for the new value): when it
   * changed since (a colleague's write in a team vault, another process locally), the update is refused
   * with VAULT_CONFLICT (exit 4) naming when and, in a team vault, who, instead of overwriting it.
   */
  ifUnchangedSince?: string
  name?: string
  description?: string | null
  base_url?: string | null
  settings?: Record<string, string | null>
  expires_at?: string | null
}

export interface ListFilter {
  category?: string
  type?: string
  includeDeleted?: boolean
}

/** A check's verdict on one credential: the safe representation plus what the check said. */
export type ValidationResult = Credential & { status: CheckStatus; message: string; duration_ms: number }

export interface SchemaDoc {
  updated_at: string
  tables: DiscoveredTable[]
  /** Why this is not the whole catalog (see schema-merge.ts, DiscoveredSchema.partial); absent when it is. */
  partial?: string[]
  /**
   * When what discovery reads (the value, base URL or settings) changed after this discovery: the
   * schema may no longer match. Absent when it is current; `discover` clears it.
   */
  stale_since?: string
}

export interface VaultStatus {
  vault: string
  exists: boolean
  vault_id: string | null
  key_source: string | null
  /**
   * Only when the vault does not exist yet: the key source its first write will choose (--key-source,
   * CREDCTL_KEY_SOURCE, then CREDCTL_MASTER_KEY → env, CREDCTL_KEY_FILE → file, CREDCTL_PASSPHRASE →
   * passphrase, else keychain).
   */
  new_key_source?: string
  /** An existing vault's on-disk format (1: read as before, rewritten as 2 by the first write) and write sequence (0 for format 1). */
  format?: 1 | 2
  sequence?: number
  /**
   * The OS keychain. `used`: false when the vault's key lives elsewhere (env, passphrase, file), or,
   * for a vault not created yet, when `new_key_source` is not the keychain: then it is not probed (its
   * errors are not this vault's problem) and `reachable` is null.
   */
  keychain: { used: boolean; reachable: boolean | null; reason: string | null }
  counts: { total: number; active: number; deleted: number; defaults: number; by_category: Record<string, number> }
  /** Whether the key opens the vault and its MAC holds (absent when there is no readable vault). */
  integrity?: { status: 'ok' | 'failed' | 'unchecked'; reason: string | null }
  error?: { code: string; message: string }
}

/**
 * One credential to import (bulk.ts importItems: a .env file, an export bundle): every item checked first, then all of them written in
 * ONE vault write under the lock, so an import is all or nothing and needs the key once (a passphrase
 * vault derives its key once, not once per credential). Name clashes with the receiving vault are
 * skipped and reported, or renamed `NAME (2)`, `NAME (3)`, ... with `rename`.
 */
export interface ImportItem extends Omit<CreateInput, 'is_default'> {
  /** Where it came from, for the report: a variable name, a bundle entry. Never a value. */
  source: string
  /**
   * true: become the default if the receiving vault has no default of the type yet; false: never;
   * undefined: like create (the first of its type becomes the default).
   */
  is_default?: boolean
  /** Metadata carried by a bundle, kept as is when well-formed. */
  id?: string
  is_valid?: boolean | null
  validated_at?: string | null
  validation_message?: string | null
  created_at?: string
  schema?: SchemaDoc
  /** Store the value byte for byte or refuse it (checkValue `exact`): a .env imported with a template. */
  exact?: boolean
}

export interface ImportOptions {
  rename?: boolean
  dryRun?: boolean
  /** History action (default "import") and a non-secret detail for its one entry (the sources are added). */
  action?: string
  detail?: string
  /** Called as each credential is sealed: done of total (for a terminal's progress line). */
  onProgress?: (done: number, total: number) => void
  /**
   * Write nothing unless every item is imported (`import --template`: a template whose references
   * point at credentials that were skipped would not reproduce the .env). When anything would be
   * skipped, nothing is written and the report says `blocked`, listing in `created` what would have been.
   */
  allOrNothing?: boolean
}

export interface ImportReport {
  created: { source: string; credential: Credential; renamed_from?: string }[]
  skipped: { source: string; name: string; reason: string }[]
  dry_run: boolean
  /** allOrNothing refused (something would be skipped): nothing written; `created` lists what would have been. */
  blocked?: boolean
}

/** One variable of the merged env files (env-resolve.ts's readEnvFiles): a reference (`ref`) or a literal (`value`), never both. */
export interface FileVar {
  variable: string
  /** Where the definition that counts is: the file (as given) and its 1-based line. */
  file: string
  line: number
  /** The credential name or id a reference stands for (decoded). */
  ref?: string
  /** The reference as written, for messages (a reference is not a secret). */
  raw?: string
  /** The value passed as it is. */
  value?: string
}

export interface EnvRef {
  variable: string
  ref: string
}

export interface PlannedVar {
  variable: string
  credential: Credential
  source: 'default' | 'env' | 'file'
  /** The value goes into a 0600 temporary file and the variable holds its path. */
  file: boolean
  /** FILE:LINE of an env file's reference (source 'file'). */
  origin?: string
}

/** An env file's variable with a literal value, passed as it is. */
export interface LiteralVar {
  variable: string
  value: string
  /** FILE:LINE */
  origin: string
}

export interface ShadowedVar {
  variable: string
  credential: Credential
  /** The credential that set the variable instead; absent when an env file's literal value did. */
  by?: Credential
  source: 'default' | 'env' | 'file'
  /** FILE:LINE when an env file set it. */
  origin?: string
  /** The variable is a base-URL variable the credential's base URL lost (see the rules in inject.ts). */
  base_url?: true
}

/** A base-URL variable set from a credential's base URL (public: shown by --dry-run as it is). */
export interface PlannedBaseUrl {
  variable: string
  credential: Credential
  url: string
  /** FILE:LINE when an env file's literal sets it (in `fileBaseUrls`: checked, not set again). */
  origin?: string
}

/**
 * A default not injected: env-guard refuses its derived variable (an api_key named "credctl master
 * key": `reason` completes "its variable VAR ..."), or its stored base URL is not one a key may be sent
 * to (`base_url` set: `reason` is urls.ts's message).
 */
export interface RefusedVar {
  variable: string
  credential: Credential
  reason: string
  base_url?: true
}

/**
 * Which variables a run sets, from which credentials, and what lost or was refused (inject.ts planRun
 * has the rules). Made from a read without the key; `prepareRun` decrypts what it names.
 */
export interface RunPlan {
  vars: PlannedVar[]
  /** Env files' literal values (their variables are in no PlannedVar). */
  literals: LiteralVar[]
  /** Base-URL variables, set beside `vars` (plain text, not secrets). */
  baseUrls: PlannedBaseUrl[]
  /** Env files' literal base-URL variables an injected key's SDK will use (checked as a stored base URL is). */
  fileBaseUrls?: PlannedBaseUrl[]
  shadowed: ShadowedVar[]
  refused: RefusedVar[]
  /** Env files' variables that --env set instead (FILE:LINE each). */
  overridden: { variable: string; origin: string }[]
  /** Planned with the type defaults left out (`defaults: false`, `--no-defaults`). */
  noDefaults?: boolean
}

/** A text and the name it has in messages (`.env.credctl`, `stdin`, `config.yaml.tpl`). */
export interface TextSource {
  file: string
  text: string
}

/** What `credentials.planRun` takes: the options of `credctl run`. */
export interface RunPlanOptions {
  /** Only the defaults of these types (`--only`); each needs a default, else NOT_FOUND. */
  only?: string[]
  /**
   * Credentials under chosen variables (`--env VAR=NAME`): `{ OPENAI_API_KEY: 'OpenAI Audio' }`, or
   * `VAR=NAME` strings / `{ variable, ref }` pairs. A malformed pair, a variable given twice or one
   * env-guard.ts refuses (PATH, LD_*, CREDCTL_*, ...) is USAGE (exit 2); a missing name NOT_FOUND (exit 3).
   */
  env?: Record<string, string> | readonly (string | EnvRef)[]
  /** Env files (`--dotenv`), later ones winning; bad syntax INVALID_INPUT naming FILE:LINE. */
  files?: TextSource[]
  /** false: no type default is injected (`--no-defaults`). Default true. */
  defaults?: boolean
}

/**
 * A plan as `credctl run --dry-run` shows it: no value, only masks. `masked_content` of a literal is
 * the literal as written unless it holds a secret (envfile.ts holdsSecret), then masked as a key is.
 * `notes`: one line each on what lost a variable, what --env overrode and what was refused.
 */
export interface RunPlanView {
  variables: { variable: string; name: string | null; id: string | null; type: string | null; masked_content: string; source: string; file: boolean }[]
  base_urls: { variable: string; name: string; id: string; type: string; url: string; source?: string }[]
  shadowed: { variable: string; name: string; id: string; type: string; set_by: string | undefined; base_url?: true }[]
  refused: { variable: string; name: string; id: string; type: string; reason: string }[]
  notes: string[]
}

/** The temporary files of a prepared run and the environment that points at them. */
export interface MaterializedRun {
  /** The planned variables with their values (a service-account JSON as the path of a 0600 file). */
  vars: Record<string, string>
  /** `parent` minus every CREDCTL_* variable, plus `vars` (inject.ts childEnv): the child's whole env. */
  childEnv(parent: Record<string, string | undefined>): Record<string, string>
  /** Removes the temporary files; safe to call twice. Call it when the child has ended. */
  cleanup(): Promise<void>
}

/** A run plan's values, decrypted and recorded in history (action `run`), ready to start a program. */
export interface PreparedRun {
  /** The injected credentials as read with the key. */
  credentials: Credential[]
  /**
   * One line each, never a value: refused defaults, an expired credential being injected, nothing
   * injected at all (or no vault yet). Said before the program starts.
   */
  warnings: string[]
  /** The secret parts of every injected value (mask.ts secretTexts), for concealing the child's output. */
  secrets: string[]
  /** Write the temporary files (a service-account JSON) and give the environment; sweeps dead runs' files first. */
  materialize(): Promise<MaterializedRun>
}

/** A bundle passphrase, or a function asked for it only once the call knows it has work to do. */
export type BundlePassphrase = string | (() => Promise<string>)

/** What `credentials.exportBundle` returns: the bundle text (credctl-bundle/1, about 4/3 of the values' size) and what is in it. */
export interface ExportedBundle {
  text: string
  credentials: Credential[]
}

/** Options of `credentials.importBundle`. */
export interface ImportBundleOptions {
  /** Import a name that is taken as `NAME (2)`, ... instead of skipping it. */
  rename?: boolean
  /** Check and report only; nothing is written and no key is needed for the vault. */
  dryRun?: boolean
  /** A non-secret note for the history entry (e.g. `bundle backup.credctl`). */
  detail?: string
  onProgress?: (done: number, total: number) => void
}

/** What `credentials.recoverBundle` returns: the bundle text, what recover.ts found, and one line per thing to say. */
export interface RecoveredBundle {
  text: string
  report: RecoverReport
  /** The file's warnings, repairs, lost records and left-out deleted ones (never a value). */
  notes: string[]
}
