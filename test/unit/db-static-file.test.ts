import { rmSync } from 'node:fs'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as sfile from '../../src/checks/databases/static_file.js'
import { checkPath, formatOf } from '../../src/checks/databases/file-path.js'
import { ctx, input } from '../fixtures/db/ctx.js'
import { makeDataDir } from '../fixtures/db/files.js'

// static_file with DuckDB on generated CSV, NDJSON and Parquet files.
let dir = ''
beforeAll(async () => {
  dir = await makeDataDir()
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('static_file: validate', () => {
  it('a directory: its data files (not README.md, not subdirectories)', async () => {
    const r = await sfile.validate(input('static_file', dir), ctx())
    expect(r).toMatchObject({ status: 'valid', details: { files: 3 } })
    expect(r.message).toMatch(/3 files \(1 json, 1 parquet, 1 csv\)|3 files/)
  })
  it('a single file and a glob (** included)', async () => {
    expect(await sfile.validate(input('static_file', path.join(dir, 'orders.csv')), ctx())).toMatchObject({ status: 'valid', details: { files: 1 } })
    expect(await sfile.validate(input('static_file', path.join(dir, '**', '*.csv')), ctx())).toMatchObject({ status: 'valid', details: { files: 2 } })
  })
  it('nothing there is invalid', async () => {
    expect((await sfile.validate(input('static_file', path.join(dir, 'missing.csv')), ctx())).status).toBe('invalid')
    expect((await sfile.validate(input('static_file', path.join(dir, '*.xlsx')), ctx())).status).toBe('invalid')
    expect((await sfile.validate(input('static_file', path.join(dir, 'nope', '*.csv')), ctx())).status).toBe('invalid')
  })
})

describe('static_file: discovery', () => {
  it('one table per file, types from the readers, Parquet nullability from its schema', async () => {
    const s = await sfile.discoverSchema(input('static_file', dir), ctx(10_000))
    expect(s.tables.map((t) => [t.name, t.kind, t.comment, t.schema])).toEqual([
      ['customers.parquet', 'external', 'PARQUET file', dir],
      ['events.ndjson', 'external', 'JSON file', dir],
      ['orders.csv', 'external', 'CSV file', dir],
    ])
    const [cust, ev, ord] = s.tables
    // DuckDB writes every column OPTIONAL (even NOT NULL ones): the reader's answer is the file's.
    expect(cust!.columns.map((c) => [c.name, c.data_type, c.nullable])).toEqual([
      ['id', 'INTEGER', true],
      ['email', 'VARCHAR', true],
      ['score', 'DOUBLE', true],
      ['tags', 'VARCHAR[]', true],
    ])
    expect(ev!.columns.map((c) => c.name)).toEqual(['id', 'kind', 'tags', 'meta'])
    expect(ev!.columns.find((c) => c.name === 'meta')!.data_type).toMatch(/^STRUCT\(ip VARCHAR\)$/)
    expect(ord!.columns.map((c) => [c.name, c.data_type, c.position])).toEqual([
      ['id', 'BIGINT', 1],
      ['customer', 'VARCHAR', 2],
      ['total', 'DOUBLE', 3],
      ['created', 'DATE', 4],
    ])
  })
  it('--max-tables caps the files read', async () => {
    const s = await sfile.discoverSchema(input('static_file', dir), ctx(10_000, { maxTables: 1 }))
    expect(s.tables).toHaveLength(1)
  })
})

describe('static_file: Parquet nullability', () => {
  it('REQUIRED top-level columns are NOT NULL; nested children are skipped', () => {
    const f = '/d/x.parquet'
    const n = (name: string, repetition_type: string, num_children: number | null) => ({ file_name: f, name, repetition_type, num_children })
    const m = sfile.parquetNullability([n('schema', 'REQUIRED', 3), n('id', 'REQUIRED', null), n('tags', 'OPTIONAL', 1), n('list', 'REPEATED', 1), n('element', 'OPTIONAL', null), n('email', 'REQUIRED', null)])
    expect([...m.get(f)!]).toEqual([['id', false], ['tags', true], ['email', false]])
  })
})

describe('static_file: paths', () => {
  it('local paths only; formats by extension', () => {
    expect(() => checkPath('s3://bucket/x.parquet')).toThrow(/local path/)
    expect(() => checkPath('https://example.com/x.csv')).toThrow(/local path/)
    expect(formatOf('a.CSV')).toBe('csv')
    expect(formatOf('a.jsonl.gz')).toBe('json')
    expect(formatOf('a.xlsx')).toBeUndefined()
  })
})
