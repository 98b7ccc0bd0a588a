/**
 * A system error in words, for one-line messages: "no space left on device", not an errno dump or a
 * stack. Unknown codes are shown as the code itself (ENOTCONN), which is still searchable.
 */
const WORDS: Record<string, string> = {
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EIO: 'input/output error',
  EROFS: 'read-only file system',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EFBIG: 'file too large',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'it is a directory',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  EPIPE: 'the reader went away',
  ENOTREG: 'not a regular file (a FIFO, a device or a socket)',
  // mkdir -p over a regular file where a directory should be (~/.zfunc as a file)
  EEXIST: 'a file is in the way (a directory was expected, or the name is taken)',
}

/** The errno code of a Node system error, or undefined for anything else (a bug, a typed error). */
export function errnoOf(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code) ? code : undefined
}

export function describeErrno(e: unknown): string {
  const code = errnoOf(e)
  return code ? (WORDS[code] ?? code) : 'error'
}
