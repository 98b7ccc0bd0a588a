import { execFileSync } from 'node:child_process'
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import fc from 'fast-check'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { sealBundle, type BundleEntry } from '../../src/credentials/bundle.js'
import { assertNoLeak, runCli, tempVault } from '../helpers/cli.js'
import { editVaultFile, readVaultFile } from '../helpers/vault-file.js'
import { startServer, type TestServer } from '../helpers/http-server.js'

/**
 * Issue 10, kinds 1 and 4, end to end: the examples that made a vault unreadable for good, recovery of
 * a vault that no longer opens, and a bundle that tried to take over a name.
 */
const KEY = 'sk-proj-CANARYtrust0123456789abcdefghij'
const PASS = 'CANARY bundle passphrase'
let v: ReturnType<typeof tempVault>
let server: TestServer
const outputs: string[] = []

beforeEach(async () => {
  v = tempVault('credctl-trust')
  server = await startServer({ status: 401, body: { error: { message: 'bad key\u0000' } } })
})
afterEach(async () => {
  assertNoLeak([KEY, PASS], outputs.splice(0))
  await server.close()
  v.cleanup()
})

async function cli(args: string[], input?: string, extra: Record<string, string> = {}) {
  const r = await runCli(args, { env: { ...v.env, CREDCTL_EXPORT_PASSPHRASE: PASS, ...extra }, ...(input !== undefined ? { input } : {}) })
  // reveal's stdout is the value by design; everything else is scanned for canaries.
  outputs.push(args[0] === 'reveal' ? '' : r.stdout, r.stderr)
  return r
}

/** Every reading command still works. */
async function readable(): Promise<void> {
  for (const args of [['list'], ['list', '--deleted', '--json'], ['status'], ['history']]) {
    const r = await cli(args)
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0)
  }
}

describe('no write may produce a vault the reader refuses', () => {
  it('a provider answering 401 {"error":{"message":"bad key\\u0000"}}: validate stores a readable verdict', async () => {
    expect((await cli(['create', '--name', 'k', '--type', 'openai', '--base-url', `${server.url}/v1`, '--value-stdin'], KEY)).code).toBe(0)
    const r = await cli(['validate', 'k', '--json'])
    expect(r.code).toBe(1)
    expect(r.stdout).not.toContain('\\u0000')
    await readable()
    const got = JSON.parse((await cli(['get', 'k', '--json'])).stdout) as { validation_message: string; is_valid: boolean }
    expect(got.is_valid).toBe(false)
    expect(got.validation_message).toContain('bad key\\x00')
  })

  it('the same through an api_key --check-url endpoint', async () => {
    expect((await cli(['create', '--name', 'tool', '--type', 'api_key', '--check-url', `${server.url}/me`, '--value-stdin'], KEY)).code).toBe(0)
    expect((await cli(['validate', 'tool'])).code).toBe(1)
    await readable()
  })

  it('a 5,000-character description or base URL, and a 4,100-character PostgreSQL URI: exit 2 or stored readably', async () => {
    expect((await cli(['create', '--name', 'k', '--type', 'openai', '--value-stdin'], KEY)).code).toBe(0)
    const d = await cli(['update', 'k', '--description', 'd'.repeat(5000)])
    expect(d.code).toBe(2)
    expect(d.stderr).toMatch(/--description is too long \(5000 characters, at most 4096\)/)
    expect(d.stderr.trim().split('\n')).toHaveLength(1)
    const b = await cli(['update', 'k', '--base-url', `https://gw.example/${'p'.repeat(5000)}`])
    expect(b.code).toBe(2)
    expect(b.stderr).toMatch(/--base-url is too long/)
    const long = `postgresql://app:pw-CANARY@db.example:5432/app?application_name=${'a'.repeat(4100)}`
    expect((await cli(['create', '--name', 'pg', '--type', 'postgresql', '--value-stdin'], long)).code).toBe(0)
    // The same value through import --from-env.
    const env = path.join(v.dir, '.env')
    writeFileSync(env, `DATABASE_URL=${long}\n`)
    expect((await cli(['import', '--from-env', env, '--rename'])).code).toBe(0)
    await readable()
    expect((await cli(['reveal', 'pg'])).stdout).toBe(long)
    const masked = JSON.parse((await cli(['get', 'pg', '--json'])).stdout).masked_content as string
    expect(masked.length).toBeLessThanOrEqual(4096)
    expect(masked).not.toContain('pw-CANARY')
  })

  const entry = (over: Partial<BundleEntry> = {}): BundleEntry => ({
    id: '0f8fad5b-d9cb-469f-a165-70867728950e', name: 'ok', type: 'openai', category: 'llm', description: 'fine', schema_type: null, base_url: null,
    settings: {}, expires_at: null, is_default: true, is_valid: false, validated_at: '2026-01-01T00:00:00.000Z', validation_message: 'invalid: bad',
    created_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-01T00:00:00.000Z', value: 'sk-imported-0123456789abcdef', ...over,
  })

  it('a bundle with an over-long description or a NUL: refused whole (exit 2, one line), nothing imported', async () => {
    for (const bad of [entry({ description: 'd'.repeat(5000) }), entry({ validation_message: 'bad key\u0000' })]) {
      const file = path.join(v.dir, 'b.credctl')
      writeFileSync(file, await sealBundle([entry({ id: '1f8fad5b-d9cb-469f-a165-70867728950e', name: 'first' }), bad], PASS))
      const r = await cli(['import', '--bundle', file])
      expect(r.code).toBe(2)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect((await cli(['list', '--json'])).stdout.trim()).toBe('[]')
    }
  })

  it('a bundle whose messages and schema carry escapes, bidi and megabyte-scale comments: normalised, readable', async () => {
    const esc = '\u001b]52;c;aGk=\u0007\u202e\u0085'
    const schema = { updated_at: '2026-01-01T00:00:00.000Z', tables: [{ schema: `p${esc}`, name: `t${esc}`, kind: 'table' as const, comment: '\u001b'.repeat(4096), columns: [{ name: `c${esc}`, data_type: 'int', nullable: true, default: null, comment: esc, position: 1 }] }] }
    const file = path.join(v.dir, 'b.credctl')
    writeFileSync(file, await sealBundle([entry({ validation_message: `invalid: ${esc}`, schema })], PASS))
    const r = await cli(['import', '--bundle', file, '--json'])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout).imported).toHaveLength(1)
    await readable()
    const got = (await cli(['get', 'ok', '--json'])).stdout
    expect(got).not.toMatch(/\\u001b|\u001b|\u202e/)
    const doc = JSON.parse((await cli(['schema', 'ok', '--json'])).stdout) as { tables: { name: string; comment: string }[] }
    expect(doc.tables[0]!.name).toBe('t\\x1b]52;c;aGk=\\x07\\u202e\\x85')
    expect(doc.tables[0]!.comment.length).toBeLessThanOrEqual(4096)
    expect(doc.tables[0]!.comment.endsWith('…[truncated]')).toBe(true)
  })

  it('an OAuth token endpoint answering with a token that starts with a control character: not stored, the old token kept', async () => {
    const value = JSON.stringify({ access_token: 'at-CANARY-old-0123456789', refresh_token: 'rt-CANARY-0123456789', token_url: `${server.url}/token` })
    server.reply((req) => (req.path === '/token' ? { status: 200, body: { access_token: '\u0001at-new-0123456789', token_type: 'bearer' } } : { status: 401, body: {} }))
    expect((await cli(['create', '--name', 'o', '--type', 'oauth', '--check-url', `${server.url}/me`, '--value-stdin'], value)).code).toBe(0)
    const r = await cli(['validate', 'o'])
    expect(r.stdout).toMatch(/will not store/)
    await readable()
    expect((await cli(['reveal', 'o'])).stdout).toBe(value)
  })
})

describe('random CLI sequences with hostile argv and .env content (kind 1, through the CLI)', () => {
  // argv cannot carry NUL; everything else can: controls, bidi, lone surrogates (as U+FFFD after
  // the OS's UTF-8), and lengths past every field's limit.
  const arg = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 30 }).map((x) => x.replaceAll('\u0000', '')),
    fc.constantFrom('\u001b]52;c;aGk=\u0007', '\u202e', 'x'.repeat(5000)),
  )
  const step = fc.oneof(
    fc.tuple(fc.constant('create'), arg, arg),
    fc.tuple(fc.constant('update'), arg, arg),
    fc.tuple(fc.constant('env'), arg, arg),
  )
  it('every reading command succeeds afterwards', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 3 }), async (steps) => {
        await cli(['create', '--name', 'fixed', '--type', 'openai', '--value-stdin'], 'k-fixed-0123456789') // 0 once, then 2 (taken); openai: a type that reads --base-url
        for (const [what, a, b] of steps) {
          let r
          if (what === 'create') r = await cli(['create', '--name', `n${a}`.slice(0, 300), '--type', 'api_key', '--description', b, '--value-stdin'], `k-${a.length}-0123456789`)
          else if (what === 'update') r = await cli(['update', 'fixed', '--description', a, '--base-url', `https://gw.example/${b}`])
          else {
            const env = path.join(v.dir, 'x.env')
            writeFileSync(env, `OPENAI_API_KEY=sk-${encodeURIComponent(a)}\nDATABASE_URL=postgresql://u:p@h:5432/d?x=${encodeURIComponent(b)}\n# ${a}\n`)
            r = await cli(['import', '--from-env', env, '--rename'])
          }
          expect([0, 2, 3], `${what}: ${r.stderr}`).toContain(r.code)
          expect(r.stderr).not.toMatch(/internal error|\n {4}at /)
        }
        await readable()
      }),
      { numRuns: 8 },
    )
  }, 240_000)
})

describe('credctl recover', () => {
  async function seeded(): Promise<{ ids: Record<string, string> }> {
    const ids: Record<string, string> = {}
    for (const [name, type, value] of [['a', 'openai', KEY], ['b', 'anthropic', 'sk-ant-CANARYrecover0123456789'], ['c', 'openai', 'sk-CANARYdeleted0123456789']] as const) {
      const r = await cli(['create', '--name', name, '--type', type, '--description', `desc ${name}`, '--value-stdin', '--json'], value)
      ids[name] = JSON.parse(r.stdout).id
    }
    await cli(['delete', 'c'])
    return { ids }
  }
  /** The record of `id` in an edited vault document (format 2 orders lines by its own rule, not by creation). */
  const byId = <T extends { id: string }>(list: T[], id: string): T => list.find((c) => c.id === id)!

  it('a vault written with a NUL (an older credctl) and one damaged ciphertext: the rest comes back through a bundle', async () => {
    const { ids } = await seeded()
    // An older credctl wrote format 1 and let a NUL through; one ciphertext was damaged since.
    editVaultFile(v.vault, (d) => {
      d.format = 1
      byId(d.credentials, ids.a!).validation_message = 'bad key\u0000'
      const b = byId(d.credentials, ids.b!)
      b.secret = String(b.secret).replace(/.{8}$/, 'AAAAAAAA')
    })
    expect(readFileSync(v.vault, 'utf8')).toMatch(/"version": 1,/)
    const before = readFileSync(v.vault)
    const broken = await cli(['list'])
    expect(broken.code).toBe(4)
    expect(broken.stderr).toContain('credctl recover --output FILE')
    const out = path.join(v.dir, 'rescued.credctl')
    const r = await cli(['recover', '--output', out, '--json'])
    expect(r.code).toBe(1) // one record was not recovered
    const rep = JSON.parse(r.stdout) as { recovered: { id: string }[]; failed: { id: string }[]; deleted: { id: string }[] }
    expect(rep.recovered.map((x) => x.id)).toEqual([ids.a])
    expect(rep.failed.map((x) => x.id)).toEqual([ids.b])
    expect(rep.deleted.map((x) => x.id)).toEqual([ids.c])
    expect(readFileSync(v.vault).equals(before)).toBe(true) // recover never writes the vault
    const fresh = tempVault('credctl-rescued')
    try {
      const env = { ...fresh.env, CREDCTL_EXPORT_PASSPHRASE: PASS }
      expect((await runCli(['import', '--bundle', out], { env })).code).toBe(0)
      const back = await runCli(['reveal', 'a'], { env })
      expect(back.stdout).toBe(KEY)
    } finally {
      fresh.cleanup()
    }
  })

  it('an edit made outside credctl (MAC fails) and a truncated file', async () => {
    const { ids } = await seeded()
    editVaultFile(v.vault, (d) => void (byId(d.credentials, ids.a!).name = 'renamed by hand'))
    expect((await cli(['list'])).code).toBe(0) // list reads without the key
    const reveal = await cli(['reveal', 'renamed by hand'])
    expect(reveal.code).toBe(4)
    expect(reveal.stderr).toContain('credctl recover')
    const r = await cli(['recover', '--output', path.join(v.dir, 'r1.credctl')])
    expect(r.code).toBe(0)
    expect(r.stderr).toMatch(/Recovered 2 credentials/)
    // Truncated in the middle of the second live record's line: the first still comes back.
    const text = readFileSync(v.vault, 'utf8')
    const lines = text.split('\n')
    const live = lines.flatMap((l, i) => (l.includes(ids.a!) || l.includes(ids.b!) ? [i] : []))
    expect(live).toHaveLength(2)
    const cutAt = lines.slice(0, live[1]).join('\n').length + 1 + lines[live[1]!]!.indexOf('"secret"') + 20
    writeFileSync(v.vault, text.slice(0, cutAt))
    const t = await cli(['recover', '--output', path.join(v.dir, 'r2.credctl'), '--json'])
    expect(JSON.parse(t.stdout).recovered).toHaveLength(1)
  })

  it('the wrong key is exit 4 and writes nothing; an existing --output needs --force', async () => {
    await seeded()
    const out = path.join(v.dir, 'r.credctl')
    const wrong = await cli(['recover', '--output', out], undefined, { CREDCTL_MASTER_KEY: Buffer.alloc(32, 7).toString('base64') })
    expect(wrong.code).toBe(4)
    writeFileSync(out, 'keep')
    const exists = await cli(['recover', '--output', out])
    expect(exists.code).toBe(2)
    expect(readFileSync(out, 'utf8')).toBe('keep')
  })
})

describe('no lookup may be ambiguous', () => {
  it('a bundle cannot take over a name: its ids are replaced unless they are fresh UUIDs', async () => {
    expect((await cli(['create', '--name', 'prod-openai', '--type', 'openai', '--value-stdin', '--json'], KEY)).code).toBe(0)
    const mine = JSON.parse((await cli(['get', 'prod-openai', '--json'])).stdout).id as string
    const evil: BundleEntry = {
      id: 'prod-openai', name: 'innocent', type: 'openai', category: 'llm', description: null, schema_type: null, base_url: 'https://attacker.example/v1',
      settings: {}, expires_at: null, is_default: false, is_valid: null, validated_at: null, validation_message: null,
      created_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-01T00:00:00.000Z', value: 'sk-attacker-0123456789abcdef',
    }
    const file = path.join(v.dir, 'evil.credctl')
    writeFileSync(file, await sealBundle([evil, { ...evil, id: mine, name: 'second' }, { ...evil, id: '0f8fad5b-d9cb-469f-a165-70867728950e', name: mine }], PASS))
    const r = await cli(['import', '--bundle', file, '--json'])
    expect(r.code).toBe(0)
    const rep = JSON.parse(r.stdout) as { imported: { credential: { id: string } }[]; skipped: { reason: string }[] }
    expect(rep.imported.map((c) => c.credential.id)).not.toContain('prod-openai')
    expect(rep.imported.map((c) => c.credential.id)).not.toContain(mine)
    expect(rep.skipped.map((s) => s.reason).join()).toMatch(/looks like a credential id/)
    expect((await cli(['reveal', 'prod-openai'])).stdout).toBe(KEY)
    expect((await cli(['update', 'prod-openai', '--value-stdin'], `${KEY}-new`)).code).toBe(0)
    expect(JSON.parse((await cli(['get', 'prod-openai', '--json'])).stdout).id).toBe(mine)
  })

  it('an active and a deleted credential of one name: get and purge are exit 2 listing both ids, run --env too', async () => {
    const a = JSON.parse((await cli(['create', '--name', 'dup', '--type', 'openai', '--value-stdin', '--json'], KEY)).stdout).id as string
    await cli(['delete', 'dup'])
    const b = JSON.parse((await cli(['create', '--name', 'dup', '--type', 'openai', '--value-stdin', '--json'], `${KEY}2`)).stdout).id as string
    for (const args of [['get', 'dup'], ['purge', 'dup', '--yes'], ['restore', 'dup']]) {
      const r = await cli(args)
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stderr).toContain(a)
      expect(r.stderr).toContain(b)
    }
    // Commands that act only on active credentials have exactly one candidate.
    const run = await cli(['run', '--only', 'openai', '--env', 'X=dup', '--', process.execPath, '-e', 'process.exit(process.env.X.endsWith("2") ? 0 : 9)'])
    expect(run.code).toBe(0)
  })
})

describe('review findings (a fresh reviewer tried to break the above)', () => {
  it('export and recover never replace the vault or a file beside it, even with --force', async () => {
    await cli(['create', '--name', 'a', '--type', 'openai', '--value-stdin'], KEY)
    const before = readFileSync(v.vault)
    const history = v.vault.replace(/\.json$/, '.history.jsonl')
    for (const args of [['export', '--output', v.vault, '--force'], ['recover', '--output', v.vault, '--force'], ['export', '--output', history, '--force'], ['export', '--output', `${path.dirname(v.vault)}/./vault.json`, '--force']]) {
      const r = await cli(args)
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stderr).toMatch(/one of the vault's own files/)
    }
    expect(readFileSync(v.vault).equals(before)).toBe(true)
  })

  it('recover: a damaged key check still recovers with the right key; a duplicate id and a cut file are reported, exit 1', async () => {
    for (const n of ['a', 'b']) await cli(['create', '--name', n, '--type', 'openai', '--value-stdin'], `${KEY}${n}`)
    const good = readFileSync(v.vault, 'utf8')
    editVaultFile(v.vault, (d) => void (d.key.check = `${String(d.key.check).slice(0, -6)}AAAAAA`))
    const r = await cli(['recover', '--output', path.join(v.dir, 'r1.credctl'), '--json'])
    expect(r.code).toBe(1)
    expect(JSON.parse(r.stdout).recovered).toHaveLength(2)
    expect(JSON.parse(r.stdout).warnings.join()).toMatch(/key check is damaged/)
    // Two lines under one id, as an outsider would write them (the helper's writer refuses a duplicate).
    const [first, second] = readVaultFile(v.vault).credentials.map((c) => c.id) as [string, string]
    writeFileSync(v.vault, good.split('\n').map((l) => l.split(second).join(first)).join('\n'))
    const dup = await cli(['recover', '--output', path.join(v.dir, 'r2.credctl'), '--json'])
    expect(dup.code).toBe(1)
    expect(JSON.parse(dup.stdout).failed[0].reason).toMatch(/same id/)
    writeFileSync(v.vault, good.slice(0, good.lastIndexOf('"secret"') + 40))
    const cut = await cli(['recover', '--output', path.join(v.dir, 'r3.credctl')])
    expect(cut.code).toBe(1)
    expect(cut.stderr).toMatch(/not whole JSON/)
    // A key that opens nothing: exit 4, nothing written.
    writeFileSync(v.vault, good)
    const wrong = await cli(['recover', '--output', path.join(v.dir, 'r4.credctl')], undefined, { CREDCTL_MASTER_KEY: Buffer.alloc(32, 9).toString('base64') })
    expect(wrong.code).toBe(4)
  })

  it('a bundle id that is an existing id in other letter case is replaced', async () => {
    const mine = JSON.parse((await cli(['create', '--name', 'prod', '--type', 'openai', '--value-stdin', '--json'], KEY)).stdout).id as string
    const e: BundleEntry = {
      id: mine.toUpperCase(), name: 'p4', type: 'openai', category: 'llm', description: null, schema_type: null, base_url: null, settings: {}, expires_at: null,
      is_default: false, is_valid: null, validated_at: null, validation_message: null, created_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-01T00:00:00.000Z', value: 'sk-other-0123456789abcdef',
    }
    const file = path.join(v.dir, 'case.credctl')
    writeFileSync(file, await sealBundle([e], PASS))
    const r = await cli(['import', '--bundle', file, '--json'])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout).imported[0].credential.id.toLowerCase()).not.toBe(mine)
  })

  it('names: invisible characters, a leading "-" and dash look-alike UUIDs are refused; NFC spellings are one name; history of a shared name is exit 2', async () => {
    for (const name of ['a\u200bb', '29474104\u2010a281\u20104935\u20108d49\u20108a3ce9069119', 'x\ufffdy', '-rf']) {
      const r = await cli(['create', '--name', name, '--type', 'openai', '--value-stdin'], KEY)
      expect(r.code, JSON.stringify(name)).toBe(2)
    }
    expect((await cli(['create', '--name', 'caf\u00e9', '--type', 'openai', '--value-stdin'], KEY)).code).toBe(0)
    expect((await cli(['create', '--name', 'cafe\u0301', '--type', 'openai', '--value-stdin'], KEY)).code).toBe(2) // the same name
    expect((await cli(['get', 'cafe\u0301'])).code).toBe(0)
    await cli(['delete', 'caf\u00e9'])
    await cli(['create', '--name', 'caf\u00e9', '--type', 'openai', '--value-stdin'], KEY)
    expect((await cli(['history', 'caf\u00e9'])).code).toBe(2)
  })

  it('a mistyped value flag does not echo what follows "="', async () => {
    const r = await cli(['create', '--name', 'q', '--type', 'openai', `--vaule=${KEY}`])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("unknown option '--vaule=…'")
  })

  it('a FIFO nobody writes to, named as an input, is read as empty, not waited for', async () => {
    const fifo = path.join(v.dir, 'fifo')
    execFileSync('mkfifo', [fifo])
    for (const args of [['create', '--name', 'f', '--type', 'openai', '--value-file', fifo], ['import', '--from-env', fifo], ['import', '--bundle', fifo]]) {
      // runCli fails the test if the command is still running after 15 s.
      const r = await runCli(args, { env: { ...v.env, CREDCTL_EXPORT_PASSPHRASE: PASS }, timeoutMs: 15_000 })
      // An empty value or bundle is refused; an empty .env imports nothing.
      expect(r.code, args.join(' ')).toBe(args[1] === '--from-env' ? 0 : 2)
    }
  })

  it('a vault below a directory others can write (not sticky) is refused', async () => {
    const ww = path.join(v.dir, 'ww')
    mkdirSync(path.join(ww, 'sub'), { recursive: true })
    chmodSync(ww, 0o777)
    const r = await cli(['create', '--name', 'w', '--type', 'openai', '--value-stdin'], KEY, { CREDCTL_VAULT: path.join(ww, 'sub', 'v.json') })
    expect(r.code).toBe(4)
    expect(r.stderr).toMatch(/writable by other users/)
  })
})
