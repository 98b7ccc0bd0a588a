import { crypto } from '../lazy-crypto.js'
import { CredctlError } from '../errors.js'
import { decodeB64, KEY_BYTES } from '../vault/cipher.js'
import type { KeyHeader } from '../vault/format.js'
import { sealCheck, verifyCheck } from './check.js'
import { probeKeychain, SERVICE, type Keychain } from './os-keychain.js'
import { textKeeper } from './sequence.js'
import type { KeySourceModule, SequenceKeeper } from './types.js'
import { none, noop } from './steps.js'

/** The keychain account of a vault's key: the vault id, or `<vault id>:<n>` once rotated. */
export const keychainAccount = (vault: { vault_id: string; key: Pick<KeyHeader, 'account'> }): string => vault.key.account ?? vault.vault_id

/**
 * The account of a vault's kept sequence number. Its own entry, never the key's: a fault in keeping the
 * number must never risk the key. Keyed by the vault id alone, so it survives rotate-key (which moves
 * the key to a new account); `:sequence` never matches rotate-key's `:<n>` accounts.
 */
export const sequenceAccount = (vaultId: string): string => `${vaultId}:sequence`

/**
 * The sequence entry, through the same Keychain (and so the same child process and timeout) as the key.
 * raise() is read-compare-write (see SequenceKeeper.raise); like every keychain call, never under the vault lock.
 */
function keychainKeeper(kc: Keychain, vaultId: string): SequenceKeeper {
  const account = sequenceAccount(vaultId)
  return textKeeper(
    `keychain entry (service ${SERVICE}, account ${account})`,
    () =>
      kc.get(account).catch((e: Error) => {
        throw new CredctlError('KEY_UNAVAILABLE', `cannot read the vault's sequence number from the OS keychain: ${e.message}`, {
          hint: 'unlock the keychain (or start a Secret Service such as gnome-keyring) and retry',
        })
      }),
    (text) =>
      kc.set(account, text).catch((e: Error) => {
        throw new CredctlError('KEY_UNAVAILABLE', `cannot keep the vault's sequence number in the OS keychain: ${e.message}`)
      }),
  )
}

/**
 * `keychain` (the default): a random key in the OS keychain, service `credctl`, account = the vault id
 * (`<vault id>:<n>` after the n-th rotation). Every call runs in a child process killed at
 * CREDCTL_KEYCHAIN_TIMEOUT_MS (os-keychain.ts). Keeps the vault's sequence number in a second entry.
 */
export const keychainSource: KeySourceModule = {
  name: 'keychain',
  summary: 'the OS keychain (macOS Keychain, Windows Credential Manager, Secret Service): the default',
  place: 'the OS keychain',
  env: [{ name: 'CREDCTL_KEYCHAIN_TIMEOUT_MS', doc: 'how long a keychain call may take, in ms (default 5000, at most 600000)' }],
  usesKeychain: true,
  describeKey: () => 'keychain entry',

  async create({ vaultId, ctx, recreate, otherSources }) {
    const kc = ctx.keychain()
    const why = await probeKeychain(kc)
    if (why && ctx.chooseFallback) {
      const alt = await ctx.chooseFallback(why)
      if (alt.source === 'keychain') throw new CredctlError('KEY_UNAVAILABLE', `no usable OS keychain (${why})`)
      return recreate({ ...ctx, keySource: alt.source, env: { ...ctx.env, ...alt.env }, chooseFallback: undefined })
    }
    if (why) {
      throw new CredctlError('KEY_UNAVAILABLE', `no usable OS keychain (${why})`, { hint: `to keep the key elsewhere, ${otherSources}` })
    }
    const key = crypto().randomBytes(KEY_BYTES)
    await kc.set(vaultId, key.toString('base64')).catch((e: Error) => {
      throw new CredctlError('KEY_UNAVAILABLE', `cannot store the vault key in the keychain: ${e.message}`, { hint: otherSources })
    })
    return {
      vaultId,
      key,
      header: { source: 'keychain', check: sealCheck(vaultId, key) },
      persist: noop,
      unpersist: noop,
      discard: async () => {
        await kc.delete(vaultId).catch(() => false)
      },
    }
  },

  async load({ vault, vaultFile, ctx, verify }) {
    const account = keychainAccount(vault)
    let stored: string | null
    try {
      stored = await ctx.keychain().get(account)
    } catch (e) {
      throw new CredctlError('KEY_UNAVAILABLE', `cannot read the key of vault ${vaultFile} from the OS keychain: ${(e as Error).message}`, {
        hint: 'unlock the keychain (or start a Secret Service such as gnome-keyring) and retry',
      })
    }
    if (!stored) {
      throw new CredctlError('KEY_UNAVAILABLE', `the OS keychain has no key for vault ${vaultFile} (service ${SERVICE}, account ${account})`, {
        hint: 'this vault was created on another machine or its keychain entry was removed; credctl will not create a new key for it',
      })
    }
    const key = decodeB64(stored)
    if (!key || key.length !== KEY_BYTES) throw new CredctlError('KEY_INVALID', `the keychain entry for vault ${vaultFile} is not a valid key`)
    if (verify) verifyCheck(vault, vaultFile, key, 'keychain entry')
    return key
  },

  async stageRotation({ ctx, vault }) {
    const kc = ctx.keychain()
    const oldAccount = keychainAccount(vault)
    const n = Number(/:(\d+)$/.exec(oldAccount)?.[1] ?? 0) + 1
    const account = `${vault.vault_id}:${n}`
    const key = crypto().randomBytes(KEY_BYTES)
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
    const staged: Awaited<ReturnType<KeySourceModule['stageRotation']>> = {
      key,
      header: { source: 'keychain', check: sealCheck(vault.vault_id, key), account },
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
  },

  sequence: (vault, _location, ctx) => keychainKeeper(ctx.keychain(), vault.vault_id),
}
