import type { KeyHeader } from '../vault/format.js'

/**
 * The storage interface (issue 13, point 1; DESIGN section 5). Everything the SDK keeps goes through a
 * VaultStore: the local file is one adapter (store/file), the in-memory one serves unit tests and
 * embedders (store/memory), a team vault's PostgreSQL another (issue 14). One conformance suite
 * (test/conformance) runs against every adapter.
 *
 * A store keeps what the SDK has already sealed and never sees a key: integrity (record MACs, the head
 * MAC, the sequence) and encryption are checked above it, because no backend is trusted to enforce them.
 * A store only promises what storage can: it returns exactly the bytes it was given, it applies a
 * transaction whole or not at all, and it runs one transaction at a time.
 */

/** The vault's header as stored: what identifies it, where its key lives, and the head MAC. */
export interface VaultHeader {
  /**
   * The format the header and records were READ in: 1 (one JSON document, one MAC over a canonical
   * copy of everything) or 2 (a record per line, a MAC per record, a head MAC over the manifest).
   * Every write produces format 2, so a version 1 vault becomes version 2 at its first write.
   */
  format: 1 | 2
  vault_id: string
  /** ISO 8601 UTC. */
  created_at: string
  /** Where the vault key lives (vault/format.ts parseKeyHeader is its one parser). */
  key: KeyHeader
  /** Grows by at least 1 with every write (format 2); 0 for a version 1 vault. Covered by the head MAC. */
  sequence: number
  /** Format 2: base64 HMAC-SHA-256 of the manifest (vault/integrity.ts). Format 1: the whole-vault MAC. */
  mac: string
  /** Team vaults only (issue 14; key source `team`): members, their wraps, the key epochs. Covered by the head MAC. */
  team?: TeamHeader
}

export { MEMBER_KINDS, TEAM_ROLES, type MemberKind, type TeamEpoch, type TeamHeader, type TeamMember, type TeamRole } from '../vault/team-header.js'
import type { TeamHeader } from '../vault/team-header.js'

/** One credential as stored: opaque sealed bytes plus what the manifest needs. */
export interface StoredRecord {
  /** The credential id (records.ts STORED_ID shape). */
  id: string
  /** Grows by 1 with every change to this record; 1 when created. 0 for records read from format 1. */
  revision: number
  /** Base64 HMAC-SHA-256 over `body`'s exact bytes (vault/integrity.ts); '' for records read from format 1. */
  mac: string
  /**
   * The record's exact stored text: one JSON object (metadata and the sealed value together), no
   * newline. The SDK writes and parses it (vault/format.ts); a store never changes a byte of it.
   */
  body: string
  /**
   * Team stores only (those with `values`), on put: the record's sealed value, kept apart from the body
   * (whose `secret` is then `d1.<base64 SHA-256 of sealed>`, so the record MAC still pins the exact
   * ciphertext). Absent on put: the stored sealed value is kept. Never returned by load().
   */
  sealed?: string
}

/** A consistent view of the vault: header and records from one moment (one file read, one snapshot). */
export interface VaultSnapshot {
  header: VaultHeader
  /** In stored order; ids unique. */
  records: StoredRecord[]
}

/** The view of one transaction. Reads see the changes made so far in it. */
export interface StoreTx {
  /** undefined when the vault does not exist yet (the transaction may create it by setting a header). */
  header(): VaultHeader | undefined
  /** Throws (a bug in the caller) on a header storable.ts refuses: every write is format 2. */
  setHeader(h: VaultHeader): void
  records(): readonly StoredRecord[]
  /** Insert or replace by id. Throws (a bug in the caller) on a record storable.ts refuses. */
  put(r: StoredRecord): void
  /** Remove by id; removing an id that is not there is a no-op. */
  remove(id: string): void
}

/**
 * One history line (who did what, never a value). The SDK's credentials/history.ts builds, filters and
 * prints them; a store keeps them in order. Defined here, below both, so every adapter shares one shape.
 */
export interface HistoryCredential {
  id: string | null
  name: string | null
  type: string | null
}

export interface HistoryEntry {
  /** ISO 8601 UTC. */
  time: string
  action: string
  outcome: string
  /** Non-secret context: the program and variables of a run, the fields an update changed. */
  detail?: string
  /** The credentials the action touched, in the order it touched them; empty for vault-wide actions. */
  credentials: HistoryCredential[]
  /** Team stores, on read: who did it, stamped by the database from the connecting role (never claimed by a client). */
  actor?: string
}

export interface HistoryStore {
  /** What it is and where, for messages ("history file /path/vault.history.jsonl"); never a secret. */
  readonly location: string
  /** Append in order, durably; throws (a CredctlError) when it cannot. */
  append(entries: HistoryEntry[]): Promise<void>
  /** Every entry still kept, oldest first; unreadable lines are skipped, never fatal. */
  read(): Promise<HistoryEntry[]>
}

/** Discovered schemas, one JSON document per credential id; the SDK validates what it reads back. */
export interface SchemaStore {
  read(id: string): Promise<unknown | undefined>
  write(id: string, doc: unknown): Promise<void>
  /** Removing a schema that is not there is a no-op. */
  remove(id: string): Promise<void>
}

export interface TransactOptions {
  /** How long to wait for another writer before giving up (VAULT_LOCKED, exit 4). */
  lockTimeoutMs?: number
}

export interface VaultStore {
  /** For messages (a file path, a team vault's name); never a secret, never a password in a URL. */
  readonly location: string
  /** The vault as it is now, without a lock and without a key; undefined when it does not exist. */
  load(): Promise<VaultSnapshot | undefined>
  /**
   * Run `fn` against the current state, serialised with every other transaction on this vault, then
   * apply what it changed all at once. If `fn` throws, nothing is applied. A transaction that changes
   * nothing writes nothing. The state `fn` sees is read after the lock is taken.
   */
  transact<T>(fn: (tx: StoreTx) => Promise<T>, opts?: TransactOptions): Promise<T>
  /**
   * Run `fn` while holding this vault's named turn (`rotate`), beside transactions, not inside one:
   * rotate-key stages a new key outside any transaction, and two staged keys in flight at once could
   * overwrite each other's keychain entry or `.next` key file. Waits up to lockTimeoutMs (VAULT_LOCKED).
   */
  exclusive<T>(name: 'rotate', fn: () => Promise<T>, opts?: TransactOptions): Promise<T>
  /**
   * The stored text as it is, unparsed (undefined when there is none): only for `recover`, which reads
   * a damaged vault leniently. Stores without one text (a database) leave it out.
   */
  rawText?(): Promise<string | undefined>
  readonly history: HistoryStore
  readonly schemas: SchemaStore
  /**
   * Team stores only: sealed values are kept apart from the records and handed out only through here,
   * each fetch on record (a history row committed before any value leaves the database).
   */
  readonly values?: ValueStore
}

/** Why values are fetched: recorded with the fetch. */
export const FETCH_PURPOSES = ['reveal', 'run', 'inject', 'export', 'validate', 'discover', 'rotate-key', 'member-remove', 'import', 'update', 'mcp'] as const
export type FetchPurpose = (typeof FETCH_PURPOSES)[number]

/** The history action a store records for a fetch: `fetch:<purpose>` (the one spelling; history --action accepts it). */
export const fetchAction = (purpose: FetchPurpose): string => `fetch:${purpose}`

export interface ValueStore {
  /**
   * The sealed values of `ids` (those that exist; order not promised). Records the fetch first (action
   * `fetch:<purpose>`, the credentials, `detail`), and refuses (throws) when it cannot.
   */
  fetch(ids: readonly string[], purpose: FetchPurpose, detail?: string): Promise<{ id: string; sealed: string }[]>
}
