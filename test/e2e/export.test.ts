import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { assertNoLeak, runCli, tempVault } from '../helpers/cli.js'

const OPENAI = 'sk-proj-CANARYexport0123456789abcdefghij'
const ANTHROPIC = 'sk-ant-CANARYexport0123456789abcdefghijk'
const GONE = 'sk-ant-CANARYdeleted0123456789abcdefghijk'
const PG = 'postgresql://app:CANARYexportpw@db.internal:5432/app'
const PASS = 'CANARY export passphrase'
const SECRETS = [OPENAI, ANTHROPIC, GONE, 'CANARYexportpw', PASS]

let src: ReturnType<typeof tempVault>
let dst: ReturnType<typeof tempVault>
let bundle: string
const outputs: string[] = []
beforeEach(async () => {
  src = tempVault('credctl-export')
  dst = tempVault('credctl-import-bundle')
  bundle = path.join(src.dir, 'team.credctl')
  const mk = async (args: string[], value: string) => expect((await cli(src, ['create', ...args, '--value-stdin'], value)).code).toBe(0)
  await mk(['--name', 'OpenAI Prod', '--type', 'openai', '--description', 'prod key', '--base-url', 'https://gateway.example.com/v1', '--expires', '2031-01-31'], OPENAI)
  await mk(['--name', 'Claude', '--type', 'anthropic'], ANTHROPIC)
  await mk(['--name', 'Warehouse', '--type', 'postgresql'], PG)
  await mk(['--name', 'Old', '--type', 'anthropic'], GONE)
  expect((await cli(src, ['delete', 'Old'])).code).toBe(0)
})
afterEach(() => {
  assertNoLeak(SECRETS, outputs.splice(0))
  for (const v of [src, dst]) {
    for (const f of [v.vault, v.vault.replace(/\.json$/, '.history.jsonl')]) if (existsSync(f)) assertNoLeak(SECRETS, [readFileSync(f, 'utf8')])
  }
  src.cleanup()
  dst.cleanup()
})

async function cli(v: ReturnType<typeof tempVault>, args: string[], input?: string, extra: Record<string, string> = {}) {
  const r = await runCli(args, { env: { ...v.env, ...extra }, ...(input !== undefined ? { input } : {}) })
  outputs.push(r.stdout, r.stderr)
  return r
}
const withPass = (p = PASS) => ({ CREDCTL_EXPORT_PASSPHRASE: p })

describe('credctl export / import --bundle', () => {
  it('round-trips every non-deleted credential into a vault with another key source, metadata kept', async () => {
    const e = await cli(src, ['export', '--output', bundle, '--json'], undefined, withPass())
    expect(e.code).toBe(0)
    const out = JSON.parse(e.stdout) as { file: string; count: number; credentials: { name: string }[] }
    expect(out).toMatchObject({ file: bundle, count: 3 })
    expect(out.credentials.map((c) => c.name)).toEqual(['OpenAI Prod', 'Claude', 'Warehouse'])
    expect(statSync(bundle).mode & 0o777).toBe(0o600)
    const text = readFileSync(bundle, 'utf8')
    expect(text.startsWith('credctl-bundle/1\n')).toBe(true)
    assertNoLeak([...SECRETS, 'OpenAI Prod', 'Warehouse', 'gateway.example.com'], [text]) // names and metadata are encrypted too

    // The receiving vault uses a passphrase key source, unrelated to the source vault's env key.
    const pass = { CREDCTL_KEY_SOURCE: 'passphrase', CREDCTL_PASSPHRASE: 'CANARY-other-vault-pass', CREDCTL_MASTER_KEY: '' }
    const i = await cli(dst, ['import', '--bundle', bundle, '--json'], undefined, { ...withPass(), ...pass })
    expect(i.code).toBe(0)
    const rep = JSON.parse(i.stdout) as { imported: { credential: Record<string, unknown> }[]; skipped: unknown[] }
    expect(rep.skipped).toEqual([])
    const before = JSON.parse((await cli(src, ['list', '--json'])).stdout) as Record<string, unknown>[]
    const after = JSON.parse((await cli(dst, ['list', '--json'], undefined, pass)).stdout) as Record<string, unknown>[]
    const keep = (c: Record<string, unknown>) => {
      const { updated_at: _u, ...rest } = c
      return rest
    }
    expect(after.map(keep)).toEqual(before.map(keep)) // same ids, names, descriptions, defaults, expiry, base_url...
    const status = JSON.parse((await cli(dst, ['status', '--json'], undefined, pass)).stdout) as { key_source: string }
    expect(status.key_source).toBe('passphrase')
    for (const [name, value] of [
      ['OpenAI Prod', OPENAI],
      ['Claude', ANTHROPIC],
      ['Warehouse', PG],
    ]) {
      expect((await runCli(['reveal', name!], { env: { ...dst.env, ...pass } })).stdout).toBe(value)
    }
    const hist = JSON.parse((await cli(src, ['history', '--json'])).stdout) as { action: string; detail: string; credentials: { name: string }[] }[]
    // One export is one entry listing every credential it wrote.
    expect(hist.filter((h) => h.action === 'export').map((h) => [h.credentials.map((c) => c.name), h.detail])).toEqual([[['OpenAI Prod', 'Claude', 'Warehouse'], 'to team.credctl']])
  })

  it('a wrong passphrase or a damaged bundle is a clear error and writes nothing', async () => {
    expect((await cli(src, ['export', '--output', bundle], undefined, withPass())).code).toBe(0)
    expect((await cli(dst, ['create', '--name', 'mine', '--type', 'groq', '--value-stdin'], 'gsk_mine0123456789abcdef')).code).toBe(0)
    const vaultBefore = readFileSync(dst.vault)
    const historyBefore = readFileSync(dst.vault.replace(/\.json$/, '.history.jsonl'))

    const wrong = await cli(dst, ['import', '--bundle', bundle], undefined, withPass('not the passphrase'))
    expect(wrong.code).toBe(4)
    expect(wrong.stderr).toBe(
      'credctl: wrong passphrase for this bundle; nothing was imported (use the passphrase given to `credctl export` (CREDCTL_EXPORT_PASSPHRASE or the prompt))\n',
    )

    const lines = readFileSync(bundle, 'utf8').split('\n')
    const body = Buffer.from(lines[2]!, 'base64')
    body[body.length - 40]! ^= 0x01
    const damaged = path.join(src.dir, 'damaged.credctl')
    writeFileSync(damaged, [lines[0], lines[1], body.toString('base64'), ''].join('\n'))
    const bad = await cli(dst, ['import', '--bundle', damaged], undefined, withPass())
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/^credctl: not a valid credctl bundle: the contents do not decrypt/)

    const truncated = path.join(src.dir, 'truncated.credctl')
    writeFileSync(truncated, readFileSync(bundle, 'utf8').slice(0, 300))
    const trunc = await cli(dst, ['import', '--bundle', truncated], undefined, withPass())
    expect(trunc.code).toBe(2)
    expect(trunc.stderr.split('\n')).toHaveLength(2) // one line

    const notABundle = await cli(dst, ['import', '--bundle', path.join(src.dir, 'missing.credctl')], undefined, withPass())
    expect(notABundle.code).toBe(2)

    expect(readFileSync(dst.vault)).toEqual(vaultBefore)
    expect(readFileSync(dst.vault.replace(/\.json$/, '.history.jsonl'))).toEqual(historyBefore)
  })

  it('name clashes are skipped with a report, or imported under a new name with --rename', async () => {
    expect((await cli(src, ['export', '--output', bundle], undefined, withPass())).code).toBe(0)
    expect((await cli(dst, ['create', '--name', 'Claude', '--type', 'anthropic', '--value-stdin'], 'sk-ant-local0123456789abcdef')).code).toBe(0)
    const r = await cli(dst, ['import', '--bundle', bundle, '--json'], undefined, withPass())
    const rep = JSON.parse(r.stdout) as { imported: { credential: { name: string; is_default: boolean } }[]; skipped: { name: string; reason: string }[] }
    expect(rep.imported.map((i) => i.credential.name)).toEqual(['OpenAI Prod', 'Warehouse'])
    expect(rep.skipped).toEqual([expect.objectContaining({ name: 'Claude', reason: expect.stringMatching(/already exists.*--rename/) })])
    const again = JSON.parse((await cli(dst, ['import', '--bundle', bundle, '--rename', '--json'], undefined, withPass())).stdout) as typeof rep
    expect(again.imported.map((i) => i.credential.name)).toEqual(['OpenAI Prod (2)', 'Claude (2)', 'Warehouse (2)'])
    // The receiving vault's defaults are kept: imported credentials do not take them over.
    expect(again.imported.every((i) => !i.credential.is_default)).toBe(true)
    expect((await runCli(['reveal', 'Claude (2)'], { env: dst.env })).stdout).toBe(ANTHROPIC)
    expect((await runCli(['reveal', 'Claude'], { env: dst.env })).stdout).toBe('sk-ant-local0123456789abcdef')
  })

  it('refuses to overwrite without --force, asks for a passphrase only on a terminal, and names the variable', async () => {
    writeFileSync(bundle, 'keep me')
    const exists = await cli(src, ['export', '--output', bundle], undefined, withPass())
    expect(exists.code).toBe(2)
    expect(exists.stderr).toMatch(/already exists: pass --force/)
    expect(readFileSync(bundle, 'utf8')).toBe('keep me')
    expect((await cli(src, ['export', '--output', bundle, '--force'], undefined, withPass())).code).toBe(0)
    expect(readFileSync(bundle, 'utf8').startsWith('credctl-bundle/1')).toBe(true)

    const noPass = await cli(src, ['export', '--output', path.join(src.dir, 'b2')])
    expect(noPass).toMatchObject({ code: 2, stderr: 'credctl: a bundle passphrase is required: set CREDCTL_EXPORT_PASSPHRASE (no terminal to prompt on)\n' })
    const short = await cli(src, ['export', '--output', path.join(src.dir, 'b3')], undefined, withPass('short'))
    expect(short.code).toBe(2)
    expect(short.stderr).toMatch(/at least 8 characters/)
    expect(existsSync(path.join(src.dir, 'b2')) || existsSync(path.join(src.dir, 'b3'))).toBe(false)
    expect((await cli(src, ['export'], undefined, withPass())).code).toBe(2)

    const empty = tempVault('credctl-export-empty')
    try {
      const r = await runCli(['export', '--output', path.join(empty.dir, 'x')], { env: { ...empty.env, ...withPass() } })
      expect(r.code).toBe(3)
      expect(r.stderr).toMatch(/no credentials to export/)
    } finally {
      empty.cleanup()
    }
  })

  it('--output - writes the bundle to stdout', async () => {
    const r = await runCli(['export', '--output', '-'], { env: { ...src.env, ...withPass() } })
    expect(r.code).toBe(0)
    expect(r.stdout.startsWith('credctl-bundle/1\n')).toBe(true)
    assertNoLeak(SECRETS, [r.stdout, r.stderr])
    writeFileSync(bundle, r.stdout)
    const i = await cli(dst, ['import', '--bundle', bundle, '--dry-run', '--json'], undefined, withPass())
    expect(JSON.parse(i.stdout)).toMatchObject({ dry_run: true, imported: [{}, {}, {}] })
    expect(existsSync(dst.vault)).toBe(false)
    // and back from stdin
    const piped = await cli(dst, ['import', '--bundle', '-', '--json'], r.stdout, withPass())
    expect(piped.code).toBe(0)
    expect((JSON.parse(piped.stdout) as { imported: unknown[] }).imported).toHaveLength(3)
  })
})
