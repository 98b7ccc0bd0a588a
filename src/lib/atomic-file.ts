import { crypto } from '../lazy-crypto.js'
import { constants as C, promises as fsp, unlinkSync } from 'node:fs'
import * as path from 'node:path'
import { pidAlive } from './pid.js'

/** The temp name of a write of `file`: beside it, hidden, with the writer's pid (see removeDeadTemps). */
const tempName = (file: string) => path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${crypto().randomBytes(4).toString('hex')}.tmp`)

/**
 * Remove the temp files that writers of `base` in `dir` left when they died (SIGKILL, a crash): their
 * names carry the pid, and a pid that is not alive will never finish its rename. Such a file may hold
 * a secret (an `inject -o` output), so every write sweeps before it starts.
 */
export async function removeDeadTemps(dir: string, base: string): Promise<void> {
  const re = new RegExp(`^\\.${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(\\d+)\\.[0-9a-f]{8}\\.tmp$`)
  const names = await fsp.readdir(dir).catch(() => [] as string[])
  for (const name of names) {
    const m = re.exec(name)
    const pid = Number(m?.[1])
    if (m && pid !== process.pid && !pidAlive(pid)) await fsp.unlink(path.join(dir, name)).catch(() => {})
  }
}

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

/**
 * Replace `file` with `text` so that a reader sees the old file or the new one, never a part: a temp
 * file (O_EXCL, random name) in the same directory, written, fsynced, renamed over. With
 * `replace: false` it is linked into place instead: link() fails with EEXIST when `file` exists, so
 * there is no window in which another file could be replaced. The temp file is removed when anything
 * fails, when a signal (SIGINT, SIGTERM, SIGHUP) ends the process during the write (the signal is
 * raised again once it is gone), and by the next write of the same file if the writer was killed.
 * `mode` is applied with chmod (the umask does not narrow it).
 * Throws the fs error (EEXIST, EACCES, ENOSPC, EISDIR...); the caller words it.
 */
export async function writeFileAtomic(file: string, text: string, mode: number, opts: { replace?: boolean } = {}): Promise<void> {
  await removeDeadTemps(path.dirname(file), path.basename(file))
  const tmp = tempName(file)
  // Listening before the temp file exists: it appears as soon as open() runs on the thread pool.
  const onSignal = (sig: NodeJS.Signals) => {
    try {
      unlinkSync(tmp)
    } catch {
      // already renamed or removed
    }
    for (const s of SIGNALS) process.off(s, onSignal)
    // Nobody else listening: the default action ends the process as the signal meant to.
    if (process.listenerCount(sig) === 0) process.kill(process.pid, sig)
  }
  for (const s of SIGNALS) process.on(s, onSignal)
  let fh: fsp.FileHandle
  try {
    fh = await fsp.open(tmp, C.O_WRONLY | C.O_CREAT | C.O_EXCL, mode)
  } catch (e) {
    for (const s of SIGNALS) process.off(s, onSignal)
    throw e
  }
  let open = true
  try {
    await fh.chmod(mode)
    await writeInPieces(fh, text)
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
  } finally {
    for (const s of SIGNALS) process.off(s, onSignal)
  }
}

/** The most text encoded at once: a large vault is written without a second whole copy of it in memory. */
const PIECE = 1 << 20

/**
 * Write `text` as UTF-8 in pieces of at most PIECE UTF-16 units, never splitting a surrogate pair (each
 * piece is encoded on its own: half a pair would become U+FFFD). The bytes are those of the whole text.
 */
async function writeInPieces(fh: fsp.FileHandle, text: string): Promise<void> {
  for (let i = 0; i < text.length; ) {
    let end = Math.min(i + PIECE, text.length)
    const last = text.charCodeAt(end - 1)
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end-- // keep the pair together
    const buf = Buffer.from(text.slice(i, end), 'utf8')
    for (let off = 0; off < buf.length; ) off += (await fh.write(buf, off, buf.length - off)).bytesWritten
    i = end
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
