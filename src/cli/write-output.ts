import * as path from 'node:path'
import { CredctlError } from '../errors.js'
import { writeFileAtomic } from '../lib/atomic-file.js'

/**
 * Write an output file (`--output` of export, recover and inject: secrets, 0600; `import --template`:
 * no secret, meant to be committed, 0644 via `opts.mode`) atomically (src/lib/atomic-file.ts): linked
 * into place without `force` (never over an existing file), renamed over it with `force`. On any failure
 * the temp file is removed: nothing half-written and no leftover.
 * Refuses the vault's own files (and what lies beside them) and its key file (Client.keyFiles). Errors: USAGE when OUT exists without
 * `force` or is a vault file (exit 2), INVALID_INPUT when it cannot be written (exit 2, naming errno).
 */
export async function writeOutputFile(
  file: string,
  text: string,
  force: boolean,
  client: { vaultPath(): Promise<string>; keyFiles(): Promise<string[]> },
  opts: { mode?: number; flag?: string } = {},
): Promise<void> {
  const mode = opts.mode ?? 0o600
  const flag = opts.flag ?? '--output'
  const { isVaultFile, samePath } = await import('../vault/paths.js')
  const vaultFile = await client.vaultPath()
  for (const keyFile of await client.keyFiles()) {
    if (await samePath(file, keyFile)) {
      throw new CredctlError('USAGE', `${flag} ${file} is the vault's key file: replacing it would lock the vault for good`, { hint: 'write it somewhere else' })
    }
  }
  if (await isVaultFile(file, vaultFile)) {
    throw new CredctlError('USAGE', `${flag} ${file} is one of the vault's own files (${path.basename(vaultFile)} and what lies beside it): credctl never replaces them`, {
      hint: 'write it somewhere else',
    })
  }
  try {
    await writeFileAtomic(file, text, mode, { replace: force })
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'EEXIST') throw new CredctlError('USAGE', `${flag} ${file} already exists: pass --force to replace it`)
    throw new CredctlError('INVALID_INPUT', `cannot write ${flag} ${file}: ${code ?? 'error'}`)
  }
}
