import { createCipheriv, createHmac, randomBytes, scryptSync } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { BUNDLE_MAGIC, openBundle, parseBundle, sealBundle, type BundleEntry } from '../../src/credentials/bundle.js'
import { CredctlError } from '../../src/index.js'

const PASS = 'correct horse battery staple'
const SECRET = 'sk-proj-CANARYbundle0123456789abcdefgh'

const entry = (over: Partial<BundleEntry> = {}): BundleEntry => ({
  id: 'a1b2c3d4-0000-4000-8000-000000000001',
  name: 'OpenAI Prod',
  type: 'openai',
  category: 'llm',
  description: 'prod key',
  schema_type: null,
  base_url: null,
  settings: {},
  expires_at: '2030-01-01T00:00:00.000Z',
  is_default: true,
  is_valid: true,
  validated_at: '2025-01-01T00:00:00.000Z',
  validation_message: 'valid: ok',
  created_at: '2025-01-01T00:00:00.000Z',
  updated_at: '2025-01-02T00:00:00.000Z',
  value: SECRET,
  ...over,
})

async function fails(p: Promise<unknown>): Promise<CredctlError> {
  try {
    await p
  } catch (e) {
    expect(e).toBeInstanceOf(CredctlError)
    expect((e as Error).message).not.toContain(SECRET)
    return e as CredctlError
  }
  throw new Error('expected an error')
}

/** Seal an arbitrary payload the way sealBundle does, with small scrypt parameters (format-level tests). */
function sealRaw(payload: string, passphrase: string, over: Record<string, unknown> = {}, N = 1 << 14): string {
  const salt = randomBytes(16)
  const nonce = randomBytes(12)
  const k = scryptSync(passphrase, salt, 64, { N, r: 8, p: 1, maxmem: 64 << 20 })
  const header = {
    kdf: { name: 'scrypt', salt: salt.toString('base64'), N, r: 8, p: 1 },
    cipher: 'aes-256-gcm',
    nonce: nonce.toString('base64'),
    check: createHmac('sha256', k.subarray(32)).update('credctl-bundle/1 passphrase check').digest('base64'),
    created_at: '2025-01-01T00:00:00.000Z',
    count: 1,
    ...over,
  }
  const head = `${BUNDLE_MAGIC}\n${JSON.stringify(header)}\n`
  const c = createCipheriv('aes-256-gcm', k.subarray(0, 32), nonce)
  c.setAAD(Buffer.from(head))
  return `${head}${Buffer.concat([c.update(payload), c.final(), c.getAuthTag()]).toString('base64')}\n`
}

describe('export bundle: scrypt + AES-256-GCM, strict parsing', () => {
  it('round-trips values and metadata; the file holds no plaintext', async () => {
    const schema = { updated_at: '2025-01-03T00:00:00.000Z', tables: [{ schema: 'public', name: 't', kind: 'table' as const, comment: null, columns: [{ name: 'id', data_type: 'int', nullable: false, default: null, comment: null, position: 1 }] }] }
    const entries = [entry(), entry({ id: 'a1b2c3d4-0000-4000-8000-000000000002', name: 'db', type: 'postgresql', category: 'data_warehouse', value: 'postgresql://u:pw@h/d', schema })]
    const text = await sealBundle(entries, PASS, new Date('2025-05-05T00:00:00Z'))
    expect(text.split('\n')).toHaveLength(4)
    expect(text.startsWith(`${BUNDLE_MAGIC}\n{"kdf":{"name":"scrypt"`)).toBe(true)
    expect(text).not.toContain(SECRET)
    expect(text).not.toContain('OpenAI Prod') // names and metadata are encrypted too
    const { header } = parseBundle(text)
    expect(header).toMatchObject({ kdf: { N: 131072, r: 8, p: 1 }, cipher: 'aes-256-gcm', count: 2, created_at: '2025-05-05T00:00:00.000Z' })
    const out = await openBundle(text, PASS)
    expect(out.entries).toEqual(entries)
    // Two bundles of the same data differ (fresh salt and nonce).
    expect(await sealBundle(entries, PASS)).not.toBe(text)
  })

  it('tells a wrong passphrase apart from a damaged bundle', async () => {
    const text = await sealBundle([entry()], PASS)
    expect((await fails(openBundle(text, 'wrong passphrase!'))).code).toBe('KEY_WRONG')
    const lines = text.split('\n')
    const body = Buffer.from(lines[2]!, 'base64')
    body[5]! ^= 1
    const flipped = [lines[0], lines[1], body.toString('base64'), ''].join('\n')
    const e = await fails(openBundle(flipped, PASS))
    expect(e.code).toBe('INVALID_INPUT')
    expect(e.message).toMatch(/do not decrypt/)
    // The header is authenticated: a changed count fails even with the right passphrase.
    const header = JSON.parse(lines[1]!) as Record<string, unknown>
    const recount = [lines[0], JSON.stringify({ ...header, count: 2 }), lines[2], ''].join('\n')
    expect((await fails(openBundle(recount, PASS))).message).toMatch(/do not decrypt/)
  })

  it('refuses malformed outer forms before deriving any key', async () => {
    const good = await sealBundle([entry()], PASS)
    const [m, h, b] = good.split('\n') as [string, string, string]
    const hdr = JSON.parse(h) as Record<string, Record<string, unknown>>
    const variants: [string, RegExp][] = [
      ['', /does not start/],
      ['hello\n', /does not start/],
      ['credctl-bundle/2\n{}\nAAAA\n', /unsupported bundle version "2"/],
      [`${m}\n${h}\n`, /body|truncated|unexpected/],
      [`${m}\n${h}\n${b}\nextra\n`, /unexpected lines/],
      [`${m}\nnot json\n${b}\n`, /header is not JSON/],
      [`${m}\n${JSON.stringify({ ...hdr, extra: 1 })}\n${b}\n`, /unknown field "extra"/],
      [`${m}\n${JSON.stringify({ ...hdr, kdf: { ...hdr.kdf, N: 2 ** 30 } })}\n${b}\n`, /scrypt N out of bounds/],
      [`${m}\n${JSON.stringify({ ...hdr, kdf: { ...hdr.kdf, N: 3 * 2 ** 15 } })}\n${b}\n`, /power of two/],
      [`${m}\n${JSON.stringify({ ...hdr, kdf: { ...hdr.kdf, name: 'pbkdf2' } })}\n${b}\n`, /unknown kdf/],
      [`${m}\n${JSON.stringify({ ...hdr, cipher: 'aes-128-cbc' })}\n${b}\n`, /unknown cipher/],
      [`${m}\n${JSON.stringify({ ...hdr, nonce: 'AAAA' })}\n${b}\n`, /malformed nonce/],
      [`${m}\n${h}\n${b.slice(0, -2)}!!\n`, /malformed body/],
    ]
    for (const [text, re] of variants) {
      const started = Date.now()
      const e = await fails(openBundle(text, PASS))
      expect(e.code, text.slice(0, 40)).toBe('INVALID_INPUT')
      expect(e.message, text.slice(0, 40)).toMatch(re)
      void started // the messages above come from the parser: no key derivation ran (a derivation would answer "wrong passphrase")
    }
    // CRLF line ends and a missing final newline are tolerated.
    expect((await openBundle(good.replace(/\n/g, '\r\n'), PASS)).entries).toHaveLength(1)
    expect((await openBundle(good.trimEnd(), PASS)).entries).toHaveLength(1)
  })

  it('checks the decrypted payload field by field', async () => {
    const ok = { format: 'credctl-bundle-payload', version: 1, credentials: [entry()] }
    expect((await openBundle(sealRaw(JSON.stringify(ok), PASS), PASS)).entries).toHaveLength(1)
    const bad: [unknown, RegExp][] = [
      ['not json at all', /payload is not JSON/],
      [{ ...ok, version: 2 }, /unknown payload format/],
      [{ ...ok, extra: true }, /unknown field/],
      [{ ...ok, credentials: [entry(), entry()] }, /count does not match/],
      [{ ...ok, credentials: [{ ...entry(), is_default: 'yes' }] }, /is_default/],
      [{ ...ok, credentials: [{ ...entry(), __proto__x: 1 }] }, /unknown field/],
      [{ ...ok, credentials: [{ ...entry(), value: 42 }] }, /"value"/],
      [{ ...ok, credentials: [{ ...entry(), settings: { 'Bad Key': 'x' } }] }, /settings/],
      [{ ...ok, credentials: [{ ...entry(), schema: { updated_at: '2025-01-01T00:00:00.000Z', tables: [{ name: 't' }] } }] }, /table/],
    ]
    for (const [payload, re] of bad) {
      const text = sealRaw(typeof payload === 'string' ? payload : JSON.stringify(payload), PASS)
      const e = await fails(openBundle(text, PASS))
      expect(e.message).toMatch(re)
    }
  })

  it('refuses a short export passphrase', async () => {
    expect((await fails(sealBundle([entry()], 'short'))).message).toMatch(/at least 8 characters/)
  })
})
