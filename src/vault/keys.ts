import { crypto } from '../lazy-crypto.js'
import { constants as C, promises as fsp } from 'node:fs'
import * as path from 'node:path'
import { CredctlError } from '../errors.js'
import { NotRegularFile, readRegularFile } from '../lib/regular-file.js'
import { KEY_BYTES, TagMismatch, decodeB64, open, seal } from './cipher.js'
import { KEY_SOURCES, type KeyHeader, type KeySource, type ScryptParams, type VaultFile } from './format.js'
import { probeKeychain, type Keychain } from './keychain.js'
import { scrypt } from './scrypt.js'

/**
 * Where the vault key lives (DESIGN section 6). The source is chosen once, when the vault is created,
 * and recorded in its header; after that the header decides, so a stray CREDCTL_MASTER_KEY can never
 * make credctl create or use a different key for an existing vault.
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

export const DEFAULT_SCRYPT = { N: 1 << 15, r: 8, p: 1 } as const
const KEY_CHECK_PLAINTEXT = 'credctl-key-check'
const checkAad = (vaultId: string) => Buffer.from(`credctl/v1/${vaultId}/key-check`, 'utf8')

const OTHER_SOURCES =
  'set CREDCTL_MASTER_KEY to the base64 of 32 random bytes (`openssl rand -base64 32`) for the env source, ' +
  'CREDCTL_PASSPHRASE for the passphrase source, or CREDCTL_KEY_FILE=PATH for the file source'

export function envKey(env: NodeJS.ProcessEnv): Buffer {
  const raw = env.CREDCTL_MASTER_KEY
  if (raw === undefined || raw === '') {
    throw new CredctlError('KEY_UNAVAILABLE', 'this vault uses the env key source but CREDCTL_MASTER_KEY is not set', {
      hint: 'export CREDCTL_MASTER_KEY with the key this vault was created with',
    })
  }
  const key = decodeB64(raw.trim())
  if (!key || key.length !== KEY_BYTES) {
    throw new CredctlError('KEY_INVALID', 'CREDCTL_MASTER_KEY must be the base64 of exactly 32 bytes', {
      hint: 'create one with `openssl rand -base64 32`',
    })
  }
  return key
}

function scryptAsync(pass: string, salt: Buffer, p: Omit<ScryptParams, 'salt'>): Promise<Buffer> {
  return scrypt(pass, salt, KEY_BYTES, p)
}

/** How many times a typed passphrase may be wrong before KEY_WRONG (exit 4), as sudo allows. */
export const PASSPHRASE_TRIES = 3

async function passphrase(ctx: KeyContext, confirm: boolean, triesLeft?: number): Promise<string> {
  const fromEnv = ctx.env.CREDCTL_PASSPHRASE
  if (fromEnv) return fromEnv
  if (!ctx.askPassphrase) {
    throw new CredctlError('KEY_UNAVAILABLE', 'this vault uses a passphrase but CREDCTL_PASSPHRASE is not set and there is no terminal to ask on', {
      hint: 'export CREDCTL_PASSPHRASE, or run credctl in a terminal',
    })
  }
  const p = await ctx.askPassphrase({ confirm, ...(triesLeft !== undefined ? { triesLeft } : {}) })
  if (!p) throw new CredctlError('INVALID_INPUT', 'the passphrase is empty')
  return p
}

async function readKeyFile(file: string): Promise<Buffer> {
  let st
  try {
    st = await fsp.stat(file)
  } catch {
    throw new CredctlError('KEY_UNAVAILABLE', `key file ${file} does not exist`, { hint: 'put the key file back at that path: a file-source vault records where its key lives, and CREDCTL_KEY_FILE only chooses it for a new vault' })
  }
  // Like ssh with private keys: a key file others can read, or that another user owns (and so could
  // swap), is refused, not used.
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) {
    throw new CredctlError('KEY_INVALID', `key file ${file} is owned by another user (uid ${st.uid})`, { hint: `chown it to the user running credctl` })
  }
  if ((st.mode & 0o077) !== 0) {
    throw new CredctlError('KEY_INVALID', `key file ${file} is readable by other users (mode ${(st.mode & 0o777).toString(8)})`, {
      hint: `chmod 600 ${file}`,
    })
  }
  // Only a regular file: a FIFO there would block the read for ever.
  const text = await readRegularFile(file).catch((e: unknown) => {
    throw new CredctlError('KEY_INVALID', `cannot read key file ${file}: ${e instanceof NotRegularFile ? `it is ${e.kind}` : (e as NodeJS.ErrnoException).code ?? 'error'}`)
  })
  const key = decodeB64(text.trim())
  if (!key || key.length !== KEY_BYTES) throw new CredctlError('KEY_INVALID', `key file ${file} does not hold the base64 of 32 bytes`)
  return key
}

function keyFilePath(ctx: KeyContext, vaultFile: string): string {
  const p = ctx.env.CREDCTL_KEY_FILE
  if (!p) throw new CredctlError('USAGE', 'the file key source needs CREDCTL_KEY_FILE=PATH')
  const abs = path.resolve(p)
  // The point of a separate key file is that copying the vault's directory does not copy the key.
  const vdir = path.resolve(path.dirname(vaultFile))
  if (abs === vdir || abs.startsWith(vdir + path.sep)) {
    throw new CredctlError('USAGE', `key file ${abs} must be outside the vault's directory ${vdir}`)
  }
  return abs
}

/**
 * Decide the key source of a new vault: explicit choice, then configured env vars, then the keychain.
 * Also tells `status` whether a vault not created yet will need the keychain. Throws USAGE for an
 * unknown explicit choice.
 */
export async function chooseSource(ctx: KeyContext): Promise<KeySource> {
  const explicit = ctx.keySource ?? ctx.env.CREDCTL_KEY_SOURCE
  if (explicit) {
    if (!(KEY_SOURCES as readonly string[]).includes(explicit)) {
      throw new CredctlError('USAGE', `unknown key source "${explicit}": use one of ${KEY_SOURCES.join(', ')}`)
    }
    return explicit as KeySource
  }
  if (ctx.env.CREDCTL_MASTER_KEY) return 'env'
  if (ctx.env.CREDCTL_KEY_FILE) return 'file'
  if (ctx.env.CREDCTL_PASSPHRASE) return 'passphrase'
  return 'keychain'
}

export interface NewKey {
  vaultId: string
  key: Buffer
  header: KeyHeader
  /**
   * Writes the key file (file source), under the vault lock just before the vault is first written.
   * A keychain key is already stored when createVaultKey returns: that happens before the lock is
   * taken (a keychain call may wait up to its timeout, and must not hold other writers up).
   */
  persist: () => Promise<void>
  /** Under the lock: undoes persist() when the vault write failed. */
  unpersist: () => Promise<void>
  /** After the lock is released, when the vault was not written: removes the keychain entry createVaultKey stored. */
  discard: () => Promise<void>
}

export async function createVaultKey(vaultId: string, vaultFile: string, ctx: KeyContext): Promise<NewKey> {
  const source = await chooseSource(ctx)
  const check = (key: Buffer) => seal(key, KEY_CHECK_PLAINTEXT, checkAad(vaultId))
  const noop = async () => {}
  switch (source) {
    case 'env': {
      const key = envKey(ctx.env)
      return { vaultId, key, header: { source, check: check(key) }, persist: noop, unpersist: noop, discard: noop }
    }
    case 'passphrase': {
      const pass = await passphrase(ctx, true)
      const salt = crypto().randomBytes(16)
      const key = await scryptAsync(pass, salt, DEFAULT_SCRYPT)
      return {
        vaultId,
        key,
        header: { source, check: check(key), scrypt: { salt: salt.toString('base64'), ...DEFAULT_SCRYPT } },
        persist: noop,
        unpersist: noop,
        discard: noop,
      }
    }
    case 'file': {
      const file = keyFilePath(ctx, vaultFile)
      let exists = true
      await fsp.access(file).catch(() => (exists = false))
      const key = exists ? await readKeyFile(file) : crypto().randomBytes(KEY_BYTES)
      return {
        vaultId,
        key,
        header: { source, check: check(key), file },
        persist: async () => {
          if (exists) return
          await fsp.mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
          const fh = await fsp.open(file, C.O_WRONLY | C.O_CREAT | C.O_EXCL, 0o600)
          await fh.chmod(0o600)
          await fh.writeFile(`${key.toString('base64')}\n`)
          await fh.sync()
          await fh.close()
        },
        unpersist: async () => {
          if (!exists) await fsp.unlink(file).catch(() => {})
        },
        discard: noop,
      }
    }
    case 'keychain': {
      const kc = ctx.keychain()
      const why = await probeKeychain(kc)
      if (why && ctx.chooseFallback) {
        const alt = await ctx.chooseFallback(why)
        if (alt.source === 'keychain') throw new CredctlError('KEY_UNAVAILABLE', `no usable OS keychain (${why})`)
        return createVaultKey(vaultId, vaultFile, { ...ctx, keySource: alt.source, env: { ...ctx.env, ...alt.env }, chooseFallback: undefined })
      }
      if (why) {
        throw new CredctlError('KEY_UNAVAILABLE', `no usable OS keychain (${why})`, { hint: `to keep the key elsewhere, ${OTHER_SOURCES}` })
      }
      const key = crypto().randomBytes(KEY_BYTES)
      await kc.set(vaultId, key.toString('base64')).catch((e: Error) => {
        throw new CredctlError('KEY_UNAVAILABLE', `cannot store the vault key in the keychain: ${e.message}`, { hint: OTHER_SOURCES })
      })
      return {
        vaultId,
        key,
        header: { source, check: check(key) },
        persist: noop,
        unpersist: noop,
        discard: async () => {
          await kc.delete(vaultId).catch(() => false)
        },
      }
    }
  }
}

/** Get and verify the key of an existing vault. Never creates one. */
/**
 * `verify: false` is for `recover` only: a damaged key check must not hide a key that still opens the
 * records (recover tries it on each record and says which). Everything else verifies.
 */
export async function loadVaultKey(vault: VaultFile, vaultFile: string, ctx: KeyContext, opts: { verify?: boolean } = {}): Promise<Buffer> {
  const h = vault.key
  let key: Buffer
  switch (h.source) {
    case 'env':
      key = envKey(ctx.env)
      break
    case 'passphrase': {
      const s = h.scrypt!
      const derive = async (triesLeft?: number) => scryptAsync(await passphrase(ctx, false, triesLeft), Buffer.from(s.salt, 'base64'), s)
      key = await derive()
      // A typed passphrase (not CREDCTL_PASSPHRASE) that does not open the vault is asked again, up to
      // PASSPHRASE_TRIES in all; the last wrong one falls through to verifyKey's KEY_WRONG. Not for
      // recover (verify: false), which must try a key even when the key check is damaged.
      const typed = !ctx.env.CREDCTL_PASSPHRASE && !!ctx.askPassphrase && opts.verify !== false
      for (let tried = 1; typed && tried < PASSPHRASE_TRIES && !opensCheck(vault, key); tried++) key = await derive(PASSPHRASE_TRIES - tried)
      break
    }
    case 'file':
      key = await readKeyFile(h.file!).catch((e: unknown) => {
        // Name the vault too: which vault's key is missing matters as much as where it was looked for.
        throw e instanceof CredctlError ? new CredctlError(e.code, `${e.message} (the key of vault ${vaultFile})`, e.hint ? { hint: e.hint } : {}) : e
      })
      if (!opensCheck(vault, key)) {
        // rotate-key commits the vault, then moves the new key from <file>.next over <file>: a crash
        // between the two leaves the new key there. Use it (the vault is never touched by a read).
        const next = await readKeyFile(nextKeyFile(h.file!)).catch(() => undefined)
        if (next && opensCheck(vault, next)) key = next
      }
      break
    case 'keychain': {
      let stored: string | null
      try {
        stored = await ctx.keychain().get(keychainAccount(vault))
      } catch (e) {
        throw new CredctlError('KEY_UNAVAILABLE', `cannot read the key of vault ${vaultFile} from the OS keychain: ${(e as Error).message}`, {
          hint: 'unlock the keychain (or start a Secret Service such as gnome-keyring) and retry',
        })
      }
      if (!stored) {
        throw new CredctlError('KEY_UNAVAILABLE', `the OS keychain has no key for vault ${vaultFile} (service credctl, account ${keychainAccount(vault)})`, {
          hint: 'this vault was created on another machine or its keychain entry was removed; credctl will not create a new key for it',
        })
      }
      const k = decodeB64(stored)
      if (!k || k.length !== KEY_BYTES) throw new CredctlError('KEY_INVALID', `the keychain entry for vault ${vaultFile} is not a valid key`)
      key = k
      break
    }
  }
  if (opts.verify !== false) verifyKey(vault, vaultFile, key)
  return key
}

/** The keychain account of a vault's key: the vault id, or `<vault id>:<n>` once rotated. */
export const keychainAccount = (vault: Pick<VaultFile, 'vault_id' | 'key'>): string => vault.key.account ?? vault.vault_id

/** Where rotate-key stages a file-source vault's new key (same directory: the final rename is atomic). */
export const nextKeyFile = (file: string): string => `${file}.next`

export function opensCheck(vault: Pick<VaultFile, 'vault_id' | 'key'>, key: Buffer): boolean {
  try {
    open(key, vault.key.check, checkAad(vault.vault_id))
    return true
  } catch {
    return false
  }
}

export function verifyKey(vault: VaultFile, vaultFile: string, key: Buffer): void {
  try {
    open(key, vault.key.check, checkAad(vault.vault_id))
  } catch (e) {
    if (!(e instanceof TagMismatch)) throw e
    const which = { env: 'CREDCTL_MASTER_KEY', passphrase: 'passphrase', file: `key file ${vault.key.file}`, keychain: 'keychain entry' }[vault.key.source]
    throw new CredctlError('KEY_WRONG', `wrong key for vault ${vaultFile} (the ${which} does not open it)`, {
      hint: 'use the key the vault was created with (or last rotated to); the vault was not changed',
    })
  }
}

export { checkAad, KEY_CHECK_PLAINTEXT, scryptAsync }
