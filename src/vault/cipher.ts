import { crypto } from '../lazy-crypto.js'

/**
 * AES-256-GCM with a fresh random 96-bit nonce per seal and a 128-bit tag whose length is checked
 * explicitly on open. The associated data binds a ciphertext to (vault id, credential id, field): a
 * ciphertext pasted into another record or another vault fails its tag.
 *
 * Sealed form: "v1.<base64 nonce>.<base64 ciphertext||tag>" — one string, easy to validate strictly.
 */
const NONCE_BYTES = 12
const TAG_BYTES = 16
export const KEY_BYTES = 32

export class TagMismatch extends Error {
  constructor() {
    super('authentication tag mismatch')
  }
}

export const aadFor = (vaultId: string, credentialId: string, field: string) =>
  Buffer.from(`credctl/v1/${vaultId}/${credentialId}/${field}`, 'utf8')

export function seal(key: Buffer, plaintext: string | Buffer, aad: Buffer): string {
  const nonce = crypto().randomBytes(NONCE_BYTES)
  const c = crypto().createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES })
  c.setAAD(aad)
  const ct = Buffer.concat([c.update(typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext), c.final()])
  return `v1.${nonce.toString('base64')}.${Buffer.concat([ct, c.getAuthTag()]).toString('base64')}`
}

const B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
// Canonical base64 without decoding: the last data character before padding must carry no stray bits.
const LAST_OF_2 = /[AQgw]==$/
const LAST_OF_3 = /[AEIMQUYcgkosw048]=$/

function canonicalB64(s: string): boolean {
  if (!B64.test(s)) return false
  if (s.endsWith('==')) return LAST_OF_2.test(s)
  if (s.endsWith('=')) return LAST_OF_3.test(s)
  return true
}

/** Strict, canonical base64 only: a re-encoded value must match exactly. */
export function decodeB64(s: string): Buffer | undefined {
  if (typeof s !== 'string' || !canonicalB64(s)) return undefined
  return Buffer.from(s, 'base64')
}

// "v1." + 16 chars (12-byte nonce, no padding) + "." + base64 of ciphertext||tag (at least 16 bytes).
const SEALED = /^v1\.[A-Za-z0-9+/]{16}\.(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

/**
 * Shape check of a sealed value, without decoding it: listing 10,000 credentials parses every record,
 * and decoding each ciphertext just to look at it would dominate that. open() decodes and checks fully.
 */
export function isSealed(s: unknown): s is string {
  if (typeof s !== 'string' || !SEALED.test(s)) return false
  const body = s.slice(20)
  const pad = body.endsWith('==') ? 2 : body.endsWith('=') ? 1 : 0
  if ((body.length / 4) * 3 - pad < TAG_BYTES) return false
  if (body.endsWith('==')) return LAST_OF_2.test(body)
  if (body.endsWith('=')) return LAST_OF_3.test(body)
  return true
}

export function open(key: Buffer, sealed: string, aad: Buffer): Buffer {
  if (!isSealed(sealed)) throw new TagMismatch()
  const [, n, body] = sealed.split('.') as [string, string, string]
  const nonce = Buffer.from(n, 'base64')
  const all = Buffer.from(body, 'base64')
  const tag = all.subarray(all.length - TAG_BYTES)
  const d = crypto().createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES })
  d.setAAD(aad)
  d.setAuthTag(tag)
  try {
    return Buffer.concat([d.update(all.subarray(0, all.length - TAG_BYTES)), d.final()])
  } catch {
    throw new TagMismatch()
  }
}

/** A separate key for the metadata MAC, so the MAC never reuses the encryption key directly. */
export function macKey(key: Buffer): Buffer {
  return Buffer.from(crypto().hkdfSync('sha256', key, Buffer.alloc(0), Buffer.from('credctl/v1/metadata-mac'), 32))
}

/**
 * The one comparison of a MAC or a check value (the vault's metadata MAC, a bundle's passphrase check):
 * constant-time (crypto.timingSafeEqual), so the time taken never tells how many leading bytes of a
 * forged MAC were right. Bytes, or their base64 text. Unequal lengths are false at once: a MAC's length
 * is no secret.
 */
export function sameMac(a: Buffer | string, b: Buffer | string): boolean {
  const x = typeof a === 'string' ? Buffer.from(a, 'utf8') : a
  const y = typeof b === 'string' ? Buffer.from(b, 'utf8') : b
  return x.length === y.length && crypto().timingSafeEqual(x, y)
}

export function hmac(key: Buffer, data: string): string {
  return crypto().createHmac('sha256', key).update(data, 'utf8').digest('base64')
}
