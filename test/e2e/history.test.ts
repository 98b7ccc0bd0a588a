import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { assertNoLeak, runCli, tempVault } from '../helpers/cli.js'
import { VIEW_FIELDS } from '../../src/index.js'

const V1 = 'sk-proj-CANARYhistory0123456789abcdefgh'
const V2 = 'sk-proj-CANARYhistoryNEW0123456789abcde'
const ENVV = 'sk-ant-CANARYhistoryenv0123456789abcdef'

let t: ReturnType<typeof tempVault>
const outputs: string[] = []
beforeEach(() => (t = tempVault('credctl-history')))
afterEach(() => {
  assertNoLeak([V1, V2, ENVV], outputs.splice(0))
  t.cleanup()
})
const cli = async (args: string[], input?: string, extra: Record<string, string> = {}) => {
  const r = await runCli(args, { env: { ...t.env, ...extra }, ...(input !== undefined ? { input } : {}) })
  outputs.push(r.stdout, r.stderr)
  return r
}
const historyFile = () => path.join(path.dirname(t.vault), 'vault.history.jsonl')

describe('history', () => {
  it('records every action (time, action, outcome, detail, credentials: id, name, type), never a value; purged ones stay', async () => {
    expect((await cli(['create', '--name', 'Main', '--type', 'openai', '--value-stdin'], V1)).code).toBe(0)
    expect((await cli(['update', 'Main', '--value-stdin'], V2)).code).toBe(0)
    expect((await cli(['set-default', 'Main'])).code).toBe(0)
    const reveal = await runCli(['reveal', 'Main'], { env: t.env }) // prints the value by design: not scanned
    expect(reveal).toMatchObject({ code: 0, stdout: V2 })
    expect((await cli(['run', '--', 'true'])).code).toBe(0)
    writeFileSync(path.join(t.dir, '.env'), `ANTHROPIC_API_KEY=${ENVV}\n`)
    expect((await cli(['import', '--from-env', path.join(t.dir, '.env')])).code).toBe(0)
    expect((await cli(['export', '--output', path.join(t.dir, 'b.credctl')], undefined, { CREDCTL_EXPORT_PASSPHRASE: 'history pass' })).code).toBe(0)
    expect((await cli(['delete', 'Main'])).code).toBe(0)
    expect((await cli(['restore', 'Main'])).code).toBe(0)
    expect((await cli(['delete', 'Main'])).code).toBe(0)
    expect((await cli(['purge', 'Main', '--yes'])).code).toBe(0)

    type Entry = { time: string; action: string; outcome: string; detail?: string; credentials: { id: string | null; name: string | null; type: string | null }[] }
    const all = JSON.parse((await cli(['history', '--json'])).stdout) as Entry[]
    const main = all.filter((e) => e.credentials.some((c) => c.name === 'Main'))
    expect(main.map((e) => e.action)).toEqual(['create', 'update', 'set-default', 'reveal', 'run', 'export', 'delete', 'restore', 'delete', 'purge'])
    for (const e of all) {
      expect(Object.keys(e).sort()).toEqual(expect.arrayContaining(['action', 'credentials', 'outcome', 'time']))
      expect(e.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    }
    expect(new Set(main.map((e) => e.credentials.find((c) => c.name === 'Main')!.id)).size).toBe(1)
    expect(all.find((e) => e.action === 'import')).toMatchObject({ credentials: [{ name: 'ANTHROPIC_API_KEY', type: 'anthropic' }], outcome: 'ok' })
    expect(all.filter((e) => e.action === 'run').map((e) => e.detail)).toEqual(['true: OPENAI_API_KEY'])
    // One export of two credentials: one entry naming both.
    expect(all.filter((e) => e.action === 'export').map((e) => e.credentials.map((c) => c.name).sort())).toEqual([['ANTHROPIC_API_KEY', 'Main']])

    // The purged credential's entries stay, found by name; --limit keeps the last N.
    const byName = JSON.parse((await cli(['history', 'Main', '--json'])).stdout) as unknown[]
    expect(byName).toHaveLength(10)
    const last2 = JSON.parse((await cli(['history', '--limit', '2', '--json'])).stdout) as Entry[]
    expect(last2.map((e) => e.action)).toEqual(['delete', 'purge'])
    expect((await cli(['history', '--limit', '0'])).code).toBe(2)

    const text = readFileSync(historyFile(), 'utf8')
    assertNoLeak([V1, V2, ENVV, 'history pass'], [text])
    expect(statSync(historyFile()).mode & 0o777).toBe(0o600)
    // TSV when piped: TIME ACTION CREDENTIALS OUTCOME DETAIL
    const tsv = (await cli(['history', '--limit', '1'])).stdout.trimEnd().split('\t')
    expect(tsv.slice(1, 4)).toEqual(['purge', 'Main', 'ok'])
  })

  it('a run injecting several credentials is ONE entry listing them; the table shows program and variables', async () => {
    const values = { openai: 'sk-proj-CANARYhistrun0123456789abcdefgh', anthropic: 'sk-ant-CANARYhistrun0123456789abcdefg', groq: 'gsk_CANARYhistrun0123456789abcdefghij' }
    for (const [type, v] of Object.entries(values)) {
      expect((await cli(['create', '--name', `K ${type}`, '--type', type, '--value-stdin', '--default'], v)).code).toBe(0)
    }
    expect((await cli(['run', '--', 'true'])).code).toBe(0)
    const runs = (JSON.parse((await cli(['history', '--json', '--action', 'run'])).stdout) as { detail: string; credentials: { name: string }[] }[])
    expect(runs).toHaveLength(1)
    expect(runs[0]!.credentials.map((c) => c.name).sort()).toEqual(['K anthropic', 'K groq', 'K openai'])
    expect(runs[0]!.detail).toMatch(/^true: /)
    for (const v of ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'GROQ_API_KEY']) expect(runs[0]!.detail).toContain(v)
    // Piped table: the DETAIL column is there.
    const row = (await cli(['history', '--action', 'run'])).stdout.trimEnd().split('\t')
    expect(row[1]).toBe('run')
    expect(row[2]!.split(', ').sort()).toEqual(['K anthropic', 'K groq', 'K openai'])
    expect(row[4]).toBe(runs[0]!.detail)
    assertNoLeak(Object.values(values), [readFileSync(historyFile(), 'utf8'), ...outputs])
  })

  it('--since and --action filter; bad values are exit 2 with one line', async () => {
    const old = { time: '2020-01-01T00:00:00.000Z', action: 'reveal', credential_id: 'a1', name: 'Old', type: 'openai', outcome: 'ok' }
    mkdirSync(path.dirname(historyFile()), { recursive: true, mode: 0o700 })
    writeFileSync(historyFile(), JSON.stringify(old) + '\n', { mode: 0o600 })
    expect((await cli(['create', '--name', 'New', '--type', 'openai', '--value-stdin'], V1)).code).toBe(0)
    await runCli(['reveal', 'New'], { env: t.env })
    const get = async (...a: string[]) => (JSON.parse((await cli(['history', '--json', ...a])).stdout) as { action: string; credentials: { name: string }[] }[]).map((e) => `${e.action}:${e.credentials[0]?.name}`)
    expect(await get()).toEqual(['reveal:Old', 'create:New', 'reveal:New'])
    expect(await get('--since', '2h')).toEqual(['create:New', 'reveal:New'])
    expect(await get('--since', '2019-12-31')).toEqual(['reveal:Old', 'create:New', 'reveal:New'])
    expect(await get('--since', '2030-01-01T00:00:00Z')).toEqual([])
    expect(await get('--action', 'reveal')).toEqual(['reveal:Old', 'reveal:New'])
    expect(await get('--action', 'create,reveal', '--since', '1d')).toEqual(['create:New', 'reveal:New'])
    expect(await get('--action', 'create', '--action', 'reveal', 'Old')).toEqual(['reveal:Old'])
    for (const bad of [['--since', 'yesterday'], ['--since', '2h ago'], ['--action', 'reveel'], ['--action', ',']]) {
      const r = await cli(['history', ...bad])
      expect(r.code, bad.join(' ')).toBe(2)
      expect(r.stderr.trim().split('\n')[0]).toMatch(/--since|--action/)
      expect(r.stderr).not.toMatch(/\bat .*\.js:\d+/)
    }
  })

  it('rotates into vault.history.jsonl.1 past CREDCTL_HISTORY_MAX_BYTES; both are read; what is dropped is recorded', async () => {
    const small = { CREDCTL_HISTORY_MAX_BYTES: '600' }
    expect((await cli(['create', '--name', 'R', '--type', 'openai', '--value-stdin'], V1, small)).code).toBe(0)
    for (let i = 0; i < 12; i++) expect((await cli(['set-default', 'R'], undefined, small)).code).toBe(0)
    const rotated = `${historyFile()}.1`
    expect(statSync(rotated).mode & 0o777).toBe(0o600)
    expect(statSync(historyFile()).size).toBeLessThanOrEqual(600 + 400)
    const all = JSON.parse((await cli(['history', '--json'])).stdout) as { action: string; detail?: string; time: string }[]
    const trimmed = all.filter((e) => e.action === 'history-trimmed')
    expect(trimmed.length).toBeGreaterThan(0)
    const dropped = trimmed.reduce((n, e) => n + Number(/^(\d+) older/.exec(e.detail!)![1]), 0)
    // Every action is either still listed or counted as dropped: 1 create + 12 set-default.
    expect(all.filter((e) => e.action !== 'history-trimmed').length + dropped).toBe(13)
    expect([...all.map((e) => e.time)]).toEqual([...all.map((e) => e.time)].sort())
    expect((await cli(['history'], undefined, { CREDCTL_HISTORY_MAX_BYTES: 'lots' })).code).toBe(0) // read only: no limit needed
    // A bad size stops a command that would record something before it acts (no entry lost after a change).
    const vaultBefore = readFileSync(t.vault)
    for (const args of [['set-default', 'R'], ['reveal', 'R']]) {
      const r = await cli(args, undefined, { CREDCTL_HISTORY_MAX_BYTES: 'lots' })
      expect(r.code).toBe(2)
      expect(r.stdout).toBe('')
      expect(r.stderr).toMatch(/CREDCTL_HISTORY_MAX_BYTES must be a whole number/)
    }
    expect(readFileSync(t.vault).equals(vaultBefore)).toBe(true)
  })

  it('parallel processes appending while the file rotates: no entry lost, none twice', async () => {
    const env = { CREDCTL_HISTORY_MAX_BYTES: '1500' }
    expect((await cli(['create', '--name', 'P', '--type', 'openai', '--value-stdin'], V1, env)).code).toBe(0)
    const n = 24
    const rs = await Promise.all(Array.from({ length: n }, () => runCli(['reveal', 'P'], { env: { ...t.env, ...env } })))
    for (const r of rs) expect(r.code, r.stderr).toBe(0)
    const all = JSON.parse((await cli(['history', '--json'])).stdout) as { action: string; detail?: string; time: string }[]
    const dropped = all.filter((e) => e.action === 'history-trimmed').reduce((k, e) => k + Number(/^(\d+) older/.exec(e.detail!)![1]), 0)
    expect(all.filter((e) => e.action === 'reveal').length + all.filter((e) => e.action === 'create').length + dropped).toBe(n + 1)
    expect(dropped).toBeGreaterThan(0) // it did rotate, more than once
    const { readdirSync } = await import('node:fs')
    expect(readdirSync(path.dirname(t.vault)).filter((f) => f.endsWith('.lock') || f.endsWith('.tmp'))).toEqual([])
  })
})

describe('expiry in list and status', () => {
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10)

  it('flags expired and soon-expiring credentials; --json stays the safe representation', async () => {
    const mk = async (name: string, expires?: string) =>
      expect((await cli(['create', '--name', name, '--type', 'groq', '--value-stdin', ...(expires ? ['--expires', expires] : [])], `gsk_${name}0123456789abcdef`)).code).toBe(0)
    await mk('Expired', day(-3))
    await mk('Soon', day(6))
    await mk('Later', day(60))
    await mk('Never')

    const list = await cli(['list'])
    const rows = list.stdout.split('\n').filter(Boolean).map((l) => l.split('\t'))
    expect(rows.map((r) => [r[0], r.at(-1)])).toEqual([
      ['Expired', `EXPIRED ${day(-3)}`],
      ['Soon', expect.stringMatching(new RegExp(`^in [56] days \\(${day(6)}\\)$`))],
      ['Later', day(60)],
      ['Never', ''],
    ])
    expect(list.stderr).toContain(`warning: Expired (groq) expired on ${day(-3)}`)
    expect(list.stderr).toMatch(new RegExp(`warning: Soon \\(groq\\) expires on ${day(6)}`))
    expect(list.stderr).not.toContain('Later')

    const json = JSON.parse((await cli(['list', '--json'])).stdout) as Record<string, unknown>[]
    for (const c of json) for (const k of Object.keys(c)) expect(VIEW_FIELDS).toContain(k)
    expect(json[0]!.expires_at).toBe(`${day(-3)}T00:00:00.000Z`)

    const status = await cli(['status'])
    expect(status.stdout).toMatch(/expiry\t1 expired, 1 expiring within 14 days/)
    const sj = JSON.parse((await cli(['status', '--json'])).stdout) as { expiry: unknown }
    expect(sj.expiry).toEqual({ expired: ['Expired'], expiring: ['Soon'], within_days: 14 })

    // Updating the date clears the flag; --expires '' removes it.
    expect((await cli(['update', 'Expired', '--expires', ''])).code).toBe(0)
    expect((await cli(['list'])).stderr).not.toContain('Expired (groq)')
    expect((await cli(['create', '--name', 'Bad', '--type', 'groq', '--value-stdin', '--expires', '31/12/2030'], 'gsk_bad0123456789abcdef')).code).toBe(2)
  })
})
