import { constants as C, promises as fsp } from 'node:fs'
import * as path from 'node:path'
import { CredctlError } from '../errors.js'
import { kindOf, NotRegularFile } from '../lib/regular-file.js'

/**
 * How credctl opens the files that live beside the vault (the vault itself, its history): never through
 * a symbolic link, and only in a directory other users cannot write. One function, so the vault and the
 * history cannot drift apart again.
 *
 * - Links: the last path component is opened with O_NOFOLLOW. A symlinked vault path is refused, for
 *   reads and writes alike, never followed for reads and then silently replaced by a regular file at
 *   the first write (rename() replaces the link, not its target). Refusing is the rule ssh applies to
 *   its private files; a link in a parent directory (a symlinked home, /var -> /private/var) is fine.
 * - Directories: one writable by the group or by everyone lets those users rename or delete the vault
 *   and put their own file (or a link to yours) in its place. Refused, unless the sticky bit is set
 *   (/tmp, 1777): there others cannot rename or unlink your files, only pre-create names you have not
 *   created yet, and none of those can capture a write. The vault's temp files are O_EXCL with random
 *   names, the lock is created by link()/O_EXCL, the history is opened with O_NOFOLLOW and chmod()ed,
 *   which fails on a file another user owns, and a vault someone else created fails its key check
 *   (exit 4) before credctl writes anything. Tests and CI put vaults under /tmp, which this allows.
 */
const NOFOLLOW = C.O_NOFOLLOW ?? 0

/** Refuse a directory other users can write (see above). A directory that does not exist yet is fine. */
export async function checkVaultDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return
  // Every ancestor too, as ssh does: whoever may rename a directory above the vault can put another
  // directory, and another vault, in its place.
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const st = await fsp.stat(d).catch(() => undefined)
    if (st && (st.mode & 0o022) !== 0 && (st.mode & 0o1000) === 0) {
      const mode = (st.mode & 0o777).toString(8)
      const which = d === path.resolve(dir) ? 'vault directory' : 'a directory above the vault,'
      throw new CredctlError('VAULT_IO', `${which} ${d} is writable by other users (mode ${mode}): they could replace the vault`, {
        hint: `chmod go-w ${d}, or keep the vault in a private directory`,
      })
    }
    if (d === path.dirname(d)) return
  }
}

/**
 * Open a file beside the vault without following a link at its path, after checking its directory.
 * `what` names it in messages ("vault", "history file"). Anything but a regular file (a directory, a
 * FIFO) is NotRegularFile; other errors are the caller's to describe.
 */
export async function openBesideVault(file: string, flags: number, what: string, mode?: number): Promise<fsp.FileHandle> {
  await checkVaultDir(path.dirname(file))
  let fh: fsp.FileHandle
  try {
    // O_NONBLOCK: a FIFO put at the path opens at once (instead of waiting for a writer for ever) and is
    // then refused by the type check below (see lib/regular-file.ts).
    fh = await fsp.open(file, flags | NOFOLLOW | C.O_NONBLOCK, mode)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOOP') {
      throw new CredctlError('VAULT_IO', `${what} ${file} is a symbolic link: credctl neither follows nor replaces it`, {
        hint: what === 'vault' ? 'point --vault (or CREDCTL_VAULT) at the file it links to' : 'remove the link; credctl creates the file itself',
      })
    }
    throw e
  }
  const st = await fh.stat().catch(async (e: unknown) => {
    await fh.close().catch(() => {})
    throw e
  })
  if (!st.isFile()) {
    await fh.close().catch(() => {})
    throw new NotRegularFile(file, kindOf(st)) // the caller words it (the vault: damaged; history: I/O)
  }
  return fh
}
