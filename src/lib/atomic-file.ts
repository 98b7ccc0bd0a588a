import { crypto } from '../lazy-crypto.js'
import { constants as C, promises as fsp } from 'node:fs'
import * as path from 'node:path'

/**
 * Replace `file` with `text` so that a reader sees the old file or the new one, never a part: a temp
 * file (O_EXCL, random name) in the same directory, written, fsynced, renamed over. With
 * `replace: false` it is linked into place instead: link() fails with EEXIST when `file` exists, so
 * there is no window in which another file could be replaced. The temp file is removed when anything
 * fails. `mode` is applied with chmod (the umask does not narrow it).
 * Throws the fs error (EEXIST, EACCES, ENOSPC, EISDIR...); the caller words it.
 */
export async function writeFileAtomic(file: string, text: string, mode: number, opts: { replace?: boolean } = {}): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${crypto().randomBytes(4).toString('hex')}.tmp`)
  const fh = await fsp.open(tmp, C.O_WRONLY | C.O_CREAT | C.O_EXCL, mode)
  let open = true
  try {
    await fh.chmod(mode)
    await fh.writeFile(text, 'utf8')
    await fh.sync()
    open = false
    await fh.close() // NFS reports a full disk as late as close()
    if (opts.replace === false) {
      await fsp.link(tmp, file)
      await fsp.unlink(tmp)
    } else {
      await fsp.rename(tmp, file)
    }
  } catch (e) {
    if (open) await fh.close().catch(() => {})
    await fsp.unlink(tmp).catch(() => {})
    throw e
  }
}

/** fsync a directory, so a rename in it survives a crash. */
export async function fsyncDir(dir: string): Promise<void> {
  const d = await fsp.open(dir, 'r')
  try {
    await d.sync()
  } finally {
    await d.close()
  }
}
