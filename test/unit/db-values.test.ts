import { describe, expect, it } from 'vitest'
import { statusOfError } from '../../src/checks/classify.js'
import { DriverTimeout } from '../../src/checks/databases/common.js'
import { checkValue } from '../../src/credentials/input.js'

// The input checks of warehouse values at create time (exit 2 with the expected form), and the
// classification of the driver errors the database checks throw.
const bad = (type: string, value: string, schemaType?: string) => {
  try {
    checkValue(type, value, schemaType)
  } catch (e) {
    return e as { code: string; message: string }
  }
  throw new Error(`accepted: ${type}`)
}

describe('warehouse values at create', () => {
  it('accepts the documented forms', () => {
    for (const [type, v] of [
      ['postgresql', 'postgresql://u:p@h:5432/db?sslmode=verify-full'],
      ['postgresql', 'postgres://u@h/db'],
      ['redshift', 'redshift://u:p@c.abc.us-east-1.redshift.amazonaws.com:5439/dev'],
      ['redshift', 'postgresql://u:p@h/dev'],
      ['mysql', 'mysql://u:p@h:3306/db?ssl-mode=VERIFY_IDENTITY'],
      ['mysql', 'mariadb://u:p@h/db'],
      ['mssql', 'Server=tcp:h,1433;Database=d;User Id=u;Password=p;Encrypt=true'],
      ['mssql', 'sqlserver://u:p@h:1433/d'],
      ['mssql', 'jdbc:sqlserver://h:1433;databaseName=d;user=u;password=p'],
      ['clickhouse', 'https://u:p@h:8443/db'],
      ['clickhouse', 'clickhouse://u:p@h:9000/db'],
      ['snowflake', 'snowflake://u:p@myorg-acct/db/schema?warehouse=wh&role=r'],
      ['bigquery', JSON.stringify({ type: 'service_account', client_email: 'a@p.iam.gserviceaccount.com', private_key: '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n', project_id: 'p' })],
      ['static_file', '/data/*.parquet'],
      ['static_file', './exports'],
    ] as const) {
      expect(() => checkValue(type, v), `${type} ${v}`).not.toThrow()
    }
    expect(() => checkValue('database', 'mysql://u:p@h/db', 'mysql')).not.toThrow()
  })
  it('refuses the rest with the expected form and the reason, never the value', () => {
    const secret = 'S3cret-canary-77'
    const e1 = bad('mysql', `mysql://u:${secret}@h/db?ssl-mode=SOMETIMES`)
    expect(e1.code).toBe('INVALID_INPUT')
    expect(e1.message).toMatch(/expected a mysql:\/\/ or mariadb:\/\/ URI.*unknown ssl-mode/)
    expect(e1.message).not.toContain(secret)
    expect(bad('postgresql', `postgresql://u:${secret}@h/db?sslmode=maybe`).message).toMatch(/unknown sslmode/)
    expect(bad('mssql', `Server=h;Encrypt=perhaps;Password=${secret}`).message).toMatch(/true or false/)
    expect(bad('clickhouse', 'ftp://h').code).toBe('INVALID_INPUT')
    expect(bad('snowflake', 'snowflake://acct/db').message).toMatch(/snowflake:\/\//)
    expect(bad('bigquery', '{"client_email":"a@b","private_key":"not a pem"}').message).toMatch(/PEM private_key/)
    expect(bad('static_file', 's3://bucket/data.parquet').message).toMatch(/local path/)
    expect(bad('database', 'redshift://u:p@h/db', 'mysql').message).toMatch(/mysql:\/\//)
  })
})

describe('driver errors are classified', () => {
  const err = (code: string) => Object.assign(new Error('x'), { code })
  it('timeouts', () => {
    for (const c of ['ETIMEOUT', 'PROTOCOL_SEQUENCE_TIMEOUT', '57014', 'ER_STATEMENT_TIMEOUT']) expect(statusOfError(err(c)), c).toBe('timeout')
    expect(statusOfError(new DriverTimeout('x', 1000))).toBe('timeout')
  })
  it('unreachable', () => {
    for (const c of ['ESOCKET', 'EINSTLOOKUP', 'PROTOCOL_CONNECTION_LOST', 'HANDSHAKE_NO_SSL_SUPPORT', 'ECONNREFUSED']) expect(statusOfError(err(c)), c).toBe('unreachable')
  })
})
