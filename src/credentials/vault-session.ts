import { crypto } from '../lazy-crypto.js'
import { describeErrno } from '../lib/errno.js'
import { envWholeNumber } from '../lib/strict.js'
import { CredctlError } from '../errors.js'
import { aadFor, open, TagMismatch } from '../vault/cipher.js'
import { SECRET_DIGEST, type CredentialRecord, type VaultFile } from '../vault/format.js'
import { TEAM_VAULT_NAME, type TeamHeader, type TeamMember, type TeamRole } from '../vault/team-header.js'
import { chooseSource, createVaultKey, keptSequence, loadVaultKey, osKeychain, probeKeychain, type Keychain, type KeyContext, type SequenceKeeper } from '../keys/index.js'
import { resolveVaultPath } from '../store/paths.js'
import type { RotateOptions, RotateResult } from './rotate.js'
import { fileStore } from '../store/file.js'
import type { FetchPurpose, StoredRecord, VaultStore } from '../store/types.js'
import type { ClientOptions, SchemaDoc, VaultStatus } from './types.js'
import { entryFor, HISTORY_MAX_BYTES, type HistoryEntry } from './history.js'
import { find, ID_PREFIX_MIN } from './records.js'
import { remask } from './mask.js'
import { fitField } from '../vault/record-schema.js'
import { applyChanges, mayMean, parseSnapshot, secretDigest, verifyHead, verifyRecords, type Loaded } from './snapshot.js'

/** Team roles in order of what they may do. */
const RANK: Record<TeamRole, number> = { reader: 1, writer: 2, admin: 3 }

/** How often a change is retried when the vault is created or re-keyed under it (see mutate). */
const MAX_ATTEMPTS = 5

/** The most any wait setting may say: 10 minutes. Past 2^31 ms a Node timer would fire at once. */
const MAX_WAIT_MS = 600_000

/**
 * Thrown by the sequence check when the vault was read just before another process wrote it and kept
 * the new sequence: what was read is older than what is kept, but the vault itself is not. The caller
 * reads again (freshRead), so only a vault still older after a fresh read is called an older copy.
 */
class StaleRead extends Error {}

/** Run `fn` (which loads the vault itself) again while it read a vault another process has just replaced. */
async function freshRead<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn()
    } catch (e) {
      if (!(e instanceof StaleRead) || attempt === MAX_ATTEMPTS) throw e instanceof StaleRead ? e.cause : e
    }
  }
}

export type Mutation<T> = (v: VaultFile, key: Buffer, now: string) => Promise<{ result: T; history?: HistoryEntry[] }>

/**
 * The vault as the SDK sees it: read without the key, changed only through the store's transactions
 * with the key. Storage is a VaultStore (src/store/types.ts): the local file by default, any adapter
 * through ClientOptions.store. Integrity is checked here, above the store (snapshot.ts).
 */
export class Vault {
  readonly env: NodeJS.ProcessEnv
  readonly now: () => Date
  readonly fetch: typeof fetch
  readonly timeoutMs: number
  private storePromise: Promise<VaultStore> | undefined
  private keychainInstance: Keychain | undefined

  private readonly opts: ClientOptions

  constructor(opts: ClientOptions) {
    this.opts = opts
    this.env = opts.env ?? process.env
    this.now = opts.now ?? (() => new Date())
    this.fetch = opts.fetch ?? globalThis.fetch
    this.timeoutMs = opts.timeoutMs ?? 10_000
  }

  /**
   * The store: ClientOptions.store, else the vault file (--vault, CREDCTL_VAULT or the default path).
   * Settings that shape the file store are read here, once, so a bad one is exit 2 before any work;
   * except the history size, which only a command that records something needs (README: a read-only
   * command runs whatever it says); those check it before they act (historyMaxBytes() calls below).
   */
  store(): Promise<VaultStore> {
    return (this.storePromise ??= (async () => {
      if (this.opts.store) return this.opts.store
      // A team vault's name (issue 14): its PostgreSQL store, loaded only then (pg stays out of start-up).
      const named = this.opts.vault ?? (this.env.CREDCTL_VAULT || undefined)
      if (named && TEAM_VAULT_NAME.test(named)) {
        const { resolveTeamVault } = await import('../store/team-config.js')
        const team = await resolveTeamVault(named, this.env)
        if (team) {
          const [{ postgresStore }, { isUnreachable }, { cachedStore }] = await Promise.all([import('../store/postgres.js'), import('../store/postgres/errors.js'), import('../store/team-cache.js')])
          const pg = postgresStore({ connectionString: team.backend, vault: team.name, lockTimeoutMs: () => this.lockTimeoutMs() })
          return cachedStore(pg, {
            env: this.env,
            vaultId: team.vault_id,
            isUnreachable,
            onOffline: (note) => this.opts.onWarning?.(note),
            // A CI job (CREDCTL_IDENTITY) keeps no values on its runner unless it asks to.
            keepValues: !this.env.CREDCTL_IDENTITY || this.env.CREDCTL_TEAM_CACHE === '1',
          })
        }
      }
      const file = await resolveVaultPath(this.opts.vault, this.env)
      return fileStore(file, { historyMaxBytes: () => this.historyMaxBytes(), lockTimeoutMs: () => this.lockTimeoutMs() })
    })())
  }

  /** Where the vault is, for messages and for the key sources (a vault file's path for the file store). */
  async file(): Promise<string> {
    return (await this.store()).location
  }

  keychainTimeoutMs(): number {
    return this.opts.keychainTimeoutMs ?? envWholeNumber(this.env, 'CREDCTL_KEYCHAIN_TIMEOUT_MS', { min: 1, max: MAX_WAIT_MS, default: 5000, unit: 'milliseconds' })
  }

  /**
   * Size in bytes past which the history file is rotated (history.ts): CREDCTL_HISTORY_MAX_BYTES, a whole
   * number from 1 (tests use tiny sizes) to 2^40; default 1 MiB.
   */
  historyMaxBytes(): number {
    return envWholeNumber(this.env, 'CREDCTL_HISTORY_MAX_BYTES', { min: 1, max: 2 ** 40, default: HISTORY_MAX_BYTES, unit: 'bytes', maxText: '2^40' })
  }

  lockTimeoutMs(): number {
    return this.opts.lockTimeoutMs ?? envWholeNumber(this.env, 'CREDCTL_LOCK_TIMEOUT_MS', { min: 1, max: MAX_WAIT_MS, default: 10_000, unit: 'milliseconds' })
  }

  keychain(): Keychain {
    return (this.keychainInstance ??= this.opts.keychain ?? osKeychain(this.keychainTimeoutMs()))
  }

  private keyContext(): KeyContext {
    return {
      env: this.env,
      keychain: () => this.keychain(),
      askPassphrase: this.opts.askPassphrase,
      keySource: this.opts.keySource,
      chooseFallback: this.opts.chooseKeySource,
    }
  }

  /** Every record parsed (no key, no MAC: metadata is not secret); undefined when there is no vault. */
  async read(): Promise<VaultFile | undefined> {
    return (await this.load())?.vault
  }

  /**
   * The one way the session opens the vault (reads, decryption, changes, status, rotate-key, history):
   * the store's snapshot, parsed, plus the key-source rule. --key-source (or CREDCTL_KEY_SOURCE) chooses
   * the source of a NEW vault; on an existing one a different choice would be silently ignored, which is
   * worse than saying so, for a read as much as for a write (issue 12, point 9). USAGE, exit 2: the
   * vault is fine, the command line contradicts it.
   */
  async load(only?: (r: StoredRecord) => boolean): Promise<Loaded | undefined> {
    const store = await this.store()
    const snap = await store.load()
    if (!snap) return undefined
    const l = parseSnapshot(snap, store.location, only)
    // A team store's vault is opened only with members' identities: a header naming another key source
    // (an edit in the database) would skip every team check.
    if (store.values && (l.header.key.source !== 'team' || !l.header.team)) {
      throw new CredctlError('VAULT_DAMAGED', `${store.location} names a ${l.header.key.source} key, not the team's (changed outside credctl)`, {
        hint: 'credctl will not use it and sent nothing; tell the vault admin and your database admin',
      })
    }
    this.checkKeySource(l.header.key.source, store.location)
    return l
  }

  private checkKeySource(source: string, file: string): void {
    const flag = this.opts.keySource ? '--key-source' : this.env.CREDCTL_KEY_SOURCE ? 'CREDCTL_KEY_SOURCE' : undefined
    const wanted = this.opts.keySource || this.env.CREDCTL_KEY_SOURCE
    if (!flag || wanted === source) return
    throw new CredctlError('USAGE', `vault ${file} keeps its key in the ${source} source; ${flag}${flag === '--key-source' ? ' ' : '='}${wanted} applies only to a new vault`, {
      hint: `leave ${flag} out (or set it to ${source}); to move credentials to another key source: credctl export, then credctl --vault NEW --key-source SOURCE import --bundle`,
    })
  }

  /** The key for a vault header alone, without the MAC (only `recover`: the MAC is what failed). */
  async keyForHeader(h: Pick<VaultFile, 'vault_id' | 'key'>): Promise<Buffer> {
    const file = await this.file()
    this.checkKeySource(h.key.source, file)
    return loadVaultKey(h as VaultFile, file, this.keyContext(), { verify: false })
  }

  /**
   * Load the key of an existing vault and check, before anything acts on it, the vault-wide MAC (format
   * 2: the head MAC over the manifest) and that it is not older than a copy this device has seen.
   */
  private async unlock(l: Loaded, file: string, ctx: KeyContext = this.keyContext()): Promise<Buffer> {
    // The kept sequence is read alongside the key (for the keychain, two child processes at once). For a
    // version 1 vault too: its sequence is 0, so a version 1 copy put back over a vault this device has
    // since upgraded (kept 1 or more) is an older copy like any other.
    const keeper = keptSequence(l.vault, file, ctx)
    const kept = keeper?.read()
    kept?.catch(() => {}) // awaited below; a key that fails first must not leave it unhandled
    const key = await loadVaultKey(l.vault, file, ctx)
    verifyHead(l, key, file)
    if (keeper) await this.checkSequence(l, file, keeper, await kept!)
    return key
  }

  /**
   * Team vaults (issue 14): this device's role must allow `need` (credctl's check; the database's grants
   * enforce it again). NOT_A_MEMBER is raised by the key source first when it is no member at all.
   */
  async requireRole(team: TeamHeader | undefined, need: TeamRole, doing: string): Promise<void> {
    if (!team) return
    const member = await this.me(team)
    if (RANK[member.role] < RANK[need]) {
      throw new CredctlError('VAULT_FORBIDDEN', `${doing} needs the ${need} role in team vault ${team.name}; ${member.member} is a ${member.role}`, {
        hint: `ask an admin of ${team.name} (credctl --vault ${team.name} member list)`,
      })
    }
  }

  /** This device's member row in a team vault (NOT_A_MEMBER when none). The team code loads only here. */
  async me(team: TeamHeader): Promise<TeamMember> {
    const { myMembership } = await import('../keys/team.js')
    return (await myMembership(team, this.keyContext())).member
  }

  /**
   * The key of `l` with every check a value-using command makes (head MAC, sequence; team: wrap, epochs),
   * and every record's own MAC: for `vault status` / `verify` and for moving a whole vault (import).
   * `quiet`: never prompt (status).
   */
  async verifiedKey(l: Loaded, opts: { quiet?: boolean } = {}): Promise<Buffer> {
    const file = (await this.store()).location
    const ctx = opts.quiet ? { ...this.keyContext(), askPassphrase: undefined, chooseFallback: undefined } : this.keyContext()
    const key = await this.unlock(l, file, ctx)
    verifyRecords(l, key, l.stored.keys(), file)
    return key
  }

  /**
   * Team vaults keep sealed values apart (issue 14): a record's `secret` is the digest of its sealed value,
   * fetched here through the store's audited fetch (on record before it is handed out), checked against
   * the digest the record MAC covers, and put in place of it. A value changed by a colleague between the
   * read and the fetch reads again (StaleRead); one that still differs is VAULT_DAMAGED.
   */
  async hydrate(l: Loaded, recs: readonly CredentialRecord[], purpose: FetchPurpose, detail?: string): Promise<void> {
    const need = recs.filter((r) => SECRET_DIGEST.test(r.secret))
    if (need.length === 0) return
    const store = await this.store()
    if (!store.values) throw new CredctlError('VAULT_DAMAGED', `vault ${store.location} holds a team record but keeps no team values`, { hint: 'credctl will not use it' })
    const got = new Map((await store.values.fetch(need.map((r) => r.id), purpose, detail)).map((x) => [x.id, x.sealed]))
    for (const r of need) {
      const sealed = got.get(r.id)
      if (sealed === undefined || secretDigest(sealed) !== r.secret) {
        const bad = new CredctlError('VAULT_DAMAGED', `the stored value of "${r.name}" in ${store.location} is not the one its record names (changed outside credctl)`, {
          hint: 'credctl will not use it and sent nothing; run `credctl vault verify`, and tell the vault admin',
        })
        // A colleague's write between the read and the fetch moves the head: read again. An unmoved head
        // means the stored value itself was changed: refused at once (no second fetch on record).
        const now = (await store.load().catch(() => undefined))?.header
        if (now && now.mac !== l.header.mac) throw new StaleRead('value changed', { cause: bad })
        throw bad
      }
      r.secret = sealed
    }
  }

  /**
   * Rollback detection (issue 13, point 5): where the key source keeps the highest sequence seen for this
   * vault (keychain entry, beside a key file), a vault whose sequence is lower is an older copy restored
   * over the current one, refused with exit 4. A higher one (another process's write, or the first read
   * after an upgrade) is remembered. Sources that keep nothing (env, passphrase) cannot tell; the README
   * says so. Runs after the head MAC held, so the sequence compared is the vault's own.
   */
  private async checkSequence(l: Loaded, file: string, keeper: SequenceKeeper, kept: number | undefined): Promise<void> {
    if (kept !== undefined && kept > l.header.sequence) {
      const older = new CredctlError('VAULT_DAMAGED', `vault ${file} is an older copy: its sequence is ${l.header.sequence}, and this device has seen ${kept} (restored from a backup, or rolled back)`, {
        hint: `credctl will not use it; put the current vault back, or, if this older copy is what you want, remove the kept sequence (${keeper.where})`,
      })
      // Another process may have written (and kept its sequence) since this one read: read again.
      const now = (await (await this.store()).load())?.header
      if (now && now.vault_id === l.header.vault_id && now.sequence >= kept && now.mac !== l.header.mac) throw new StaleRead('stale read', { cause: older })
      throw older
    }
    if (l.header.sequence > 0 && (kept === undefined || kept < l.header.sequence)) await keeper.raise(l.header.sequence).catch(() => {})
  }

  /** Remember a sequence this process wrote (best effort: the write already happened). */
  private async recordSequence(v: Pick<VaultFile, 'vault_id' | 'key'>, file: string, sequence: number): Promise<void> {
    const keeper = keptSequence(v, file, this.keyContext())
    if (!keeper) return
    try {
      await keeper.raise(sequence)
    } catch (e) {
      this.opts.onWarning?.(`warning: done, but the vault's sequence could not be kept (${keeper.where}): ${e instanceof Error ? e.message : String(e)}`)
    }
  }

  async decrypt(idOrName: string, purpose: FetchPurpose = 'reveal'): Promise<{ rec: CredentialRecord; value: string }> {
    return (await this.decryptMany([idOrName], purpose))[0]!
  }

  /**
   * One read, one key load (head MAC and sequence checked), then each record's own MAC checked and its
   * value opened; duplicates collapse. Records not asked for are neither hashed nor opened.
   */
  async decryptMany(idsOrNames: string[], purpose: FetchPurpose = 'reveal'): Promise<{ rec: CredentialRecord; value: string }[]> {
    return freshRead(() => this.decryptOnce(idsOrNames, purpose))
  }

  /**
   * The records names or ids mean (records.ts find), reading only what they could mean: only the bodies
   * snapshot.ts mayMean picks are parsed; when that finds nothing, or finds it ambiguous, everything is
   * parsed and looked up again, so errors and suggestions are exactly those of a full read. No key.
   */
  async lookup(idsOrNames: string[], opts: { deleted?: boolean } = {}): Promise<{ loaded: Loaded | undefined; records: CredentialRecord[] }> {
    const lookups = idsOrNames.map((x) => (typeof x === 'string' && x !== '' ? mayMean(x, ID_PREFIX_MIN) : () => false))
    let l = await this.load((r) => lookups.some((m) => m(r)))
    try {
      return { loaded: l, records: idsOrNames.map((x) => find(l?.vault, x, opts)) }
    } catch (e) {
      if (!(e instanceof CredctlError) || (e.code !== 'NOT_FOUND' && e.code !== 'AMBIGUOUS')) throw e
      l = await this.load()
      return { loaded: l, records: idsOrNames.map((x) => find(l?.vault, x, opts)) }
    }
  }

  private async decryptOnce(idsOrNames: string[], purpose: FetchPurpose): Promise<{ rec: CredentialRecord; value: string }[]> {
    this.historyMaxBytes() // every value handed out is recorded: a bad setting stops it first
    const file = await this.file()
    const found = await this.lookup(idsOrNames)
    const l = found.loaded
    const recs = [...new Map(found.records.map((r) => [r.id, r])).values()]
    if (recs.length === 0) return []
    const key = await this.unlock(l!, file)
    verifyRecords(l!, key, recs.map((r) => r.id), file)
    await this.hydrate(l!, recs, purpose)
    return recs.map((rec) => {
      try {
        return { rec, value: open(key, rec.secret, aadFor(l!.vault.vault_id, rec.id, 'value')).toString('utf8') }
      } catch (e) {
        if (e instanceof TagMismatch) {
          throw new CredctlError('VAULT_DAMAGED', `the value of "${rec.name}" in ${file} does not decrypt (damaged or moved from another record)`)
        }
        throw e
      }
    })
  }

  /**
   * Append to history. After a change it is a record of what already happened, and failing to append
   * must not fail the command. With `required` (reveal, run, export: the value is about to be handed
   * out) it is written first, and a failure stops the command: no value leaves without a trace.
   */
  async history(entries: HistoryEntry[], opts: { required?: boolean } = {}): Promise<void> {
    const store = await this.store()
    try {
      await store.history.append(entries)
    } catch (e) {
      if (!opts.required) {
        // The change is made (its write came first); saying so beats a silent gap in "who did what".
        const why = e instanceof CredctlError ? e.message : describeErrno(e)
        this.opts.onWarning?.(`warning: done, but not recorded in the ${store.history.location}: ${why}`)
        return
      }
      if (e instanceof CredctlError) throw e // a link or an unsafe directory: its own message says which
      throw new CredctlError('VAULT_IO', `cannot record this in the ${store.history.location}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, {
        hint: 'nothing was revealed; fix the history file (it must be a writable file beside the vault)',
      })
    }
  }

  async readHistory(): Promise<HistoryEntry[]> {
    return (await this.store()).history.read()
  }

  async writeSchema(id: string, doc: SchemaDoc): Promise<void> {
    await (await this.store()).schemas.write(id, doc)
  }

  async readSchema(id: string): Promise<unknown | undefined> {
    return (await this.store()).schemas.read(id)
  }

  async removeSchema(id: string): Promise<void> {
    await (await this.store()).schemas.remove(id)
  }

  /**
   * Apply a change: get the key (or create the vault's key), then in one store transaction re-read,
   * apply, re-seal what changed (snapshot.ts applyChanges), write. A failing mutation writes nothing.
   *
   * The key is always obtained OUTSIDE the transaction: a passphrase prompt, or a keychain that is slow
   * or frozen, must not hold up other writers (they give up after the lock timeout). If the vault was
   * created or re-keyed between our read and the transaction, it ends without writing, the key is got
   * again, and the change retried.
   */
  async mutate<T>(fn: Mutation<T>, opts: { create?: boolean; role?: TeamRole } = {}): Promise<T> {
    const store = await this.store()
    this.historyMaxBytes() // a bad setting is exit 2 before the change, not a history entry lost after it
    for (let attempt = 1; ; attempt++) {
      const out = await this.mutateOnce(store, fn, opts).catch((e: unknown) => {
        if (e instanceof StaleRead) return { done: false as const }
        throw e
      })
      if (out.done) {
        if (out.sequence !== undefined) await this.recordSequence(out.vault, store.location, out.sequence)
        // Said once, by the write that does it: an older credctl cannot read the vault any more.
        if (out.upgraded) this.opts.onWarning?.(`note: vault ${store.location} is now in format 2 (a MAC per record); a credctl older than this one cannot read it (credctl export, then import --bundle, moves credentials to another)`)
        await this.history(out.history)
        return out.result
      }
      if (attempt === MAX_ATTEMPTS) {
        throw new CredctlError('VAULT_LOCKED', `vault ${store.location} kept being created or re-keyed by another process while this change waited`, {
          hint: 'retry once the other credctl has finished',
        })
      }
    }
  }

  private async mutateOnce<T>(
    store: VaultStore,
    fn: Mutation<T>,
    opts: { create?: boolean; role?: TeamRole },
  ): Promise<
    | { done: true; result: T; history: HistoryEntry[]; sequence: number | undefined; vault: Pick<VaultFile, 'vault_id' | 'key'>; upgraded?: boolean }
    | { done: false }
  > {
    const file = store.location
    const before = await this.load()
    // Fail fast (and without creating directories or lock files) when there is nothing to change.
    if (!before && !opts.create) throw new CredctlError('NOT_FOUND', `no credentials yet: vault ${file} does not exist`, { hint: 'create one with `credctl create`' })
    // Outside the transaction: the key of the vault, or a new vault's key, already stored where it lives
    // (a keychain entry under the fresh vault id, which nothing else refers to until the vault is written).
    const earlyKey = before ? await this.unlock(before, file) : undefined
    await this.requireRole(before?.vault.team, opts.role ?? 'writer', opts.role === 'admin' ? 'this change (purge, members, vault settings)' : 'changing credentials')
    // A team vault is created by `vault create` (with its first member), never by a first write.
    if (!before && store.values) throw new CredctlError('NOT_FOUND', `${file} is not created yet`, { hint: 'an admin runs `credctl vault create NAME --backend …` first' })
    const nk = before ? undefined : await createVaultKey(crypto().randomUUID(), file, this.keyContext())
    let persisted = false
    let written = false
    try {
      const out = await store.transact(
        async (tx) => {
          const h = tx.header()
          const now = this.now().toISOString()
          if (h) {
            // Same vault and key check as before the transaction (the usual case): the key is known
            // good. Otherwise (created or re-keyed meanwhile): end without writing and start again, so
            // the key is never fetched while holding the lock.
            if (!earlyKey || !before || h.vault_id !== before.header.vault_id || h.key.check !== before.header.key.check) return { done: false as const }
            // Unchanged since the early read (the usual case): its head MAC was checked by unlock().
            // (A record changed under an unchanged head MAC is an edit from outside: applyChanges keeps our
            // verified copy of what it rewrites, and a reader of what it leaves fails the record's MAC.)
            const unchanged = h.mac === before.header.mac && h.sequence === before.header.sequence
            const current = unchanged ? before : parseSnapshot({ header: h, records: [...tx.records()] }, file)
            if (!unchanged) verifyHead(current, earlyKey, file)
            const v = current.vault
            const res = await fn(v, earlyKey, now)
            if (current.header.format === 1) scrubMasks(v)
            const sequence = applyChanges(current, v, earlyKey, tx, file)
            const upgraded = current.header.format === 1 && sequence !== undefined
            return { done: true as const, result: res.result, history: res.history ?? [], sequence, vault: v, upgraded }
          }
          if (!nk) {
            // Deleted meanwhile: creating it is for `create` only, and that needs a new key.
            if (!opts.create) throw new CredctlError('NOT_FOUND', `vault ${file} does not exist`)
            return { done: false as const }
          }
          const fresh: VaultFile = { version: 2, vault_id: nk.vaultId, created_at: now, key: nk.header, credentials: [], mac: '' }
          const res = await fn(fresh, nk.key, now)
          const sequence = applyChanges(undefined, fresh, nk.key, tx, file)
          await nk.persist()
          persisted = true
          return { done: true as const, result: res.result, history: res.history ?? [], sequence, vault: fresh }
        },
        { lockTimeoutMs: this.lockTimeoutMs() },
      )
      written = out.done && nk !== undefined
      return out
    } catch (e) {
      // The new vault's key was stored, but the vault was not written: the entry goes again.
      if (persisted) await nk!.unpersist()
      throw e
    } finally {
      // After the transaction: a keychain entry the vault did not end up using is removed again.
      if (nk && !written) await nk.discard()
    }
  }

  async rotateKey(opts: RotateOptions = {}): Promise<RotateResult> {
    const store = await this.store()
    const file = store.location
    if (!(await this.load())) throw new CredctlError('NOT_FOUND', `no vault to re-key: ${file} does not exist`, { hint: 'create a credential first' }) // and the key-source rule, before any key work
    this.historyMaxBytes()
    const { rotateVaultKey } = await import('./rotate.js')
    const now = this.now().toISOString()
    const session = {
      load: () => this.load(),
      unlock: async (l: Loaded) => {
        const key = await this.unlock(l, file)
        await this.requireRole(l.vault.team, 'admin', 'rotating the vault key')
        return key
      },
      // A team vault's values are fetched (on record) before they are re-sealed under the new key.
      hydrate: (l: Loaded) => this.hydrate(l, l.vault.credentials, opts.purpose ?? 'rotate-key'),
    }
    const { sequence, vault_id, key_header, ...r } = await freshRead(() => rotateVaultKey(store, session, { ctx: this.keyContext(), now, lockTimeoutMs: this.lockTimeoutMs() }, opts))
    if (sequence !== undefined) await this.recordSequence({ vault_id, key: key_header }, file, sequence)
    await this.history([entryFor(undefined, 'rotate-key', 'ok', now, `${r.re_encrypted} values re-encrypted`)])
    return r
  }

  async status(): Promise<VaultStatus> {
    return freshRead(() => this.statusOnce())
  }

  private async statusOnce(): Promise<VaultStatus> {
    const file = await this.file()
    const counts = { total: 0, active: 0, deleted: 0, defaults: 0, by_category: {} as Record<string, number> }
    const out: VaultStatus = { vault: file, exists: false, vault_id: null, key_source: null, keychain: { used: true, reachable: false, reason: null }, counts }
    try {
      const l = await this.load()
      const v = l?.vault
      if (l && v) {
        out.exists = true
        out.vault_id = v.vault_id
        out.key_source = v.key.source
        out.format = l.header.format
        out.sequence = l.header.sequence
        for (const c of v.credentials) {
          counts.total++
          if (c.deleted_at === null) {
            counts.active++
            counts.by_category[c.category] = (counts.by_category[c.category] ?? 0) + 1
            if (c.is_default) counts.defaults++
          } else counts.deleted++
        }
        // Does the key open it, do its MACs hold (an edit made outside credctl), is it not an older copy?
        // Every record is checked here, unlike a reader, which checks what it uses. Never prompts: a
        // passphrase or env key that is simply not provided here leaves it unchecked, not failed.
        try {
          const key = await this.unlock(l, file, { ...this.keyContext(), askPassphrase: undefined, chooseFallback: undefined })
          verifyRecords(l, key, l.stored.keys(), file)
          out.integrity = { status: 'ok', reason: null }
        } catch (e) {
          if (!(e instanceof CredctlError)) throw e
          if (e.code === 'KEY_UNAVAILABLE' && v.key.source !== 'keychain') out.integrity = { status: 'unchecked', reason: e.message }
          else {
            out.integrity = { status: 'failed', reason: e.message }
            out.error = { code: e.code, message: e.message }
          }
        }
      }
    } catch (e) {
      // A contradicting --key-source is refused here as by every command, not reported as a vault problem.
      if (!(e instanceof CredctlError) || e.code === 'USAGE') throw e
      out.exists = true
      out.error = { code: e.code, message: e.message }
    }
    // The keychain is probed only when this vault needs it (issues 12 and 13): a vault whose key is
    // elsewhere, or a vault not created yet whose first write will put its key elsewhere (--key-source,
    // CREDCTL_KEY_SOURCE, CREDCTL_MASTER_KEY, CREDCTL_KEY_FILE, CREDCTL_PASSPHRASE: chooseSource's
    // rule), is not probed, so no keychain error or wait shows. A keychain vault, one created into the
    // keychain, or an unreadable vault is probed in a child process killed when it overruns (keychain.ts).
    if (!out.exists) {
      // An unknown explicit choice is refused when the vault is created; here it changes nothing.
      out.new_key_source = await chooseSource(this.keyContext()).catch(() => 'keychain' as const)
    }
    const source = out.exists ? out.key_source : out.new_key_source
    if (source !== null && source !== undefined && source !== 'keychain') {
      out.keychain = { used: false, reachable: null, reason: null }
    } else {
      const why = await probeKeychain(this.keychain())
      out.keychain = { used: true, reachable: !why, reason: why ?? null }
    }
    return out
  }
}

/**
 * A mask stored by an older credctl may have failed open (a password in `masked_content`, in the clear).
 * The first write of a version 1 vault (the one that rewrites it as version 2) re-masks every stored mask
 * through today's rule, so the upgrade removes such a leak from the file; the safe view does the same on
 * display until then. Format 2 records are written by this rule, one record at a time (records.ts).
 * Needs no key: the mask of a mask.
 */
function scrubMasks(v: VaultFile): void {
  for (const r of v.credentials) {
    const m = fitField('masked_content', remask(r.schema_type ?? r.type, r.masked_content))
    if (m !== r.masked_content) r.masked_content = m
  }
}
