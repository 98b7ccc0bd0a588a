import { CredctlError } from '../errors.js'
import { KEY_SOURCES, type HeaderSource, type KeyHeader, type KeySource, type VaultFile } from '../vault/format.js'
import { opensCheck, verifyCheck } from './check.js'
import { envSource } from './env.js'
import { fileSource } from './file.js'
import { keychainSource } from './keychain.js'
import { passphraseSource } from './passphrase.js'
import { teamSource } from './team-source.js'
import type { AnySourceModule, EnvVarDoc, KeyContext, KeySourceModule, NewKey, SequenceKeeper } from './types.js'

/**
 * THE list of key sources (DESIGN section 6). Typed by KeySource, so a source added to
 * src/vault/format.ts KEY_SOURCES without a module here fails to compile, and a module here without an
 * entry there does too. Everything that names the sources derives from this list: chooseSource, the
 * CLI's --key-source choices and help, the no-keychain prompt, `status`, and the README test.
 *
 * Adding a source: a module in this directory implementing KeySourceModule (types.ts), its name in
 * KEY_SOURCES (src/vault/format.ts, which also parses its header fields), and its entry here.
 */
export const SOURCES: Readonly<Record<KeySource, KeySourceModule>> = {
  keychain: keychainSource,
  env: envSource,
  passphrase: passphraseSource,
  file: fileSource,
}

/**
 * The module of any source a header may name: the local ones above, and `team` (keys/team-source.ts, its work in keys/team.ts), which no
 * --key-source chooses (a team vault is made by `credctl vault create`).
 */
export const moduleFor = (source: HeaderSource): AnySourceModule => (source === 'team' ? teamSource : SOURCES[source])

/** The source a new vault takes when nothing chooses another. */
export const DEFAULT_SOURCE: KeySource = 'keychain'

/** The modules in KEY_SOURCES order (the order of help and error messages). */
export const keySources = (): KeySourceModule[] => KEY_SOURCES.map((s) => SOURCES[s])

/** Every environment variable a key source reads, with its source. */
export const keySourceEnv = (): (EnvVarDoc & { source: KeySource })[] => keySources().flatMap((m) => m.env.map((e) => ({ ...e, source: m.name })))

/**
 * Decide the key source of a new vault: explicit choice, then the first configured variable of a
 * source's `chosenBy` (by precedence), then the default. Also tells `status` whether a vault not
 * created yet will need the keychain. Throws USAGE for an unknown explicit choice.
 */
export async function chooseSource(ctx: KeyContext): Promise<KeySource> {
  const explicit = ctx.keySource ?? ctx.env.CREDCTL_KEY_SOURCE
  if (explicit) {
    if (!Object.hasOwn(SOURCES, explicit)) {
      throw new CredctlError('USAGE', `unknown key source "${explicit}": use one of ${KEY_SOURCES.join(', ')}`)
    }
    return explicit as KeySource
  }
  const configured = keySources()
    .filter((m) => m.chosenBy && ctx.env[m.chosenBy.variable])
    .sort((a, b) => a.chosenBy!.precedence - b.chosenBy!.precedence)
  return configured[0]?.name ?? DEFAULT_SOURCE
}

/** "set A for the env source, B for the passphrase source, or C for the file source": every source but `source` that a variable chooses. */
export function otherSources(source: KeySource): string {
  const parts = keySources()
    .filter((m) => m.name !== source && m.chosenBy)
    .map((m) => `${m.chosenBy!.how} for the ${m.name} source`)
  return `set ${parts.length > 1 ? `${parts.slice(0, -1).join(', ')}, or ${parts.at(-1)}` : (parts[0] ?? '')}`
}

/** A new vault's key from the source chooseSource picks (see NewKey for the steps around the first write). */
export async function createVaultKey(vaultId: string, vaultFile: string, ctx: KeyContext): Promise<NewKey> {
  const source = await chooseSource(ctx)
  return SOURCES[source].create({ vaultId, vaultFile, ctx, recreate: (next) => createVaultKey(vaultId, vaultFile, next), otherSources: otherSources(source) })
}

/**
 * Get and verify the key of an existing vault (its header names the source). Never creates one.
 * `verify: false` is for `recover` only: a damaged key check must not hide a key that still opens the
 * records (recover tries it on each record and says which). Everything else verifies (KEY_WRONG, exit 4).
 */
export async function loadVaultKey(vault: Pick<VaultFile, 'vault_id' | 'key' | 'team'>, vaultFile: string, ctx: KeyContext, opts: { verify?: boolean } = {}): Promise<Buffer> {
  return moduleFor(vault.key.source).load({ vault, vaultFile, ctx, verify: opts.verify !== false })
}

/** Throws KEY_WRONG (exit 4) when `key` does not open the vault's key check, naming what held the key. */
export function verifyKey(vault: Pick<VaultFile, 'vault_id' | 'key'>, vaultFile: string, key: Buffer): void {
  verifyCheck(vault, vaultFile, key, moduleFor(vault.key.source).describeKey(vault.key))
}

/**
 * Where the key source of `vault` keeps the highest sequence number seen for it (issue 13 point 5), or
 * undefined when it has nowhere to (env, passphrase). `vaultLocation`: the vault's path (or URL), for
 * messages. The keeper is keyed by the vault id, so it survives rotate-key. Nothing is read until
 * read() or raise() is called.
 */
export function keptSequence(vault: { vault_id: string; key: KeyHeader; team?: VaultFile['team'] }, vaultLocation: string, ctx: KeyContext): SequenceKeeper | undefined {
  return moduleFor(vault.key.source).sequence(vault, vaultLocation, ctx)
}

export { opensCheck }
export { envKey } from './env.js'
export { keyFilesOf, nextKeyFile, sequenceFile } from './file.js'
export { keychainAccount, sequenceAccount } from './keychain.js'
export { KeychainError, osKeychain, probeKeychain, SERVICE, type Keychain } from './os-keychain.js'
export { DEFAULT_SCRYPT, PASSPHRASE_TRIES, scryptAsync } from './passphrase.js'
export type { AnySourceModule, EnvVarDoc, FallbackStep, KeyContext, KeySourceModule, NewKey, RotationFacts, RotationInput, SequenceKeeper, StagedRotation } from './types.js'
export { KEY_SOURCES, type HeaderSource, type KeySource } from '../vault/format.js'
