import { closeSync, constants as C, fstatSync, openSync, promises as fsp, readFileSync, type Stats } from 'node:fs'

/**
 * Open a path only if it is a regular file. A FIFO named where a file is expected (a lock, a CA
 * certificate, a data file) would block a plain open or read until some writer appears, which may be
 * never, and a synchronous read would freeze the whole process past any timeout. So: open with
 * O_NONBLOCK (a FIFO opens at once instead of waiting), fstat the handle, and refuse anything that is
 * not a regular file before reading a byte. With `follow: false` a symbolic link is refused too.
 */
export class NotRegularFile extends Error {
  readonly code = 'ENOTREG'
  readonly file: string
  /** "a directory", "a FIFO (named pipe)", ... */
  readonly kind: string
  constructor(file: string, kind: string) {
    super(`${file} is ${kind}, not a regular file`)
    this.file = file
    this.kind = kind
  }
}

export function kindOf(st: Pick<Stats, 'isDirectory' | 'isFIFO' | 'isSocket' | 'isCharacterDevice' | 'isBlockDevice' | 'isSymbolicLink'>): string {
  if (st.isDirectory()) return 'a directory'
  if (st.isFIFO()) return 'a FIFO (named pipe)'
  if (st.isSocket()) return 'a socket'
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device'
  if (st.isSymbolicLink()) return 'a symbolic link'
  return 'not a regular file'
}

interface Opts {
  /** Follow a symbolic link at the path (default true). */
  follow?: boolean
}

const flags = (o: Opts) => C.O_RDONLY | C.O_NONBLOCK | (o.follow === false ? C.O_NOFOLLOW : 0)

/** Errors of open() that mean "not a regular file" rather than "missing" or "forbidden". */
function openError(file: string, e: unknown): unknown {
  const code = (e as NodeJS.ErrnoException).code
  if (code === 'ELOOP') return new NotRegularFile(file, 'a symbolic link')
  if (code === 'ENXIO' || code === 'EOPNOTSUPP') return new NotRegularFile(file, 'a socket')
  return e
}

/** An open handle on a regular file; the caller closes it. Throws NotRegularFile, or the fs error (ENOENT, EACCES...). */
export async function openRegular(file: string, opts: Opts = {}): Promise<fsp.FileHandle> {
  let fh: fsp.FileHandle
  try {
    fh = await fsp.open(file, flags(opts))
  } catch (e) {
    throw openError(file, e)
  }
  try {
    const st = await fh.stat()
    if (!st.isFile()) throw new NotRegularFile(file, kindOf(st))
    return fh
  } catch (e) {
    await fh.close().catch(() => {})
    throw e
  }
}

export async function readRegularFile(file: string, opts: Opts = {}): Promise<string> {
  const fh = await openRegular(file, opts)
  try {
    return await fh.readFile('utf8')
  } finally {
    await fh.close().catch(() => {})
  }
}

/** The synchronous twin, for code that builds a driver's options synchronously (TLS files). */
export function readRegularFileSync(file: string, opts: Opts = {}): string {
  let fd: number
  try {
    fd = openSync(file, flags(opts))
  } catch (e) {
    throw openError(file, e)
  }
  try {
    const st = fstatSync(fd)
    if (!st.isFile()) throw new NotRegularFile(file, kindOf(st))
    return readFileSync(fd, 'utf8')
  } finally {
    closeSync(fd)
  }
}
