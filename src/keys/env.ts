import { CredctlError } from '../errors.js'
import { decodeB64, KEY_BYTES } from '../vault/cipher.js'
import { sealCheck, verifyCheck } from './check.js'
import type { KeySourceModule } from './types.js'
import { none, noop } from './steps.js'


/** The key in CREDCTL_MASTER_KEY (base64 of 32 bytes). Throws KEY_UNAVAILABLE when unset, KEY_INVALID when malformed. */
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

/**
 * `env`: the key itself in CREDCTL_MASTER_KEY, for CI and scripts. credctl stores nothing, so it has
 * nowhere to keep a vault's sequence number: rollback of such a vault is not detected (sequence() is
 * undefined).
 */
export const envSource: KeySourceModule = {
  name: 'env',
  summary: 'CREDCTL_MASTER_KEY, for CI and scripts',
  place: 'CREDCTL_MASTER_KEY',
  env: [
    { name: 'CREDCTL_MASTER_KEY', doc: 'base64 of 32 bytes: the key, for the env source (CI, scripts)' },
    { name: 'CREDCTL_NEW_MASTER_KEY', doc: 'the new key, for rotate-key of an env-source vault' },
  ],
  chosenBy: { variable: 'CREDCTL_MASTER_KEY', precedence: 1, how: 'CREDCTL_MASTER_KEY to the base64 of 32 random bytes (`openssl rand -base64 32`)' },
  fallback: {
    label: 'environment variable',
    order: 3,
    then: { do: 'refuse', message: 'no key yet: create one with `export CREDCTL_MASTER_KEY=$(openssl rand -base64 32)`, keep it safe, and run the command again' },
  },
  usesKeychain: false,
  describeKey: () => 'CREDCTL_MASTER_KEY',

  async create({ vaultId, ctx }) {
    const key = envKey(ctx.env)
    return { vaultId, key, header: { source: 'env', check: sealCheck(vaultId, key) }, persist: noop, unpersist: noop, discard: noop }
  },

  async load({ vault, vaultFile, ctx, verify }) {
    const key = envKey(ctx.env)
    if (verify) verifyCheck(vault, vaultFile, key, 'CREDCTL_MASTER_KEY')
    return key
  },

  async stageRotation({ ctx, vault, oldKey }) {
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
      header: { source: 'env', check: sealCheck(vault.vault_id, key) },
      before: noop,
      undo: noop,
      after: async () => ['the vault now opens only with the new key: set CREDCTL_MASTER_KEY to the value of CREDCTL_NEW_MASTER_KEY everywhere it is used'],
      discard: noop,
      retire: none,
    }
  },

  sequence: () => undefined,
}
