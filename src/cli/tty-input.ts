import type { ReadStream } from 'node:tty'
import { CredctlError } from '../errors.js'
import { decodeUtf8 } from '../lib/utf8.js'

/**
 * Read text typed or pasted at a terminal (stdin is a TTY, e.g. `credctl create --value-stdin` run by
 * hand) without echoing it. Node has no "echo off" alone, so the terminal is put in raw mode (no echo,
 * no line editing by the kernel) and this does what the line discipline did:
 * - Ctrl-D ends the input (anywhere, as the notice says); Enter (CR in raw mode) and a pasted newline
 *   are a newline;
 * - Backspace erases the last character of the current line, Ctrl-U the whole current line;
 * - Ctrl-C and Ctrl-\ cancel: CANCELLED (exit 130), nothing read is kept.
 * The terminal's mode is restored on every way out (end, cancel, too large, an error); if the process
 * dies of a signal meanwhile, Node itself restores the mode it found at start-up. Returns the text
 * (strict UTF-8, at most `max` bytes); the caller checks it like any other value.
 */
export async function readTerminalHidden(stdin: ReadStream, flag: string, max: number): Promise<string> {
  const bytes: number[] = []
  const tooLarge = () => new CredctlError('INVALID_INPUT', `${flag}: too large (at most ${Math.round(max / 1024)} KiB)`)
  const wasRaw = stdin.isRaw
  stdin.setRawMode(true)
  try {
    await new Promise<void>((resolve, reject) => {
      const stop = (e?: Error) => {
        stdin.off('data', onData)
        stdin.off('error', stop)
        stdin.off('end', onEnd)
        stdin.pause()
        if (e) reject(e)
        else resolve()
      }
      const onEnd = () => stop()
      const onData = (chunk: Buffer) => {
        for (let b of chunk) {
          if (b === 0x03 || b === 0x1c) return stop(new CredctlError('CANCELLED', 'cancelled; nothing was written'))
          if (b === 0x04) return stop()
          if (b === 0x7f || b === 0x08) {
            // One character back: drop UTF-8 continuation bytes, then the lead byte; never past a newline.
            while (bytes.length && (bytes[bytes.length - 1]! & 0xc0) === 0x80) bytes.pop()
            if (bytes.length && bytes[bytes.length - 1] !== 0x0a) bytes.pop()
            continue
          }
          if (b === 0x15) {
            while (bytes.length && bytes[bytes.length - 1] !== 0x0a) bytes.pop()
            continue
          }
          if (b === 0x0d) b = 0x0a
          bytes.push(b)
          if (bytes.length > max) return stop(tooLarge())
        }
      }
      stdin.on('data', onData)
      stdin.on('error', stop)
      stdin.on('end', onEnd)
      stdin.resume()
    })
  } finally {
    stdin.setRawMode(wasRaw)
  }
  const d = decodeUtf8(Uint8Array.from(bytes))
  bytes.fill(0)
  if ('text' in d) return d.text
  throw new CredctlError('INVALID_INPUT', `${flag}: not valid UTF-8 at byte ${d.invalidAt + 1}`)
}
