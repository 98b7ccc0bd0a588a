import { randomBytes, randomUUID } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { canonical, FormatError, macInput, parseVault, SCRYPT_BOUNDS, serializeVault, type VaultFile } from '../../src/vault/format.js'
import { sampleVault } from '../fixtures/hostile/sample-vault.js'

const reject = (text: string, msg: RegExp) => {
  let err: unknown
  try {
    parseVault(text)
  } catch (e) {
    err = e
  }
  expect(err, `expected a FormatError for ${text.slice(0, 80)}`).toBeInstanceOf(FormatError)
  expect((err as Error).message).toMatch(msg)
}
const mutate = (fn: (o: Record<string, any>) => void) => {
  const o = JSON.parse(sampleVault().text)
  fn(o)
  return JSON.stringify(o)
}

describe('parseVault', () => {
  it('parses what serializeVault writes, field for field', () => {
    const { vault, text } = sampleVault()
    const back = parseVault(text)
    expect(back).toEqual(vault)
    expect(serializeVault(back)).toBe(text)
  })

  it('rebuilds objects field by field: prototypes are plain, nothing extra survives', () => {
    const back = parseVault(sampleVault().text)
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype)
    expect(Object.getPrototypeOf(back.credentials[0]!.settings)).toBe(Object.prototype)
    expect(Object.keys(back.credentials[0]!.settings)).toEqual(['check_url'])
  })

  it('refuses unknown versions, naming the version and what to do', () => {
    reject(mutate((o) => (o.version = 2)), /unsupported vault version 2 .*reads version 1/)
    reject(mutate((o) => (o.version = '1')), /unsupported vault version "1"/)
    reject(mutate((o) => delete o.version), /unsupported vault version/)
  })

  it('refuses damaged text with a message that says so', () => {
    const { text } = sampleVault()
    reject('', /empty/)
    reject(text.slice(0, 100), /not valid JSON \(damaged or truncated\)/)
    reject('{"a":1}', /not a credctl vault/)
  })

  it('refuses unknown fields, __proto__ and constructor keys at every level', () => {
    const { text } = sampleVault()
    reject(text.replace('"version"', '"__proto__": {"x": 1}, "version"'), /unknown field "__proto__"/)
    reject(text.replace('"source"', '"__proto__": {}, "source"'), /unknown field "__proto__"/)
    reject(text.replace('"name"', '"__proto__": {}, "name"'), /unknown field "__proto__"/)
    reject(text.replace('"check_url"', '"__proto__": "x", "check_url"'), /malformed setting/)
    reject(mutate((o) => (o.credentials[0].settings = { constructor: 'x' })), /malformed setting/)
    reject(mutate((o) => (o.credentials[0].settings = { prototype: 'x' })), /malformed setting/)
    expect(({} as Record<string, unknown>).x).toBeUndefined()
  })

  it('refuses wrong types, NUL characters, oversize strings and duplicate ids', () => {
    reject(mutate((o) => (o.credentials[0].is_default = 'true')), /"is_default" must be true or false/)
    reject(mutate((o) => (o.credentials[0].is_valid = 0)), /"is_valid" must be true, false or null/)
    reject(mutate((o) => (o.credentials[0].name = 'a\u0000b')), /NUL/)
    reject(mutate((o) => (o.credentials[0].name = 'x'.repeat(201))), /too long/)
    reject(mutate((o) => (o.credentials[0].created_at = 'yesterday')), /ISO 8601/)
    reject(mutate((o) => o.credentials.push({ ...o.credentials[0] })), /duplicate credential id/)
    reject(mutate((o) => (o.credentials[0].id = '../../etc/x')), /malformed id/)
  })

  it('bounds scrypt parameters read from the file', () => {
    const pass = (scrypt: Record<string, unknown>) =>
      mutate((o) => {
        o.key.source = 'passphrase'
        o.key.scrypt = { salt: randomBytes(16).toString('base64'), N: 32768, r: 8, p: 1, ...scrypt }
      })
    expect(parseVault(pass({})).key.scrypt).toMatchObject({ N: 32768, r: 8, p: 1 })
    expect(parseVault(pass({ N: SCRYPT_BOUNDS.N[1] })).key.scrypt!.N).toBe(1 << 20)
    reject(pass({ N: 2 ** 21 }), /"N" must be an integer between/)
    reject(pass({ N: 2 ** 13 }), /"N" must be an integer between/)
    reject(pass({ N: 3 * 2 ** 14 }), /power of two/)
    reject(pass({ N: 1e308 }), /"N"/)
    reject(pass({ r: 17 }), /"r"/)
    reject(pass({ p: 5 }), /"p"/)
    reject(pass({ N: 2 ** 20, r: 16 }), /too costly/)
    reject(pass({ N: 2 ** 20, p: 2 }), /too costly/)
    reject(pass({ salt: 'QR==AAAAAAAAAAAAAAAAAAAA' }), /malformed salt/)
  })

  it('accepts a keychain account only as <vault id>:<n> on a keychain vault', () => {
    const ok = mutate((o) => {
      o.key.source = 'keychain'
      o.key.account = `${o.vault_id}:3`
    })
    expect(parseVault(ok).key.account).toMatch(/:3$/)
    reject(
      mutate((o) => {
        o.key.source = 'keychain'
        o.key.account = `${randomUUID()}:1`
      }),
      /another vault/,
    )
    reject(
      mutate((o) => {
        o.key.source = 'keychain'
        o.key.account = o.vault_id
      }),
      /malformed keychain account/,
    )
    reject(mutate((o) => (o.key.account = `${o.vault_id}:1`)), /keychain account on a env vault/)
  })
})

describe('the MAC input', () => {
  it('is canonical: key order and whitespace in the file do not change it', () => {
    const { vault, text } = sampleVault()
    const reordered = JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(text)).reverse()))
    expect(macInput(parseVault(reordered))).toBe(macInput(vault))
  })

  it('covers every field but the MAC: any metadata edit changes it', () => {
    const { vault } = sampleVault()
    const base = macInput(vault)
    const edits: ((v: VaultFile) => void)[] = [
      (v) => (v.credentials[0]!.name = 'other'),
      (v) => (v.credentials[0]!.type = 'anthropic'),
      (v) => (v.credentials[0]!.base_url = 'http://127.0.0.1:1'),
      (v) => (v.credentials[0]!.settings.check_url = 'http://evil.example'),
      (v) => (v.credentials[0]!.is_default = false),
      (v) => (v.credentials[0]!.masked_content = 'sk-pr...zzzz'),
      (v) => (v.credentials[0]!.deleted_at = '2026-01-01T00:00:00.000Z'),
      (v) => (v.credentials = []),
      (v) => (v.key.source = 'file'),
      (v) => (v.created_at = '2020-01-01T00:00:00.000Z'),
    ]
    for (const edit of edits) {
      const copy = structuredClone(vault)
      edit(copy)
      expect(macInput(copy)).not.toBe(base)
    }
    const copy = structuredClone(vault)
    copy.mac = 'anything'
    expect(macInput(copy)).toBe(base)
  })

  it('canonical() sorts keys recursively and drops undefined', () => {
    expect(canonical({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: undefined } })).toBe('{"a":{"d":[1,{"y":2,"z":1}]},"b":1}')
  })
})
