import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { redact } from '../../src/checks/redact.js'

// Issue 10 security review, finding 1: a secret echoed in pieces or encoded passed redaction, which
// bounded only the longest single run. Redaction now bounds the total that survives (src/checks/redact.ts).

const KEY = 'kAbCdEfGhIjKlMnOpQrStUvWxYz0123456789xyzW'
/** The characters of `secret` still readable in `out`, in runs of 3 or more (what the examples leak). */
function leaked(out: string, secret: string): number {
  let n = 0
  for (let i = 0; i < secret.length; ) {
    let k = 0
    while (i + k < secret.length && out.includes(secret.slice(i, i + k + 1))) k++
    n += k >= 3 ? k : 0
    i += Math.max(k, 1)
  }
  return n
}

describe('redaction bounds the total of a secret that survives (review finding 1)', () => {
  it('an api key echoed in two halves (first minus one character, second minus two) is masked', () => {
    const said = `bad key ${KEY.slice(0, 19)} ... ${KEY.slice(20, 39)}`
    expect(said).toBe('bad key kAbCdEfGhIjKlMnOpQr ... tUvWxYz0123456789xy')
    const out = redact(said, [KEY])
    expect(out).toBe('bad key **** ... ****')
    expect(leaked(out, KEY)).toBe(0)
  })

  it('an api key echoed fully percent-encoded, lower or upper hex, is masked', () => {
    const hex = (s: string) => [...Buffer.from(s)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')
    for (const enc of [hex(KEY), hex(KEY).toUpperCase(), hex(KEY.slice(0, 20)) + KEY.slice(20)]) {
      const out = redact(`invalid api key: ${enc} (check it)`, [KEY])
      expect(out).toBe('invalid api key: **** (check it)')
    }
  })

  it("Snowflake's login answer quoting the password in two halves is masked", () => {
    const value = 'snowflake://analytics:Tq7Lm2Wv9Xr4Ps8Nk3Hz6Dy5Bc1F@acme-xy12345/db/public'
    const pw = 'Tq7Lm2Wv9Xr4Ps8Nk3Hz6Dy5Bc1F'
    expect(pw).toHaveLength(28)
    const said = `Incorrect username or password was specified: ${pw.slice(0, 13)} / ${pw.slice(14, 27)}`
    const out = redact(said, [value])
    expect(out).toBe('Incorrect username or password was specified: **** / ****')
    expect(leaked(out, pw)).toBe(0)
  })

  it('JSON-escaped, hex and base64 echoes are masked; the words around them stay', () => {
    const pw = 'p"w\\Secret-9f3Kq'
    expect(redact(`{"detail":"bad ${JSON.stringify(pw).slice(1, 9)} and ${JSON.stringify(pw).slice(9, -1)}"}`, [pw])).toBe('{"detail":"bad **** and ****"}')
    expect(redact(`token ${Buffer.from(KEY).toString('hex')} refused`, [KEY])).toBe('token **** refused')
    // The base64 characters that carry "u:" and the padding are not the key's.
    expect(redact(`Basic ${Buffer.from(`u:${KEY}`).toString('base64')} refused`, [KEY])).toBe('Basic dT****== refused')
  })

  it('a word holding three characters of the key is kept beside a whole echo ("pro" of "provided", "sk-proj-…")', () => {
    const key = 'sk-proj-Zx81QmTq0123456789abcdefPLMN'
    expect(redact(`Incorrect API key provided: ${key}. Partial sk-proj-Zx...PLMN`, [key])).toBe('Incorrect API key provided: ****. Partial ****...****')
  })

  it('ordinary words are kept when the secret is random', () => {
    const said = 'Incorrect API key provided. You can find your API key at https://platform.example.com/account/api-keys'
    expect(redact(said, [KEY])).toBe(said)
  })
})

/** A secret's alphabet, and the noise's: disjoint, so what survives can be read off the output exactly. */
const SECRET_CHARS = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~+/=!$&@:?[]']
const NOISE_CHARS = [...' ,;()<>"\'#|^`\néßλ€ошибка—']
const secretArb = fc.array(fc.constantFrom(...SECRET_CHARS), { minLength: 12, maxLength: 80 }).map((a) => a.join(''))
const noiseArb = fc.array(fc.constantFrom(...NOISE_CHARS), { maxLength: 12 }).map((a) => a.join(''))
const hexAll = (s: string, upper: boolean) => [...Buffer.from(s)].map((b) => `%${b.toString(16).padStart(2, '0')}`).map((x) => (upper ? x.toUpperCase() : x)).join('')

/** Cut `s` into k pieces of at least 3 characters, by weights. */
function cut(s: string, k: number, weights: number[]): string[] {
  const extra = s.length - 3 * k
  const sum = weights.slice(0, k).reduce((a, b) => a + b, 0) || 1
  const lens = weights.slice(0, k).map((w) => 3 + Math.floor((extra * w) / sum))
  lens[k - 1]! += s.length - lens.reduce((a, b) => a + b, 0)
  const out: string[] = []
  let at = 0
  for (const n of lens) {
    out.push(s.slice(at, at + n))
    at += n
  }
  return out
}

/** The runs of the output made of the secret's characters (and %XX), decoded: all that is left of it. */
function survivors(out: string): string[] {
  const runs = out.match(/(?:%[0-9A-Fa-f]{2}|[A-Za-z0-9\-_.~+/=!$&@:?[\]])+/g) ?? []
  return runs.map((r) => r.replace(/%([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))))
}

describe('property: a secret in pieces, interleaved with text, never survives beyond a quarter or 8 in a row', () => {
  it('2-6 pieces of >= 3 characters, each raw or percent-encoded (lower/upper hex)', () => {
    fc.assert(
      fc.property(
        secretArb,
        fc.integer({ min: 2, max: 6 }),
        fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 6, maxLength: 6 }),
        fc.array(fc.constantFrom('raw', 'lower', 'upper'), { minLength: 6, maxLength: 6 }),
        fc.array(noiseArb, { minLength: 7, maxLength: 7 }),
        (secret, k0, weights, encs, noise) => {
          const k = Math.min(k0, Math.floor(secret.length / 3))
          const pieces = cut(secret, k, weights)
          const shown = pieces.map((p, i) => (encs[i] === 'raw' ? p : hexAll(p, encs[i] === 'upper')))
          const message = noise[0] + shown.map((p, i) => p + noise[i + 1]).join('')
          const out = redact(message, [secret])
          const left = survivors(out)
          const total = left.reduce((a, r) => a + r.length, 0)
          expect(4 * total, `${JSON.stringify(out)} keeps ${total} of ${secret.length}`).toBeLessThanOrEqual(secret.length)
          for (const r of left) expect(r.length, `${JSON.stringify(out)} keeps ${r}`).toBeLessThan(8)
        },
      ),
      { numRuns: 1000 },
    )
  })
})
