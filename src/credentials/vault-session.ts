import { crypto } from '../lazy-crypto.js'
import * as path from 'node:path'
import { describeErrno } from '../lib/errno.js'
import { CredctlError } from '../errors.js'
import { aadFor, open, TagMismatch } from '../vault/cipher.js'
import { macHolds, vaultMac, type CredentialRecord, type VaultFile } from '../vault/format.js'
import { chooseSource, createVaultKey, loadVaultKey, osKeychain, probeKeychain, type Keychain, type KeyContext } from '../keys/index.js'
import { resolveVaultPath, sidePaths } from '../store/paths.js'
import type { RotateOptions, RotateResult } from './rotate.js'
import { ensureDir, writeFileAtomic } from '../lib/durable-file.js'
import { withLock } from '../store/lock.js'
import { readVault, writeVaultFile } from '../store/vault-file.js'
import type { ClientOptions, SchemaDoc, VaultStatus } from './types.js'
import { appendHistory, entryFor, HISTORY_MAX_BYTES, type HistoryEntry } from './history.js'
import { find } from './records.js'
import { remask } from './mask.js'
import { fitField } from '../vault/record-schema.js'

/** How often a change is retried when the vault is created or re-keyed under it (see mutate). */
const MAX_ATTEMPTS = 5

/** The most any wait setting may say: 10 minutes. Past 2^31 ms a Node timer would fire at once. */
const MAX_WAIT_MS = 600_000

/** A wait in ms from the environment: unset means the default; anything but 1..MAX_WAIT_MS is a usage error, not a silent default. */
function envMs(env: NodeJS.ProcessEnv, name: string, dflt: number): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return dflt
  const n = /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN
  if (!(n >= 1 && n <= MAX_WAIT_MS)) {
    throw new CredctlError('USAGE', `${name} must be a whole number of milliseconds from 1 to ${MAX_WAIT_MS}`, { hint: `unset it for the default (${dflt})` })
  }
  return n
}

export type Mutation<T> = (v: VaultFile, key: Buffer, now: string) => Promise<{ result: T; history?: HistoryEntry[] }>

/** The vault as the SDK sees it: one file, read without the key, changed only under the lock with the key. */
export class Vault {
  readonly env: NodeJS.ProcessEnv
  readonly now: () => Date
  readonly fetch: typeof fetch
  readonly timeoutMs: number
  private filePromise: Promise<string> | undefined
  private keychainInstance: Keychain | undefined

  private readonly opts: ClientOptions

  constructor(opts: ClientOptions) {
    this.opts = opts
    this.env = opts.env ?? process.env
    this.now = opts.now ?? (() => new Date())
    this.fetch = opts.fetch ?? globalThis.fetch
    this.timeoutMs = opts.timeoutMs ?? 10_000
  }

  file(): Promise<string> {
    return (this.filePromise ??= (async () => {
      this.resolved = await resolveVaultPath(this.opts.vault, this.env)
      return this.resolved
    })())
  }

  /** Resolved synchronously after file() has been awaited once. */
  paths() {
    if (!this.resolved) throw new Error('vault path not resolved yet')
    return sidePaths(this.resolved)
  }

  private resolved: string | undefined

  schemaFile(id: string): string {
    return path.join(this.paths().schemas, `${id}.json`)
  }

  keychainTimeoutMs(): number {
    return this.opts.keychainTimeoutMs ?? envMs(this.env, 'CREDCTL_KEYCHAIN_TIMEOUT_MS', 5000)
  }

  /**
   * Size in bytes past which the history file is rotated (history.ts): CREDCTL_HISTORY_MAX_BYTES, a whole
   * number from 1 (tests use tiny sizes) to 2^40; default 1 MiB.
   */
  historyMaxBytes(): number {
    const raw = this.env.CREDCTL_HISTORY_MAX_BYTES
    if (raw === undefined || raw === '') return HISTORY_MAX_BYTES
    const n = /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN
    if (!(n >= 1 && n <= 2 ** 40)) {
      throw new CredctlError('USAGE', 'CREDCTL_HISTORY_MAX_BYTES must be a whole number of bytes from 1 to 2^40', { hint: `unset it for the default (${HISTORY_MAX_BYTES})` })
    }
    return n
  }

  lockTimeoutMs(): number {
    return this.opts.lockTimeoutMs ?? envMs(this.env, 'CREDCTL_LOCK_TIMEOUT_MS', 10_000)
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

  async read(): Promise<VaultFile | undefined> {
    this.resolved = await this.file()
    return (await this.load(this.resolved))?.vault
  }

  /**
   * The one way the session opens the vault file (reads, decryption, changes, status, rotate-key,
   * history): readVault plus the key-source rule. --key-source (or CREDCTL_KEY_SOURCE) chooses the
   * source of a NEW vault; on an existing one a different choice would be silently ignored, which is
   * worse than saying so, for a read as much as for a write (issue 12, point 9). USAGE, exit 2: the
   * vault is fine, the command line contradicts it.
   */
  private async load(file: string): Promise<Awaited<ReturnType<typeof readVault>>> {
    const read = await readVault(file)
    if (read) this.checkKeySource(read.vault.key.source, file)
    return read
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

  /** Load the key of an existing vault and check the metadata MAC before anything acts on the file. */
  private async unlock(v: VaultFile, file: string, ctx: KeyContext = this.keyContext()): Promise<Buffer> {
    const key = await loadVaultKey(v, file, ctx)
    this.checkMac(v, file, key)
    return key
  }

  private checkMac(v: VaultFile, file: string, key: Buffer): void {
    if (!macHolds(key, v)) {
      throw new CredctlError('VAULT_DAMAGED', `vault ${file} was changed outside credctl (its integrity check fails)`, {
        hint: 'credctl will not use it; `credctl recover --output FILE` saves every value that still decrypts, or restore the file from a backup',
      })
    }
  }

  async decrypt(idOrName: string): Promise<{ rec: CredentialRecord; value: string }> {
    return (await this.decryptMany([idOrName]))[0]!
  }

  /** One read, one key load (and MAC check), then each value opened; duplicates collapse. */
  async decryptMany(idsOrNames: string[]): Promise<{ rec: CredentialRecord; value: string }[]> {
    const file = await this.file()
    this.resolved = file
    this.historyMaxBytes() // every value handed out is recorded: a bad setting stops it first
    const v = (await this.load(file))?.vault
    const recs = [...new Map(idsOrNames.map((x) => find(v, x)).map((r) => [r.id, r])).values()]
    if (recs.length === 0) return []
    const key = await this.unlock(v!, file)
    return recs.map((rec) => {
      try {
        return { rec, value: open(key, rec.secret, aadFor(v!.vault_id, rec.id, 'value')).toString('utf8') }
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
    try {
      await appendHistory(this.paths().history, entries, { maxBytes: this.historyMaxBytes(), lockTimeoutMs: this.lockTimeoutMs() })
    } catch (e) {
      if (!opts.required) {
        // The change is made (its write came first); saying so beats a silent gap in "who did what".
        const why = e instanceof CredctlError ? e.message : describeErrno(e)
        this.opts.onWarning?.(`warning: done, but not recorded in the history file ${this.paths().history}: ${why}`)
        return
      }
      if (e instanceof CredctlError) throw e // a link or an unsafe directory: its own message says which
      throw new CredctlError('VAULT_IO', `cannot record this in the history file ${this.paths().history}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, {
        hint: 'nothing was revealed; fix the history file (it must be a writable file beside the vault)',
      })
    }
  }

  async writeSchema(id: string, doc: SchemaDoc): Promise<void> {
    const file = this.schemaFile(id)
    await ensureDir(path.dirname(file))
    await writeFileAtomic(file, JSON.stringify(doc), 'schema file')
  }

  /**
   * Apply a change: get the key (or create the vault's key), lock, re-read, apply, seal the MAC, write
   * atomically, release. A failing mutation writes nothing.
   *
   * The key is always obtained OUTSIDE the lock: a passphrase prompt, or a keychain that is slow or
   * frozen, must not hold up other writers (they give up after the lock timeout). If the vault was
   * created or re-keyed between our read and the lock, the lock is released, the key got again, and
   * the change retried.
   */
  async mutate<T>(fn: Mutation<T>, opts: { create?: boolean } = {}): Promise<T> {
    const file = await this.file()
    this.resolved = file
    const lockTimeoutMs = this.lockTimeoutMs()
    this.historyMaxBytes() // a bad setting is exit 2 before the change, not a history entry lost after it
    for (let attempt = 1; ; attempt++) {
      const out = await this.mutateOnce(file, fn, opts, lockTimeoutMs)
      if (out.done) {
        await this.history(out.history)
        return out.result
      }
      if (attempt === MAX_ATTEMPTS) {
        throw new CredctlError('VAULT_LOCKED', `vault ${file} kept being created or re-keyed by another process while this change waited`, {
          hint: 'retry once the other credctl has finished',
        })
      }
    }
  }

  private async mutateOnce<T>(
    file: string,
    fn: Mutation<T>,
    opts: { create?: boolean },
    lockTimeoutMs: number,
  ): Promise<{ done: true; result: T; history: HistoryEntry[] } | { done: false }> {
    const read = await this.load(file)
    const before = read?.vault
    // Fail fast (and without creating directories or lock files) when there is nothing to change.
    if (!before && !opts.create) throw new CredctlError('NOT_FOUND', `no credentials yet: vault ${file} does not exist`, { hint: 'create one with `credctl create`' })
    // Outside the lock: the key of the vault, or a new vault's key, already stored where it lives (a
    // keychain entry under the fresh vault id, which nothing else refers to until the vault is written).
    const earlyKey = before ? await this.unlock(before, file) : undefined
    const nk = before ? undefined : await createVaultKey(crypto().randomUUID(), file, this.keyContext())
    let written = false
    try {
      await ensureDir(path.dirname(file))
      return await withLock(
        file,
        async () => {
          const again = await readVault(file, read)
          const current = again?.vault
          const now = this.now().toISOString()
          if (current) {
            // Same vault and key check as before the lock (the usual case): the key is known good, only
            // the MAC of what we re-read needs checking. Otherwise (created or re-keyed meanwhile):
            // release the lock and start again, so the key is never fetched while holding it.
            const sameKey = earlyKey && before && current.vault_id === before.vault_id && current.key.check === before.key.check
            if (!sameKey) return { done: false as const }
            // Unchanged since the early read (the usual case): its MAC was checked by unlock() already.
            if (again !== read) this.checkMac(current, file, earlyKey)
            const out = await fn(current, earlyKey, now)
            scrubMasks(current)
            current.mac = vaultMac(earlyKey, current)
            await writeVaultFile(file, current)
            return { done: true as const, result: out.result, history: out.history ?? [] }
          }
          if (!nk) {
            // Deleted meanwhile: creating it is for `create` only, and that needs a new key.
            if (!opts.create) throw new CredctlError('NOT_FOUND', `vault ${file} does not exist`)
            return { done: false as const }
          }
          const fresh: VaultFile = { version: 1, vault_id: nk.vaultId, created_at: now, key: nk.header, credentials: [], mac: '' }
          const out = await fn(fresh, nk.key, now)
          fresh.mac = vaultMac(nk.key, fresh)
          await nk.persist()
          try {
            await writeVaultFile(file, fresh)
          } catch (e) {
            await nk.unpersist()
            throw e
          }
          written = true
          return { done: true as const, result: out.result, history: out.history ?? [] }
        },
        { lockTimeoutMs },
      )
    } finally {
      // After the lock is released: a keychain entry the vault did not end up using is removed again.
      if (nk && !written) await nk.discard()
    }
  }

  async rotateKey(opts: RotateOptions = {}): Promise<RotateResult> {
    const file = await this.file()
    this.resolved = file
    await this.load(file) // the key-source rule, before any key work
    this.historyMaxBytes()
    const { rotateVaultKey } = await import('./rotate.js')
    const now = this.now().toISOString()
    const lockTimeoutMs = this.lockTimeoutMs()
    const r = await rotateVaultKey(file, { ctx: this.keyContext(), now, lockTimeoutMs }, opts)
    await this.history([entryFor(undefined, 'rotate-key', 'ok', now, `${r.re_encrypted} values re-encrypted`)])
    return r
  }

  async status(): Promise<VaultStatus> {
    const file = await this.file()
    this.resolved = file
    const counts = { total: 0, active: 0, deleted: 0, defaults: 0, by_category: {} as Record<string, number> }
    const out: VaultStatus = { vault: file, exists: false, vault_id: null, key_source: null, keychain: { used: true, reachable: false, reason: null }, counts }
    try {
      const v = (await this.load(file))?.vault
      if (v) {
        out.exists = true
        out.vault_id = v.vault_id
        out.key_source = v.key.source
        for (const c of v.credentials) {
          counts.total++
          if (c.deleted_at === null) {
            counts.active++
            counts.by_category[c.category] = (counts.by_category[c.category] ?? 0) + 1
            if (c.is_default) counts.defaults++
          } else counts.deleted++
        }
        // Does the key open it, and does its MAC hold (an edit made outside credctl)? Never prompts: a
        // passphrase or env key that is simply not provided here leaves it unchecked, not failed.
        try {
          await this.unlock(v, file, { ...this.keyContext(), askPassphrase: undefined, chooseFallback: undefined })
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
 * Every write re-masks every stored mask through today's rule (idempotent for masks written today), so
 * the first write after an upgrade removes such a leak from the file; the safe view does the same on
 * display until then. Needs no key: the mask of a mask.
 */
function scrubMasks(v: VaultFile): void {
  for (const r of v.credentials) {
    const m = fitField('masked_content', remask(r.schema_type ?? r.type, r.masked_content))
    if (m !== r.masked_content) r.masked_content = m
  }
}
