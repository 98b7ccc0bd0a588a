import { generateKeyPairSync } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as bq from '../../src/checks/databases/bigquery.js'
import { parseServiceAccount } from '../../src/checks/databases/bigquery-key.js'
import { statusOfError } from '../../src/checks/classify.js'
import { bigqueryStandin, makeKey } from '../fixtures/db/bigquery-standin.js'
import { ctx, input } from '../fixtures/db/ctx.js'

// BigQuery over REST against a local stand-in of the token endpoint and the BigQuery API: the same
// code path as a real account (JWT signed with node:crypto, verified by the stand-in).
let api: Awaited<ReturnType<typeof bigqueryStandin>>
let key: ReturnType<typeof makeKey>
beforeAll(async () => {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  void privateKey
  // The stand-in needs the key's public half; the key JSON needs the stand-in's token URL.
  api = await bigqueryStandin(publicKey)
  key = makeKey(api.tokenUri)
  await api.close()
  api = await bigqueryStandin(key.publicKey)
  key = { ...key, json: key.json.replace(/"token_uri":"[^"]+"/, `"token_uri":"${api.tokenUri}"`) }
})
afterAll(async () => {
  await api.close()
})
const cred = (extra: Record<string, string> = {}) => input('bigquery', key.json, { base_url: api.url, settings: extra })

describe('bigquery: validate', () => {
  it('signed JWT -> token -> jobs.query SELECT 1', async () => {
    const r = await bq.validate(cred(), ctx())
    expect(r).toMatchObject({ status: 'valid', details: { project: 'acme-data' } })
    const q = api.requests.find((x) => x.path.endsWith('/queries'))!
    expect(JSON.parse(q.body)).toMatchObject({ query: 'SELECT 1 AS ok', useLegacySql: false, jobTimeoutMs: '5000' })
  })
  it('a key the token endpoint rejects (bad signature) is invalid', async () => {
    const other = makeKey(api.tokenUri)
    const r = await bq.validate(input('bigquery', other.json, { base_url: api.url, settings: {} }), ctx())
    expect(r).toMatchObject({ status: 'invalid', details: { http_status: 400 } })
    expect(r.message).toContain('invalid_grant')
    expect(r.message).not.toContain('PRIVATE KEY')
  })
  it('a real key without bigquery.jobs.create is restricted; an unknown project invalid', async () => {
    const deny = await bigqueryStandin(key.publicKey, { denyQueries: true })
    try {
      const k = key.json.replace(/"token_uri":"[^"]+"/, `"token_uri":"${deny.tokenUri}"`)
      expect(await bq.validate(input('bigquery', k, { base_url: deny.url, settings: {} }), ctx())).toMatchObject({ status: 'restricted' })
    } finally {
      await deny.close()
    }
    expect(await bq.validate(cred({ project: 'other-project' }), ctx())).toMatchObject({ status: 'invalid', details: { http_status: 404 } })
  })
  it('plain http is refused for anything but loopback (the token and the assertion are secrets)', async () => {
    const e = await bq.validate(input('bigquery', key.json, { base_url: 'http://bigquery.example.com', settings: {} }), ctx()).catch((x: unknown) => x)
    expect(String((e as Error).message)).toMatch(/https/)
  })
  it('an endpoint that never answers times out', async () => {
    const c = ctx(500)
    const hang = await import('../fixtures/db/http.js').then((m) => m.standin(() => ({ hang: true })))
    try {
      const k = key.json.replace(/"token_uri":"[^"]+"/, `"token_uri":"${hang.url}/token"`)
      const e = await bq.validate(input('bigquery', k, { base_url: hang.url, settings: {} }), c).catch((x: unknown) => x)
      expect(statusOfError(e, c.signal)).toBe('timeout')
    } finally {
      await hang.close()
    }
  })
})

describe('bigquery: discovery, one INFORMATION_SCHEMA job per region', () => {
  it('lists datasets (paged), groups them by region, polls the running job and reads its pages', async () => {
    const before = api.requests.length
    const s = await bq.discoverSchema(cred(), ctx(10_000))
    const reqs = api.requests.slice(before)
    expect(s.details).toMatchObject({ queries: 2, regions: ['EU', 'US'] })
    expect(reqs.filter((r) => r.method === 'POST' && r.path.endsWith('/queries'))).toHaveLength(2)
    const us = JSON.parse(reqs.find((r) => r.body.includes('region-us'))!.body) as { queryParameters: { parameterValue: { arrayValues: { value: string }[] } }[]; location: string }
    expect(us.location).toBe('US')
    expect(us.queryParameters[0]!.parameterValue.arrayValues.map((v) => v.value)).toEqual(['shop', 'scratch'])
    const t = Object.fromEntries(s.tables.map((x) => [`${x.schema}.${x.name}`, x]))
    expect(t['eu_sales.daily']).toMatchObject({ kind: 'materialized_view', comment: 'daily totals' })
    expect(t['shop.recent']!.kind).toBe('view')
    expect(t['shop.raw_files']!.kind).toBe('external')
    expect(t['shop.orders']!.comment).toBe('all orders')
    expect(t['shop.orders']!.columns.map((c) => [c.name, c.data_type, c.nullable, c.default, c.comment, c.position])).toEqual([
      ['id', 'INT64', false, null, 'order id', 1],
      ['customer', 'STRUCT<name STRING, city STRING>', true, null, null, 2],
      ['customer.city', 'STRING', true, null, 'city', 2],
      ['customer.name', 'STRING', true, null, null, 2],
      ['tags', 'ARRAY<STRING>', false, null, null, 3],
      ['created', 'TIMESTAMP', true, 'CURRENT_TIMESTAMP()', null, 4],
    ])
  })
  it('--schemas keeps only those datasets (and their regions)', async () => {
    const s = await bq.discoverSchema(cred(), ctx(10_000, { schemas: ['eu_sales'] }))
    expect(s.details).toMatchObject({ queries: 1, regions: ['EU'] })
    expect(s.tables.map((x) => x.name)).toEqual(['daily'])
  })
})

describe('bigquery: key and SQL', () => {
  it('the key must be a service account with a PEM private key', () => {
    expect(() => parseServiceAccount('{"client_email":"a@b","private_key":"nope"}')).toThrow(/private_key/)
    expect(() => parseServiceAccount('{"type":"authorized_user","client_email":"a@b","private_key":"-----BEGIN PRIVATE KEY-----"}')).toThrow(/service_account/)
    expect(parseServiceAccount(key.json).token_uri).toBe(api.tokenUri)
  })
  it('region qualifiers, and names that cannot break out of backticks', () => {
    expect(bq.catalogSql('acme-data', 'europe-west1')).toContain('`acme-data`.`region-europe-west1`.INFORMATION_SCHEMA.COLUMN_FIELD_PATHS')
    expect(() => bq.catalogSql('a`b', 'US')).toThrow()
    expect(() => bq.catalogSql('a', 'US; DROP')).toThrow()
  })
})
