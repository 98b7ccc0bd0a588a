import fc from 'fast-check'
import { TYPES, WAREHOUSE_TYPES } from '../../src/credentials/catalogue.js'

/**
 * Values of every type with a canary secret in each syntactic position a secret can take (issue 10,
 * section 2): userinfo passwords raw and encoded, secret and unknown query parameters, fragments, ADO
 * and JDBC passwords plain, braced and quoted, JSON private keys and tokens, bare keys. Shared by the
 * unit property test and the CLI sweep.
 */
/** Characters that move the edges of URI userinfo, query strings and ADO values. */
export const SPECIAL = ['/', '@', ':', '%', '?', '#', ';', '&', '=', '{', '}', '"', "'", '+', '!', '$', ',', '[', ']', '\\', '|', '^', '`', '~']
/** A canary: runs of letters and digits with special characters between them, 10-60 characters. */
export const canaryArb = fc
  .array(fc.tuple(fc.stringMatching(/^[A-Za-z0-9]{2,7}$/), fc.option(fc.constantFrom(...SPECIAL), { nil: '' })), { minLength: 3, maxLength: 8 })
  .map((chunks) => `Kq${chunks.map(([a, b]) => a + b).join('')}`)
  .filter((c) => c.length >= 10)

/** Every 8-character piece of the canary: none may show. */
export const pieces = (c: string) => Array.from({ length: c.length - 7 }, (_, i) => c.slice(i, i + 8))

const enc = encodeURIComponent
const braced = (c: string) => `{${c.replace(/\}/g, '}}')}}`
const dquoted = (c: string) => `"${c.replace(/"/g, '""')}"`
const squoted = (c: string) => `'${c.replace(/'/g, "''")}'`
const pem = (c: string) => `-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC${c}\nBKcwggSjAgEAAoIBAQC\n-----END PRIVATE KEY-----\n`

/** URI forms of a scheme: password in userinfo (raw and encoded), in secret and unknown query parameters, in the fragment. */
function uriValues(base: (auth: string) => string, c: string): string[] {
  return [
    base(`analytics:${c}@`),
    base(`analytics:${enc(c)}@`),
    `${base('analytics:pw@')}?password=${c}`,
    `${base('analytics:pw@')}?sslpassword=${enc(c)}&sslmode=require`,
    `${base('analytics@')}?client_secret=${c}`,
    `${base('analytics@')}?x_extra=${c}`,
    `${base('analytics@')}?${c}`,
    `${base('analytics:pw@')}#${c}`,
    // Parameters on the public list whose value must be harmless to be shown (flags, modes, numbers,
    // libpq options without secret settings): mysql2's ssl JSON, a password set through options.
    `${base('analytics:pw@')}?ssl=${enc(JSON.stringify({ passphrase: c }))}`,
    `${base('analytics:pw@')}?options=${enc(`-c password=${c}`)}&sslmode=${enc(c)}`,
    `${base('analytics@')}?ssl=${enc(c)}&connect_timeout=${enc(c)}&ssl_mode=${enc(c)}`,
  ]
}

/** The positions a secret can take in a value of each warehouse/tool type. */
export const VALUES: Record<string, (c: string) => string[]> = {
  postgresql: (c) => uriValues((a) => `postgresql://${a}db.internal:5432/warehouse`, c),
  redshift: (c) => uriValues((a) => `redshift://${a}c.abc.us-east-1.redshift.amazonaws.com:5439/dev`, c),
  mysql: (c) => uriValues((a) => `mysql://${a}db.internal:3306/shop`, c),
  clickhouse: (c) => [...uriValues((a) => `https://${a}ch.internal:8443/events`, c), ...uriValues((a) => `clickhouse://${a}ch.internal:9000/events`, c)],
  snowflake: (c) => uriValues((a) => `snowflake://${a.startsWith('analytics@') ? 'analytics@' : a}acme-xy12345/db/public`, c),
  smtp: (c) => uriValues((a) => `smtps://${a}mail.example.com:465`, c),
  mssql: (c) => [
    `Server=db.internal,1433;Database=sales;User Id=sa;Password=${c}`,
    `Server=db.internal;Database=sales;User Id=sa;Password=${c};Encrypt=true`,
    `Server=db.internal;User Id=sa;Password=${braced(c)};Database=sales`,
    `Server=db.internal;User Id=sa;Pwd=${dquoted(c)}`,
    `Server=db.internal;User Id=sa;Password=${squoted(c)};TrustServerCertificate=true`,
    `jdbc:sqlserver://db.internal:1433;databaseName=sales;user=sa;password=${c}`,
    `jdbc:sqlserver://db.internal:1433;databaseName=sales;user=sa;password=${braced(c)};encrypt=true`,
    `sqlserver://db.internal:1433;databaseName=sales;user=sa;password=${c}`,
    `jdbc:sqlserver://sa:${c}@db.internal:1433;databaseName=sales`,
    `mssql://sa:${c}@db.internal:1433/sales`,
    `mssql://sa:${enc(c)}@db.internal:1433/sales?encrypt=true`,
    `sqlserver://sa@db.internal:1433/sales;password=${braced(c)}`,
    `mssql://sa@db.internal:1433/sales?password=${enc(c)}`,
  ],
  bigquery: (c) => [
    JSON.stringify({ type: 'service_account', project_id: 'p', client_email: 'bot@p.iam.gserviceaccount.com', private_key: pem(c) }),
    JSON.stringify({ type: 'service_account', client_email: 'bot@p.iam.gserviceaccount.com', private_key: pem('x'), extra_secret: c }),
  ],
  // A path is shown (it is not a secret); the only place a password could go is a URL, which is refused.
  static_file: (c) => [`s3://reader:${c}@bucket/data/*.csv`, `https://reader:${enc(c)}@files.example.com/data.csv`],
  oauth: (c) => [
    c,
    JSON.stringify({ access_token: c }),
    JSON.stringify({ access_token: 'ya29.a0AfH6SMBx-public-part-long', refresh_token: c, client_id: 'app', client_secret: c, token_url: 'https://auth.example.com/token' }),
    JSON.stringify({ access_token: 'ya29.a0AfH6SMBx-public-part-long', token_url: `https://u:${enc(c)}@auth.example.com/token` }),
  ],
}
/** Every other type's value is a key: the whole value is the secret. */
export const valuesOf = (type: string, c: string): string[] => (VALUES[type] ?? ((k: string) => [k, `sk-proj-${k}`, `${k}\n`]))(c)

/** [type as created, schema_type, type whose values to build]: the 34 types, and tools/database with each schema type. */
export const CASES: [string, string | undefined, string][] = [
  ...TYPES.filter((t) => t.type !== 'database').map((t): [string, undefined, string] => [t.type, undefined, t.type]),
  ...WAREHOUSE_TYPES.map((s): [string, string, string] => ['database', s, s]),
]

