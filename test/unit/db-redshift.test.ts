import { readFileSync } from 'node:fs'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as rs from '../../src/checks/databases/redshift.js'
import { ctx, input } from '../fixtures/db/ctx.js'
import { FIXTURES, freshPgDb, pgAdmin, pgRole } from '../fixtures/db/servers.js'

// Redshift through the real PostgreSQL server: same wire protocol, with a stand-in version() and
// svv_columns (test/fixtures/db/redshift-stub.sql) for the role credctl_rs_user.
const DB = 'credctl_unit_rs'
const PW = 'rs-Pa55-canary-0a8d'

beforeAll(async () => {
  await freshPgDb(DB, readFileSync(path.join(FIXTURES, 'redshift-stub.sql'), 'utf8'))
  await pgRole('credctl_rs_user', `LOGIN PASSWORD '${PW}'`)
  await pgAdmin(`ALTER ROLE credctl_rs_user IN DATABASE ${DB} SET search_path = rs_stub, pg_catalog, public`)
})
afterAll(async () => {
  await pgAdmin(`DROP DATABASE IF EXISTS "${DB}" WITH (FORCE)`)
})

const URI = `redshift://credctl_rs_user:${PW}@127.0.0.1:5432/${DB}`

describe('redshift', () => {
  it('validates over the PostgreSQL wire protocol and detects Redshift by version()', async () => {
    const r = await rs.validate(input('redshift', URI), ctx())
    expect(r).toMatchObject({ status: 'valid', details: { engine: 'redshift' } })
    expect(r.message).toContain('Redshift 1.0.77467')
  })

  it('discovers through svv_columns in one query: local, view and external (Spectrum) tables', async () => {
    const s = await rs.discoverSchema(input('redshift', URI), ctx(10_000))
    expect(s.details).toMatchObject({ engine: 'redshift', queries: 2 })
    const t = Object.fromEntries(s.tables.map((x) => [`${x.schema}.${x.name}`, x]))
    expect(t['spectrum.clicks']).toMatchObject({ kind: 'external', columns: [{ name: 'url', data_type: 'character varying(256)', comment: 'clicked url', nullable: true }] })
    expect(t['sales.paid_orders']!.kind).toBe('view')
    expect(t['sales.customers']).toMatchObject({ kind: 'table', comment: 'one row per customer' })
    expect(t['sales.customers']!.columns.find((c) => c.name === 'email')).toMatchObject({ data_type: 'text', nullable: false, comment: 'login e-mail' })
    expect(t['sales.customers']!.columns.find((c) => c.name === 'score')!.data_type).toBe('numeric(12,2)')
    expect(t['public.Mixed Case']).toMatchObject({ comment: 'quoted identifiers' })
    expect(t['public.Mixed Case']!.columns.map((c) => [c.name, c.data_type])).toEqual([['Id', 'integer'], ['Display Name', 'character varying(40)']])
  })

  it('--schemas is a list of placeholders (Redshift has no array parameters)', async () => {
    const q = rs.redshiftCatalogQuery(['a', 'b'])
    expect(q.text).toContain('c.table_schema IN ($1, $2)')
    expect(q.values).toEqual(['a', 'b'])
    const s = await rs.discoverSchema(input('redshift', URI), ctx(10_000, { schemas: ['spectrum'] }))
    expect(s.tables.map((x) => x.name)).toEqual(['clicks'])
  })

  it('a redshift:// credential that is really PostgreSQL gets the pg_catalog query', async () => {
    const s = await rs.discoverSchema(input('redshift', `redshift://postgres@127.0.0.1:5432/${DB}`), ctx(10_000, { schemas: ['sales'] }))
    expect(s.details).toMatchObject({ engine: 'postgresql' })
    expect(s.tables.find((x) => x.name === 'daily_totals')!.kind).toBe('materialized_view')
  })

  it('rebuilds DDL-like types from svv_columns parts', () => {
    expect(rs.redshiftType({ data_type: 'character', character_maximum_length: 3, numeric_precision: null, numeric_scale: null })).toBe('character(3)')
    expect(rs.redshiftType({ data_type: 'numeric', character_maximum_length: null, numeric_precision: 18, numeric_scale: 0 })).toBe('numeric(18,0)')
    expect(rs.redshiftType({ data_type: 'integer', character_maximum_length: null, numeric_precision: 32, numeric_scale: 0 })).toBe('integer')
  })
})
