import { randomBytes } from 'node:crypto'
import { promises as fsp } from 'node:fs'
import * as path from 'node:path'
import { CredctlError } from '../errors.js'
import { readRegularFile } from '../lib/regular-file.js'
import { KEY_BYTES, TagMismatch, aadFor, decodeB64, open, seal } from './cipher.js'
import { macHolds, vaultMac, type KeyHeader, type VaultFile } from './format.js'
import {
  DEFAULT_SCRYPT,
  KEY_CHECK_PLAINTEXT,
  checkAad,
  keychainAccount,
  loadVaultKey,
  nextKeyFile,
  scryptAsync,
  type KeyContext,
} from './keys.js'
import { SERVICE } from './keychain.js'
import { fsyncDir, removeDeadTemps, writeFileAtomic } from '../store/file-io.js'
import { withLock } from '../store/lock.js'
import { readVault, writeVaultFile } from '../store/vault-file.js'

/**
 * `rotate-key`: a new vault key, every value re-sealed under it, committed by the one atomic rename of
 * the vault file. Whatever happens before that rename leaves the old vault and its key untouched;
 * whatever happens after it only tidies up the old key. So a crash at any moment leaves either the old
 * state (old key opens the vault) or the new one (new key opens it), never a mix.
 *
 * Where the new key goes depends on the vault's key source (the source itself does not change):
 * - env: the new key is given in CREDCTL_NEW_MASTER_KEY; the caller must switch CREDCTL_MASTER_KEY.
 * - passphrase: a new passphrase (CREDCTL_NEW_PASSPHRASE or a prompt) with a fresh salt and the current
 *   default scrypt parameters.
 * - keychain: a random key stored under a new account `<vault id>:<n>` (recorded in the header) before
 *   the vault is written; the old entry is deleted only once the new vault is on disk.
 *
 * Keychain calls (and prompts) happen outside the vault lock, so a slow or frozen keychain never holds
 * up other writers: reading the old key, storing the new one and, once committed, deleting the old one.
 * Under the vault lock the vault is re-read; if another process changed it meanwhile, nothing is
 * written, the new entry is removed and the rotation starts again. Rotations of one vault take turns
 * through a lock of their own (`<vault>.rotate.lock`): two at once would pick the same new account and
 * overwrite each other's key.
 * - file: a random key written (temp file, fsync, rename) to `<key file>.next`, the vault committed, then
 *   `.next` renamed over the key file. A crash between the two renames is recovered by loadVaultKey,
 *   which tries `.next` when the key file does not open the vault.
 */
export interface RotateOptions {
  /** Asks for the new passphrase (passphrase source) when CREDCTL_NEW_PASSPHRASE is unset. */
  askNewPassphrase?: (() => Promise<string>) | undefined
  /** Called as each value is re-sealed: done of total (for a terminal's progress line). */
  onProgress?: ((done: number, total: number) => void) | undefined
}

export interface RotateResult {
  vault: string
  key_source: KeyHeader['source']
  /** Values re-encrypted (every record, deleted ones included: they keep their ciphertext until purged). */
  re_encrypted: number
  /** Keychain source: the account that now holds the key. */
  keychain_account?: string
  /** Keychain source: false when the old entry could not be deleted (the caller should say so). */
  old_key_removed?: boolean
  /** Things the user must do or know (switch CREDCTL_MASTER_KEY, remove a leftover entry). */
  notes: string[]
}

interface RotateDeps {
  ctx: KeyContext
  now: string
  lockTimeoutMs: number
}

/**
 * The staged new key: its bytes, its header, and the steps around the commit. A keychain key is
 * already stored when stage() returns (outside the lock); the file steps run under the lock.
 */
interface Staged {
  key: Buffer
  header: KeyHeader
  /** Under the lock: put the new key where it lives, before the vault is written (must not disturb the old key). */
  before: () => Promise<void>
  /** Under the lock: undo `before` when the vault write failed. */
  undo: () => Promise<void>
  /** Under the lock, after the vault is on disk: tidy up locally. Returns notes for the user. */
  after: () => Promise<string[]>
  /** After the lock is released, when nothing was committed: remove the new key stage() stored. */
  discard: () => Promise<void>
  /** After the lock is released, once committed: retire the old key. Returns notes for the user. */
  retire: () => Promise<string[]>
  result?: Partial<RotateResult>
}

/** How often a rotation starts again when another process changes the vault while it prepares. */
const MAX_ATTEMPTS = 5

async function stage(v: VaultFile, oldKey: Buffer, file: string, deps: RotateDeps, opts: RotateOptions): Promise<Staged> {
  const { ctx } = deps
  const check = (key: Buffer) => seal(key, KEY_CHECK_PLAINTEXT, checkAad(v.vault_id))
  const noop = async () => {}
  const none = async () => [] as string[]
  switch (v.key.source) {
    case 'env': {
      const raw = ctx.env.CREDCTL_NEW_MASTER_KEY
      if (!raw) {
        throw new CredctlError('USAGE', 'rotate-key on an env-source vault needs the new key in CREDCTL_NEW_MASTER_KEY', {
          hint: 'CREDCTL_NEW_MASTER_KEY=$(openssl rand -base64 32) credctl rotate-key; then use that value as CREDCTL_MASTER_KEY',
        })
      }
      const key = decodeB64(raw.trim())
      if (!key || key.length !== KEY_BYTES) {
        throw new CredctlError('INVALID_INPUT', 'CREDCTL_NEW_MASTER_KEY must be the base64 of exactly 32 bytes', { hint: 'create one with `openssl rand -base64 32`' })
      }
      if (key.equals(oldKey)) throw new CredctlError('INVALID_INPUT', 'CREDCTL_NEW_MASTER_KEY is the current key: nothing would change')
      return {
        key,
        header: { source: 'env', check: check(key) },
        before: noop,
        undo: noop,
        after: async () => ['the vault now opens only with the new key: set CREDCTL_MASTER_KEY to the value of CREDCTL_NEW_MASTER_KEY everywhere it is used'],
        discard: noop,
        retire: none,
      }
    }
    case 'passphrase': {
      let pass = ctx.env.CREDCTL_NEW_PASSPHRASE
      if (!pass) {
        if (!opts.askNewPassphrase) {
          throw new CredctlError('USAGE', 'rotate-key on a passphrase vault needs the new passphrase: set CREDCTL_NEW_PASSPHRASE or run it in a terminal')
        }
        pass = await opts.askNewPassphrase()
        if (!pass) throw new CredctlError('INVALID_INPUT', 'the new passphrase is empty')
      }
      const salt = randomBytes(16)
      const key = await scryptAsync(pass, salt, DEFAULT_SCRYPT)
      return {
        key,
        header: { source: 'passphrase', check: check(key), scrypt: { salt: salt.toString('base64'), ...DEFAULT_SCRYPT } },
        before: noop,
        undo: noop,
        after: async () => ['the vault now opens only with the new passphrase'],
        discard: noop,
        retire: none,
      }
    }
    case 'file': {
      const keyFile = v.key.file!
      const next = nextKeyFile(keyFile)
      const key = randomBytes(KEY_BYTES)
      const line = (k: Buffer) => `${k.toString('base64')}\n`
      return {
        key,
        header: { source: 'file', check: check(key), file: keyFile },
        before: async () => {
          // Temp files of a rotation killed mid-write (we hold the vault lock: no live rotation of it runs).
          for (const f of [keyFile, next]) await removeDeadTemps(path.dirname(f), path.basename(f))
          // The current key may be in <file>.next (an earlier rotation stopped between its renames):
          // put it in place first, so overwriting .next below never loses the key the vault needs now.
          const inPlace = decodeB64((await readRegularFile(keyFile).catch(() => '')).trim())
          if (!inPlace || !inPlace.equals(oldKey)) await writeFileAtomic(keyFile, line(oldKey), 'key file')
          await writeFileAtomic(next, line(key), 'key file')
        },
        undo: async () => {
          await fsp.unlink(next).catch(() => {})
        },
        after: async () => {
          await fsp.rename(next, keyFile)
          await fsyncDir(path.dirname(keyFile))
          return [`the new key replaced the old one in ${keyFile}; back it up again if you keep a copy`]
        },
        discard: noop,
        retire: none,
      }
    }
    case 'keychain': {
      const kc = ctx.keychain()
      const oldAccount = keychainAccount(v)
      const n = Number(/:(\d+)$/.exec(oldAccount)?.[1] ?? 0) + 1
      const account = `${v.vault_id}:${n}`
      const key = randomBytes(KEY_BYTES)
      try {
        await kc.set(account, key.toString('base64'))
        // Read it back: a store that drops writes must fail here, while the old key still works.
        if ((await kc.get(account)) !== key.toString('base64')) throw new Error('the keychain did not return the new key')
      } catch (e) {
        await kc.delete(account).catch(() => false)
        throw new CredctlError('KEY_UNAVAILABLE', `cannot store the new vault key in the OS keychain: ${(e as Error).message}`, {
          hint: 'nothing was changed; the vault still opens with its current key',
        })
      }
      const staged: Staged = {
        key,
        header: { source: 'keychain', check: check(key), account },
        before: noop,
        undo: noop,
        after: none,
        discard: async () => {
          await kc.delete(account).catch(() => false)
        },
        retire: async () => {
          let removed = false
          try {
            removed = (await kc.delete(oldAccount)) || (await kc.get(oldAccount)) === null
          } catch {
            removed = false
          }
          staged.result = { keychain_account: account, old_key_removed: removed }
          return removed
            ? []
            : [`the old key is still in the keychain (service ${SERVICE}, account ${oldAccount}): it opens no current vault; remove it, e.g. \`secret-tool clear service ${SERVICE} username ${oldAccount}\``]
        },
        result: { keychain_account: account },
      }
      return staged
    }
  }
}

export async function rotateVaultKey(file: string, deps: RotateDeps, opts: RotateOptions = {}): Promise<RotateResult> {
  if (!(await readVault(file))) {
    throw new CredctlError('NOT_FOUND', `no vault to re-key: ${file} does not exist`, { hint: 'create a credential first' })
  }
  return withLock(
    `${file}.rotate`,
    async () => {
      for (let attempt = 1; ; attempt++) {
        const r = await rotateOnce(file, deps, opts)
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

/** One attempt: undefined when the vault changed between the key work and the lock (nothing written). */
async function rotateOnce(file: string, deps: RotateDeps, opts: RotateOptions): Promise<RotateResult | undefined> {
  const read = await readVault(file)
  if (!read) throw new CredctlError('NOT_FOUND', `no vault to re-key: ${file} does not exist`, { hint: 'create a credential first' })
  const current = read.vault
  // Outside the lock: the old key, the new one (prompt, keychain entry). See the header comment.
  const oldKey = await loadVaultKey(current, file, deps.ctx)
  if (!macHolds(oldKey, current)) {
    throw new CredctlError('VAULT_DAMAGED', `vault ${file} was changed outside credctl (its integrity check fails)`, {
      hint: 'credctl will not re-key it; restore the file from a backup',
    })
  }
  const staged = await stage(current, oldKey, file, deps, opts)
  let committed = false
  let notes: string[] | undefined
  try {
    notes = await withLock(
      file,
      async () => {
        if ((await readVault(file, read)) !== read) return undefined // changed meanwhile: start again
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
            return { ...rec, settings: { ...rec.settings }, secret: seal(staged.key, plain, aad) }
          } finally {
            plain.fill(0)
          }
        })
        opts.onProgress?.(total, total)
        const next: VaultFile = { ...current, key: staged.header, credentials, mac: '' }
        next.mac = vaultMac(staged.key, next)
        await staged.before()
        try {
          await writeVaultFile(file, next) // the commit point: one rename
        } catch (e) {
          await staged.undo()
          throw e
        }
        committed = true
        return staged.after().catch((e: Error) => [`the vault was re-keyed, but retiring the old key failed: ${e.message}`])
      },
      { lockTimeoutMs: deps.lockTimeoutMs },
    )
  } finally {
    // After the lock is released: a new key the vault did not take is removed again.
    if (!committed) await staged.discard()
  }
  if (notes === undefined) return undefined
  notes.push(...(await staged.retire().catch((e: Error) => [`the vault was re-keyed, but retiring the old key failed: ${e.message}`])))
  oldKey.fill(0)
  return {
    vault: file,
    key_source: current.key.source,
    re_encrypted: current.credentials.length,
    ...(staged.result ?? {}),
    notes,
  }
}
