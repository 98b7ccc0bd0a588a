import { describe, expect, it } from 'vitest'
import { checkValue, MAX_VALUE_BYTES } from '../../src/credentials/input.js'

describe('input checks per type', () => {
  it('accepts well-formed values and drops one trailing newline', () => {
    expect(checkValue('openai', 'sk-abc\n')).toBe('sk-abc')
    expect(checkValue('postgresql', 'postgres://u:p@h:5432/d')).toBe('postgres://u:p@h:5432/d')
    expect(checkValue('smtp', 'smtps://u:p@mail.example.com:465')).toBeTruthy()
    expect(checkValue('bigquery', JSON.stringify({ client_email: 'a@b.iam.gserviceaccount.com', private_key: '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n' }))).toBeTruthy()
    expect(checkValue('database', 'mysql://u:p@h/d', 'mysql')).toBeTruthy()
  })

  it.each([
    ['openai', 'sk abc', /without whitespace/],
    ['openai', '   ', /empty/],
    ['postgresql', 'mysql://u:p@h/d', /postgresql:\/\//],
    ['postgresql', 'not a uri', /postgresql:\/\//],
    ['bigquery', '{"client_email":"x"}', /service-account JSON/],
    ['bigquery', '{not json', /service-account JSON/],
    ['smtp', 'http://mail', /smtp:\/\//],
    ['database', 'postgres://u:p@h/d', /schema-type/],
  ])('%s refuses %j', (type, value, re) => {
    expect(() => checkValue(type, value)).toThrow(re)
  })

  it('refuses values over 64 KiB and NUL bytes', () => {
    expect(() => checkValue('api_key', 'a'.repeat(MAX_VALUE_BYTES + 1))).toThrow(/64 KiB/)
    expect(() => checkValue('api_key', 'ab\0cd')).toThrow(/NUL/)
  })
})
