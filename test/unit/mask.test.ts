import { describe, expect, it } from 'vitest'
import { mask, maskKey } from '../../src/credentials/mask.js'

/** Characters of `value` revealed by `masked`, counting only the literal visible parts of a key mask. */
const revealed = (masked: string) => masked.replace(/\.\.\.|\*/g, '').length

describe('masking (DESIGN section 2)', () => {
  it('keeps a short prefix and the last 4 of API keys', () => {
    expect(mask('openai', 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789abcd')).toBe('sk-pr...abcd')
  })

  it('fully masks values of 12 characters or fewer', () => {
    for (const v of ['a', 'abcd', '123456789012']) expect(maskKey(v)).toBe('********')
  })

  it('never reveals more than a quarter of a key', () => {
    for (let n = 1; n <= 200; n++) {
      const v = 'x'.repeat(n)
      expect(revealed(maskKey(v))).toBeLessThanOrEqual(Math.floor(n / 4))
    }
  })

  it('masks only the password of connection URIs', () => {
    expect(mask('postgresql', 'postgresql://analytics:s3cr3t-pass@db.internal:5432/analytics')).toBe('postgresql://analytics:****@db.internal:5432/analytics')
    expect(mask('mysql', 'mysql://root:pw@localhost/db?ssl-mode=REQUIRED')).toBe('mysql://root:****@localhost/db?ssl-mode=REQUIRED')
    expect(mask('smtp', 'smtps://user%40x.com:pa%3Ass@mail.example.com:465')).toBe('smtps://user%40x.com:****@mail.example.com:465')
    expect(mask('snowflake', 'snowflake://u:p@acct/db/sch?warehouse=wh&password=zzz')).toBe('snowflake://u:****@acct/db/sch?warehouse=wh&password=****')
  })

  it('shows only the client_email of a service account', () => {
    const sa = JSON.stringify({ type: 'service_account', client_email: 'bot@proj.iam.gserviceaccount.com', private_key: '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n' })
    expect(mask('bigquery', sa)).toBe('service account bot@proj.iam.gserviceaccount.com')
  })

  it('masks ADO strings and generic database values by shape', () => {
    expect(mask('mssql', 'Server=db;Database=x;User Id=sa;Password=Sup3r;')).toBe('Server=db;Database=x;User Id=sa;Password=****;')
    expect(mask('database', 'postgres://u:pw@h/d')).toBe('postgres://u:****@h/d')
  })

  it('masks oauth JSON by its access token', () => {
    expect(mask('oauth', JSON.stringify({ access_token: 'ya29.abcdefghijklmnopqrstuvwxyz', refresh_token: 'r' }))).toBe('ya2...wxyz (+refresh token)')
  })

  it('masks passwords that contain "@", quoted ADO passwords with ";", and secret query parameters', () => {
    expect(mask('postgresql', 'postgresql://u:p@ssw0rdSecret@db.example.com:5432/db')).toBe('postgresql://u:****@db.example.com:5432/db')
    expect(mask('mssql', 'Server=h;User Id=u;Password="se;cretPassword99"')).toBe('Server=h;User Id=u;Password=****')
    expect(mask('mssql', 'Server=h;Pwd={a;b}}c};Database=d')).toBe('Server=h;Pwd=****;Database=d')
    expect(mask('postgresql', 'postgresql://u:pw@h/db?sslpassword=TopSecretKeyPass&sslmode=require')).toBe('postgresql://u:****@h/db?sslpassword=****&sslmode=require')
    expect(mask('snowflake', 'snowflake://u@acct/db/s?client_secret=zzzSecretzz&warehouse=wh')).toBe('snowflake://u@acct/db/s?client_secret=****&warehouse=wh')
  })
})
