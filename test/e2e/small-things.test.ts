import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runCli, tempVault } from '../helpers/cli.js'

/**
 * Issue 12, point 9, through the built CLI: one line and exit 2 for a base URL nothing reads, a warning
 * for a past --expires without a terminal, static_file paths stored absolute, and a libpq URI for a
 * Unix socket checked against the REAL local PostgreSQL (trust authentication on its socket), with the
 * schema marked stale after a value change. The terminal confirmation is in prompts.test.ts (tmux).
 */
let t: ReturnType<typeof tempVault>
beforeEach(() => {
  t = tempVault('credctl-small')
})
afterEach(() => t.cleanup())
const cli = (args: string[], input?: string, cwd?: string) => runCli(args, { env: t.env, ...(input !== undefined ? { input } : {}), ...(cwd ? { cwd } : {}) })

describe('--base-url only where a type reads one', () => {
  it('create and update: exit 2, one line naming the type; nothing written; a provider type takes one', async () => {
    const r = await cli(['create', '--name', 'pg', '--type', 'postgresql', '--base-url', 'https://gw.example.com', '--value-stdin'], 'postgresql://u:p@db.internal/app')
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/^credctl: --base-url does not apply to type postgresql: nothing reads it \(.*\)\n$/)
    expect(existsSync(t.vault)).toBe(false)
    const d = await cli(['create', '--name', 'db', '--type', 'database', '--schema-type', 'mysql', '--base-url', 'https://gw.example.com', '--value-stdin'], 'mysql://u:p@db.internal/app')
    expect(d.stderr).toMatch(/^credctl: --base-url does not apply to type database \(schema_type mysql\)/)
    expect(d.code).toBe(2)
    expect((await cli(['create', '--name', 'ak', '--type', 'api_key', '--value-stdin'], 'k-0123456789abcdef')).code).toBe(0)
    const u = await cli(['update', 'ak', '--base-url', 'https://gw.example.com'])
    expect(u.code).toBe(2)
    expect(u.stderr.trim().split('\n')).toHaveLength(1)
    expect(u.stderr).toMatch(/type api_key.*--check-url/)
    expect((await cli(['create', '--name', 'o', '--type', 'openai', '--base-url', 'https://gw.example.com/v1', '--value-stdin'], 'sk-0123456789abcdef')).code).toBe(0)
    const types = JSON.parse((await cli(['types', '--json'])).stdout) as { type: string; uses_base_url: boolean }[]
    expect(types.filter((x) => x.uses_base_url).map((x) => x.type)).toEqual(expect.arrayContaining(['openai', 'bigquery', 'snowflake']))
    expect(types.find((x) => x.type === 'postgresql')!.uses_base_url).toBe(false)
  })
})

describe('a past --expires without a terminal', () => {
  it('is stored, with one warning line on stderr (create and update)', async () => {
    const r = await cli(['create', '--name', 'k', '--type', 'openai', '--expires', '2020-01-01', '--value-stdin', '--json'], 'sk-0123456789abcdef')
    expect(r.code).toBe(0)
    expect(r.stderr).toMatch(/^warning: --expires 2020-01-01 is in the past; stored anyway \(k shows as expired at once\)$/m)
    expect(JSON.parse(r.stdout).expires_at).toBe('2020-01-01T00:00:00.000Z')
    const u = await cli(['update', 'k', '--expires', '2021-03-04'])
    expect(u.code).toBe(0)
    expect(u.stderr).toMatch(/warning: --expires 2021-03-04 is in the past/)
    const later = await cli(['update', 'k', '--expires', '2999-01-01'])
    expect(later.stderr).not.toMatch(/warning/)
  })
})

describe('static_file paths', () => {
  it('a relative path is stored absolute (against the directory create ran in), shown as that path', async () => {
    const work = path.join(t.dir, 'work')
    mkdirSync(path.join(work, 'data'), { recursive: true })
    writeFileSync(path.join(work, 'data', 'orders.csv'), 'id\n1\n')
    const r = await cli(['create', '--name', 'files', '--type', 'static_file', '--value-stdin', '--json'], 'data', work)
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout).masked_content).toBe(path.join(work, 'data'))
    // From any other directory it means the same files.
    const v = await cli(['validate', 'files', '--json'], undefined, t.dir)
    expect(JSON.parse(v.stdout)[0] ?? JSON.parse(v.stdout)).toMatchObject({ status: 'valid' })
    await cli(['update', 'files', '--value-stdin'], 'gone/x.csv', work)
    const bad = await cli(['validate', 'files'])
    expect(bad.code).toBe(1)
    expect(bad.stdout + bad.stderr).toContain(path.join(work, 'gone', 'x.csv'))
  }, 60_000)
})

const SOCKET_DIR = '/var/run/postgresql'
const hasSocket = existsSync(path.join(SOCKET_DIR, '.s.PGSQL.5432'))

describe.skipIf(!hasSocket)('a libpq URI with no host: the real local PostgreSQL over its Unix socket', () => {
  it('is accepted, validated and discovered like psql connects; a value change marks the schema stale; the password never shows', async () => {
    const PW = 'KqSockCanary7x!Pw'
    const value = `postgresql:///postgres?host=${SOCKET_DIR}&user=postgres&password=${encodeURIComponent(PW)}`
    const c = await cli(['create', '--name', 'local', '--type', 'postgresql', '--value-stdin', '--json'], value)
    expect(c.code, c.stderr).toBe(0)
    expect(JSON.parse(c.stdout).masked_content).toBe(`postgresql:///postgres?host=${SOCKET_DIR}&user=postgres&password=****`)
    const v = await cli(['validate', 'local'])
    expect(v.code, v.stdout + v.stderr).toBe(0)
    expect(v.stdout).toMatch(/valid\tconnected/)
    const d = await cli(['discover', 'local', '--json'])
    expect(d.code, d.stderr).toBe(0)
    // No host at all: libpq's default socket directory, as psql on Debian.
    expect((await cli(['update', 'local', '--value-stdin'], 'postgresql:///postgres?user=postgres')).code).toBe(0)
    expect((await cli(['validate', 'local'])).code).toBe(0)
    const s = await cli(['schema', 'local'])
    expect(s.stdout).toMatch(/^# stale: the value, base URL or settings changed at \S+, after this discovery; refresh with: credctl discover "local"$/m)
    const sj = JSON.parse((await cli(['schema', 'local', '--json'])).stdout) as { stale_since?: string }
    expect(sj.stale_since).toMatch(/^\d{4}-/)
    expect(JSON.parse((await cli(['get', 'local', '--json'])).stdout).schema_stale_since).toBe(sj.stale_since)
    // An export bundle carries the mark: imported elsewhere, the schema is still stale.
    const bundle = path.join(t.dir, 'b.credctl')
    const pass = { CREDCTL_EXPORT_PASSPHRASE: 'small-things-bundle-pass' }
    expect((await runCli(['export', '--output', bundle], { env: { ...t.env, ...pass } })).code).toBe(0)
    const other = tempVault('credctl-small-dst')
    try {
      expect((await runCli(['import', '--bundle', bundle], { env: { ...other.env, ...pass } })).code).toBe(0)
      expect(JSON.parse((await runCli(['schema', 'local', '--json'], { env: other.env })).stdout).stale_since).toBe(sj.stale_since)
    } finally {
      other.cleanup()
    }
    expect((await cli(['discover', 'local'])).code).toBe(0)
    expect(JSON.parse((await cli(['schema', 'local', '--json'])).stdout).stale_since).toBeUndefined()
    expect((await cli(['schema', 'local'])).stdout).not.toMatch(/# stale/)
    // A socket directory with no server: unreachable (exit 5), said like psql says it.
    await cli(['update', 'local', '--value-stdin'], `postgresql:///postgres?host=${path.join(t.dir, 'nosock')}&user=postgres&password=${encodeURIComponent(PW)}`)
    const gone = await cli(['validate', 'local'])
    expect(gone.code).toBe(5)
    expect(gone.stdout + gone.stderr).toMatch(/no PostgreSQL server on socket .*nosock\/\.s\.PGSQL\.5432/)
    for (const r of [c, v, d, s, gone]) {
      expect(r.stdout + r.stderr).not.toContain(PW)
      expect(r.stdout + r.stderr).not.toContain(encodeURIComponent(PW))
    }
  }, 60_000)
})
