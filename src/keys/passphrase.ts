import { crypto } from '../lazy-crypto.js'
import { CredctlError } from '../errors.js'
import { KEY_BYTES } from '../vault/cipher.js'
import type { ScryptParams } from '../vault/format.js'
import { scrypt } from '../vault/scrypt.js'
import { opensCheck, sealCheck, verifyCheck } from './check.js'
import type { KeyContext, KeySourceModule } from './types.js'
import { none, noop } from './steps.js'

/** scrypt parameters of a new passphrase vault (and of each rotation), recorded in its header. */
export const DEFAULT_SCRYPT = { N: 1 << 15, r: 8, p: 1 } as const

/** How many times a typed passphrase may be wrong before KEY_WRONG (exit 4), as sudo allows. */
export const PASSPHRASE_TRIES = 3

/** The 32-byte key from `pass`; parameters over the bound (src/vault/scrypt.ts) reject with RangeError. */
export function scryptAsync(pass: string, salt: Buffer, p: Omit<ScryptParams, 'salt'>): Promise<Buffer> {
  return scrypt(pass, salt, KEY_BYTES, p)
}

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

/** A fresh salt and the key it gives `pass`, as a header's scrypt field. */
async function derive(pass: string): Promise<{ key: Buffer; scrypt: ScryptParams }> {
  const salt = crypto().randomBytes(16)
  const key = await scryptAsync(pass, salt, DEFAULT_SCRYPT)
  return { key, scrypt: { salt: salt.toString('base64'), ...DEFAULT_SCRYPT } }
}


/**
 * `passphrase`: the key is derived (scrypt, salt and bounded parameters in the header) from
 * CREDCTL_PASSPHRASE or a hidden prompt. credctl stores nothing outside the vault, so it has nowhere to
 * keep a vault's sequence number: rollback of such a vault is not detected (sequence() is undefined).
 */
export const passphraseSource: KeySourceModule = {
  name: 'passphrase',
  summary: 'derived from a passphrase you type each time (or CREDCTL_PASSPHRASE)',
  place: 'a passphrase',
  env: [
    { name: 'CREDCTL_PASSPHRASE', doc: 'passphrase, for the passphrase source (otherwise a hidden prompt)' },
    { name: 'CREDCTL_NEW_PASSPHRASE', doc: 'the new passphrase, for rotate-key of a passphrase vault (otherwise a prompt)' },
  ],
  chosenBy: { variable: 'CREDCTL_PASSPHRASE', precedence: 3, how: 'CREDCTL_PASSPHRASE' },
  fallback: { label: 'passphrase', order: 1, then: { do: 'use' } },
  usesKeychain: false,
  describeKey: () => 'passphrase',

  async create({ vaultId, ctx }) {
    const { key, scrypt } = await derive(await passphrase(ctx, true))
    return { vaultId, key, header: { source: 'passphrase', check: sealCheck(vaultId, key), scrypt }, persist: noop, unpersist: noop, discard: noop }
  },

  async load({ vault, vaultFile, ctx, verify }) {
    const s = vault.key.scrypt!
    const derive = async (triesLeft?: number) => scryptAsync(await passphrase(ctx, false, triesLeft), Buffer.from(s.salt, 'base64'), s)
    let key = await derive()
    // A typed passphrase (not CREDCTL_PASSPHRASE) that does not open the vault is asked again, up to
    // PASSPHRASE_TRIES in all; the last wrong one falls through to the key check's KEY_WRONG. Not for
    // recover (verify: false), which must try a key even when the key check is damaged.
    const typed = !ctx.env.CREDCTL_PASSPHRASE && !!ctx.askPassphrase && verify
    for (let tried = 1; typed && tried < PASSPHRASE_TRIES && !opensCheck(vault, key); tried++) key = await derive(PASSPHRASE_TRIES - tried)
    if (verify) verifyCheck(vault, vaultFile, key, 'passphrase')
    return key
  },

  async stageRotation({ ctx, vault, askNewPassphrase }) {
    let pass = ctx.env.CREDCTL_NEW_PASSPHRASE
    if (!pass) {
      if (!askNewPassphrase) {
        throw new CredctlError('USAGE', 'rotate-key on a passphrase vault needs the new passphrase: set CREDCTL_NEW_PASSPHRASE or run it in a terminal')
      }
      pass = await askNewPassphrase()
      if (!pass) throw new CredctlError('INVALID_INPUT', 'the new passphrase is empty')
    }
    const { key, scrypt } = await derive(pass)
    return {
      key,
      header: { source: 'passphrase', check: sealCheck(vault.vault_id, key), scrypt },
      before: noop,
      undo: noop,
      after: async () => ['the vault now opens only with the new passphrase'],
      discard: noop,
      retire: none,
    }
  },

  sequence: () => undefined,
}
