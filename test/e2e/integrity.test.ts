import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serializeV2 } from '../../src/store/file-format.js'
import { headMac, recordMac } from '../../src/vault/integrity.js'
import { serializeRecord } from '../../src/vault/format.js'
import { runCli, tempVault, type CliResult } from '../helpers/cli.js'
import { startServer, type TestServer } from '../helpers/http-server.js'
import { parseVaultText, readVaultFile, serializeVaultDoc, type VaultDoc } from '../helpers/vault-file.js'

// Issue 6, integrity: any edit made outside credctl is detected (exit 4 naming the file) before
// validate/run/reveal/update act on it, and an edited base URL never makes credctl send a key anywhere.
// Format 2 (issue 13): a per-record MAC over each record's exact bytes and a head MAC over the manifest
// (ids, revisions, record MACs, sequence, header). An edit of one record's body is caught by every
// command that uses THAT record (and by status, which checks every record); an edit of the manifest or
// the header (a record removed or added, a MAC, created_at, the key source) by every value-using command.
const OPENAI = 'sk-proj-INTEGRITYcanary0123456789abcdefABCDEF'
const ANTHROPIC = 'sk-ant-api03-INTEGRITYcanary0123456789abcdef'
const TOOL = 'tool-INTEGRITYcanary-0123456789'
const PG = 'postgresql://reader:INTEGRITYpw123@127.0.0.1:1/analytics'

let t: ReturnType<typeof tempVault>
let legit: TestServer
let attacker: TestServer
let pristine: string
let newKey: string

const cli = (args: string[], input?: string, env: Record<string, string> = {}): Promise<CliResult> =>
  runCli(args, { env: { ...t.env, ...env }, ...(input !== undefined ? { input } : {}) })

beforeAll(async () => {
  t = tempVault('credctl-integrity')
  newKey = Buffer.alloc(32, 7).toString('base64')
  legit = await startServer({ status: 200, body: { object: 'list', data: [] } })
  attacker = await startServer({ status: 200, body: { object: 'list', data: [] } })
  const made = await Promise.all([
    cli(['create', '--name', 'prod', '--type', 'openai', '--value-stdin', '--base-url', legit.url], OPENAI),
  ])
  expect(made[0]!.code, made[0]!.stderr).toBe(0)
  for (const [args, value] of [
    [['create', '--name', 'claude', '--type', 'anthropic', '--value-stdin'], ANTHROPIC],
    [['create', '--name', 'tool', '--type', 'api_key', '--value-stdin', '--check-url', `${legit.url}/me`, '--auth-header', 'Authorization: Bearer {value}'], TOOL],
    [['create', '--name', 'db', '--type', 'postgresql', '--value-stdin'], PG],
  ] as const) {
    const r = await cli([...args], value)
    expect(r.code, r.stderr).toBe(0)
  }
  pristine = readFileSync(t.vault, 'utf8')
})
afterAll(async () => {
  await legit.close()
  await attacker.close()
  t.cleanup()
})

type Doc = Omit<VaultDoc, 'credentials' | 'key'> & { credentials: Record<string, any>[]; key: Record<string, any> }
const byName = (d: Doc, name: string) => d.credentials.find((c) => c.name === name)!

/**
 * Where an edit is caught (issue 13, format 2). 'record': a record's body changed, its stored MAC kept,
 * so the head MAC still holds and the edit is caught by every command that uses THAT record (and by
 * status, which checks every record). 'vault': the manifest or header changed (a record removed or
 * added, a MAC, created_at, the key source), so the head MAC fails for every value-using command.
 */
type Scope = 'record' | 'vault'

/** Every edit an attacker (or a careless editor) could make to the metadata, keeping the file parseable. */
const EDITS: [string, string, Scope, (d: Doc) => void][] = [
  ['name', 'prod-renamed', 'record', (d) => (byName(d, 'prod').name = 'prod-renamed')],
  ['type', 'prod', 'record', (d) => (byName(d, 'prod').type = 'deepseek')],
  ['base_url (changed)', 'prod', 'record', (d) => (byName(d, 'prod').base_url = attacker.url)],
  ['base_url (added)', 'claude', 'record', (d) => (byName(d, 'claude').base_url = attacker.url)],
  ['settings check_url', 'tool', 'record', (d) => (byName(d, 'tool').settings.check_url = `${attacker.url}/me`)],
  ['settings auth_header', 'tool', 'record', (d) => (byName(d, 'tool').settings.auth_header = 'X-Leak: {value}')],
  ['default flag', 'claude', 'record', (d) => (byName(d, 'claude').is_default = false)],
  ['masked_content', 'prod', 'record', (d) => (byName(d, 'prod').masked_content = 'sk-pr...zzzz')],
  ['description', 'prod', 'record', (d) => (byName(d, 'prod').description = 'edited')],
  ['is_valid', 'prod', 'record', (d) => (byName(d, 'prod').is_valid = !byName(d, 'prod').is_valid)],
  ['deleted_at', 'db', 'record', (d) => (byName(d, 'db').deleted_at = '2026-01-01T00:00:00.000Z')],
  [
    'secrets swapped between records',
    'prod',
    'record',
    (d) => {
      const a = byName(d, 'prod')
      const b = byName(d, 'claude')
      ;[a.secret, b.secret] = [b.secret, a.secret]
    },
  ],
  ['record removed', 'prod', 'vault', (d) => (d.credentials = d.credentials.filter((c) => c.name !== 'claude'))],
  [
    'record duplicated under a new id',
    'prod',
    'vault',
    (d) => d.credentials.push({ ...byName(d, 'prod'), id: '00000000-0000-4000-8000-000000000001', name: 'prod-copy' }),
  ],
  ['vault created_at', 'prod', 'vault', (d) => (d.created_at = '2020-01-01T00:00:00.000Z')],
  ['mac replaced', 'prod', 'vault', (d) => (d.mac = Buffer.alloc(32).toString('base64'))],
  ['key source', 'prod', 'vault', (d) => (d.key = { source: 'file', check: d.key.check, file: path.join(t.dir, 'evil.key') })],
]

const RUN = (): string[] => ['run', '--', process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(path.join(t.dir, 'ran'))}, 'x')`]
const CREATE: [string, string[], string] = ['create', ['create', '--name', 'fresh', '--type', 'groq', '--value-stdin'], 'gsk_0123456789abcdefabcdef']

/** What must refuse to act on an edited vault: everything that needs the key, reads or writes. */
const ACTIONS = (target: string): [string, string[], string?][] => [
  ['validate', ['validate', target]],
  ['validate --all', ['validate', '--all']],
  ['reveal', ['reveal', target]],
  ['update --description', ['update', target, '--description', 'x']],
  ['update --value-stdin', ['update', target, '--value-stdin'], 'sk-proj-NEWVALUE0123456789abcdefabcdef'],
  ['delete', ['delete', target]],
  ['purge', ['purge', target, '--yes']],
  ['set-default', ['set-default', target]],
  CREATE,
  ['run', RUN()],
  ['rotate-key', ['rotate-key']],
]

/**
 * The commands that use the record an edit of scope 'record' changed: every ACTION naming it, the ones
 * reading every live record (validate --all, rotate-key), and run when the record is a type's default.
 * `create` uses no existing value. An edit that takes the record out of a command's reach is not caught
 * by that command (it no longer uses the record): a record marked deleted is used only by restore, purge
 * and rotate-key; a record no longer default is not injected by run.
 */
const USING = (what: string, target: string): [string, string[], string?][] => {
  if (what === 'deleted_at') return [['restore', ['restore', target]], ['purge', ['purge', target, '--yes']], ['rotate-key', ['rotate-key']]]
  return ACTIONS(target).filter(([label]) => label !== 'create' && !(label === 'run' && what === 'default flag'))
}

describe('edits made outside credctl', () => {
  it('control: the untouched vault validates against its own base URL (the server sees the key)', async () => {
    legit.reset()
    const r = await cli(['validate', 'prod', '--json'])
    expect(r.code, r.stderr).toBe(0)
    expect(legit.requests).toHaveLength(1)
    expect(legit.requests[0]!.headers.authorization).toBe(`Bearer ${OPENAI}`)
    legit.reset()
    pristine = readFileSync(t.vault, 'utf8') // validate stored its verdict
  })

  it.each(EDITS)('%s: every command that uses what was edited exits 4 naming the file, sends nothing, changes nothing', async (what, target, scope, edit) => {
    const doc = parseVaultText(pristine) as unknown as Doc
    edit(doc)
    const text = serializeVaultDoc(doc as unknown as VaultDoc)
    expect(() => parseVaultText(text)).not.toThrow() // the edit keeps the file well-formed: only the MACs (or key check) can tell
    writeFileSync(t.vault, text)
    const ran = path.join(t.dir, 'ran')
    legit.reset()
    attacker.reset()
    try {
      const actions = scope === 'vault' ? ACTIONS(target) : USING(what, target)
      const results = await Promise.all(
        actions.map(async ([label, args, input]) => {
          const env: Record<string, string> = label === 'rotate-key' ? { CREDCTL_NEW_MASTER_KEY: newKey } : {}
          return [label, await cli(args, input, env)] as const
        }),
      )
      for (const [label, r] of results) {
        expect(r.code, `${label}: ${r.stderr}`).toBe(4)
        expect(r.stderr, label).toContain(t.vault)
        expect(r.stderr.trim().split('\n'), label).toHaveLength(1)
        expect(r.stdout, label).toBe('')
        for (const s of [OPENAI, ANTHROPIC, TOOL, 'INTEGRITYpw123']) expect(r.stderr + r.stdout).not.toContain(s)
      }
      const st = await cli(['status', '--json'])
      if (what === 'key source') {
        // The edited header names a key file that is not here: status has no key to check with and says
        // so (unchecked, as for any key not available here); the commands above all refused.
        expect(JSON.parse(st.stdout).integrity.status).toBe('unchecked')
      } else {
        expect(st.code, 'status checks every record').toBe(4)
        expect(JSON.parse(st.stdout).integrity.status).toBe('failed')
      }
      expect(attacker.requests, 'the attacker server got a request').toHaveLength(0)
      expect(legit.requests).toHaveLength(0)
      expect(existsSync(ran), 'run started its command').toBe(false)
      expect(readFileSync(t.vault, 'utf8')).toBe(text) // byte-identical: never rewritten or "repaired"
      if (scope === 'record') {
        // A write that does not use the edited record may go ahead, but never re-seals (launders) it: the
        // edited bytes keep their stale MAC, and the commands that use the record still refuse.
        const c = await cli(CREATE[1], CREATE[2])
        expect(c.code, c.stderr).toBe(0)
        const after = readVaultFile(t.vault)
        const edited = parseVaultText(text)
        for (const rec of edited.credentials) {
          const now = after.credentials.find((x) => x.id === rec.id)!
          expect(now, rec.id).toEqual(rec)
          expect(after.stored.get(rec.id)).toEqual(edited.stored.get(rec.id))
        }
        const again = await cli(actions[0]![1], actions[0]![2], actions[0]![0] === 'rotate-key' ? { CREDCTL_NEW_MASTER_KEY: newKey } : {})
        expect(again.code, again.stderr).toBe(4)
        expect((await cli(['status'])).code).toBe(4)
        expect(attacker.requests).toHaveLength(0)
      }
    } finally {
      writeFileSync(t.vault, pristine)
    }
  })

  it('records reordered: harmless in format 2 (the manifest is sorted by id, so line order is not covered); values still come back', async () => {
    const doc = parseVaultText(pristine)
    doc.credentials.reverse()
    const text = serializeVaultDoc(doc)
    expect(text).not.toBe(pristine)
    writeFileSync(t.vault, text)
    try {
      const r = await cli(['reveal', 'prod'])
      expect(r.code, r.stderr).toBe(0)
      expect(r.stdout.trim()).toBe(OPENAI)
      const st = await cli(['status', '--json'])
      expect(st.code, st.stderr).toBe(0)
      expect(JSON.parse(st.stdout).integrity.status).toBe('ok')
      expect(readFileSync(t.vault, 'utf8')).toBe(text)
    } finally {
      writeFileSync(t.vault, pristine)
    }
  })

  it('status explains the edit (exit 4) while list and get, which need no key, still display', async () => {
    const doc = parseVaultText(pristine)
    doc.credentials.find((c) => c.name === 'prod')!.base_url = attacker.url
    const text = serializeVaultDoc(doc)
    writeFileSync(t.vault, text)
    try {
      const s = await cli(['status', '--json'])
      expect(s.code).toBe(4)
      const st = JSON.parse(s.stdout)
      expect(st.integrity.status).toBe('failed')
      expect(st.error.message).toMatch(/changed outside credctl/)
      const table = await cli(['status'])
      expect(table.stdout).toMatch(/integrity\s+failed/)
      // list/get are display-only and read without the key (a deliberate speed choice, see README).
      expect((await cli(['list'])).code).toBe(0)
      expect(readFileSync(t.vault, 'utf8')).toBe(text)
    } finally {
      writeFileSync(t.vault, pristine)
    }
    const ok = JSON.parse((await cli(['status', '--json'])).stdout)
    expect(ok.integrity).toEqual({ status: 'ok', reason: null })
  })

  it('values are bound to their record even for someone who can recompute the MAC (AAD)', async () => {
    // Format 2: re-seal both swapped records and the head with the real key, so every MAC holds and only
    // the values' associated data (vault id, record id, field) can tell.
    const key = Buffer.from(t.key, 'base64')
    const v = parseVaultText(pristine)
    const a = v.credentials.find((c) => c.name === 'prod')!
    const b = v.credentials.find((c) => c.name === 'claude')!
    ;[a.secret, b.secret] = [b.secret, a.secret]
    const records = v.credentials.map((rec) => {
      const body = serializeRecord(rec)
      return { id: rec.id, revision: v.stored.get(rec.id)!.revision, mac: recordMac(key, body), body }
    })
    const head = { vault_id: v.vault_id, created_at: v.created_at, key: v.key, sequence: v.sequence }
    const text = serializeV2({ format: 2, ...head, mac: headMac(key, head, records) }, records)
    writeFileSync(t.vault, text)
    try {
      for (const name of ['prod', 'claude']) {
        const r = await cli(['reveal', name])
        expect(r.code).toBe(4)
        expect(r.stderr).toMatch(/does not decrypt \(damaged or moved from another record\)/)
        expect(r.stderr).toContain(t.vault)
        expect(r.stdout).toBe('')
      }
      expect(readFileSync(t.vault, 'utf8')).toBe(text)
    } finally {
      writeFileSync(t.vault, pristine)
    }
  })
})

describe('damaged, truncated and unknown-version vaults', () => {
  const DAMAGE: [string, (s: string) => string, RegExp][] = [
    ['truncated', (s) => s.slice(0, Math.floor(s.length * 0.6)), /truncated/],
    ['emptied', () => '', /empty/],
    ['garbage', () => '\u0000\u0001garbage', /not valid JSON/],
    ['unknown version', (s) => s.replace('"version":2,', '"version":3,'), /unsupported vault version 3/],
    ['record damaged', (s) => s.replace('"is_default":true', '"is_default":"yes"'), /"is_default" must be true or false/],
  ]

  it.each(DAMAGE)('%s: every command exits 4 with a clear message, status explains, the file stays byte-identical', async (_what, damage, why) => {
    const text = damage(pristine)
    expect(text).not.toBe(pristine) // the damage applies to the format on disk
    writeFileSync(t.vault, text)
    try {
      const cmds: [string[], string?][] = [
        [['list']],
        [['get', 'prod']],
        [['reveal', 'prod']],
        [['validate', 'prod']],
        [['update', 'prod', '--description', 'x']],
        [['create', '--name', 'n', '--type', 'groq', '--value-stdin'], 'gsk_0123456789abcdefabcdef'],
        [['delete', 'prod']],
        [['purge', 'prod', '--yes']],
        [['rotate-key']],
        [['history', 'prod']],
        [['run', '--', process.execPath, '-e', '0']],
      ]
      const results = await Promise.all(cmds.map(([args, input]) => cli(args, input, { CREDCTL_NEW_MASTER_KEY: newKey })))
      results.forEach((r, i) => {
        const label = cmds[i]![0].join(' ')
        if (label === 'history prod') {
          // history reads its own file; naming a credential needs the vault: an error, never a crash
          expect([0, 4], `${label}: ${r.stderr}`).toContain(r.code)
          return
        }
        expect(r.code, `${label}: ${r.stderr}`).toBe(4)
        expect(r.stderr, label).toContain(t.vault)
        expect(r.stderr, label).toMatch(why)
        expect(r.stderr, label).not.toMatch(/\n\s+at /) // no stack trace
      })
      const s = await cli(['status', '--json'])
      expect(s.code).toBe(4)
      const st = JSON.parse(s.stdout)
      expect(st.exists).toBe(true)
      expect(st.error.message).toMatch(why)
      expect(st.error.message).toContain(t.vault)
      const table = (await cli(['status'])).stdout
      expect(table).toMatch(/problem\s+VAULT_(DAMAGED|VERSION)/)
      expect(table).toMatch(/key source\s+\(unknown/)
      expect(readFileSync(t.vault, 'utf8')).toBe(text)
    } finally {
      writeFileSync(t.vault, pristine)
    }
  })
})
