import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { statusOfError } from '../../src/checks/classify.js'
import * as ch from '../../src/checks/databases/clickhouse.js'
import { parseClickhouseUrl } from '../../src/checks/databases/clickhouse-url.js'
import { redactError } from '../../src/checks/redact.js'
import { CH_PASSWORD, CH_USER, clickhouseStandin } from '../fixtures/db/clickhouse-standin.js'
import { ctx, input } from '../fixtures/db/ctx.js'
import { silentServer } from '../fixtures/db/servers.js'

// ClickHouse through @clickhouse/client against a stand-in of its HTTP interface (no server here).
let modern: Awaited<ReturnType<typeof clickhouseStandin>>
let legacy: Awaited<ReturnType<typeof clickhouseStandin>>
beforeAll(async () => {
  modern = await clickhouseStandin()
  legacy = await clickhouseStandin({ legacy: true })
})
afterAll(async () => {
  await modern.close()
  await legacy.close()
})
const url = (base: string, pw = CH_PASSWORD, db = 'analytics') => base.replace('http://', `http://${CH_USER}:${encodeURIComponent(pw)}@`) + `/${db}`

describe('clickhouse: validate', () => {
  it('SELECT 1 with the credentials (and a server-side max_execution_time)', async () => {
    const r = await ch.validate(input('clickhouse', url(modern.url)), ctx())
    expect(r).toMatchObject({ status: 'valid', message: 'connected; SELECT 1 ok (ClickHouse 24.3.1.1)' })
    const q = modern.requests.at(-1)!
    expect(q.url.searchParams.get('database')).toBe('analytics')
    expect(q.url.searchParams.get('max_execution_time')).toBe('5')
  })
  it('a wrong password is invalid although /ping would answer Ok.', async () => {
    const ping = await fetch(`${modern.url}/ping`)
    expect(await ping.text()).toBe('Ok.\n')
    const r = await ch.validate(input('clickhouse', url(modern.url, 'wrong-pw')), ctx())
    expect(r).toMatchObject({ status: 'invalid', details: { code: '516' } })
    // Old servers say "Code: 193, e.displayText() = … Wrong password": no parsed code on the error.
    expect(await ch.validate(input('clickhouse', url(legacy.url, 'wrong-pw')), ctx())).toMatchObject({ status: 'invalid', details: { code: '193' } })
  })
  it('an unknown database is invalid', async () => {
    expect(await ch.validate(input('clickhouse', url(modern.url, CH_PASSWORD, 'nope')), ctx())).toMatchObject({ status: 'invalid', details: { code: '81' } })
  })
  it('a silent server times out within the budget (the client alone waits 30 s)', async () => {
    const s = await silentServer()
    try {
      const c = ctx(800)
      const t0 = Date.now()
      const value = `http://${CH_USER}:${CH_PASSWORD}@127.0.0.1:${s.port}/analytics`
      const e = await ch.validate(input('clickhouse', value), c).catch((x: unknown) => x)
      expect(Date.now() - t0).toBeLessThan(2500)
      expect(statusOfError(e, c.signal)).toBe('timeout')
      expect(redactError(e, [value])).not.toContain(CH_PASSWORD)
    } finally {
      await s.close()
    }
  })
})

describe('clickhouse: discovery', () => {
  it('modern servers: position, table comments, Nullable unwrapped, kinds, .inner tables skipped', async () => {
    const s = await ch.discoverSchema(input('clickhouse', url(modern.url)), ctx())
    expect(s.details).toMatchObject({ queries: 3 })
    expect(s.tables.map((t) => [t.schema, t.name, t.kind, t.comment])).toEqual([
      ['analytics', 'daily', 'materialized_view', null],
      ['analytics', 'events', 'table', 'raw events'],
      ['analytics', 'events_v', 'view', 'a view'],
      ['logs', 's3_logs', 'external', null],
    ])
    const ev = s.tables[1]!.columns
    expect(ev.map((c) => [c.name, c.data_type, c.nullable, c.default, c.comment, c.position])).toEqual([
      ['id', 'UInt64', false, null, 'event id', 1],
      ['user_id', 'UInt64', true, null, null, 2],
      ['name', 'LowCardinality(String)', true, null, 'event name', 3],
      ['ts', 'DateTime', false, 'now()', null, 4],
      ['day', 'Date', false, 'MATERIALIZED toDate(ts)', null, 5],
    ])
  })
  it('18.x servers: no position column, no table comment; literals quoted by hand', async () => {
    const s = await ch.discoverSchema(input('clickhouse', url(legacy.url)), ctx(5000, { schemas: ["analytics"] }))
    expect(s.tables.map((t) => t.name)).toEqual(['daily', 'events', 'events_v'])
    expect(s.tables[1]!.comment).toBeNull()
    expect(s.tables[1]!.columns.map((c) => c.position)).toEqual([1, 2, 3, 4, 5])
    const sql = legacy.requests.map((r) => r.body).find((b) => b.includes('system.columns'))!
    expect(sql).toContain("database IN ('analytics')")
  })
})

describe('clickhouse: URLs and types', () => {
  it('http(s):// and clickhouse:// (native ports mapped to HTTP ones)', () => {
    expect(parseClickhouseUrl('clickhouse://u:p@h:9000/db')).toEqual({ url: 'http://h:8123', username: 'u', password: 'p', database: 'db' })
    expect(parseClickhouseUrl('clickhouse://u:p@h:9440/db').url).toBe('https://h:8443')
    expect(parseClickhouseUrl('clickhouse://u@h/db?secure=true').url).toBe('https://h:8443')
    expect(parseClickhouseUrl('https://h').url).toBe('https://h:8443')
    expect(parseClickhouseUrl('http://h').username).toBe('default')
    expect(() => parseClickhouseUrl('ftp://h')).toThrow(/http/)
  })
  it('Nullable and LowCardinality(Nullable) unwrap; quoting for servers without parameters', () => {
    expect(ch.unwrapNullable('Nullable(Decimal(12, 2))')).toEqual({ data_type: 'Decimal(12, 2)', nullable: true })
    expect(ch.unwrapNullable('Array(Nullable(String))')).toEqual({ data_type: 'Array(Nullable(String))', nullable: false })
    expect(ch.chQuote("it's \\ x")).toBe("'it\\'s \\\\ x'")
    expect(ch.chKind('ReplicatedMergeTree')).toBe('table')
    expect(ch.chKind('Kafka')).toBe('external')
  })
})
