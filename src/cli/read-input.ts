import { constants as C, promises as fsp } from 'node:fs'
import { kindOf } from '../lib/regular-file.js'
import { CredctlError } from '../errors.js'
import { decodeUtf8 } from '../lib/utf8.js'
import { describeErrno } from '../lib/errno.js'

/**
 * Read a whole input as text: a file, a pipe or /dev/stdin, or `-` for stdin. One reader for every
 * flag that takes a file or stdin (--value-stdin, --value-file, --from-env, --bundle), so they share its
 * rules:
 * - a size cap enforced while reading, so a runaway pipe cannot fill memory;
 * - strict UTF-8: invalid bytes are refused naming the byte, never replaced by U+FFFD (see lib/utf8.ts);
 * - a missing or unreadable input is one clear line (exit 2);
 * - never a hang on a named FIFO nobody writes to: files are opened O_NONBLOCK (a FIFO without a writer
 *   opens at once and reads as empty), and a pipe is read by polling, so `--value-file <(pass show x)`
 *   (a pipe whose writer is there) still works. `regularOnly`: a path found inside another file (the
 *   .env's GOOGLE_APPLICATION_CREDENTIALS) must be a regular file.
 */
export async function readInput(file: string, flag: string, max: number, stdin?: NodeJS.ReadableStream, opts: { regularOnly?: boolean } = {}): Promise<string> {
  const where = file === '-' ? flag : `${flag} ${file}`
  const tooLarge = () => new CredctlError('INVALID_INPUT', `${where}: too large (at most ${Math.round(max / 1024)} KiB)`)
  const drain = async (stream: AsyncIterable<Buffer | string>) => {
    const chunks: Buffer[] = []
    let size = 0
    for await (const c of stream) {
      const b = typeof c === 'string' ? Buffer.from(c) : c
      size += b.length
      if (size > max) throw tooLarge()
      chunks.push(b)
    }
    const bytes = Buffer.concat(chunks)
    const d = decodeUtf8(bytes)
    if ('text' in d) return d.text
    throw new CredctlError('INVALID_INPUT', `${where}: not valid UTF-8 at byte ${d.invalidAt + 1} of ${bytes.length} (0x${(bytes[d.invalidAt] ?? 0).toString(16).padStart(2, '0')}): credctl stores text byte for byte and will not change it`, {
      hint: 'save it as UTF-8, or check that it is the right file',
    })
  }
  try {
    if (file === '-') {
      if (!stdin) throw new CredctlError('USAGE', `${flag} -: stdin is not available here`)
      return await drain(stdin as AsyncIterable<Buffer>)
    }
    const fh = await fsp.open(file, C.O_RDONLY | C.O_NONBLOCK)
    try {
      const st = await fh.stat()
      if (st.isDirectory()) throw new CredctlError('INVALID_INPUT', `${where}: is a directory`)
      if (!st.isFile() && opts.regularOnly) throw new CredctlError('INVALID_INPUT', `${where}: is ${kindOf(st)}, not a regular file`)
      if (st.isFile() && st.size > max) throw tooLarge()
      return await drain(st.isFile() ? fh.createReadStream({ autoClose: false }) : polled(fh))
    } finally {
      await fh.close().catch(() => {})
    }
  } catch (e) {
    if (e instanceof CredctlError) throw e
    throw new CredctlError('INVALID_INPUT', `cannot read ${where}: ${describeErrno(e)}`)
  }
}

/** A non-blocking pipe read to its end: EAGAIN means "no data yet, the writer is still there". */
async function* polled(fh: import('node:fs/promises').FileHandle): AsyncGenerator<Buffer> {
  const buf = Buffer.alloc(64 * 1024)
  for (;;) {
    try {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null)
      if (bytesRead === 0) return
      yield Buffer.from(buf.subarray(0, bytesRead))
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e
      await new Promise((r) => setTimeout(r, 10))
    }
  }
}
