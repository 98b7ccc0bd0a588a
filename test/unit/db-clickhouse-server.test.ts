import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as ch from '../../src/checks/databases/clickhouse.js'
import { ctx, input } from '../fixtures/db/ctx.js'

/**
 * The ClickHouse check and discovery against a real ClickHouse server: Debian's clickhouse-server
 * 18.16 on 127.0.0.1:8123, installed and started by .ci/run (issue 11, rule 8). The newer-version
 * behaviour (position, table comments) is covered by the stand-in in db-clickhouse.test.ts.
 */
const BASE = 'http://127.0.0.1:8123'
const DB = 'credctl_unit_ch'

async function admin(sql: string): Promise<string> {
  // 18.16 still calls LowCardinality experimental (a setting); newer servers need nothing.
  const r = await fetch(`${BASE}/?user=default&allow_experimental_low_cardinality_type=1`, { method: 'POST', body: sql })
  const text = await r.text()
  if (!r.ok) throw new Error(`clickhouse: ${text.slice(0, 300)}`)
  return text
}

beforeAll(async () => {
  await admin(`DROP DATABASE IF EXISTS ${DB}`)
  await admin(`CREATE DATABASE ${DB}`)
  await admin(`CREATE TABLE ${DB}.events (
    id UInt64 COMMENT 'event id',
    user_id Nullable(UInt64),
    name LowCardinality(String),
    ts DateTime DEFAULT now(),
    day Date MATERIALIZED toDate(ts)
  ) ENGINE = MergeTree() PARTITION BY day ORDER BY (id, ts)`)
  await admin(`CREATE VIEW ${DB}.events_v AS SELECT id, name FROM ${DB}.events`)
  await admin(`CREATE MATERIALIZED VIEW ${DB}.daily ENGINE = SummingMergeTree() ORDER BY day AS SELECT day, count() AS n FROM ${DB}.events GROUP BY day`)
})
afterAll(async () => {
  await admin(`DROP DATABASE IF EXISTS ${DB}`)
})

describe('clickhouse: a real server (Debian 18.16)', () => {
  it('validate: SELECT 1 with the version; wrong password, unknown user and unknown database are invalid', async () => {
    const ok = await ch.validate(input('clickhouse', `${BASE.replace('//', '//default@')}/${DB}`), ctx())
    expect(ok).toMatchObject({ status: 'valid' })
    expect(ok.message).toMatch(/^connected; SELECT 1 ok \(ClickHouse \d+\.\d+/)
    expect(await ch.validate(input('clickhouse', `http://default:wrong-pw@127.0.0.1:8123/${DB}`), ctx())).toMatchObject({ status: 'invalid', details: { code: expect.stringMatching(/^(193|516)$/) } })
    expect(await ch.validate(input('clickhouse', `http://credctl_nobody:x@127.0.0.1:8123/${DB}`), ctx())).toMatchObject({ status: 'invalid', details: { code: expect.stringMatching(/^(192|516)$/) } })
    const nodb = await ch.validate(input('clickhouse', 'http://default@127.0.0.1:8123/credctl_no_such_db'), ctx())
    expect(nodb).toMatchObject({ status: 'invalid', details: { code: '81' } })
    expect(nodb.message).toMatch(/database does not exist.*fix the database name/)
  })
  it('discovery: kinds, Nullable unwrapped, defaults, comments, positions in order, primary key from system.columns', async () => {
    const s = await ch.discoverSchema(input('clickhouse', 'http://default@127.0.0.1:8123'), ctx(10_000, { schemas: [DB] }))
    expect(s.details).toMatchObject({ queries: 3 })
    expect(s.tables.map((t) => [t.name, t.kind])).toEqual([
      ['daily', 'materialized_view'],
      ['events', 'table'],
      ['events_v', 'view'],
    ])
    const ev = s.tables[1]!.columns
    expect(ev.map((c) => [c.name, c.data_type, c.nullable, c.default, c.comment, c.position, c.primary_key])).toEqual([
      ['id', 'UInt64', false, null, 'event id', 1, true],
      ['user_id', 'UInt64', true, null, null, 2, false],
      ['name', 'LowCardinality(String)', false, null, null, 3, false],
      ['ts', 'DateTime', false, 'now()', null, 4, true],
      ['day', 'Date', false, 'MATERIALIZED toDate(ts)', null, 5, false],
    ])
    // The .inner storage table of the materialized view is not listed.
    const all = await ch.discoverSchema(input('clickhouse', 'http://default@127.0.0.1:8123'), ctx(10_000))
    expect(all.tables.some((t) => t.name.startsWith('.inner'))).toBe(false)
    expect(all.tables.filter((t) => t.schema === DB)).toHaveLength(3)
  })
})
