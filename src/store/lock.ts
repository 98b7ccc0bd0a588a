import { crypto } from '../lazy-crypto.js'
import { constants as C, promises as fsp } from 'node:fs'
import * as path from 'node:path'
import { CredctlError } from '../errors.js'
import { pidAlive } from '../lib/pid.js'
import { NotRegularFile, openRegular, readRegularFile } from '../lib/regular-file.js'
import { FILE_MODE, writeFailed } from '../lib/durable-file.js'

/**
 * The writers' lock of a file beside the vault (the vault itself, its history): `<file>.lock`. Readers
 * never lock: writers only ever rename a complete, fsynced temp file over the file (file-io.ts), so a
 * reader sees the old or the new file, never half of one.
 */
export interface LockOptions {
  /** How long a writer waits for the lock before giving up (exit 4). */
  lockTimeoutMs?: number
}

/**
 * What a lock file is (inode, change time, content): a lock re-created by someone else never matches.
 * `foreign` when the path is not a regular file (a symlink, dangling or not, a directory, a FIFO...):
 * credctl never makes one, so it is never released by waiting. Read without following links and with
 * O_NONBLOCK, so neither a symlink nor a FIFO can redirect or block the read.
 */
type LockSeen = { id: string; content: string; mtimeMs: number; foreign?: string }
async function lockIdentity(lock: string): Promise<LockSeen | undefined> {
  try {
    const fh = await openRegular(lock, { follow: false })
    try {
      const st = await fh.stat({ bigint: true })
      // A lock is one short line; anything large is not one (never stale, so the deadline applies).
      const content = st.size <= 200n ? await fh.readFile('utf8') : 'not a lock'
      return { id: `${st.ino}:${st.ctimeNs}:${content}`, content, mtimeMs: Number(st.mtimeMs) }
    } finally {
      await fh.close().catch(() => {})
    }
  } catch (e) {
    if (e instanceof NotRegularFile) return { id: 'foreign', content: '', mtimeMs: Date.now(), foreign: e.kind }
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    // Unreadable (permissions): never judged stale; the deadline applies.
    return { id: 'unreadable', content: '', mtimeMs: Date.now() }
  }
}

/**
 * Remove a stale lock, one reclaimer at a time. Two waiters that both saw the same dead holder must not
 * both unlink: the second would delete the fresh lock the first has just taken, and two writers would
 * run at once. So reclaiming takes a second O_EXCL file, re-checks that the lock is still the very file
 * judged stale, and only then removes it. A guard left by a reclaimer that died (whatever it is: file,
 * symlink, empty directory) is removed once it is 2 s old. Returns without waiting: the caller's loop
 * sleeps and checks the deadline, whatever happened here.
 */
async function reclaim(lock: string, staleId: string): Promise<void> {
  const guard = `${lock}.reclaim`
  try {
    await (await fsp.open(guard, C.O_WRONLY | C.O_CREAT | C.O_EXCL | C.O_NOFOLLOW, FILE_MODE)).close()
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return
    const st = await fsp.lstat(guard).catch(() => undefined)
    if (st && Date.now() - st.mtimeMs > 2000) await fsp.unlink(guard).catch(() => fsp.rmdir(guard)).catch(() => {})
    return
  }
  try {
    if ((await lockIdentity(lock))?.id === staleId) await fsp.unlink(lock).catch(() => {})
  } finally {
    await fsp.unlink(guard).catch(() => {})
  }
}

/**
 * Take the lock file, or return false when it exists. The lock appears with its content in one step: the
 * token is written to a temp file (named like the vault's temp files, so a dead writer's is cleaned up
 * the same way) and hard-linked to the lock name, which fails if it exists. With a plain O_EXCL create a
 * writer killed between create and write leaves an empty lock that says nothing about its owner, and
 * every other writer must wait it out. Filesystems without hard links fall back to O_EXCL.
 */
async function createLock(file: string, lock: string, token: string): Promise<boolean> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${crypto().randomBytes(4).toString('hex')}.tmp`)
  let linked = true
  try {
    await fsp.writeFile(tmp, token, { mode: FILE_MODE, flag: 'wx' })
    await fsp.link(tmp, lock)
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'EEXIST') return false
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS' && code !== 'EXDEV') throw e
    linked = false
  } finally {
    await fsp.unlink(tmp).catch(() => {})
  }
  if (linked) return true
  try {
    const fh = await fsp.open(lock, C.O_WRONLY | C.O_CREAT | C.O_EXCL, FILE_MODE)
    await fh.writeFile(token)
    await fh.close()
    return true
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw e
  }
}

/**
 * Exclusive lock: a `<vault>.lock` file holding "pid timestamp token" (see createLock). A lock whose
 * process is gone (killed writer) is stale and reclaimed; a live holder is waited for, up to
 * lockTimeoutMs, then it is a clear error rather than a hang. Every pass of the loop that does not take
 * the lock sleeps and checks the deadline, whatever it found (released meanwhile, stale, reclaim
 * failed): no path can spin. Something at the lock path that credctl never creates (a symlink, a
 * directory, a FIFO) is an error at once: no amount of waiting removes it.
 */
export async function withLock<T>(file: string, fn: () => Promise<T>, opts: LockOptions = {}): Promise<T> {
  const lock = `${file}.lock`
  const deadline = Date.now() + (opts.lockTimeoutMs ?? 10_000)
  const token = `${process.pid} ${Date.now()} ${crypto().randomBytes(6).toString('hex')}`
  let delay = 1
  for (;;) {
    try {
      if (await createLock(file, lock, token)) break
    } catch (e) {
      const typed = writeFailed(e, 'vault', file, `nothing was changed; its lock ${path.basename(lock)} could not be created`)
      throw typed instanceof CredctlError ? typed : new CredctlError('VAULT_IO', `cannot create lock ${lock}: ${(e as Error).message}`)
    }
    const seen = await lockIdentity(lock)
    if (seen?.foreign) {
      throw new CredctlError('VAULT_IO', `lock ${lock} is ${seen.foreign}, not a credctl lock file`, {
        hint: `credctl never creates that; if no credctl is running, remove ${lock}`,
      })
    }
    const pid = Number(seen?.content.split(' ')[0])
    // A lock file without content is a writer between create and write, or one that died there:
    // stale once it is older than 5 s. (undefined: released meanwhile, the next pass tries again.)
    const stale = seen && (seen.content ? Number.isInteger(pid) && pid > 0 && !pidAlive(pid) : Date.now() - seen.mtimeMs > 5000)
    if (stale) await reclaim(lock, seen.id)
    if (Date.now() > deadline) {
      throw new CredctlError('VAULT_LOCKED', `vault ${file} is locked by process ${pid || 'unknown'}`, {
        hint: `wait for it to finish; if no credctl is running, remove ${lock}`,
      })
    }
    await new Promise((r) => setTimeout(r, delay + Math.random() * delay))
    delay = Math.min(delay * 2, 50)
  }
  try {
    return await fn()
  } finally {
    const mine = await readRegularFile(lock, { follow: false }).catch(() => '')
    if (mine === token) await fsp.unlink(lock).catch(() => {})
  }
}
