import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { foreignKeys, groupRows, type CatalogRow } from '../../src/checks/databases/common.js'
import { CLICKHOUSE, loginVerdict, MARIADB, MSSQL, MYSQL, POSTGRESQL } from '../../src/checks/databases/login-errors.js'
import { access, dbMatches } from '../../src/checks/databases/mysql-grants.js'
import type { DiscoveredTable } from '../../src/checks/types.js'
import { mergeDiscovery } from '../../src/credentials/schema-merge.js'
import { normaliseSchema } from '../../src/credentials/schema-text.js'

/**
 * Issue 11, rules 6 and 7 as properties: whatever the catalog, a narrowed discovery never loses a
 * stored table it did not look at; every engine's verdict table says what to do next; the stored
 * form keeps keys and marks through the remote-text boundary.
 */
const ident = fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/)
const table = fc.record({ schema: fc.constantFrom('public', 'sales', 'ops', 'Sales'), name: ident })
const tables = fc.uniqueArray(table, { selector: (t) => `${t.schema}.${t.name}`, maxLength: 25 }).map((ts) =>
  ts.map((t): DiscoveredTable => ({ ...t, kind: 'table', comment: null, columns: [{ name: 'id', data_type: 'int', nullable: false, default: null, comment: null, position: 1, primary_key: true }] })),
)
const key = (t: { schema: string; name: string }) => `${t.schema}.${t.name}`

describe('a narrowed discovery never silently replaces a fuller stored schema', () => {
  it('random stored and found catalogs, --schemas and --max-tables: every stored table is either re-read or kept, and partial says why', () => {
    fc.assert(
      fc.property(tables, tables, fc.option(fc.subarray(['public', 'sales', 'ops', 'Sales'], { minLength: 1 }), { nil: undefined }), fc.option(fc.integer({ min: 1, max: 10 }), { nil: undefined }), (stored, found0, schemas, maxTables) => {
        // What the engine returns honours the options: only the schemas asked for, at most maxTables.
        let found = schemas ? found0.filter((t) => schemas.includes(t.schema)) : found0
        if (maxTables !== undefined) found = found.slice(0, maxTables)
        const m = mergeDiscovery({ updated_at: '2026-01-01T00:00:00.000Z', tables: stored }, found, [], { schemas, maxTables })
        const out = new Set(m.tables.map(key))
        // Everything found is stored.
        for (const t of found) expect(out.has(key(t))).toBe(true)
        const narrowed = !!schemas || (maxTables !== undefined && found.length >= maxTables)
        for (const t of stored) {
          const lookedAt = !schemas || schemas.includes(t.schema)
          const cut = maxTables !== undefined && found.length >= maxTables
          // A stored table survives unless this discovery looked at its schema, was not cut, and did not find it.
          if (!lookedAt || cut) expect(out.has(key(t))).toBe(true)
          else if (!found.some((f) => key(f) === key(t))) expect(out.has(key(t))).toBe(false)
        }
        if (!narrowed) expect(m.tables).toEqual(found)
        if (m.kept > 0) expect(m.partial.join(' ')).toMatch(/kept from the discovery of 2026-01-01/)
        if (maxTables !== undefined && found.length >= maxTables) expect(m.partial.join(' ')).toMatch(/--max-tables/)
        // No duplicates, sorted by schema then name.
        expect(out.size).toBe(m.tables.length)
      }),
      { numRuns: 400 },
    )
  })
})

describe('every engine code maps to a verdict with a next step, never a bare code', () => {
  it('all table rows, random labels', () => {
    const tablesByName = { POSTGRESQL, MYSQL, MARIADB, MSSQL, CLICKHOUSE } as Record<string, Record<string | number, unknown>>
    const rows = Object.entries(tablesByName).flatMap(([n, t]) => Object.keys(t).map((code) => [n, code] as const))
    fc.assert(
      fc.property(fc.constantFrom(...rows), fc.string({ maxLength: 20 }), ([n, code], label) => {
        const t = tablesByName[n] as Parameters<typeof loginVerdict>[0]
        const r = loginVerdict(t, /^\d+$/.test(code) && n !== 'POSTGRESQL' && n !== 'CLICKHOUSE' ? Number(code) : code, label)!
        expect(['invalid', 'restricted', 'unreachable']).toContain(r.status)
        // "<what>: <why> (<label>); <what to do>"
        expect(r.message).toMatch(/^(server refused the credentials|credentials accepted but not from here|server unavailable): .+; .{8,}$/)
        expect(r.details).toEqual({ code: String(code) })
      }),
    )
  })
  it('Azure SQL firewall refusals are restricted and say to allow the IP', () => {
    for (const n of [40615]) expect(loginVerdict(MSSQL, n, 'x')).toMatchObject({ status: 'restricted', message: expect.stringMatching(/allow this IP in the server's firewall/) })
    expect(loginVerdict(MSSQL, 40914, 'x')?.status).toBe('restricted')
    for (const n of [18456, 18486, 18487, 18488]) expect(loginVerdict(MSSQL, n, 'x')?.status).toBe('invalid')
    expect(loginVerdict(MSSQL, 40613, 'x')?.status).toBe('unreachable')
    expect(loginVerdict(MSSQL, 12345, 'x')).toBeUndefined()
  })
})

describe('MySQL grants: what information_schema shows and what is readable', () => {
  it('global, database (with LIKE patterns), table and column grants', () => {
    const a = access(["GRANT USAGE ON *.* TO `u`@`%`", 'GRANT SELECT ON `app\\_%`.* TO `u`@`%`', 'GRANT SELECT, INSERT ON `x`.`t` TO `u`@`%`', 'GRANT SELECT (`id`) ON `x`.`c` TO `u`@`%`'], true)
    expect(a.listsAll('app_1')).toBe(true)
    expect(a.listsAll('appx1')).toBe(false)
    expect(a.listsAll('x')).toBe(false)
    expect(a.readable('app_1', 'any')).toBe(true)
    expect(a.readable('x', 't')).toBe(true)
    expect(a.readable('x', 'c')).toBe(false)
    expect(access(['GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION'], true).readable('x', 'c')).toBe(true)
    // MySQL 8 prints a role's name, not its privileges: unknown, never a guessed false.
    expect(access(['GRANT USAGE ON *.* TO `u`@`%`', 'GRANT `r`@`%` TO `u`@`%`'], false).readable('x', 'c')).toBeUndefined()
  })
  it('database patterns: _ and % are wildcards unless escaped', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9_]{1,10}$/), (db) => {
        expect(dbMatches(db.replace(/_/g, '\\_'), db)).toBe(true)
        expect(dbMatches('%', db)).toBe(true)
      }),
    )
  })
})

describe('keys survive grouping and the stored-text boundary', () => {
  it('random foreign keys and primary-key flags', () => {
    const fkRow = fc.record({ name: ident, column: ident, ref_table: ident, ref_column: ident })
    fc.assert(
      fc.property(fc.array(fkRow, { maxLength: 8 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 6 }), fc.string(), (fks, pks, hostile) => {
        const rows: CatalogRow[] = pks.map((pk, i) => ({ schema: 's', table: 't', kind: 'table', table_comment: null, position: i + 1, column: `c${i}`, data_type: 'int', nullable: !pk, default: null, comment: null, primary_key: pk }))
        const byTable = foreignKeys(fks.map((f) => ({ schema: 's', table: 't', ...f, name: f.name + hostile, ref_schema: 's' })))
        const [t] = normaliseSchema(groupRows(rows, undefined, new Map([['s\0t', { readable: false, foreign_keys: byTable.get('s\0t') ?? [] }]])))
        expect(t!.columns.map((c) => c.primary_key)).toEqual(pks)
        expect(t!.readable).toBe(false)
        const cols = t!.foreign_keys!.reduce((n, k) => n + k.columns.length, 0)
        expect(cols).toBe(fks.length)
        for (const k of t!.foreign_keys!) {
          expect(k.columns.length).toBe(k.references.columns.length)
          // Names from the server pass the remote-text boundary: no control characters survive.
          expect(k.name ?? '').not.toMatch(/[\u0000-\u001f\u007f]/)
        }
      }),
      { numRuns: 200 },
    )
  })
})

describe('the stored-schema boundary keeps the optional facts only in their shape', () => {
  it('malformed keys and marks (an edited file, a hostile bundle) are dropped, not stored', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 3 }), fc.jsonValue({ maxDepth: 2 }), fc.jsonValue({ maxDepth: 1 }), (fks, pk, readable) => {
        const t = { schema: 's', name: 't', kind: 'table', comment: null, columns: [{ name: 'c', data_type: 'int', nullable: true, default: null, comment: null, position: 1, primary_key: pk, identity: pk }], readable, foreign_keys: fks } as unknown as DiscoveredTable
        const [n] = normaliseSchema([t])
        if (n!.readable !== undefined) expect(typeof n!.readable).toBe('boolean')
        if (n!.columns[0]!.primary_key !== undefined) expect(typeof n!.columns[0]!.primary_key).toBe('boolean')
        if (n!.columns[0]!.identity !== undefined) expect(n!.columns[0]!.identity).toBe(true)
        if (n!.foreign_keys !== undefined) {
          expect(Array.isArray(n!.foreign_keys)).toBe(true)
          for (const k of n!.foreign_keys) {
            expect(k.columns.every((x) => typeof x === 'string')).toBe(true)
            expect(k.columns.length).toBe(k.references.columns.length)
            expect(typeof k.references.table).toBe('string')
          }
        }
      }),
      { numRuns: 300 },
    )
  })
})
