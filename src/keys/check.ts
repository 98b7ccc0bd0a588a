import { CredctlError } from '../errors.js'
import { open, seal, TagMismatch } from '../vault/cipher.js'
import type { KeyHeader } from '../vault/format.js'

/**
 * The key check: a constant sealed under the vault key and bound to the vault id, stored in the header.
 * It tells "wrong key" apart from "damaged record" before anything is decrypted. Shared by every source.
 */
export const KEY_CHECK_PLAINTEXT = 'credctl-key-check'
export const checkAad = (vaultId: string): Buffer => Buffer.from(`credctl/v1/${vaultId}/key-check`, 'utf8')

/** The header's `check` for `key` in vault `vaultId`. */
export const sealCheck = (vaultId: string, key: Buffer): string => seal(key, KEY_CHECK_PLAINTEXT, checkAad(vaultId))

export function opensCheck(vault: { vault_id: string; key: Pick<KeyHeader, 'check'> }, key: Buffer): boolean {
  try {
    open(key, vault.key.check, checkAad(vault.vault_id))
    return true
  } catch {
    return false
  }
}

/** Throws KEY_WRONG (exit 4) naming `what` (e.g. "key file /x") when `key` does not open the check. */
export function verifyCheck(vault: { vault_id: string; key: Pick<KeyHeader, 'check'> }, vaultFile: string, key: Buffer, what: string): void {
  try {
    open(key, vault.key.check, checkAad(vault.vault_id))
  } catch (e) {
    if (!(e instanceof TagMismatch)) throw e
    throw new CredctlError('KEY_WRONG', `wrong key for vault ${vaultFile} (the ${what} does not open it)`, {
      hint: 'use the key the vault was created with (or last rotated to); the vault was not changed',
    })
  }
}
