import { Transform, type TransformCallback } from 'node:stream'

/**
 * The output filter of `credctl run` (as `op run` masks): every occurrence of a secret in a byte stream
 * becomes CONCEALED, also when the secret is split across writes. Bytes, not text: a child's output may
 * be binary or split a UTF-8 character, and both must pass unchanged where no secret is.
 *
 * The rule is that of one pass over the whole output: at each position the longest secret that starts
 * there is replaced and the scan goes on after it; a byte where no secret starts is passed on. The
 * stream gives the same result as that pass over the concatenated chunks, whatever the chunking
 * (test/unit/conceal.property.test.ts), holding back only a tail that may still become a secret: at
 * most (longest secret − 1) bytes, flushed when the stream ends. Memory is bounded by the chunk size
 * plus that tail; back-pressure is the stream machinery's (pipe/pipeline).
 */
export const CONCEALED = '<concealed by credctl>'
const MARK = Buffer.from(CONCEALED)

export interface Concealer {
  /** The bytes that can be emitted now (replacements done), keeping back a possible partial secret. */
  push(chunk: Buffer): Buffer
  /** The held-back tail at the end of the output (no secret can complete any more). */
  end(): Buffer
}

/** Distinct, non-empty secrets as UTF-8 bytes. */
function normalise(secrets: Iterable<string | Buffer>): Buffer[] {
  const seen = new Map<string, Buffer>()
  for (const s of secrets) {
    const b = typeof s === 'string' ? Buffer.from(s, 'utf8') : s
    if (b.length) seen.set(b.toString('latin1'), b)
  }
  return [...seen.values()]
}

export function concealer(secrets: Iterable<string | Buffer>): Concealer {
  const list = normalise(secrets)
  // Secrets by first byte, longest first, so the first full match at a position is the longest.
  const byFirst: Buffer[][] = Array.from({ length: 256 }, () => [])
  for (const s of list) byFirst[s[0]!]!.push(s)
  for (const l of byFirst) l.sort((a, b) => b.length - a.length)
  let held: Buffer = Buffer.alloc(0)

  /** Replace in buf; unless final, stop at the first position where a secret may still complete. */
  const scan = (buf: Buffer, final: boolean): Buffer => {
    const out: Buffer[] = []
    let from = 0 // start of the bytes not yet copied to out
    let i = 0
    outer: while (i < buf.length) {
      const candidates = byFirst[buf[i]!]!
      if (candidates.length === 0) {
        i++
        continue
      }
      const rest = buf.length - i
      let match = 0
      for (const s of candidates) {
        if (s.length <= rest) {
          if (match === 0 && buf.compare(s, 0, s.length, i, i + s.length) === 0) match = s.length
        } else if (!final && match === 0 && buf.compare(s, 0, rest, i, buf.length) === 0) {
          // The output so far ends with a beginning of a secret that is longer than any match here:
          // keep it back until the next chunk (or the end) decides.
          break outer
        }
      }
      if (match) {
        if (i > from) out.push(buf.subarray(from, i))
        out.push(MARK)
        i += match
        from = i
      } else i++
    }
    // Not final and stopped early: i is where the possible secret starts; keep buf[i..] back.
    if (i > from) out.push(buf.subarray(from, i))
    held = final || i >= buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(i))
    return out.length === 1 ? out[0]! : Buffer.concat(out)
  }

  return {
    push: (chunk) => (list.length === 0 ? chunk : scan(held.length ? Buffer.concat([held, chunk]) : chunk, false)),
    end: () => (held.length ? scan(held, true) : Buffer.alloc(0)),
  }
}

/** The filter as a Transform stream (binary: Buffers in, Buffers out). */
export function concealStream(secrets: Iterable<string | Buffer>): Transform {
  const c = concealer(secrets)
  return new Transform({
    transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback) {
      const b = c.push(chunk)
      done(null, b.length ? b : undefined)
    },
    flush(done: TransformCallback) {
      const b = c.end()
      done(null, b.length ? b : undefined)
    },
  })
}

/** The same replacement over a whole buffer at once: the reference the stream must agree with. */
export function concealAll(data: Buffer, secrets: Iterable<string | Buffer>): Buffer {
  const c = concealer(secrets)
  return Buffer.concat([c.push(data), c.end()])
}
