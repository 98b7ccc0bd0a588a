import { readFileSync, statSync, writeFileSync } from 'node:fs'
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
  it('records every action (time, action, id, name, type, outcome), never a value; purged ones stay', async () => {
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

    const all = JSON.parse((await cli(['history', '--json'])).stdout) as Record<string, unknown>[]
    const main = all.filter((e) => e.name === 'Main')
    expect(main.map((e) => e.action)).toEqual(['create', 'update', 'set-default', 'reveal', 'run', 'export', 'delete', 'restore', 'delete', 'purge'])
    for (const e of all) {
      expect(Object.keys(e).sort()).toEqual(expect.arrayContaining(['action', 'credential_id', 'name', 'outcome', 'time', 'type']))
      expect(e.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    }
    expect(new Set(main.map((e) => e.credential_id)).size).toBe(1)
    expect(all.find((e) => e.action === 'import')).toMatchObject({ name: 'ANTHROPIC_API_KEY', type: 'anthropic', outcome: 'ok' })
    expect(all.filter((e) => e.action === 'run').map((e) => e.detail)).toEqual(['OPENAI_API_KEY for true'])

    // The purged credential's entries stay, found by name; --limit keeps the last N.
    const byName = JSON.parse((await cli(['history', 'Main', '--json'])).stdout) as unknown[]
    expect(byName).toHaveLength(10)
    const last2 = JSON.parse((await cli(['history', '--limit', '2', '--json'])).stdout) as Record<string, unknown>[]
    expect(last2.map((e) => e.action)).toEqual(['delete', 'purge'])
    expect((await cli(['history', '--limit', '0'])).code).toBe(2)

    const text = readFileSync(historyFile(), 'utf8')
    assertNoLeak([V1, V2, ENVV, 'history pass'], [text])
    expect(statSync(historyFile()).mode & 0o777).toBe(0o600)
    // TSV when piped: TIME ACTION NAME TYPE OUTCOME ID
    const tsv = (await cli(['history', '--limit', '1'])).stdout.trimEnd().split('\t')
    expect(tsv.slice(1, 5)).toEqual(['purge', 'Main', 'openai', 'ok'])
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
