import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import * as path from 'node:path'
import { randomBytes } from 'node:crypto'
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { TYPES, typeInfo, WAREHOUSE_TYPES } from '../../src/credentials/catalogue.js'
import { checkValue } from '../../src/credentials/input.js'
import { mask } from '../../src/credentials/mask.js'
import { parsePgUri } from '../../src/checks/databases/pg-uri.js'
import { redactSecrets } from '../../src/checks/redact.js'
import { PROVIDERS } from '../../src/checks/providers.js'
import { confirmPastExpiry } from '../../src/cli/past-expiry.js'
import { createClient, CredctlError, type Client } from '../../src/index.js'

/** Issue 12, point 9: the smaller things a user hit (stale schemas, base URLs, past expiry, static_file paths, libpq sockets). */

let dir = ''
let client: Client
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'credctl-small-'))
  client = createClient({ vault: path.join(dir, 'v.json'), env: { CREDCTL_MASTER_KEY: randomBytes(32).toString('base64') } })
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

/** A value each value kind accepts. */
const PEM = '-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\\n-----END PRIVATE KEY-----\\n'
const GOOD: Record<string, string> = {
  api_key: 'sk-good-0123456789abcdef',
  postgres_uri: 'postgresql://u:p@db.internal:5432/app',
  redshift_uri: 'redshift://u:p@c.example.com:5439/dev',
  mysql_uri: 'mysql://u:p@db.internal:3306/shop',
  mssql: 'Server=db.internal;Database=app;User Id=u;Password=p',
  clickhouse_uri: 'https://u:p@ch.internal:8443/events',
  snowflake_uri: 'snowflake://u:p@acme-xy12345/db/public',
  service_account_json: JSON.stringify({ type: 'service_account', client_email: 'r@p.iam.gserviceaccount.com', private_key: PEM.replace(/\\n/g, '\n') }),
  path: '/srv/data',
  oauth: 'at-0123456789abcdef',
  smtp_url: 'smtps://u:p@mail.example.com:465',
}
const valueOf = (type: string, schemaType?: string) => GOOD[typeInfo(schemaType ?? type)!.value]!

describe('--base-url is refused for types that never read one (catalogue uses_base_url)', () => {
  it('the catalogue fact matches the checks: every HTTP provider row reads one, plus bigquery and snowflake', () => {
    const http = new Set(PROVIDERS.map((p) => p.type))
    for (const t of TYPES) expect(t.uses_base_url, t.type).toBe(http.has(t.type) || t.type === 'bigquery' || t.type === 'snowflake')
  })

  it('property: every type (database: every engine) x with/without a base URL, on create and update: refused exactly for types without', async () => {
    const cases = [...TYPES.filter((t) => t.type !== 'database').map((t) => [t.type, undefined] as const), ...WAREHOUSE_TYPES.map((s) => ['database', s] as const)]
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...cases), fc.boolean(), fc.webUrl({ validSchemes: ['https'] }), async ([type, schemaType], withUrl, url) => {
        const name = `n-${randomBytes(4).toString('hex')}`
        const uses = typeInfo(schemaType ?? type)!.uses_base_url
        const create = client.credentials.create({ name, type, value: valueOf(type, schemaType), schema_type: schemaType ?? null, base_url: withUrl ? url : null })
        if (withUrl && !uses) {
          const e = await create.then(() => undefined, (x: unknown) => x)
          expect(e).toBeInstanceOf(CredctlError)
          expect((e as CredctlError).exitCode).toBe(2)
          expect((e as CredctlError).message).toMatch(new RegExp(`--base-url does not apply to type ${type}`))
          expect(await client.credentials.list()).not.toContainEqual(expect.objectContaining({ name }))
          // The same on update of one created without; clearing is always allowed.
          await client.credentials.create({ name, type, value: valueOf(type, schemaType), schema_type: schemaType ?? null })
          await expect(client.credentials.update(name, { base_url: url })).rejects.toMatchObject({ exitCode: 2 })
          await expect(client.credentials.update(name, { base_url: '' })).resolves.toBeDefined()
        } else {
          const c = await create
          if (withUrl) expect(c.base_url).toBeDefined()
          if (uses) expect((await client.credentials.update(name, { base_url: url })).base_url).toBeDefined()
        }
      }),
      { numRuns: 120 },
    )
  })
})

describe('a value change marks a stored schema stale; discover clears it', () => {
  it('a value change marks it (first time kept); name and description do not; discover clears it and keeps nothing of the stale tables', async () => {
    const a = path.join(dir, 'a')
    const b = path.join(dir, 'b')
    mkdirSync(a)
    mkdirSync(b)
    writeFileSync(path.join(a, 'old1.csv'), 'x\n1\n')
    writeFileSync(path.join(a, 'old2.csv'), 'x\n1\n')
    writeFileSync(path.join(b, 'new1.csv'), 'y\n1\n')
    writeFileSync(path.join(b, 'new2.csv'), 'y\n1\n')
    await client.credentials.create({ name: 'files', type: 'static_file', value: a })
    await client.credentials.discoverSchema('files', { timeoutMs: 20_000 })
    expect((await client.credentials.get('files')).schema_stale_since).toBeUndefined()
    expect((await client.credentials.getSchema('files')).stale_since).toBeUndefined()

    await client.credentials.update('files', { description: 'd', name: 'files2' })
    expect((await client.credentials.get('files2')).schema_stale_since).toBeUndefined()

    const changed = await client.credentials.update('files2', { value: b })
    expect(changed.schema_stale_since).toMatch(/^\d{4}-\d\d-\d\dT/)
    const doc = await client.credentials.getSchema('files2')
    expect(doc.stale_since).toBe(changed.schema_stale_since)
    expect(doc.tables.map((t) => t.name).sort()).toEqual(['old1.csv', 'old2.csv'])
    // A second change keeps the first time: the schema has been stale since then.
    await new Promise((r) => setTimeout(r, 5))
    expect((await client.credentials.update('files2', { value: a })).schema_stale_since).toBe(changed.schema_stale_since)
    await client.credentials.update('files2', { value: b })

    // A narrowed discovery of a stale schema keeps nothing of the old value's tables.
    const d = await client.credentials.discoverSchema('files2', { timeoutMs: 20_000, maxTables: 1 })
    expect(d.schema_stale_since).toBeUndefined()
    expect(d.tables.map((t) => t.name)).toEqual(['new1.csv'])
    expect((await client.credentials.getSchema('files2')).stale_since).toBeUndefined()
  }, 60_000)

  it('a credential without a schema is never marked', async () => {
    await client.credentials.create({ name: 'pg', type: 'postgresql', value: GOOD.postgres_uri! })
    expect((await client.credentials.update('pg', { value: 'postgresql://u:q@db.internal:5432/app' })).schema_stale_since).toBeUndefined()
  })

  it('the stale mark survives an export bundle round trip (bulk import keeps stale_since)', async () => {
    const at = '2026-01-02T03:04:05.000Z'
    const r = await client.credentials.importMany([
      { source: 'b', name: 'imp', type: 'postgresql', value: GOOD.postgres_uri!, schema: { updated_at: '2026-01-01T00:00:00.000Z', tables: [], stale_since: at } },
    ])
    expect(r.created[0]!.credential.schema_stale_since).toBe(at)
    expect((await client.credentials.getSchema('imp')).stale_since).toBe(at)
  })
})

describe('static_file paths: stored absolute, shown as paths in messages', () => {
  it('relative to the current directory, ~ and ~/ to the home directory; globs stay globs', async () => {
    expect(checkValue('static_file', 'data/x.csv')).toBe(path.resolve('data/x.csv'))
    expect(checkValue('static_file', './data/../d/*.csv')).toBe(path.resolve('d/*.csv'))
    expect(checkValue('static_file', '~/exports/*.parquet')).toBe(path.join(homedir(), 'exports/*.parquet'))
    expect(checkValue('static_file', '~')).toBe(homedir())
    expect(checkValue('static_file', '/abs/p')).toBe('/abs/p')
    expect(checkValue('database', 'rel', 'static_file')).toBe(path.resolve('rel'))
    const c = await client.credentials.create({ name: 'f', type: 'static_file', value: 'some/where' })
    expect(c.masked_content).toBe(path.resolve('some/where'))
  })

  it('property: any accepted path is stored absolute, once (checking the stored form again changes nothing), and masks to itself', () => {
    // Found by CI: resolving brings blanks to an end; the stored form must still read back as itself.
    for (const raw of ['../ / ', '~/ / ', './ ']) expect(checkValue('static_file', checkValue('static_file', raw))).toBe(checkValue('static_file', raw))
    const seg = fc.stringMatching(/^[A-Za-z0-9 ._*?\[\]{}-]{1,12}$/)
    fc.assert(
      fc.property(fc.array(seg, { minLength: 1, maxLength: 4 }), fc.constantFrom('', './', '../', '~/', '/'), (segs, lead) => {
        const raw = lead + segs.join('/')
        let stored: string
        try {
          stored = checkValue('static_file', raw)
        } catch {
          return // refused values (whitespace only, ...) are not stored at all
        }
        expect(path.isAbsolute(stored), raw).toBe(true)
        expect(checkValue('static_file', stored)).toBe(stored)
        expect(mask('static_file', stored)).toBe(stored)
        // As resolved from here, unless resolving left blanks at an end (`../ / ` -> `/tmp/ `): then the
        // stored form is what reads back as itself (input.ts absolutePath), checked above.
        const resolved = path.resolve(raw.trim())
        if (!lead.startsWith('~') && resolved === resolved.trim()) expect(stored).toBe(resolved)
      }),
      { numRuns: 300 },
    )
  })

  it('a check message names the path (it is no secret: the mask shows it too)', async () => {
    const missing = path.join(dir, 'nope', 'orders.csv')
    await client.credentials.create({ name: 'f', type: 'static_file', value: missing })
    const [r] = await client.credentials.validateMany(['f'], { timeoutMs: 20_000 })
    expect(r!.status).toBe('invalid')
    expect(r!.message).toContain(missing)
    expect((await client.credentials.get('f')).validation_message).toContain(missing)
  }, 30_000)
})

describe('a past --expires: confirmed on a terminal, warned otherwise', () => {
  const now = () => new Date('2026-06-15T12:00:00Z')
  const fake = (canPrompt: boolean, answer?: boolean) => {
    const warnings: string[] = []
    const asked: string[] = []
    return {
      warnings,
      asked,
      f: {
        io: { canPrompt } as never,
        now,
        warn: (m: string) => warnings.push(m),
        prompter: async () =>
          ({
            confirm: async (m: string) => {
              if (answer === undefined) throw new Error('unexpected prompt')
              asked.push(m)
              return answer
            },
          }) as never,
      },
    }
  }
  it('a future date, a clear or no flag asks nothing and warns nothing', async () => {
    for (const d of [undefined, '', '2026-06-16', '2030-01-01']) {
      const x = fake(true)
      await confirmPastExpiry(x.f, d, 'k')
      expect(x.warnings).toEqual([])
    }
  })
  it('without a terminal: one warning line, stored anyway (today counts as past: expired from 00:00 UTC, like list)', async () => {
    for (const d of ['2026-06-15', '2020-01-01']) {
      const x = fake(false)
      await confirmPastExpiry(x.f, d, 'k')
      expect(x.warnings).toHaveLength(1)
      expect(x.warnings[0]).toMatch(new RegExp(`^warning: --expires ${d} is in the past; stored anyway`))
      expect(x.warnings[0]).not.toContain('\n')
    }
  })
  it('on a terminal: "yes" goes on, "no" is a cancel (exit 130) before anything is written', async () => {
    const yes = fake(true, true)
    await confirmPastExpiry(yes.f, '2020-01-01', 'k')
    expect(yes.asked[0]).toMatch(/--expires 2020-01-01 is in the past: k would show as expired at once\. Store it anyway\?/)
    const no = fake(true, false)
    await expect(confirmPastExpiry(no.f, '2020-01-01', 'k')).rejects.toMatchObject({ code: 'CANCELLED', exitCode: 130 })
  })
  it('a malformed date is exit 2, as before', async () => {
    await expect(confirmPastExpiry(fake(false).f, '2020-02-30', 'k')).rejects.toMatchObject({ exitCode: 2 })
  })
})

describe('libpq URIs with an empty authority (Unix sockets)', () => {
  it('the issue example is accepted, masked with its socket directory shown, and read as a socket target', () => {
    const v = 'postgresql:///analytics?host=/var/run/postgresql&user=app'
    expect(checkValue('postgresql', v)).toBe(v)
    expect(mask('postgresql', v)).toBe(v)
    expect(parsePgUri(v)).toMatchObject({ host: '/var/run/postgresql', user: 'app', database: 'analytics', port: 5432 })
    // No host at all: libpq's default socket directory (Debian's), never PGHOST.
    expect(parsePgUri('postgresql:///analytics').host).toBe('/var/run/postgresql')
    // A percent-encoded directory in the authority, as libpq reads it.
    expect(parsePgUri('postgresql://%2Ftmp%2Fpg/db').host).toBe('/tmp/pg')
  })

  it('a user or port with no host (libpq accepts them) is refused with where to put them, never quoting the value', () => {
    for (const v of ['postgresql://app:Pw0rdCanary@/db', 'postgresql://:5433/db']) {
      let msg = ''
      try {
        checkValue('postgresql', v)
      } catch (e) {
        msg = `${(e as CredctlError).message} ${(e as CredctlError).hint}`
      }
      expect(msg).toMatch(/a user or port with no host.*\?host=\/var\/run\/postgresql&user=app&port=5433/)
      expect(msg).not.toContain('Pw0rdCanary')
    }
  })

  /**
   * The model of libpq's rules for these URIs (fe-connect.c conninfo_uri_parse_options and
   * connectOptions2): an empty authority is the default socket; host= names a socket directory (an
   * absolute path) or a host; port must be a decimal integer 1-65535; sslmode one of six words
   * (ignored on a socket, but still checked). Parameters are percent-decoded.
   */
  const word = fc.stringMatching(/^[a-z][a-z0-9_]{0,10}$/)
  const password = fc.stringMatching(/^[A-Za-z0-9]{4,8}$/).chain((a) => fc.constantFrom('!', '/', '&', '=', '%', '#', '@', ' ', '+', '?').map((s) => `Kq${a}${s}${a}Zz`))
  const port = fc.oneof(fc.integer({ min: 1, max: 65535 }).map(String), fc.constantFrom('0', '65536', '0x10', '1e3', 'abc', '-1'))
  const sslmode = fc.constantFrom('disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full', 'bogus')
  const host = fc.constantFrom('/var/run/postgresql', '/tmp', '/run/pg sock', 'db.internal', '127.0.0.1')
  const uriArb = fc.record(
    { db: fc.option(word, { nil: undefined }), host, user: word, password, port, sslmode },
    { requiredKeys: ['password'] },
  )
  const build = (p: { db?: string | undefined; host?: string; user?: string; password: string; port?: string; sslmode?: string }, order: number[]) => {
    const params: [string, string | undefined][] = [
      ['host', p.host],
      ['user', p.user],
      ['password', p.password],
      ['port', p.port],
      ['sslmode', p.sslmode],
    ]
    const q = order.map((i) => params[i % params.length]!).filter((x, i, all) => x[1] !== undefined && all.indexOf(x) === i)
    const given = Object.fromEntries(q) as { host?: string; port?: string; sslmode?: string }
    return { v: `postgresql:///${p.db ?? ''}?${q.map(([k, v]) => `${k}=${encodeURIComponent(v!)}`).join('&')}`, given }
  }
  const libpqAccepts = (p: { port?: string; sslmode?: string }) =>
    (p.port === undefined || (/^\d+$/.test(p.port) && Number(p.port) >= 1 && Number(p.port) <= 65535)) && (p.sslmode === undefined || p.sslmode !== 'bogus')

  it('property: accepted exactly when libpq accepts; the mask and redaction never show the password (raw or decoded)', () => {
    fc.assert(
      fc.property(uriArb, fc.array(fc.nat(4), { minLength: 5, maxLength: 5 }).map((a) => [2, ...a]), (p, order) => {
        const { v, given } = build(p, order)
        let accepted = true
        let thrown = ''
        try {
          checkValue('postgresql', v)
        } catch (e) {
          accepted = false
          thrown = `${(e as CredctlError).message} ${(e as CredctlError).hint ?? ''}`
        }
        expect(accepted, v).toBe(libpqAccepts(given))
        expect(thrown).not.toContain(p.password)
        const m = mask('postgresql', v)
        expect(m).not.toContain(p.password)
        expect(m).not.toContain(encodeURIComponent(p.password))
        expect(m).toMatch(/^postgresql:\/\/\//)
        expect(m).toContain('password=****')
        const said = redactSecrets(`FATAL: password authentication failed; tried ${p.password} for ${v}`, [v])
        expect(said).not.toContain(p.password)
        if (accepted) {
          const t = parsePgUri(v)
          expect(t.password).toBe(p.password)
          expect(t.host).toBe(given.host ?? '/var/run/postgresql')
        }
      }),
      { numRuns: 300 },
    )
  })
})
