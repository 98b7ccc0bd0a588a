import { constants as C } from 'node:fs'
import { CredctlError } from '../errors.js'
import { NotRegularFile } from '../lib/regular-file.js'
import { FormatError, serializeWritable, type VaultFile } from '../vault/format.js'
import { writeFileAtomic } from '../lib/durable-file.js'
import { openBesideVault } from './private-file.js'

/**
 * Reading the vault file's bytes, and version 1 as a whole document (today's session and rotate-key
 * read and write it through readVault / writeVaultFile until they talk to a VaultStore; file.ts is the
 * store that reads both versions).
 */

/** A vault of 100,000 credentials is about 70 MiB; anything far larger is not one. */
const MAX_VAULT_BYTES = 256 * 1024 * 1024

/** VAULT_DAMAGED naming the file; the hint says the file was left alone and how to save what is left. */
export function vaultDamaged(file: string, why: string): CredctlError {
  return new CredctlError('VAULT_DAMAGED', `vault ${file} is unreadable: ${why}`, {
    hint: 'credctl has not changed the file; `credctl recover --output FILE` saves every value that still decrypts, or restore it from a backup',
  })
}

/** A FormatError of a vault's text as the CredctlError a reader throws: VAULT_VERSION or VAULT_DAMAGED. */
export function vaultFormatError(file: string, e: FormatError): CredctlError {
  const err = vaultDamaged(file, e.message)
  return /unsupported vault version/.test(e.message) ? new CredctlError('VAULT_VERSION', err.message, { hint: err.hint }) : err
}

/**
 * The vault file's text, read once (never through a link, never in a directory others can write: see
 * private-file.ts); undefined when it does not exist. Throws VAULT_DAMAGED (not a regular file, larger
 * than any vault) or VAULT_IO, each naming the file.
 */
export async function readVaultText(file: string): Promise<string | undefined> {
  try {
    const fh = await openBesideVault(file, C.O_RDONLY, 'vault')
    try {
      // Reading something far larger than any vault whole would only exhaust memory.
      const st = await fh.stat()
      if (st.size > MAX_VAULT_BYTES) throw vaultDamaged(file, `it is ${st.size} bytes, more than any vault (${MAX_VAULT_BYTES})`)
      return await fh.readFile('utf8')
    } finally {
      await fh.close()
    }
  } catch (e) {
    if (e instanceof CredctlError) throw e
    if (e instanceof NotRegularFile) {
      // Not a vault at all (a directory, a FIFO, a link): nothing to recover, the path is wrong.
      throw new CredctlError('VAULT_DAMAGED', `vault ${file} is unreadable: it is ${e.kind}`, { hint: 'the vault must be a regular file: check --vault or CREDCTL_VAULT' })
    }
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return undefined
    throw new CredctlError('VAULT_IO', `cannot read vault ${file}: ${(e as Error).message}`)
  }
}

/** Write a version 1 vault atomically: temp file in the same dir (0600), fsync, rename over, fsync the directory. */
export async function writeVaultFile(file: string, vault: VaultFile): Promise<void> {
  let text: string
  try {
    text = serializeWritable(vault)
  } catch (e) {
    if (!(e instanceof FormatError)) throw e
    throw new CredctlError('INTERNAL', `${e.message} (nothing was written; vault ${file} is unchanged)`, {
      hint: 'this is a bug in credctl; please report it with the command you ran (never the value)',
    })
  }
  await writeFileAtomic(file, text, 'vault')
}
