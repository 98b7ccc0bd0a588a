import type { CheckStatus, DiscoveredTable } from '../checks/types.js'
import type { Keychain, KeyContext } from '../keys/index.js'
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
