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
    expect(secretTexts('postgresql', 'postgresql://app:CANARY%2Fpw@db.internal:5432/wh')).toEqual(expect.arrayContaining(['CANARY%2Fpw', 'CANARY/pw', 'CANARY\\/pw']))
    expect(secretTexts('postgresql', 'postgresql://app:CANARY%2Fpw@db.internal:5432/wh').join()).not.toContain('db.internal')
    expect(secretTexts('openai', SECRET)).toEqual([SECRET])
    expect(secretTexts('static_file', '/data/file.csv')).toEqual([])
    const sa = JSON.stringify({ type: 'service_account', client_email: 'ci@p.iam.gserviceaccount.com', private_key: '-----BEGIN PRIVATE KEY-----\nCANARYkey\n-----END PRIVATE KEY-----\n' })
    const texts = secretTexts('bigquery', sa)
    // As the program reads it (real newlines) and as the file's bytes show it (\n escapes).
    expect(texts).toContain('-----BEGIN PRIVATE KEY-----\nCANARYkey\n-----END PRIVATE KEY-----\n')
    expect(texts).toContain('-----BEGIN PRIVATE KEY-----\\nCANARYkey\\n-----END PRIVATE KEY-----\\n')
    // The file's exact bytes (what `cat $GOOGLE_APPLICATION_CREDENTIALS` prints) are concealed whole;
    // no secret part shows the client_email.
    expect(texts).toContain(sa)
    expect(texts.filter((t) => t !== sa).join()).not.toContain('ci@p.iam')
  })

  it('conceals a Google-issued key file (\\u003d for =, \\/ for /) and a JSON-escaped PEM key (F3)', () => {
    const key = '-----BEGIN PRIVATE KEY-----\nMIIEv+CANARY/abc=\n-----END PRIVATE KEY-----\n'
    const sa = JSON.stringify({ type: 'service_account', client_email: 'ci@p.iam.gserviceaccount.com', private_key: key })
    const texts = secretTexts('bigquery', sa)
    const google = JSON.stringify(key).replace(/=/g, '\\u003d')
    const php = JSON.stringify(key).replace(/\//g, '\\/')
    for (const shown of [google, php, `{"private_key": ${google}}`]) {
      expect(concealAll(Buffer.from(`x ${shown} y`), texts).toString()).not.toContain('CANARY')
    }
    // An api_key holding a PEM, printed by JSON.stringify(process.env) or Python's repr.
    const pem = '-----BEGIN EC PRIVATE KEY-----\nCANARYpem+/=\n-----END EC PRIVATE KEY-----'
    const apiTexts = secretTexts('api_key', pem)
    for (const shown of [JSON.stringify({ API_KEY: pem }), `{'API_KEY': '${pem.replace(/\n/g, '\\n')}'}`]) {
      expect(concealAll(Buffer.from(shown), apiTexts).toString()).not.toContain('CANARY')
    }
  })

  const u4 = (c: string, upper = false) => `\\u${(upper ? c.charCodeAt(0).toString(16).toUpperCase() : c.charCodeAt(0).toString(16)).padStart(4, '0')}`
  const pyRepr = (t: string) =>
    `'${[...t]
      .map((ch) =>
        ch === '\\' ? '\\\\' : ch === '\n' ? '\\n' : ch === '\r' ? '\\r' : ch === '\t' ? '\\t' : ch === "'" ? "\\'" : ch.charCodeAt(0) < 0x20 || ch === '\x7f' ? `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}` : ch,
      )
      .join('')}'`
  /** Encoders a program may print a secret with (mask.ts outputForms names their sources). */
  const encoders: ((t: string) => string)[] = [
    (t) => JSON.stringify(t),
    (t) => JSON.stringify(t).replace(/[<>&='\u2028\u2029]/g, (c) => u4(c)), // Gson: Google-issued key files
    (t) => JSON.stringify(t).replace(/\//g, '\\/'),
    (t) => JSON.stringify(t).replace(/[\u007f-\uffff]/g, (c) => u4(c, true)), // ASCII-only, upper-case hex
    (t) => JSON.stringify(t).replace(/[<>&='+/\u2028\u2029]/g, (c) => u4(c)),
    pyRepr,
  ]

  it('property: a secret of any characters, encoded by a common encoder and split anywhere, never passes the filter', async () => {
    // Characters encoders treat specially, mixed with any other; the surrounding text uses none of them.
    const ch = fc.oneof(fc.constantFrom('=', '+', '/', '\\', '"', "'", '\n', '\r', '\t', '\x00', '\x7f', '<', '&', 'é', '€', '\u2028', '😀'), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }))
    const secret = fc.array(ch, { minLength: 4, maxLength: 30 }).map((a) => a.join('').replace(/[{}[\] ]/g, 'K'))
    await fc.assert(
      fc.asyncProperty(secret, fc.nat(encoders.length - 1), fc.array(fc.nat(), { maxLength: 6 }), fc.constantFrom('api_key', 'openai', 'github'), async (s, e, cuts, type) => {
        fc.pre(s.trim() === s)
        const enc = encoders[e]!(s)
        const data = Buffer.from(`{ [ ${enc} ] }`)
        const at = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b)
        const ends = [...at, data.length]
        const chunks = [0, ...at].map((from, i) => data.subarray(from, ends[i]))
        const out = (await run(chunks, secretTexts(type, s))).toString('utf8')
        // The whole encoded form (between the encoder's quotes) was replaced: nothing of the secret survives.
        expect(out).toBe(`{ [ ${enc[0]}${CONCEALED}${enc[0]} ] }`)
      }),
      { numRuns: 300 },
    )
  })
})
