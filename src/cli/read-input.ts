import { promises as fsp } from 'node:fs'
import { CredctlError } from '../errors.js'
import { decodeUtf8 } from '../lib/utf8.js'

/**
 * Read a whole input as text: a file, a pipe or /dev/stdin, or `-` for stdin. One reader for every
 * flag that takes a file or stdin (--value-stdin, --value-file, --from-env, --bundle), so they share its
 * rules:
 * - a size cap enforced while reading, so a runaway pipe cannot fill memory;
 * - strict UTF-8: invalid bytes are refused naming the byte, never replaced by U+FFFD (see lib/utf8.ts);
 * - a missing or unreadable input is one clear line (exit 2).
 */
export async function readInput(file: string, flag: string, max: number, stdin?: NodeJS.ReadableStream): Promise<string> {
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
    const st = await fsp.stat(file)
    if (st.isDirectory()) throw new CredctlError('INVALID_INPUT', `${where}: is a directory`)
    if (st.isFile() && st.size > max) throw tooLarge()
    const fh = await fsp.open(file, 'r')
    try {
      return await drain(fh.createReadStream())
    } finally {
      await fh.close().catch(() => {})
    }
  } catch (e) {
    if (e instanceof CredctlError) throw e
    throw new CredctlError('INVALID_INPUT', `cannot read ${where}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`)
  }
}
