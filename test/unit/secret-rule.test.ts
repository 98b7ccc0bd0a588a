import { describe, expect, it } from 'vitest'
import { nameWords, randomToken, secretReason } from '../../src/credentials/secret-rule.js'

/** The one "does this .env variable hold a secret?" rule (issue 12, point 2), as a table. */
const SECRET: [string, string][] = [
  ['STRIPE_SECRET_KEY', 'sk_live_51HxyzABCDEF0123456789'],
  ['TWILIO_AUTH_TOKEN', '0123456789abcdef0123456789abcdef'],
  ['GITHUB_TOKEN', 'ghp_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5'],
  ['PRIVATE_KEY', '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----\n'],
  ['REDIS_URL', 'redis://:pw@cache:6379'],
  ['CACHE', 'rediss://default:pw@cache.example.com:6380/0'],
  ['DB_PASSWORD', '123456'],
  ['SMTP_PASS', 'x'],
  ['JWT_SECRET', 'dev'],
  ['dbPassword', 'hunter2'],
  ['SECRET_KEY_BASE', 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8'],
  ['SESSION_KEY', 'changeme'],
  ['GOOGLE_OAUTH_CREDENTIALS', '{"client_secret":"x"}'],
  ['SLACK_WEBHOOK_URL', 'https://hooks.slack.com/services/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'],
  ['SIGNED_URL', 'https://bucket.example.com/f.csv?X-Amz-Signature=abc'],
  ['WHATEVER', 'AKIAIOSFODNN7EXAMPLE'],
  ['ANYTHING', 'kQ3vT9zL1mB7xW2r'],
  ['HASH', '8f14e45fceea167a5a36dedd4bea2543'],
  ['WEIRD_URL', 'postgres://u:p/w@h/db'],
  // F2: a password inside a key=value connection string or after a secret flag
  ['ConnectionStrings__Default', 'Server=sql;Database=app;User Id=sa;Password=Winter2024!'],
  ['PG_CONNINFO', 'host=db user=app password=Summer2023!'],
  ['REDIS_OPTS', '--requirepass Autumn2022!'],
  ['JAVA_OPTS', '-Xmx1g -Ddb.password=123456'],
  ['MYSQL_ARGS', '--password="a b;c" --host=db'],
]
const CONFIG: [string, string][] = [
  ['NODE_ENV', 'production'],
  ['PORT', '3000'],
  ['LOG_LEVEL', 'info'],
  ['API_URL', 'https://api.example.com/v1'],
  ['REDIS_URL', 'redis://cache:6379/0'],
  ['DEBUG', 'true'],
  ['DB_HOST', 'db-primary.internal.example.com'],
  ['TZ', 'America/New_York'],
  ['BUCKET', 'my-app-production-bucket-2024'],
  ['VERSION', '1.2.3-beta.4+build.5678'],
  ['REQUEST_ID', '3f2b1c9e-8a7d-4e5f-9b0c-1d2e3f4a5b6c'],
  ['SENTRY_URL', 'https://u@sentry.example.com/api?x=1#frag'],
  ['TOKEN_TTL', '3600'],
  ['SESSION_TIMEOUT', '30m'],
  ['USE_AUTH_TOKEN', 'false'],
  ['SSL_KEY', '/etc/ssl/private/app.key'],
  ['AUTH_PROVIDER', 'google'],
  ['JWT_KEY_ALGORITHM', 'RS256'],
  ['PWD', '/home/app'],
  ['EMPTY_SECRET', ''],
  ['AUTH_ISSUER_URL', 'https://auth.example.com/'],
  ['GREETING', "it's \"quoted\" and spaced"],
  ['NODE_OPTIONS', '--max-old-space-size=4096 --enable-source-maps'],
  ['PG_CONNINFO', 'host=db user=app sslmode=require sslkey=/etc/ssl/app.key'],
  ['JAVA_OPTS', '-Dauth.enabled=true -Xmx1g'],
]

describe('secretReason', () => {
  it.each(SECRET)('%s holds a secret', (name, value) => expect(secretReason(name, value)).toBeTypeOf('string'))
  it.each(CONFIG)('%s is configuration', (name, value) => expect(secretReason(name, value)).toBeUndefined())

  it('never quotes the value in its reason', () => {
    for (const [n, v] of SECRET) if (v.length > 3) expect(secretReason(n, v)).not.toContain(v)
  })

  it('splits names into words (snake, camel, dotted)', () => {
    expect(nameWords('STRIPE_SECRET_KEY')).toEqual(['STRIPE', 'SECRET', 'KEY'])
    expect(nameWords('apiKey')).toEqual(['API', 'KEY'])
    expect(nameWords('db.password')).toEqual(['DB', 'PASSWORD'])
    expect(nameWords('MONKEY_BUSINESS')).toEqual(['MONKEY', 'BUSINESS'])
  })

  it('random-looking tokens: mixed letters and digits, 16+ between separators, or 32+ hex; not UUIDs or words', () => {
    expect(randomToken('sk_live_51HxyzABCDEF0123456789')).toBe(true)
    expect(randomToken('3f2b1c9e-8a7d-4e5f-9b0c-1d2e3f4a5b6c')).toBe(false)
    expect(randomToken('ProductionDatabaseReplica')).toBe(false)
    expect(randomToken('release-2024-11-30-build-candidate')).toBe(false)
  })
})
