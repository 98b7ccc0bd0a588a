import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hmac, macKey } from '../../src/vault/cipher.js'
import { macInput, parseVault } from '../../src/vault/format.js'
import { runCli, tempVault, type CliResult } from '../helpers/cli.js'
import { startServer, type TestServer } from '../helpers/http-server.js'

// Issue 6, integrity: any edit made outside credctl is detected (exit 4 naming the file) before
// validate/run/reveal/update act on it, and an edited base URL never makes credctl send a key anywhere.
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

type Doc = { credentials: Record<string, any>[]; key: Record<string, any>; [k: string]: unknown }
const byName = (d: Doc, name: string) => d.credentials.find((c) => c.name === name)!

/** Every edit an attacker (or a careless editor) could make to the metadata, keeping the file parseable. */
const EDITS: [string, string, (d: Doc) => void][] = [
  ['name', 'prod-renamed', (d) => (byName(d, 'prod').name = 'prod-renamed')],
  ['type', 'prod', (d) => (byName(d, 'prod').type = 'deepseek')],
  ['base_url (changed)', 'prod', (d) => (byName(d, 'prod').base_url = attacker.url)],
  ['base_url (added)', 'claude', (d) => (byName(d, 'claude').base_url = attacker.url)],
  ['settings check_url', 'tool', (d) => (byName(d, 'tool').settings.check_url = `${attacker.url}/me`)],
  ['settings auth_header', 'tool', (d) => (byName(d, 'tool').settings.auth_header = 'X-Leak: {value}')],
  ['default flag', 'claude', (d) => (byName(d, 'claude').is_default = false)],
  ['masked_content', 'prod', (d) => (byName(d, 'prod').masked_content = 'sk-pr...zzzz')],
  ['description', 'prod', (d) => (byName(d, 'prod').description = 'edited')],
  ['is_valid', 'prod', (d) => (byName(d, 'prod').is_valid = !byName(d, 'prod').is_valid)],
  ['deleted_at', 'prod', (d) => (byName(d, 'db').deleted_at = '2026-01-01T00:00:00.000Z')],
  ['record removed', 'prod', (d) => (d.credentials = d.credentials.filter((c) => c.name !== 'claude'))],
  [
    'record duplicated under a new id',
    'prod',
    (d) => d.credentials.push({ ...byName(d, 'prod'), id: '00000000-0000-4000-8000-000000000001', name: 'prod-copy' }),
  ],
  ['records reordered', 'prod', (d) => d.credentials.reverse()],
  [
    'secrets swapped between records',
    'prod',
    (d) => {
      const a = byName(d, 'prod')
      const b = byName(d, 'claude')
      ;[a.secret, b.secret] = [b.secret, a.secret]
    },
  ],
  ['vault created_at', 'prod', (d) => (d.created_at = '2020-01-01T00:00:00.000Z')],
  ['mac replaced', 'prod', (d) => (d.mac = Buffer.alloc(32).toString('base64'))],
  ['key source', 'prod', (d) => (d.key = { source: 'file', check: d.key.check, file: path.join(t.dir, 'evil.key') })],
]

/** What must refuse to act on an edited vault: everything that needs the key, reads or writes. */
const ACTIONS = (target: string): [string, string[], string?][] => [
  ['validate', ['validate', target]],
  ['validate --all', ['validate', '--all']],
  ['reveal', ['reveal', target]],
  ['update --description', ['update', target, '--description', 'x']],
  ['update --value-stdin', ['update', target, '--value-stdin'], 'sk-proj-NEWVALUE0123456789abcdefabcdef'],
  ['delete', ['delete', target]],
  ['set-default', ['set-default', target]],
  ['create', ['create', '--name', 'fresh', '--type', 'groq', '--value-stdin'], 'gsk_0123456789abcdefabcdef'],
  ['run', ['run', '--', process.execPath, '-e', `require('fs').writeFileSync(${JSON.stringify(path.join(t.dir, 'ran'))}, 'x')`]],
  ['rotate-key', ['rotate-key']],
]

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

  it.each(EDITS)('%s: every command that needs the key exits 4 naming the file, sends nothing, changes nothing', async (_what, target, edit) => {
    const doc = JSON.parse(pristine) as Doc
    edit(doc)
    const text = `${JSON.stringify(doc, null, 1)}\n`
    expect(() => parseVault(text)).not.toThrow() // the edit keeps the file well-formed: only the MAC (or key check) can tell
    writeFileSync(t.vault, text)
    const ran = path.join(t.dir, 'ran')
    legit.reset()
    attacker.reset()
    try {
      const results = await Promise.all(
        ACTIONS(target).map(async ([label, args, input]) => {
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
      expect(attacker.requests, 'the attacker server got a request').toHaveLength(0)
      expect(legit.requests).toHaveLength(0)
      expect(existsSync(ran), 'run started its command').toBe(false)
      expect(readFileSync(t.vault, 'utf8')).toBe(text) // byte-identical: never rewritten or "repaired"
    } finally {
      writeFileSync(t.vault, pristine)
    }
  })

  it('status explains the edit (exit 4) while list and get, which need no key, still display', async () => {
    const doc = JSON.parse(pristine) as Doc
    byName(doc, 'prod').base_url = attacker.url
    const text = JSON.stringify(doc)
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
    const key = Buffer.from(t.key, 'base64')
    const v = parseVault(pristine)
    const a = v.credentials.find((c) => c.name === 'prod')!
    const b = v.credentials.find((c) => c.name === 'claude')!
    ;[a.secret, b.secret] = [b.secret, a.secret]
    v.mac = hmac(macKey(key), macInput(v))
    const text = `${JSON.stringify({ format: 'credctl-vault', ...v }, null, 1)}\n`
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
    ['truncated', (s) => s.slice(0, Math.floor(s.length * 0.6)), /not valid JSON \(damaged or truncated\)/],
    ['emptied', () => '', /empty/],
    ['garbage', () => '\u0000\u0001garbage', /not valid JSON/],
    ['unknown version', (s) => s.replace('"version": 1', '"version": 3'), /unsupported vault version 3/],
    ['record damaged', (s) => s.replace('"is_default": true', '"is_default": "yes"'), /"is_default" must be true or false/],
  ]

  it.each(DAMAGE)('%s: every command exits 4 with a clear message, status explains, the file stays byte-identical', async (_what, damage, why) => {
    const text = damage(pristine)
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
