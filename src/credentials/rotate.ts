import { CredctlError } from '../errors.js'
import { nextEpoch, rewrapAll } from '../keys/team.js'
import { moduleFor, type KeyContext, type RotationFacts, type StagedRotation } from '../keys/index.js'
import { TagMismatch, aadFor, open, seal } from '../vault/cipher.js'
import type { KeyHeader, VaultFile } from '../vault/format.js'
import type { FetchPurpose, TeamMember, VaultStore } from '../store/types.js'
import { applyChanges, verifyRecords, type Loaded } from './snapshot.js'

/**
 * `rotate-key`: a new vault key, every value re-sealed under it, committed by one store transaction
 * (for the vault file: one atomic rename). Whatever happens before the commit leaves the old vault and
 * its key untouched; whatever happens after it only tidies up the old key. So a crash at any moment leaves either the old
 * state (old key opens the vault) or the new one (new key opens it), never a mix.
 *
 * Where the new key goes depends on the vault's key source (the source itself does not change): each
 * source's stageRotation() in src/keys/ stages it (StagedRotation: steps before and after the commit).
 * - env: the new key is given in CREDCTL_NEW_MASTER_KEY; the caller must switch CREDCTL_MASTER_KEY.
 * - passphrase: a new passphrase (CREDCTL_NEW_PASSPHRASE or a prompt) with a fresh salt and the current
 *   default scrypt parameters.
 * - keychain: a random key stored under a new account `<vault id>:<n>` (recorded in the header) before
 *   the vault is written; the old entry is deleted only once the new vault is on disk.
 *
 * Keychain calls (and prompts) happen outside the vault lock, so a slow or frozen keychain never holds
 * up other writers: reading the old key, storing the new one and, once committed, deleting the old one.
 * In the transaction the vault is re-read; if another process changed it meanwhile, nothing is
 * written, the new entry is removed and the rotation starts again. Rotations of one vault take turns
 * (store.exclusive('rotate'); the vault file's `<vault>.rotate.lock`): two at once would pick the same
 * new account and overwrite each other's key.
 * - file: a random key written (temp file, fsync, rename) to `<key file>.next`, the vault committed, then
 *   `.next` renamed over the key file. A crash between the two renames is recovered by loadVaultKey,
 *   which tries `.next` when the key file does not open the vault.
 */
export interface RotateOptions {
  /** Asks for the new passphrase (passphrase source) when CREDCTL_NEW_PASSPHRASE is unset. */
  askNewPassphrase?: (() => Promise<string>) | undefined
  /** Called as each value is re-sealed: done of total (for a terminal's progress line). */
  onProgress?: ((done: number, total: number) => void) | undefined
  /** Team vaults: why the values are fetched (recorded with the fetch); default `rotate-key`. */
  purpose?: FetchPurpose
  /**
   * Team vaults: the members the new key is wrapped for (default: all of them). `member remove` leaves the
   * removed member out here, so the removal and the new key are one transaction.
   */
  keepMembers?: ((members: readonly TeamMember[]) => TeamMember[]) | undefined
  /** Team vaults (`member remove`): mark every active credential `needs_rotation_since` (a removed member could read it). */
  markForRotation?: boolean
}

export interface RotateResult extends RotationFacts {
  vault: string
  key_source: KeyHeader['source']
  /** Values re-encrypted (every record, deleted ones included: they keep their ciphertext until purged). */
  re_encrypted: number
  /** Things the user must do or know (switch CREDCTL_MASTER_KEY, remove a leftover entry). */
  notes: string[]
}

export interface RotateDeps {
  ctx: KeyContext
  now: string
  lockTimeoutMs: number
}

/**
 * What rotation needs from the session: the vault loaded (parsed, key-source rule applied) and its
 * key with the head MAC and the kept sequence checked. So this file knows storage only through the
 * storage interface.
 */
export interface RotateSession {
  load(): Promise<Loaded | undefined>
  unlock(l: Loaded): Promise<Buffer>
  /** Team vaults: put every record's sealed value in place of its digest (an audited fetch). */
  hydrate?(l: Loaded): Promise<void>
}

/** How often a rotation starts again when another process changes the vault while it prepares. */
const MAX_ATTEMPTS = 5

/** The result, and what the session records afterwards (the new sequence, for the key source to keep). */
export type Rotated = RotateResult & { sequence: number | undefined; vault_id: string; key_header: KeyHeader }

export async function rotateVaultKey(store: VaultStore, session: RotateSession, deps: RotateDeps, opts: RotateOptions = {}): Promise<Rotated> {
  const file = store.location
  return store.exclusive(
    'rotate',
    async () => {
      for (let attempt = 1; ; attempt++) {
        const r = await rotateOnce(store, session, deps, opts)
        if (r) return r
        if (attempt === MAX_ATTEMPTS) {
          throw new CredctlError('VAULT_LOCKED', `vault ${file} kept changing while rotate-key prepared the new key; nothing was re-keyed`, {
            hint: 'retry once the other credctl has finished',
          })
        }
      }
    },
    { lockTimeoutMs: deps.lockTimeoutMs },
  )
}

/**
 * True only when the store can be read and its vault is not under the staged key (its key header's
 * check, sealed under that key, is not the staged one). Compared by key, not by the whole header: another
 * writer may already have committed on top of the re-keyed vault, with the new key.
 */
async function stillOld(store: VaultStore, staged: KeyHeader): Promise<boolean> {
  const snap = await store.load().catch(() => undefined)
  return snap !== undefined && snap.header.key.check !== staged.check
}

/** One attempt: undefined when the vault changed between the key work and the transaction (nothing written). */
async function rotateOnce(store: VaultStore, session: RotateSession, deps: RotateDeps, opts: RotateOptions): Promise<Rotated | undefined> {
  const file = store.location
  const l = await session.load()
  if (!l) throw new CredctlError('NOT_FOUND', `no vault to re-key: ${file} does not exist`, { hint: 'create a credential first' })
  const current = l.vault
  // Outside the transaction: the old key (head MAC and sequence checked), every record's own MAC (all
  // are re-sealed), the new key (prompt, keychain entry). See the header comment.
  const oldKey = await session.unlock(l)
  verifyRecords(l, oldKey, l.stored.keys(), file)
  await session.hydrate?.(l)
  // A team vault's new key is wrapped for every member kept, and its epoch leads back to the old key.
  const team = current.team
    ? {
        ...current.team,
        epoch: current.team.epoch + 1,
        members: [] as TeamMember[],
        epochs: [...current.team.epochs],
      }
    : undefined
  const staged: StagedRotation = await moduleFor(current.key.source).stageRotation({ ctx: deps.ctx, vault: current, oldKey, askNewPassphrase: opts.askNewPassphrase })
  if (team) {
    const kept = opts.keepMembers ? opts.keepMembers(current.team!.members) : current.team!.members
    team.members = await rewrapAll(kept, staged.key)
    team.epochs.push(nextEpoch(current.vault_id, oldKey, staged.key, team.epoch))
  }
  let before = false
  let committed = false
  let sequence: number | undefined
  try {
    const wrote = await store.transact(
      async (tx) => {
        const h = tx.header()
        if (!h || h.mac !== l.header.mac || h.sequence !== l.header.sequence) return false // changed meanwhile: start again
        // Re-seal every value before anything is written: a record that does not open aborts the rotation.
        const total = current.credentials.length
        const credentials = current.credentials.map((rec, i) => {
          opts.onProgress?.(i, total)
          const aad = aadFor(current.vault_id, rec.id, 'value')
          let plain: Buffer
          try {
            plain = open(oldKey, rec.secret, aad)
          } catch (e) {
            if (e instanceof TagMismatch) {
              throw new CredctlError('VAULT_DAMAGED', `the value of "${rec.name}" in ${file} does not decrypt; nothing was re-keyed`)
            }
            throw e
          }
          try {
            const mark = opts.markForRotation && rec.deleted_at === null && rec.needs_rotation_since === undefined ? { needs_rotation_since: deps.now } : {}
            return { ...rec, settings: { ...rec.settings }, secret: seal(staged.key, plain, aad), ...mark }
          } finally {
            plain.fill(0)
          }
        })
        opts.onProgress?.(total, total)
        const next: VaultFile = { ...current, key: staged.header, credentials, mac: '', ...(team ? { team } : {}) }
        sequence = applyChanges(l, next, staged.key, tx, file, oldKey)
        // The new key goes where it lives just before the commit (must not disturb the old key).
        await staged.before()
        before = true
        return true
      },
      { lockTimeoutMs: deps.lockTimeoutMs },
    )
    if (!wrote) return undefined
    committed = true
  } catch (e) {
    // A store may fail AFTER its commit (the file store: renamed, then the directory fsync failed). The
    // staged key goes again only when the store provably still holds the old vault: undoing it under a
    // committed vault would leave nothing that opens it. Kept, both keys stay (the file source's
    // `.next` is tried by loadVaultKey; the keychain's new account is named by the new header), and
    // neither after() nor retire() runs: the commit may not survive a crash, so the old key must stay.
    if (before) {
      if (await stillOld(store, staged.header)) await staged.undo()
      else committed = true
    }
    throw e
  } finally {
    // A new key the vault did not take is removed again.
    if (!committed) await staged.discard()
  }
  const notes = await staged.after().catch((e: Error) => [`the vault was re-keyed, but retiring the old key failed: ${e.message}`])
  notes.push(...(await staged.retire().catch((e: Error) => [`the vault was re-keyed, but retiring the old key failed: ${e.message}`])))
  oldKey.fill(0)
  return {
    vault: file,
    key_source: current.key.source,
    re_encrypted: current.credentials.length,
    ...(staged.result ?? {}),
    notes,
    sequence,
    vault_id: current.vault_id,
    key_header: staged.header,
  }
}
