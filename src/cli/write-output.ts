import { randomBytes } from 'node:crypto'
import { constants as C, promises as fsp } from 'node:fs'
import * as path from 'node:path'
import { CredctlError } from '../errors.js'

/**
 * Write an output file (`--output` of export, recover and inject: secrets, 0600; `import --template`:
 * no secret, meant to be committed, 0644 via `opts.mode`) atomically: a temp file of that mode
 * beside it (O_EXCL, random name), written, fsynced, then linked into place (without `force`: link()
 * fails when the target exists, so no window in which another file could be replaced) or renamed over it
 * (with `force`). On any failure the temp file is removed: nothing half-written and no leftover.
 * Refuses the vault's own files (and what lies beside them). Errors: USAGE when OUT exists without
 * `force` or is a vault file (exit 2), INVALID_INPUT when it cannot be written (exit 2, naming errno).
 */
export async function writeOutputFile(file: string, text: string, force: boolean, vaultFile: string, opts: { mode?: number; flag?: string } = {}): Promise<void> {
  const mode = opts.mode ?? 0o600
  const flag = opts.flag ?? '--output'
  const { isVaultFile } = await import('../vault/paths.js')
  if (await isVaultFile(file, vaultFile)) {
    throw new CredctlError('USAGE', `${flag} ${file} is one of the vault's own files (${path.basename(vaultFile)} and what lies beside it): credctl never replaces them`, {
      hint: 'write it somewhere else',
    })
  }
  const dir = path.dirname(file)
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  let fh
  try {
    fh = await fsp.open(tmp, C.O_WRONLY | C.O_CREAT | C.O_EXCL, mode)
  } catch (e) {
    throw new CredctlError('INVALID_INPUT', `cannot write ${flag} ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`)
  }
  try {
    await fh.chmod(mode)
    await fh.writeFile(text, 'utf8')
    await fh.sync()
    await fh.close()
    if (!force) {
      await fsp.link(tmp, file)
      await fsp.unlink(tmp)
    } else {
      await fsp.rename(tmp, file)
    }
  } catch (e) {
    await fh.close().catch(() => {})
    await fsp.unlink(tmp).catch(() => {})
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new CredctlError('USAGE', `${flag} ${file} already exists: pass --force to replace it`)
    throw new CredctlError('INVALID_INPUT', `cannot write ${flag} ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`)
  }
}
