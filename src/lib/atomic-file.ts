import { randomBytes } from 'node:crypto'
import { constants as C, promises as fsp } from 'node:fs'
import * as path from 'node:path'

/**
 * Replace `file` with `text` so that a reader sees the old file or the new one, never a part: a temp
 * file (O_EXCL, random name) in the same directory, written, fsynced, renamed over. The temp file is
 * removed when anything fails. `mode` is applied with chmod (the umask does not narrow it).
 * Throws the fs error (EACCES, ENOSPC, EISDIR...); the caller words it.
 */
export async function writeFileAtomic(file: string, text: string, mode: number): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  const fh = await fsp.open(tmp, C.O_WRONLY | C.O_CREAT | C.O_EXCL, mode)
  try {
    await fh.chmod(mode)
    await fh.writeFile(text, 'utf8')
    await fh.sync()
    await fh.close()
    await fsp.rename(tmp, file)
  } catch (e) {
    await fh.close().catch(() => {})
    await fsp.unlink(tmp).catch(() => {})
    throw e
  }
}
