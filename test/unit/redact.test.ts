import { describe, expect, it } from 'vitest'
import { redact, redactError, secretPieces } from '../../src/checks/redact.js'

// DESIGN 7 / security.md 8.4 (25): the one redaction function, in front of everything a driver, a
// provider or fetch says.
describe('redact: known values', () => {
  it('removes the value wherever it appears, every occurrence', () => {
    const key = 'sk-proj-AbCdEf0123456789AbCdEf0123456789'
    const out = redact(`invalid key ${key}; you sent ${key}.`, [key])
    expect(out).not.toContain(key)
    expect(out).toBe('invalid key ****; you sent ****.')
  })

  it('removes the JSON-escaped form of a value (error bodies quoting it inside JSON)', () => {
    const json = '{"type":"service_account","client_email":"a@b.iam.gserviceaccount.com","private_key":"-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\nBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\\n-----END PRIVATE KEY-----\\n"}'
    const value = JSON.parse(json) as { private_key: string }
    const body = JSON.stringify({ error: { message: `bad key ${value.private_key}` } })
    const out = redact(body, [json])
    expect(out).not.toContain('MIIEvQIBADANBgkqhkiG9w0BAQEFAASC')
    expect(out).not.toContain('BKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj')
  })

  it('removes each PEM line of a service-account key on its own (drivers re-wrap or quote lines)', () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n-----END PRIVATE KEY-----\n'
    const sa = JSON.stringify({ client_email: 'svc@p.iam.gserviceaccount.com', private_key: pem })
    const out = redact('asn1 error near "BKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj" in line 2', [sa])
    expect(out).not.toContain('BKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj')
    expect(out).toContain('asn1 error')
    // The email is not secret and stays (it helps the user).
    expect(redact('svc@p.iam.gserviceaccount.com denied', [sa])).toContain('svc@p.iam.gserviceaccount.com')
  })

  it('removes a value with surrounding whitespace (pasted with a newline) in both forms', () => {
    expect(redact('got abcd1234efgh and x', ['abcd1234efgh\n'])).toBe('got **** and x')
  })

  it('does not hunt fragments shorter than 4 characters (they would shred ordinary words)', () => {
    expect(secretPieces('abc')).toEqual([])
    expect(redact('a cab and abc', ['abc'])).toBe('a cab and abc')
  })
})

describe('redact: connection strings', () => {
  it('masks the URI password, raw and percent-encoded, when the value is known', () => {
    const uri = 'postgresql://analytics:p%40ss%3Aw0rd%2F1@db.internal:5432/analytics'
    for (const text of [
      `connect ECONNREFUSED ${uri}`,
      'password authentication failed: p@ss:w0rd/1 rejected',
      'password authentication failed: p%40ss%3Aw0rd%2F1 rejected',
    ]) {
      const out = redact(text, [uri])
      expect(out).not.toContain('p@ss:w0rd/1')
      expect(out).not.toContain('p%40ss%3Aw0rd%2F1')
    }
  })

  it('masks the password of any URI in a message, even one it was not told about', () => {
    expect(redact('failed: mysql://root:t0psecret@10.0.0.5:3306/app timed out')).toBe('failed: mysql://root:****@10.0.0.5:3306/app timed out')
    expect(redact('smtps://mailer:Pa55word!@smtp.example.com:465')).toBe('smtps://mailer:****@smtp.example.com:465')
    // keeps what helps: scheme, user, host, port, database
    expect(redact('postgres://u:x@h:1/d')).toContain('postgres://u:')
    expect(redact('postgres://u:x@h:1/d')).toContain('@h:1/d')
  })

  it('masks ADO/ODBC-style password= and pwd= parts', () => {
    const ado = 'Server=db;Database=app;User Id=sa;Password=Str0ng!Pass;Encrypt=true'
    expect(redact(`login failed for ${ado}`, [ado])).not.toContain('Str0ng!Pass')
    expect(redact('Server=db;pwd=hunter2hunter2;')).not.toContain('hunter2hunter2')
    expect(redact('jdbc:x://h/db?user=u&password=s3cr3tValue&ssl=1')).not.toContain('s3cr3tValue')
    expect(redact('host=h sslpassword=abcd1234xyz user=u')).not.toContain('abcd1234xyz')
  })
})

describe('redact: headers and query strings (without knowing the value)', () => {
  it.each([
    ['Authorization: Bearer sk-abcdef1234567890', 'sk-abcdef1234567890'],
    ['authorization: Basic dXNlcjpwYXNzd29yZA==', 'dXNlcjpwYXNzd29yZA=='],
    ['Proxy-Authorization: Bearer tok_live_1234567890', 'tok_live_1234567890'],
    ['x-api-key: sk-ant-api03-abcdefgh', 'sk-ant-api03-abcdefgh'],
    ['"x-goog-api-key":"AIzaSyA1234567890abcdef"', 'AIzaSyA1234567890abcdef'],
    ['{"headers":{"Authorization":"Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig"}}', 'eyJhbGciOiJIUzI1NiJ9.payload.sig'],
    ['xi-api-key=abcdef0123456789', 'abcdef0123456789'],
    ['GET https://api.example.com/v1/models?key=AIzaSyB-secret-123 failed', 'AIzaSyB-secret-123'],
    ['https://x.example/p?a=1&api_key=abc123def456&b=2', 'abc123def456'],
    ['https://x.example/cb?access_token=ya29.a0Af-secret', 'ya29.a0Af-secret'],
    ['refresh_token=1//0g-secret-refresh', '1//0g-secret-refresh'],
    ['client_secret=GOCSPX-abcdef', 'GOCSPX-abcdef'],
  ])('%s', (text, secret) => {
    const out = redact(text)
    expect(out).not.toContain(secret)
    expect(out).toContain('****')
  })

  it('leaves ordinary text alone', () => {
    const text = 'connect ECONNREFUSED 127.0.0.1:5432 (the server is down); see https://status.example.com/?page=2'
    expect(redact(text)).toBe(text)
  })
})

describe('redactError', () => {
  it('keeps the error class information and code, redacts message and cause, never includes the stack', () => {
    const secret = 'sk-live-0123456789abcdef'
    const cause = new Error(`connect failed with key ${secret}`)
    const e = Object.assign(new Error('fetch failed', { cause }), { code: 'ECONNREFUSED' })
    const out = redactError(e, [secret])
    expect(out).toContain('fetch failed')
    expect(out).toContain('ECONNREFUSED')
    expect(out).not.toContain(secret)
    expect(out).not.toMatch(/\n\s+at /)
  })

  it('handles non-Error throwables', () => {
    expect(redactError('postgres://u:pw123456@h/db broke')).not.toContain('pw123456')
    expect(redactError({ toString: () => 'Authorization: Bearer abcdefgh12345' })).not.toContain('abcdefgh12345')
  })
})

describe('redact: config dumps', () => {
  it('masks quoted password/secret fields in JSON and util.inspect output', () => {
    const text = `{ server: 'db', authentication: { options: { userName: 'sa', password: 'Str0ng!Pass' } }, "client_secret": "GOCSPX-xyz", "token":"t0k3n-abc" }`
    const out = redact(text)
    for (const s of ['Str0ng!Pass', 'GOCSPX-xyz', 't0k3n-abc']) expect(out).not.toContain(s)
    expect(out).toContain("userName: 'sa'")
    expect(redact(`"password":"with \\"quote\\" inside"`)).toBe(`"password":"****"`)
  })

  it('finds URI passwords that contain "@", quoted ADO passwords and secret query parameters', () => {
    const uri = 'postgresql://u:p@ssw0rdSecret@db.example.com/db?sslpassword=TopSecretKeyPass'
    const out = redact(`failed: password p@ssw0rdSecret rejected; sslpassword TopSecretKeyPass`, [uri])
    expect(out).not.toContain('ssw0rdSecret')
    expect(out).not.toContain('TopSecretKeyPass')
    const ado = 'Server=h;Password="se;cretPassword99"'
    expect(redact('login failed for se;cretPassword99', [ado])).not.toContain('cretPassword99')
  })
})
