import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { planTemplate, readEnvFiles, renderTemplate } from '../../src/credentials/env-resolve.js'
import { parseEnvRefs, planRun, runDetail } from '../../src/credentials/inject.js'
import { formatReference, parseReference, scanTemplate } from '../../src/credentials/references.js'
import { materialize } from '../../src/credentials/run-files.js'
import type { Credential } from '../../src/credentials/view.js'
import { createClient, CredctlError, TYPES, type Client } from '../../src/index.js'
import { credentialView } from '../helpers/credential-view.js'

const cred = credentialView

/** The error a function throws, with its code and message (fails when it does not throw a CredctlError). */
function thrown(fn: () => unknown): CredctlError {
  try {
    fn()
  } catch (e) {
    if (e instanceof CredctlError) return e
    throw e
  }
  throw new Error('did not throw')
}

describe('reference syntax (references.ts)', () => {
  it('formats and parses names with spaces, unicode, % and quotes', () => {
    for (const name of ['OpenAI Prod', 'café ☕', '100% "real"', "it's", 'a/b:c@d']) {
      expect(parseReference(formatReference(name))).toBe(name)
    }
    expect(formatReference('OpenAI Prod')).toBe('credctl://OpenAI%20Prod')
    expect(parseReference('credctl://OpenAI Prod', { allowSpaces: true })).toBe('OpenAI Prod')
    expect(() => parseReference('credctl://OpenAI Prod')).toThrow(/encode spaces as %20/)
    expect(() => parseReference('credctl://')).toThrow(/names no credential/)
    expect(() => parseReference('credctl://%ZZ')).toThrow(/malformed percent/)
    expect(parseReference('see credctl://x')).toBeUndefined()
    expect(parseReference('postgres://u:p@h/db')).toBeUndefined()
  })

  it('scans {{ credctl://NAME }} placeholders with their lines, leaving other braces alone', () => {
    const tpl = 'a: {{ credctl://one }}\r\nb: "{{credctl://Two%20Words}}"\n{{ .Values.x }}\nc: {{ credctl://raw name }} {{ credctl://x }}}\n'
    const refs = scanTemplate(tpl)
    expect(refs.map((r) => [r.name, r.line, r.text])).toEqual([
      ['one', 1, '{{ credctl://one }}'],
      ['Two Words', 2, '{{credctl://Two%20Words}}'],
      ['raw name', 4, '{{ credctl://raw name }}'],
      ['x', 4, '{{ credctl://x }}'],
    ])
    for (const r of refs) expect(tpl.slice(r.start, r.end)).toBe(r.text)
    expect(() => scanTemplate('ok\n\nk: {{ credctl://%G0 }}')).toThrow(/^3: \{\{ credctl:\/\/%G0 \}\}: the reference has a malformed percent-encoding/)
    // A placeholder never spans lines; one that starts like a placeholder and is not one is an error,
    // never text left in the output (a new user's typos).
    for (const bad of ['{{ credctl://a\n}}', 'x: {{ credctl://X', '{{ credctl:/X }}', '{{ CREDCTL://X }}', '{{Credctl://X}}']) {
      expect(() => scanTemplate(`ok\n${bad}`), bad).toThrow(/^2: a placeholder that starts like/)
    }
  })

  it('a value that looks like a mistyped reference is refused, not passed on as text', () => {
    for (const v of ['credctl:/X', 'CREDCTL://X', 'Credctl://x y']) expect(() => parseReference(v), v).toThrow(/mistyped reference/)
    for (const v of ['credctl', 'credctl:', 'credctl:x', 'see credctl://x', 'xcredctl://x']) expect(parseReference(v), v).toBeUndefined()
  })
})

describe('env files (env-resolve.ts readEnvFiles)', () => {
  it('merges files (the later wins), reads references (raw spaces only in quotes) and literals byte for byte', () => {
    const a = { file: 'a.env', text: 'export KEY="credctl://OpenAI Prod"\r\nMODE=dev\r\nMULTI="l1\nl2"\r\n' }
    const b = { file: 'b.env', text: "# local\nMODE='prod # not a comment'\nDB=credctl://analytics%20db\n" }
    expect(readEnvFiles([a, b])).toEqual([
      { variable: 'KEY', file: 'a.env', line: 1, ref: 'OpenAI Prod', raw: 'credctl://OpenAI Prod' },
      { variable: 'MULTI', file: 'a.env', line: 3, value: 'l1\nl2' },
      { variable: 'MODE', file: 'b.env', line: 2, value: 'prod # not a comment' },
      { variable: 'DB', file: 'b.env', line: 3, ref: 'analytics db', raw: 'credctl://analytics%20db' },
    ])
  })

  it('refuses a malformed reference with FILE:LINE and the variable, never the value', () => {
    const e = thrown(() => readEnvFiles([{ file: 'x.env', text: 'A=1\nKEY=credctl://OpenAI Prod\n' }]))
    expect(e.code).toBe('INVALID_INPUT')
    expect(e.message).toBe('x.env:2: KEY: a reference holds only percent-encoded names (encode spaces as %20)')
  })

  it('refuses the variables env-guard refuses, literal or reference, naming FILE:LINE', () => {
    for (const [line, re] of [
      ['PATH=/opt/bin:/usr/bin', /^y\.env:2: PATH changes how programs are loaded or found/],
      ['NODE_OPTIONS=--max-old-space-size=4096', /^y\.env:2: NODE_OPTIONS changes how programs/],
      ['LD_PRELOAD=credctl://evil', /^y\.env:2: LD_PRELOAD changes how programs/],
      ['CREDCTL_MASTER_KEY=AAAACANARYguardAAAA', /^y\.env:2: CREDCTL_MASTER_KEY is a credctl setting/],
    ] as const) {
      const e = thrown(() => readEnvFiles([{ file: 'y.env', text: `OK=1\n${line}\n` }]))
      expect(e.code).toBe('INVALID_INPUT')
      expect(e.message).toMatch(re)
      expect(e.message).toContain('not from an env file either')
      expect(e.message).not.toContain('CANARYguard')
      expect(e.hint).toMatch(/set your own value in the shell/)
    }
  })
})

describe('run plan with env files (inject.ts planRun)', () => {
  it('precedence: --env over the files over the defaults; literals shadow defaults; --no-defaults', () => {
    const main = cred('openai', { name: 'main' })
    const audio = cred('openai_audio', { name: 'OpenAI Audio', is_default: false })
    const pg = cred('postgresql', { name: 'warehouse' })
    const files = readEnvFiles([{ file: '.env', text: 'OPENAI_API_KEY="credctl://OpenAI Audio"\nDATABASE_URL=postgres://literal@h/db\nEXTRA=credctl://main\n' }])
    const plan = planRun([main, audio, pg], { files })
    const vars = Object.fromEntries(plan.vars.map((p) => [p.variable, [p.credential.name, p.source, p.origin]]))
    expect(vars).toEqual({
      OPENAI_API_KEY: ['OpenAI Audio', 'file', '.env:1'],
      EXTRA: ['main', 'file', '.env:3'],
      POSTGRES_URL: ['warehouse', 'default', undefined],
    })
    expect(plan.literals).toEqual([{ variable: 'DATABASE_URL', value: 'postgres://literal@h/db', origin: '.env:2' }])
    expect(plan.shadowed.map((s) => [s.variable, s.credential.name, s.by?.name, s.origin])).toEqual([
      ['OPENAI_API_KEY', 'main', 'OpenAI Audio', '.env:1'],
      ['DATABASE_URL', 'warehouse', undefined, '.env:2'],
    ])

    const withEnv = planRun([main, audio, pg], { files, env: parseEnvRefs(['OPENAI_API_KEY=main', 'DATABASE_URL=warehouse']), noDefaults: true })
    expect(Object.fromEntries(withEnv.vars.map((p) => [p.variable, [p.credential.name, p.source]]))).toEqual({
      OPENAI_API_KEY: ['main', 'env'],
      DATABASE_URL: ['warehouse', 'env'],
      EXTRA: ['main', 'file'],
    })
    expect(withEnv.literals).toEqual([])
    expect(withEnv.overridden).toEqual([
      { variable: 'OPENAI_API_KEY', origin: '.env:1' },
      { variable: 'DATABASE_URL', origin: '.env:2' },
    ])
    expect(thrown(() => planRun([main], { only: ['openai'], noDefaults: true })).code).toBe('USAGE')
    expect(planRun([main, pg], { noDefaults: true }).vars).toEqual([])
  })

  it('a reference to a missing or deleted credential is NOT_FOUND naming FILE:LINE and the reference, even when --env overrides it', () => {
    const gone = cred('openai', { name: 'old key', deleted_at: '2025-02-01T00:00:00.000Z', is_default: false })
    const files = readEnvFiles([{ file: 'a.env', text: 'X=1\n' }, { file: 'b.env', text: '\n\nK="credctl://old key"\nM=credctl://nope\n' }])
    const e = thrown(() => planRun([gone], { files }))
    expect(e.code).toBe('NOT_FOUND')
    expect(e.exitCode).toBe(3)
    expect(e.message).toBe('b.env:3: credctl://old key: no credential named "old key" (it is deleted, and deleted credentials are never injected)')
    const live = cred('openai', { name: 'live' })
    expect(thrown(() => planRun([gone, live], { files, env: parseEnvRefs(['K=live']) })).message).toMatch(/^b\.env:3: /)
    expect(thrown(() => planRun([live], { files: readEnvFiles([{ file: 'c.env', text: 'M=credctl://nope\n' }]) })).message).toBe('c.env:1: credctl://nope: no credential named "nope"')
  })

  it('names and ids both work; names match in NFC; a service account goes to a 0600 file like a default', async () => {
    const cafe = cred('anthropic', { name: 'caf\u00e9' })
    const sa = cred('bigquery', { name: 'bq', is_default: false })
    const files = readEnvFiles([{ file: 'f', text: `A=${formatReference('cafe\u0301')}\nB=credctl://${cafe.id}\nGAC=credctl://bq\nLIT=plain\n` }])
    const plan = planRun([cafe, sa], { files, noDefaults: true })
    expect(plan.vars.map((p) => [p.variable, p.credential.id, p.file])).toEqual([
      ['A', cafe.id, false],
      ['B', cafe.id, false],
      ['GAC', sa.id, true],
    ])
    const json = JSON.stringify({ type: 'service_account', private_key: 'CANARYsaFile' })
    const m = await materialize(plan, new Map([[cafe.id, 'sk-ant-x'], [sa.id, json]]))
    try {
      expect(m.vars).toMatchObject({ A: 'sk-ant-x', B: 'sk-ant-x', LIT: 'plain' })
      expect(readFileSync(m.vars.GAC!, 'utf8')).toBe(json)
    } finally {
      await m.cleanup()
    }
  })
})

describe('history detail of a run (inject.ts runDetail)', () => {
  it('names the variables, the program and the files, never a value', () => {
    expect(runDetail(['A', 'B'], 'node', ['.env', '.env.local'])).toBe('node: A, B (env files .env, .env.local)')
    expect(runDetail([], 'node', ['.env'])).toBe('node: nothing injected (env file .env)')
    expect(runDetail(['A'], 'python3', [])).toBe('python3: A')
    expect(runDetail([], undefined, [])).toBe('nothing injected')
  })
})

describe('templates (env-resolve.ts planTemplate / renderTemplate)', () => {
  it('fills every placeholder byte for byte and keeps the rest; an oauth JSON gives its access token', () => {
    const db = cred('postgresql', { name: 'analytics db' })
    const tok = cred('oauth', { name: 'gh' })
    const text = 'db:\r\n  url: "{{ credctl://analytics%20db }}"\r\n  tok: {{credctl://gh}}\t# {{ .Values.keep }}\r\n'
    const slots = planTemplate([db, tok], { file: 't.yaml', text })
    const out = renderTemplate(text, slots, new Map([[db.id, 'postgresql://u:p@h/d'], [tok.id, '{"access_token":"gho_abc","refresh_token":"r"}']]))
    expect(out).toBe('db:\r\n  url: "postgresql://u:p@h/d"\r\n  tok: gho_abc\t# {{ .Values.keep }}\r\n')
  })

  it('missing is NOT_FOUND and malformed INVALID_INPUT, both naming FILE:LINE', () => {
    const e = thrown(() => planTemplate([], { file: 'cfg.toml', text: 'a = 1\nkey = "{{ credctl://OpenAI%20Prod }}"\n' }))
    expect([e.code, e.message]).toEqual(['NOT_FOUND', 'cfg.toml:2: {{ credctl://OpenAI%20Prod }}: no credential named "OpenAI Prod"'])
    const m = thrown(() => planTemplate([], { file: 'cfg.toml', text: '\nkey = "{{ credctl:// }}"' }))
    expect([m.code, m.message]).toEqual(['INVALID_INPUT', 'cfg.toml:2: {{ credctl:// }}: the reference names no credential'])
  })
})

describe('SDK: resolveEnv and renderTemplate on a real vault', () => {
  let dir: string
  let client: Client
  const SECRET = 'sk-proj-CANARYrefsSDK0123456789abcdefgh'
  const DB = 'postgresql://app:CANARYrefsDBpw@db.internal:5432/app'
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'credctl-refs-unit-'))
    client = createClient({ vault: path.join(dir, 'v', 'vault.json'), env: { CREDCTL_MASTER_KEY: randomBytes(32).toString('base64') } })
    await client.credentials.create({ name: 'OpenAI Prod', type: 'openai', value: SECRET })
    await client.credentials.create({ name: 'analytics', type: 'postgresql', value: DB })
  })
  afterEach(() => rmSync(dir, { recursive: true, force: true }))

  it('resolveEnv: the variables, one history entry listing the credentials, naming the files and variables, no value in history', async () => {
    const r = await client.credentials.resolveEnv([{ file: '.env.credctl', text: 'OPENAI_API_KEY="credctl://OpenAI Prod"\nANALYTICS_URL=credctl://analytics\nNODE_ENV=production\n' }], { defaults: false, program: 'node' })
    await r.cleanup()
    expect(r.vars).toEqual({ NODE_ENV: 'production', OPENAI_API_KEY: SECRET, ANALYTICS_URL: DB })
    const h = (await client.credentials.history()).filter((e) => e.action === 'run')
    expect(h.map((e) => [e.credentials.map((c) => c.name), e.detail])).toEqual([[['OpenAI Prod', 'analytics'], 'node: OPENAI_API_KEY, ANALYTICS_URL (env file .env.credctl)']])
    const raw = readFileSync(path.join(dir, 'v', 'vault.history.jsonl'), 'utf8')
    expect(raw).not.toContain('CANARY')
  })

  it('renderTemplate: fills in, records `inject`; a missing reference decrypts and records nothing', async () => {
    const before = (await client.credentials.history()).length
    await expect(client.credentials.renderTemplate({ file: 'c.yaml', text: 'a: {{ credctl://analytics }}\nb: {{ credctl://gone }}\n' })).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'c.yaml:2: {{ credctl://gone }}: no credential named "gone"' })
    expect((await client.credentials.history()).length).toBe(before)
    const r = await client.credentials.renderTemplate({ file: 'c.yaml', text: 'a: {{ credctl://analytics }}\nb: {{ credctl://OpenAI%20Prod }}\nc: {{ credctl://analytics }}\n' })
    expect(r.text).toBe(`a: ${DB}\nb: ${SECRET}\nc: ${DB}\n`)
    expect(r.credentials.map((c) => c.name)).toEqual(['analytics', 'OpenAI Prod'])
    const h = (await client.credentials.history()).slice(before)
    expect(h.map((e) => [e.action, e.credentials.map((c) => c.name), e.detail])).toEqual([['inject', ['analytics', 'OpenAI Prod'], 'c.yaml: "analytics" at line 1,3; "OpenAI Prod" at line 2']])
  })
})
