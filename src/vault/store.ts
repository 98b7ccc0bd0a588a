import { crypto } from '../lazy-crypto.js'
import { fsyncDir, removeDeadTemps, writeFileAtomic as writeAtomic } from '../lib/atomic-file.js'
import { constants as C, promises as fsp } from 'node:fs'
import * as path from 'node:path'
import { CredctlError } from '../errors.js'
import { describeErrno, errnoOf } from '../lib/errno.js'
import { pidAlive } from '../lib/pid.js'
import { NotRegularFile, openRegular, readRegularFile } from '../lib/regular-file.js'
import { openBesideVault } from './private-file.js'
import { FormatError, parseVault, serializeWritable, type VaultFile } from './format.js'

/**
 * The vault file on disk. Readers never lock: they read the whole file once and parse it, and because
 * writers only ever rename a complete, fsynced temp file over it, a reader sees the old or the new
 * file, never half of one. Writers serialise through an exclusive lock file.
 */
export interface StoreOptions {
  /** How long a writer waits for the lock before giving up (exit 4). */
  lockTimeoutMs?: number
}

const FILE_MODE = 0o600
const MAX_VAULT_BYTES = 256 * 1024 * 1024
const DIR_MODE = 0o700

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

function damaged(file: string, why: string): CredctlError {
  return new CredctlError('VAULT_DAMAGED', `vault ${file} is unreadable: ${why}`, {
    hint: 'credctl has not changed the file; `credctl recover --output FILE` saves every value that still decrypts, or restore it from a backup',
  })
}

/**
 * Read and parse the vault; undefined when it does not exist yet. With `known` (an earlier read of the
 * same file), unchanged bytes return that parse as is: a writer re-reading under the lock skips the
 * parse when nobody wrote in between.
 */
export async function readVault(
  file: string,
  known?: { vault: VaultFile; text: string },
): Promise<{ vault: VaultFile; text: string } | undefined> {
  let text: string
  try {
    // Not through a link, not in a directory others can write: see private-file.ts.
    const fh = await openBesideVault(file, C.O_RDONLY, 'vault')
    try {
      // A vault of 100,000 credentials is about 70 MiB; anything far larger is not one, and reading it
      // whole would only exhaust memory.
      const st = await fh.stat()
      if (st.size > MAX_VAULT_BYTES) throw damaged(file, `it is ${st.size} bytes, more than any vault (${MAX_VAULT_BYTES})`)
      text = await fh.readFile('utf8')
    } finally {
      await fh.close()
    }
  } catch (e) {
    if (e instanceof CredctlError) throw e
    if (e instanceof NotRegularFile) throw damaged(file, `it is ${e.kind}`)
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return undefined
    throw new CredctlError('VAULT_IO', `cannot read vault ${file}: ${(e as Error).message}`)
  }
  try {
    if (known && known.text === text) return known
    return { vault: parseVault(text), text }
  } catch (e) {
    if (e instanceof FormatError) {
      const code = /unsupported vault version/.test(e.message) ? 'VAULT_VERSION' : 'VAULT_DAMAGED'
      const err = damaged(file, e.message)
      return Promise.reject(code === 'VAULT_VERSION' ? new CredctlError(code, err.message, { hint: err.hint }) : err)
    }
    throw e
  }
}

export { removeDeadTemps }

/** Write atomically: temp file in the same dir (0600), fsync, rename over, fsync the directory. */
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

/**
 * A failed write as a typed error: a full disk, a quota, an I/O error or a read-only mount is the vault's
 * I/O error (exit 4) in one line, never "internal error" with a stack. Other errors pass unchanged.
 */
function writeFailed(e: unknown, what: string, file: string, outcome: string): unknown {
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

export { fsyncDir }

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
export async function withLock<T>(file: string, fn: () => Promise<T>, opts: StoreOptions = {}): Promise<T> {
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
