import { fsyncDir, removeDeadTemps, writeFileAtomic as writeAtomic } from './atomic-file.js'
import { promises as fsp } from 'node:fs'
import * as path from 'node:path'
import { CredctlError } from '../errors.js'
import { describeErrno, errnoOf } from './errno.js'

/**
 * Writing the files credctl keeps beside the vault (the vault, schemas, rotation files): private
 * modes, atomic replacement, and a failed write worded as the vault's I/O error.
 */

/** Every file credctl keeps: readable by its owner only. */
export const FILE_MODE = 0o600
/** Every directory credctl creates. */
export const DIR_MODE = 0o700

export async function ensureDir(dir: string): Promise<void> {
  const first = await fsp.mkdir(dir, { recursive: true, mode: DIR_MODE }).catch((e: unknown) => {
    throw errnoOf(e) ? new CredctlError('VAULT_IO', `cannot create the directory ${dir}: ${describeErrno(e)} (nothing was changed)`, { cause: e }) : e
  })
  // mkdir's mode is filtered by the umask: set it explicitly on every directory credctl created. A
  // directory that already existed keeps its mode: `--vault /tmp/v.json` must not chmod /tmp (or the
  // user's project directory) to 0700.
  if (first === undefined) return
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    await fsp.chmod(d, DIR_MODE)
    if (d === path.resolve(first) || d === path.dirname(d)) break
  }
}

/**
 * A failed write as a typed error: a full disk, a quota, an I/O error or a read-only mount is the vault's
 * I/O error (exit 4) in one line, never "internal error" with a stack. Other errors pass unchanged.
 */
export function writeFailed(e: unknown, what: string, file: string, outcome: string): unknown {
  if (e instanceof CredctlError || !errnoOf(e)) return e
  return new CredctlError('VAULT_IO', `${what} ${file} could not be written: ${describeErrno(e)} (${outcome})`, {
    hint: errnoOf(e) === 'ENOSPC' || errnoOf(e) === 'EDQUOT' ? 'free some space and run the command again' : undefined,
    cause: e,
  })
}

/**
 * Temp file in the same directory (0600, O_EXCL), write, fsync, rename over, fsync the directory:
 * a crash or a full disk leaves the old file or the new one, and no temp file. Temp files of dead
 * writers are removed first. `what` names the file in messages ("vault", "key file").
 */
export async function writeFileAtomic(file: string, text: string, what = 'file'): Promise<void> {
  const dir = path.dirname(file)
  try {
    await writeAtomic(file, text, FILE_MODE)
  } catch (e) {
    throw writeFailed(e, what, file, 'nothing was changed')
  }
  try {
    await fsyncDir(dir)
  } catch (e) {
    throw writeFailed(e, what, file, 'the new content is in place but may not survive a crash')
  }
}

export { fsyncDir, removeDeadTemps }
