import type { HeaderSource, KeyHeader, KeySource, VaultFile } from '../vault/format.js'
import type { Keychain } from './os-keychain.js'

/**
 * The key-source interface (issue 13, point 2; DESIGN section 6). Each source is one module in this
 * directory implementing KeySourceModule; src/keys/index.ts holds the one list of them, from which the
 * CLI's --key-source choices, its help, the no-keychain prompt and `status` are derived.
 */

/**
 * Where the vault key lives. The source is chosen once, when the vault is created, and recorded in its
 * header; after that the header decides, so a stray CREDCTL_MASTER_KEY can never make credctl create or
 * use a different key for an existing vault.
 */
export interface KeyContext {
  env: NodeJS.ProcessEnv
  keychain: () => Keychain
  /**
   * Hidden passphrase prompt; undefined when there is no TTY to ask on. `confirm`: a new passphrase (the
   * prompt asks it twice and applies its length rule). `triesLeft`: the previous one was wrong.
   */
  askPassphrase?: ((opts: { confirm: boolean; triesLeft?: number }) => Promise<string>) | undefined
  /** Global --key-source (or CREDCTL_KEY_SOURCE), for new vaults only. */
  keySource?: string | undefined
  /**
   * On a terminal, when there is no usable keychain: let the user pick another source (DESIGN 6).
   * Returns the chosen source and any settings it needs (e.g. CREDCTL_KEY_FILE).
   */
  chooseFallback?: ((reason: string) => Promise<{ source: KeySource; env?: Record<string, string> }>) | undefined
}

/** A new vault's key, staged around the vault's first write. */
export interface NewKey {
  vaultId: string
  key: Buffer
  header: KeyHeader
  /**
   * Writes the key file (file source), under the vault lock just before the vault is first written.
   * A keychain key is already stored when create() returns: that happens before the lock is taken (a
   * keychain call may wait up to its timeout, and must not hold other writers up).
   */
  persist: () => Promise<void>
  /** Under the lock: undoes persist() when the vault write failed. */
  unpersist: () => Promise<void>
  /** After the lock is released, when the vault was not written: removes the keychain entry create() stored. */
  discard: () => Promise<void>
}

/** What rotate-key reports beyond the counts (keychain source). */
export interface RotationFacts {
  /** Keychain source: the account that now holds the key. */
  keychain_account?: string
  /** Keychain source: false when the old entry could not be deleted (the caller should say so). */
  old_key_removed?: boolean
}

/**
 * A rotation's new key: its bytes, its header, and the steps around the commit (the one rename of the
 * vault file). A keychain key is already stored when stageRotation() returns (outside the lock); the
 * file steps run under the lock.
 */
export interface StagedRotation {
  key: Buffer
  header: KeyHeader
  /** Under the lock: put the new key where it lives, before the vault is written (must not disturb the old key). */
  before: () => Promise<void>
  /** Under the lock: undo `before` when the vault write failed. */
  undo: () => Promise<void>
  /** Under the lock, after the vault is on disk: tidy up locally. Returns notes for the user. */
  after: () => Promise<string[]>
  /** After the lock is released, when nothing was committed: remove the new key stageRotation() stored. */
  discard: () => Promise<void>
  /** After the lock is released, once committed: retire the old key. Returns notes for the user. */
  retire: () => Promise<string[]>
  result?: RotationFacts
}

export interface RotationInput {
  ctx: KeyContext
  /** The vault as read (its header names the current key). */
  vault: Pick<VaultFile, 'vault_id' | 'key'>
  /** The current key, already verified. */
  oldKey: Buffer
  /** Asks for the new passphrase (passphrase source) when CREDCTL_NEW_PASSPHRASE is unset. */
  askNewPassphrase?: (() => Promise<string>) | undefined
}

/**
 * The highest vault sequence number seen, kept where the key lives (issue 13 point 5): a vault copy
 * older than it was restored over the current one. Kept apart from the key itself, so a fault here can
 * never cost the key.
 */
export interface SequenceKeeper {
  /** The kept number; undefined when none is kept yet or what is kept does not parse. Throws KEY_UNAVAILABLE when the store cannot be read. */
  read(): Promise<number | undefined>
  /**
   * Keep `n` (a non-negative safe integer; INVALID_INPUT otherwise) unless a higher number is kept
   * already: never lowers. Read-compare-write with no lock of its own (a keychain call must not wait
   * under the vault lock): two raises racing may keep the lower of their two numbers, which only weakens
   * the check (the kept number never exceeds one the vault reached), never refuses a good vault.
   * KEY_UNAVAILABLE when the keychain cannot be used, VAULT_IO when the file cannot be written.
   */
  raise(n: number): Promise<void>
  /** Where it is kept, for messages: a keychain entry or a file path. */
  readonly where: string
}

/** One environment variable a source reads, documented in one line (help, README test). */
export interface EnvVarDoc {
  name: string
  doc: string
}

/**
 * How the no-keychain prompt offers a source (the CLI interprets it): `use` takes it as is, `ask-path`
 * asks for a path and passes it in `variable`, `refuse` ends with `message` (the user must set something up first).
 */
export type FallbackStep =
  | { do: 'use' }
  | { do: 'ask-path'; variable: string; question: string; defaultFile: string }
  | { do: 'refuse'; message: string }

export interface KeySourceModule {
  readonly name: KeySource
  /** One line: what it is and what it is for (help, prompts). */
  readonly summary: string
  /** Where a vault of this source keeps its key, in a few words ("a key file"), for `status`. */
  readonly place: string
  /** Every environment variable it reads (the README must name each: test/unit/key-sources.test.ts). */
  readonly env: readonly EnvVarDoc[]
  /**
   * When this variable is set (and no source is named explicitly), a new vault takes this source;
   * `precedence`: lower wins when several are set; `how`: what to set, for hints ("CREDCTL_KEY_FILE=PATH").
   * Absent: only chosen explicitly or as the default.
   */
  readonly chosenBy?: { variable: string; precedence: number; how: string }
  /** Offered at the no-keychain prompt, in `order`; absent for a source that is not an alternative. */
  readonly fallback?: { label: string; order: number; then: FallbackStep }
  /** Whether its key lives in the OS keychain (then `status` probes the keychain). */
  readonly usesKeychain: boolean
  /** What did not open the vault, for the wrong-key message ("key file /x"). */
  describeKey(header: KeyHeader): string
  /**
   * A new vault's key, staged (see NewKey). `recreate`: start again with a changed context (another
   * source picked at the no-keychain prompt); the list in index.ts decides which module that is.
   * `otherSources`: how to choose each other source, one sentence from the list (for a hint).
   */
  create(input: { vaultId: string; vaultFile: string; ctx: KeyContext; recreate: (ctx: KeyContext) => Promise<NewKey>; otherSources: string }): Promise<NewKey>
  /** An existing vault's key, verified by the key check unless `verify` is false (recover only). */
  load(input: { vault: Pick<VaultFile, 'vault_id' | 'key' | 'team'>; vaultFile: string; ctx: KeyContext; verify: boolean }): Promise<Buffer>
  /** The new key of rotate-key (see StagedRotation). */
  stageRotation(input: RotationInput): Promise<StagedRotation>
  /** Where this source keeps the vault's highest sequence number; undefined when it has nowhere to. */
  sequence(vault: { vault_id: string; key: KeyHeader }, vaultLocation: string, ctx: KeyContext): SequenceKeeper | undefined
}

/** Any source a header may name, local or `team` (keys/team.ts): what loading, rotation and the sequence need. */
export type AnySourceModule = Omit<KeySourceModule, 'name'> & { readonly name: HeaderSource }
