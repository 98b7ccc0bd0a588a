import { lstat } from 'node:fs/promises'
import { CredctlError } from '../errors.js'
import { writeFileAtomic } from '../lib/atomic-file.js'

type OutputGuard = { vaultPath(): Promise<string>; keyFiles(): Promise<string[]> }

/**
 * Whether `file` may be written as an output: never the vault's key file (Client.keyFiles), nor one of
 * the vault's own files, nor `source` (the input it is made from: a template or a .env); never a
 * directory or other non-regular file; an existing file only with `force`. Callers run it before any
 * work (so a refused output leaves no value decrypted, no history entry, no import), and
 * writeOutputFile runs it again at the write. Errors: USAGE (exit 2), naming `flag` and the file.
 */
export async function checkOutputTarget(file: string, force: boolean, client: OutputGuard, opts: { flag?: string; noun?: string; source?: { file: string; what: string } } = {}): Promise<void> {
  const flag = opts.flag ?? '--output'
  const { isVaultFile, samePath } = await import('../store/paths.js')
  for (const keyFile of await client.keyFiles()) {
    if (await samePath(file, keyFile)) {
      throw new CredctlError('USAGE', `${flag} ${file} is the vault's key file: replacing it would lock the vault for good`, { hint: 'write it somewhere else' })
    }
  }
  const noun = opts.noun ?? 'output'
  if (await isVaultFile(file, await client.vaultPath())) throw new CredctlError('USAGE', `${flag} ${file} is one of the vault's own files: write the ${noun} somewhere else`)
  if (opts.source && opts.source.file !== '-' && (await samePath(opts.source.file, file))) {
    throw new CredctlError('USAGE', `${flag} ${file} is ${opts.source.what}: write it to another file`)
  }
  const st = await lstat(file).catch(() => undefined)
  if (st && !force) throw new CredctlError('USAGE', `${flag} ${file} already exists: pass --force to replace it`)
  if (st && !st.isFile() && !st.isSymbolicLink()) throw new CredctlError('USAGE', `${flag} ${file} is not a regular file: write the ${noun} to a file`)
}

/**
 * Write an output file (`--output` of export, recover and inject: secrets, 0600; `import --template`:
 * no secret, meant to be committed, 0644 via `opts.mode`) atomically (src/lib/atomic-file.ts): linked
 * into place without `force` (never over an existing file), renamed over it with `force`. On any failure
 * the temp file is removed: nothing half-written and no leftover. Refuses what checkOutputTarget refuses.
 * Errors: USAGE (exit 2) as checkOutputTarget, INVALID_INPUT when it cannot be written (exit 2, naming errno).
 */
export async function writeOutputFile(file: string, text: string, force: boolean, client: OutputGuard, opts: { mode?: number; flag?: string; noun?: string } = {}): Promise<void> {
  const flag = opts.flag ?? '--output'
  await checkOutputTarget(file, force, client, { flag, ...(opts.noun ? { noun: opts.noun } : {}) })
  try {
    await writeFileAtomic(file, text, opts.mode ?? 0o600, { replace: force })
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'EEXIST') throw new CredctlError('USAGE', `${flag} ${file} already exists: pass --force to replace it`)
    throw new CredctlError('INVALID_INPUT', `cannot write ${flag} ${file}: ${code ?? 'error'}`)
  }
}
