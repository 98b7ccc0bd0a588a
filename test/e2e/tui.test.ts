import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClient } from '../../src/index.js'
import { textWidth } from '../../src/lib/width.js'
import { mustRun } from '../helpers/keyring.js'
import { runCli, tempVault } from '../helpers/cli.js'
import { hasTmux, Screen } from '../helpers/tmux.js'

/**
 * Issue 12, point 5, in a real terminal (tmux at 80 and 120 columns) and in a pipe: tables fit the
 * width (columns give way, NAME and TYPE stay, rows never wrap), ids short and times relative on the
 * terminal, verdicts coloured when colour is on; piped output is unchanged (full ids, ISO times, no
 * colour); an 8-character id prefix works as an id; long work draws progress on a terminal's stderr only.
 */
if (!hasTmux && mustRun) throw new Error('tmux is required in CI for the terminal tests')

const t = tempVault('credctl-tui')
// The terminal tests want colour decided by the terminal, not by the helper's NO_COLOR.
const { NO_COLOR: _off, ...ttyEnv } = t.env
const cli = (args: string[], env: Record<string, string> = {}, input?: string) => runCli(args, { env: { ...t.env, ...env }, ...(input !== undefined ? { input } : {}) })
const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10)
const NAMES = ['OpenAI Prod', '日本語のキー 👍', 'a-rather-long-credential-name-for-the-analytics-team', 'mistral']
let ids: string[] = []
const screens: Screen[] = []

beforeAll(async () => {
  const values = ['sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD', `sk-ant-api03-${'a'.repeat(80)}-abcdefAA`, `gsk_${'b'.repeat(52)}`, 'abcdefghijklmnopqrstuvwxyz012345']
  const types = ['openai', 'anthropic', 'groq', 'mistral']
  for (let i = 0; i < NAMES.length; i++) {
    const r = await cli(['create', '--name', NAMES[i]!, '--type', types[i]!, '--value-stdin', ...(i === 0 ? ['--expires', inDays(3)] : [])], {}, values[i])
    expect(r.code, r.stderr).toBe(0)
  }
  ids = (JSON.parse((await cli(['list', '--json'])).stdout) as { id: string; name: string }[]).map((c) => c.id)
})
afterAll(() => {
  for (const s of screens) s.close()
  t.cleanup()
})

async function onTerminal(args: string[], cols: number, env: Record<string, string> = ttyEnv): Promise<Screen> {
  const s = new Screen(args, env, { cols })
  screens.push(s)
  expect(await s.exit()).toBe(0)
  return s
}

/** The table's lines on the screen: from the header to the line before the first warning/EXIT. */
const tableLines = (screen: string) => {
  const lines = screen.split('\n')
  const start = lines.findIndex((l) => /^NAME +TYPE/.test(l))
  const end = lines.findIndex((l, i) => i > start && /^(warning:|EXIT:)/.test(l))
  return lines.slice(start, end)
}

describe.skipIf(!hasTmux)('tables in a real terminal (tmux)', () => {
  const headers: Record<number, string[]> = {}
  for (const cols of [80, 120]) {
    it(`list at ${cols} columns: one line per row, each within the width; NAME and TYPE kept; short ids; relative times`, async () => {
      const s = await onTerminal(['list'], cols)
      const lines = tableLines(s.screen())
      // A row wider than the terminal would wrap into two screen lines: there are exactly 1 + 4.
      expect(lines).toHaveLength(1 + NAMES.length)
      for (const l of lines) expect(textWidth(l)).toBeLessThanOrEqual(cols)
      headers[cols] = lines[0]!.trim().split(/ +/)
      expect(headers[cols]!.slice(0, 2)).toEqual(['NAME', 'TYPE'])
      expect(lines[2]).toMatch(/^日本語のキー 👍 +anthropic /)
      const text = lines.join('\n')
      for (const id of ids) expect(text).not.toContain(id) // never the full id on a terminal
      if (headers[cols]!.includes('ID')) for (const id of ids) expect(text).toContain(id.slice(0, 8))
      if (headers[cols]!.includes('EXPIRES')) expect(lines[1]).toMatch(/in 3 days/)
      if (headers[cols]!.includes('UPDATED')) expect(text).toMatch(/just now|minutes? ago/)
      expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}T/) // no ISO time on a terminal
    })
  }

  it('the wider terminal shows every column the narrower one does, and more', () => {
    expect(headers[80] && headers[120]).toBeTruthy()
    for (const h of headers[80]!) expect(headers[120]).toContain(h)
    expect(headers[120]!.length).toBeGreaterThan(headers[80]!.length)
    expect(headers[120]).toContain('ID')
  })

  it('a name longer than the room is cut with …, never wrapped', async () => {
    const s = await onTerminal(['list'], 60)
    const lines = tableLines(s.screen())
    expect(lines).toHaveLength(1 + NAMES.length)
    expect(lines[3]).toMatch(/^a-rather-long-cred\S*… +groq/)
  })

  it('verdicts are coloured when colour is on, and not with NO_COLOR', async () => {
    const on = await onTerminal(['list'], 120)
    expect(on.screen(true)).toMatch(/\x1b\[2munknown/)
    const off = await onTerminal(['list'], 120, { ...ttyEnv, NO_COLOR: '1' })
    expect(off.bytes()).not.toMatch(/\x1b\[(2|3\d)m/)
  })
})

describe('piped output is unchanged', () => {
  it('list | cat: TSV with full ids, ISO times, the dated expiry label, no colour even with FORCE_COLOR', async () => {
    const r = await cli(['list'], { FORCE_COLOR: '1' })
    expect(r.code).toBe(0)
    const rows = r.stdout.trimEnd().split('\n').map((l) => l.split('\t'))
    expect(rows).toHaveLength(NAMES.length)
    expect(rows.map((c) => c[0])).toEqual(NAMES)
    expect(rows.map((c) => c[7])).toEqual(ids)
    for (const c of rows) expect(c[6]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
    expect(rows[0]![8]).toBe(`in 3 days (${inDays(3)})`)
    expect(r.stdout).not.toContain('\x1b')
  })
})

describe('an id prefix of 8+ characters is an id', () => {
  it('get, by the short id a table shows; fewer than 8 characters is a name', async () => {
    const r = await cli(['get', ids[1]!.slice(0, 8), '--json'])
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ id: ids[1], name: NAMES[1] })
    const short = await cli(['get', ids[1]!.slice(0, 7)])
    expect(short.code).toBe(3)
    expect(short.stderr).toMatch(/^credctl: no credential named "[0-9a-f]{7}"/)
  })
})

describe.skipIf(!hasTmux)('progress of long work: on a terminal, never in a pipe', () => {
  it('rotate-key and import draw "… done/total…" on stderr, rewritten in place and cleared; a pipe gets none of it', async () => {
    // Many values, written through the SDK (fast), so the rotation has something to count.
    const sdk = createClient({ vault: t.vault, env: { CREDCTL_MASTER_KEY: t.key } })
    for (let i = 0; i < 30; i++) await sdk.credentials.create({ name: `bulk-${i}`, type: 'openai', value: `sk-${randomBytes(12).toString('hex')}` })
    const newKey = randomBytes(32).toString('base64')
    const s = await onTerminal(['rotate-key'], 100, { ...ttyEnv, CREDCTL_NEW_MASTER_KEY: newKey })
    const raw = s.bytes()
    expect(raw).toContain('\r\x1b[Kre-encrypting 0/34…')
    expect(raw).toContain('\r\x1b[Kre-encrypting 34/34…')
    // Cleared before the result is printed: the last progress write is the erase.
    expect(raw).toMatch(/re-encrypting 34\/34…\r\x1b\[KRotated the key/)
    expect(s.screen()).not.toContain('re-encrypting')
    t.env.CREDCTL_MASTER_KEY = newKey
    ttyEnv.CREDCTL_MASTER_KEY = newKey

    const env = path.join(t.dir, 'many.env')
    writeFileSync(env, `GROQ_API_KEY=gsk_${'c'.repeat(52)}\nMISTRAL_API_KEY=${'d'.repeat(32)}\n`)
    const imp = await onTerminal(['import', '--from-env', env, '--rename'], 100)
    expect(imp.bytes()).toMatch(/\r\x1b\[Kimporting 2\/2…\r\x1b\[K/)

    const key3 = randomBytes(32).toString('base64')
    const piped = await cli(['rotate-key'], { CREDCTL_NEW_MASTER_KEY: key3 })
    expect(piped.code, piped.stderr).toBe(0)
    expect(piped.stderr).not.toMatch(/re-encrypting|\r/)
    t.env.CREDCTL_MASTER_KEY = key3
    const pipedImport = await cli(['import', '--from-env', env, '--rename'])
    expect(pipedImport.code, pipedImport.stderr).toBe(0)
    expect(pipedImport.stderr).toMatch(/^Imported 2 credentials/)
    expect(pipedImport.stderr).not.toMatch(/importing|\r/)
  })
})

/**
 * Issue 12 review: with a database URL in the vault (a long masked VALUE), `list` still shows ID and
 * DEFAULT at 80 and 120 columns (VALUE is cut, the all-empty EXPIRES goes first); `history` shows
 * CREDENTIALS and OUTCOME at 80 and 120 (DETAIL is cut before it goes). The rule: render.ts header.
 */
describe.skipIf(!hasTmux)('tables with long values in a real terminal (tmux): the columns users need stay', () => {
  const v = tempVault('credctl-tui-db')
  const { NO_COLOR: _n, ...env } = v.env
  const PW = 'Kq7canaryDbPw9x'
  const dbIds: string[] = []
  const own: Screen[] = []
  const run = (args: string[], input?: string) => runCli(args, { env: v.env, ...(input !== undefined ? { input } : {}) })
  beforeAll(async () => {
    const url = `postgresql://analytics_service_account:${PW}@warehouse-primary.db.internal.example.com:5432/analytics_production?sslmode=require`
    expect((await run(['create', '--name', 'warehouse', '--type', 'postgresql', '--value-stdin'], url)).code).toBe(0)
    expect((await run(['create', '--name', 'OpenAI Prod', '--type', 'openai', '--value-stdin'], 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD')).code).toBe(0)
    dbIds.push(...(JSON.parse((await run(['list', '--json'])).stdout) as { id: string }[]).map((c) => c.id))
  })
  afterAll(() => {
    for (const s of own) s.close()
    v.cleanup()
  })
  const screenOf = async (args: string[], cols: number) => {
    const s = new Screen(args, env, { cols })
    own.push(s)
    expect(await s.exit()).toBe(0)
    const lines = s.screen().split('\n')
    const end = lines.findIndex((l) => /^(warning:|EXIT:)/.test(l))
    return lines.slice(0, end === -1 ? undefined : end).filter((l) => l.trim())
  }

  for (const cols of [80, 120]) {
    it(`list at ${cols} columns: ID and DEFAULT stay, the database URL's mask is cut, no secret`, async () => {
      const lines = await screenOf(['list'], cols)
      const start = lines.findIndex((l) => /^NAME +TYPE/.test(l))
      const table = lines.slice(start)
      expect(table).toHaveLength(3)
      for (const l of table) expect(textWidth(l)).toBeLessThanOrEqual(cols)
      const head = table[0]!.trim().split(/ {2,}/)
      expect(head).toEqual(expect.arrayContaining(['NAME', 'TYPE', 'VALUE', 'DEFAULT', 'VALID', 'ID']))
      expect(head).not.toContain('EXPIRES') // no credential expires: the empty column goes
      for (const id of dbIds) expect(table.join('\n')).toContain(id.slice(0, 8))
      expect(table.join('\n')).toMatch(/postgr\S*…/)
      expect(table.join('\n')).not.toContain(PW)
    })

    it(`history at ${cols} columns: TIME, ACTION, CREDENTIALS, OUTCOME shown`, async () => {
      const lines = await screenOf(['history'], cols)
      const start = lines.findIndex((l) => /^TIME +ACTION/.test(l))
      expect(start).toBeGreaterThanOrEqual(0)
      const table = lines.slice(start)
      for (const l of table) expect(textWidth(l)).toBeLessThanOrEqual(cols)
      expect(table[0]!.trim().split(/ {2,}/)).toEqual(expect.arrayContaining(['TIME', 'ACTION', 'CREDENTIALS', 'OUTCOME']))
      expect(table.join('\n')).toMatch(/warehouse/)
      expect(table.join('\n')).not.toContain(PW)
    })
  }
})
