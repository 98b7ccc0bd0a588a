import { Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { secretTexts } from '../../src/credentials/mask.js'
import { CONCEALED, concealAll, concealer, concealStream } from '../../src/lib/conceal.js'

/**
 * The output filter of `credctl run` (src/lib/conceal.ts): whatever the chunking of the output, the
 * result is the one-pass, longest-match replacement of the whole output; no secret survives; bytes
 * that are no secret pass unchanged; at most (longest secret - 1) bytes are ever held back.
 */

/** The rule, written as plainly as possible on latin1 strings (one character per byte). */
function reference(data: Buffer, secrets: Buffer[]): Buffer {
  const d = data.toString('latin1')
  const ss = secrets.map((s) => s.toString('latin1')).filter(Boolean)
  let out = ''
  let i = 0
  while (i < d.length) {
    const longest = ss.filter((s) => d.startsWith(s, i)).sort((a, b) => b.length - a.length)[0]
    if (longest) {
      out += CONCEALED
      i += longest.length
    } else out += d[i++]
  }
  return Buffer.from(out, 'latin1')
}

/** Bytes none of which occur in CONCEALED (so a marker cannot help form a secret), binary included. */
const BYTES = [0x00, 0x01, 0x0a, 0x78, 0x7a, 0xc3, 0xa9, 0xff]
const byte = fc.constantFrom(...BYTES)
const bytes = (min: number, max: number) => fc.array(byte, { minLength: min, maxLength: max }).map((a) => Buffer.from(a))
/** Secrets that overlap and share prefixes often: some are extensions of others. */
const secretsArb = fc
  .array(bytes(1, 6), { minLength: 1, maxLength: 5 })
  .chain((base) => fc.tuple(fc.constant(base), fc.array(fc.tuple(fc.nat(base.length - 1), bytes(1, 4)), { maxLength: 3 })))
  .map(([base, ext]) => [...base, ...ext.map(([i, tail]) => Buffer.concat([base[i]!, tail]))])
/** Output made of secrets, pieces of secrets and other bytes. */
const outputArb = (secrets: Buffer[]) =>
  fc
    .array(fc.oneof(fc.constantFrom(...secrets), fc.constantFrom(...secrets).map((s) => s.subarray(0, Math.max(1, s.length - 1))), bytes(0, 5)), { maxLength: 25 })
    .map((parts) => Buffer.concat(parts))
/** Cut points: the same output delivered in random writes. */
const chunksOf = (data: Buffer, cuts: number[]) => {
  const at = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b)
  const out: Buffer[] = []
  let prev = 0
  for (const c of [...at, data.length]) {
    out.push(data.subarray(prev, c))
    prev = c
  }
  return out
}

function streamed(chunks: Buffer[], secrets: Buffer[]): { out: Buffer; maxHeld: number } {
  const c = concealer(secrets)
  const outs: Buffer[] = []
  let inTotal = 0
  let maxHeld = 0
  for (const ch of chunks) {
    inTotal += ch.length
    outs.push(c.push(ch))
    maxHeld = Math.max(maxHeld, heldAfter(secrets, Buffer.concat(chunks).subarray(0, inTotal), Buffer.concat(outs)))
  }
  outs.push(c.end())
  return { out: Buffer.concat(outs), maxHeld }
}

/** How many input bytes are not yet represented in `out` (held back), given out is a prefix of the replacement. */
function heldAfter(secrets: Buffer[], input: Buffer, out: Buffer): number {
  // Replay the reference on growing input prefixes until it produces `out`: the bytes consumed then.
  const full = reference(input, secrets)
  expect(full.subarray(0, out.length).equals(out) || out.length === 0).toBe(true)
  for (let k = input.length; k >= 0; k--) {
    if (reference(input.subarray(0, k), secrets).equals(out)) return input.length - k
  }
  return input.length
}

describe('output concealing (credctl run): property', () => {
  it('any chunking gives the whole-output replacement; no secret survives; at most longest-1 bytes held back', () => {
    fc.assert(
      fc.property(
        secretsArb.chain((secrets) => fc.tuple(fc.constant(secrets), outputArb(secrets), fc.array(fc.nat(200), { maxLength: 12 }))),
        ([secrets, data, cuts]) => {
          const want = reference(data, secrets)
          const { out, maxHeld } = streamed(chunksOf(data, cuts), secrets)
          expect(out.equals(want)).toBe(true)
          expect(concealAll(data, secrets).equals(want)).toBe(true)
          for (const s of secrets) expect(out.includes(s)).toBe(false)
          expect(maxHeld).toBeLessThanOrEqual(Math.max(...secrets.map((s) => s.length)) - 1)
        },
      ),
      { numRuns: 400 },
    )
  })

  it('bytes that are no secret pass unchanged, whatever the chunking', () => {
    fc.assert(
      fc.property(secretsArb, fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 300 }), fc.array(fc.nat(300), { maxLength: 10 }), (secrets, raw, cuts) => {
        const data = Buffer.from(raw)
        fc.pre(!secrets.some((s) => data.includes(s)))
        expect(streamed(chunksOf(data, cuts), secrets).out.equals(data)).toBe(true)
      }),
      { numRuns: 300 },
    )
  })
})

describe('output concealing (credctl run): examples', () => {
  const SECRET = 'sk-proj-CANARYconceal0123456789'
  const run = async (chunks: (string | Buffer)[], secrets: string[]) => {
    const out: Buffer[] = []
    await pipeline(
      Readable.from(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c))),
      concealStream(secrets),
      new Writable({
        write(c: Buffer, _e, done) {
          out.push(c)
          done()
        },
      }),
    )
    return Buffer.concat(out)
  }

  it('conceals a secret split across writes, byte by byte', async () => {
    const text = `key=${SECRET}\nagain ${SECRET}!`
    const out = await run([...Buffer.from(text)].map((b) => Buffer.from([b])), [SECRET])
    expect(out.toString()).toBe(`key=${CONCEALED}\nagain ${CONCEALED}!`)
  })

  it('prefers the longest secret at a position, also when the longer one completes in a later write', async () => {
    expect((await run(['xab', 'cd'], ['ab', 'abcd'])).toString()).toBe(`x${CONCEALED}`)
    expect((await run(['xab', 'ce'], ['ab', 'abcd'])).toString()).toBe(`x${CONCEALED}ce`)
  })

  it('is binary-safe: a UTF-8 secret split inside a character, and invalid UTF-8 around it', async () => {
    const secret = 'pässwörd-CANARY€'
    const b = Buffer.concat([Buffer.from([0xff, 0xfe, 0x00]), Buffer.from(secret), Buffer.from([0xc3])])
    const out = await run([b.subarray(0, 5), b.subarray(5, 7), b.subarray(7)], [secret])
    expect(out.equals(Buffer.concat([Buffer.from([0xff, 0xfe, 0x00]), Buffer.from(CONCEALED), Buffer.from([0xc3])]))).toBe(true)
  })

  it('holds back nothing when there is nothing to conceal', () => {
    const c = concealer([])
    const chunk = Buffer.from('anything')
    expect(c.push(chunk)).toBe(chunk)
    expect(c.end().length).toBe(0)
  })

  it('conceals the secret parts of a value, not its public parts', () => {
    expect(secretTexts('postgresql', 'postgresql://app:CANARY%2Fpw@db.internal:5432/wh')).toEqual(['CANARY%2Fpw', 'CANARY/pw'])
    expect(secretTexts('openai', SECRET)).toEqual([SECRET])
    expect(secretTexts('static_file', '/data/file.csv')).toEqual([])
    const sa = JSON.stringify({ type: 'service_account', client_email: 'ci@p.iam.gserviceaccount.com', private_key: '-----BEGIN PRIVATE KEY-----\nCANARYkey\n-----END PRIVATE KEY-----\n' })
    const texts = secretTexts('bigquery', sa)
    // As the program reads it (real newlines) and as the file's bytes show it (\n escapes).
    expect(texts).toContain('-----BEGIN PRIVATE KEY-----\nCANARYkey\n-----END PRIVATE KEY-----\n')
    expect(texts).toContain('-----BEGIN PRIVATE KEY-----\\nCANARYkey\\n-----END PRIVATE KEY-----\\n')
    expect(texts.join()).not.toContain('ci@p.iam')
  })
})
