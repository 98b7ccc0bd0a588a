import { copyFileSync, readFileSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { parseVault, serializeVault } from '../../src/vault/format.js'
import { formatVersionOf } from '../../src/store/file-format.js'
import { runCli, tempVault } from '../helpers/cli.js'
import { editVaultFile, readVaultFile } from '../helpers/vault-file.js'

/**
 * Vault format 2 through the built CLI (issue 13, point 5): a version 1 vault read as before and
 * rewritten as version 2 by its first write; tampering with one record, the record list or the whole
 * file's age, each refused (exit 4) before any value is used; the kept sequence of a key-file vault.
 */

const cleanups: (() => void)[] = []
afterEach(() => {
  while (cleanups.length) cleanups.pop()!()
})

function setup(extra: Record<string, string> = {}) {
  const t = tempVault('credctl-f2')
  cleanups.push(t.cleanup)
  const env = { ...t.env, ...extra }
  const cli = (args: string[], input?: string) => runCli(args, { env, ...(input !== undefined ? { input } : {}) })
  return { ...t, env, cli }
}

const VALUE = (i: number) => `sk-proj-${'f'.repeat(24)}${i}`

async function seed(cli: (a: string[], i?: string) => Promise<{ code: number; stderr: string }>, n: number) {
  for (let i = 0; i < n; i++) {
    const r = await cli(['create', '--name', `k${i}`, '--type', 'openai', '--value-stdin'], VALUE(i))
    expect(r.code, r.stderr).toBe(0)
  }
}

describe('format 2 on disk', () => {
  it('a new vault is written as format 2; each write raises the sequence; an update re-seals only its record', async () => {
    const { cli, vault } = setup()
    await seed(cli, 3)
    const a = readVaultFile(vault)
    expect(a.format).toBe(2)
    expect(formatVersionOf(readFileSync(vault, 'utf8'))).toBe(2)
    expect((await cli(['update', 'k1', '--description', 'changed'])).code).toBe(0)
    const b = readVaultFile(vault)
    expect(b.sequence).toBe(a.sequence + 1)
    for (const [id, s] of a.stored) {
      const now = b.stored.get(id)!
      const changed = a.credentials.find((c) => c.id === id)!.name === 'k1'
      expect(now.revision).toBe(changed ? s.revision + 1 : s.revision)
      expect(now.mac === s.mac).toBe(!changed)
    }
  })

  it('an older credctl (the version 1 parser) refuses a format 2 file by its version, clearly', async () => {
    const { cli, vault } = setup()
    await seed(cli, 1)
    expect(() => parseVault(readFileSync(vault, 'utf8'))).toThrow(/unsupported vault version 2 .*use the credctl that wrote it/)
  })

  it('a version 1 vault is read as before, and its first write makes it format 2 with every value intact', async () => {
    const { cli, vault, key } = setup()
    await seed(cli, 3)
    // Make a version 1 file the way the old credctl wrote it: reveal still works on it.
    const v2 = readVaultFile(vault)
    const { format: _f, sequence: _s, stored: _st, ...rest } = v2
    const { vaultMac } = await import('../../src/vault/format.js')
    const v1 = { ...rest, version: 1, mac: '' }
    v1.mac = vaultMac(Buffer.from(key, 'base64'), v1)
    writeFileSync(vault, serializeVault(v1))
    expect(formatVersionOf(readFileSync(vault, 'utf8'))).toBe(1)
    const r = await cli(['reveal', 'k2'])
    expect(r.stdout.trim()).toBe(VALUE(2))
    expect(formatVersionOf(readFileSync(vault, 'utf8'))).toBe(1) // a read never rewrites
    expect((await cli(['update', 'k0', '--description', 'x'])).code).toBe(0)
    expect(readVaultFile(vault).format).toBe(2)
    for (let i = 0; i < 3; i++) expect((await cli(['reveal', `k${i}`])).stdout.trim()).toBe(VALUE(i))
    expect((await cli(['status', '--json'])).code).toBe(0)
  })
})

// A reader checks the head MAC (the record list, revisions, MACs, sequence) and the records it uses: an
// edit of another record's body is caught by whoever uses that record (test/unit/session-store.test.ts).
describe('tampering with a format 2 file is refused before any value is used (exit 4)', () => {
  const attacks: [string, (doc: ReturnType<typeof readVaultFile>, old: ReturnType<typeof readVaultFile>) => void][] = [
    ['edit the record used (base_url)', (d) => void (d.credentials.find((c) => c.name === 'k2')!.base_url = 'https://evil.example/v1')],
    ['delete a record', (d) => void d.credentials.splice(1, 1)],
    ['resurrect a purged record', (d, old) => void d.credentials.push(old.credentials.find((c) => c.name === 'gone')!)],
    ['roll one record back', (d, old) => {
      const i = d.credentials.findIndex((c) => c.name === 'k0')
      d.credentials[i] = old.credentials.find((c) => c.name === 'k0')!
      d.stored.set(d.credentials[i]!.id, old.stored.get(d.credentials[i]!.id)!)
    }],
    ['swap two values', (d) => {
      const [a, b] = [d.credentials.find((c) => c.name === 'k1')!, d.credentials.find((c) => c.name === 'k2')!]
      ;[a.secret, b.secret] = [b.secret, a.secret]
    }],
  ]
  for (const [what, attack] of attacks) {
    it(what, async () => {
      const { cli, vault, dir } = setup()
      await seed(cli, 3)
      await cli(['create', '--name', 'gone', '--type', 'openai', '--value-stdin'], VALUE(9))
      const old = readVaultFile(vault)
      expect((await cli(['update', 'k0', '--description', 'new'])).code).toBe(0)
      expect((await cli(['delete', 'gone'])).code).toBe(0)
      expect((await cli(['purge', 'gone', '--yes'])).code).toBe(0)
      editVaultFile(vault, (d) => attack(d, old))
      const before = readFileSync(vault)
      for (const args of [['reveal', 'k2'], ['validate', 'k2'], ['update', 'k2', '--description', 'y'], ['status']]) {
        const r = await cli(args)
        expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(4)
        expect(r.stdout).not.toContain(VALUE(2))
      }
      expect(readFileSync(vault).equals(before)).toBe(true)
      void dir
    })
  }
})

describe('an older copy put back over a key-file vault is refused (the kept sequence)', () => {
  it('restore an older copy: exit 4 naming it; the current one still opens', async () => {
    const t = setup()
    const keyFile = path.join(t.dir, 'keys', 'vault.key')
    const env = { ...t.env, CREDCTL_MASTER_KEY: '', CREDCTL_KEY_FILE: keyFile }
    delete (env as Record<string, string>).CREDCTL_MASTER_KEY
    const cli = (args: string[], input?: string) => runCli(args, { env, ...(input !== undefined ? { input } : {}) })
    await seed(cli, 2)
    const copy = `${t.vault}.backup`
    copyFileSync(t.vault, copy)
    expect((await cli(['update', 'k0', '--description', 'newer'])).code).toBe(0)
    const current = readFileSync(t.vault)
    copyFileSync(copy, t.vault)
    const r = await cli(['reveal', 'k1'])
    expect(r.code).toBe(4)
    expect(r.stderr).toMatch(/older copy/)
    expect(r.stdout).toBe('')
    writeFileSync(t.vault, current)
    expect((await cli(['reveal', 'k1'])).stdout.trim()).toBe(VALUE(1))
  })

  it('a version 1 copy put back over a vault since upgraded is an older copy too (sequence 0), refused before any write', async () => {
    const t = setup()
    const keyFile = path.join(t.dir, 'keys', 'vault.key')
    const env: Record<string, string> = { ...t.env, CREDCTL_KEY_FILE: keyFile }
    delete env.CREDCTL_MASTER_KEY
    const cli = (args: string[], input?: string) => runCli(args, { env, ...(input !== undefined ? { input } : {}) })
    await seed(cli, 2)
    // The same vault as an older credctl kept it: version 1, one MAC over everything.
    const { format: _f, sequence: _s, stored: _st, ...rest } = readVaultFile(t.vault)
    const { vaultMac } = await import('../../src/vault/format.js')
    const v1 = { ...rest, version: 1, mac: '' }
    v1.mac = vaultMac(Buffer.from(readFileSync(keyFile, 'utf8').trim(), 'base64'), v1)
    const v1copy = serializeVault(v1)
    expect((await cli(['delete', 'k0'])).code).toBe(0)
    writeFileSync(t.vault, v1copy)
    for (const args of [['reveal', 'k0'], ['create', '--name', 'k9', '--type', 'openai', '--value-stdin']]) {
      const r = await cli(args, args[0] === 'create' ? VALUE(9) : undefined)
      expect(r.code, args.join(' ')).toBe(4)
      expect(r.stderr).toMatch(/older copy/)
    }
    expect(readFileSync(t.vault, 'utf8')).toBe(v1copy)
  })

  it('the write that upgrades a version 1 vault says so, once', async () => {
    const { cli, vault, key } = setup()
    await seed(cli, 1)
    const { format: _f, sequence: _s, stored: _st, ...rest } = readVaultFile(vault)
    const { vaultMac } = await import('../../src/vault/format.js')
    const v1 = { ...rest, version: 1, mac: '' }
    v1.mac = vaultMac(Buffer.from(key, 'base64'), v1)
    writeFileSync(vault, serializeVault(v1))
    const first = await cli(['update', 'k0', '--description', 'a'])
    expect(first.stderr).toMatch(/now in format 2/)
    const second = await cli(['update', 'k0', '--description', 'b'])
    expect(second.stderr).not.toMatch(/format 2/)
    expect((await cli(['status'])).stdout).toMatch(/format\s+2 \(sequence \d+\)/)
  })

  it('two vaults on one key file keep a sequence each; rotate-key refuses to change a key file another vault uses', async () => {
    const t = setup()
    const keyFile = path.join(t.dir, 'keys', 'shared.key')
    const base: Record<string, string> = { ...t.env, CREDCTL_KEY_FILE: keyFile }
    delete base.CREDCTL_MASTER_KEY
    const a = (args: string[], input?: string) => runCli(args, { env: { ...base, CREDCTL_VAULT: path.join(t.dir, 'a', 'vault.json') }, ...(input !== undefined ? { input } : {}) })
    const b = (args: string[], input?: string) => runCli(args, { env: { ...base, CREDCTL_VAULT: path.join(t.dir, 'b', 'vault.json') }, ...(input !== undefined ? { input } : {}) })
    await seed(a, 1)
    await seed(b, 1)
    expect((await a(['update', 'k0', '--description', 'x'])).code).toBe(0)
    expect((await a(['update', 'k0', '--description', 'y'])).code).toBe(0)
    expect((await b(['reveal', 'k0'])).stdout.trim()).toBe(VALUE(0))
    const keyBefore = readFileSync(keyFile, 'utf8')
    const r = await a(['rotate-key'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/also the key of vault/)
    expect(readFileSync(keyFile, 'utf8')).toBe(keyBefore)
    expect((await b(['reveal', 'k0'])).stdout.trim()).toBe(VALUE(0))
    expect((await a(['reveal', 'k0'])).stdout.trim()).toBe(VALUE(0))
  })

  it('readers and writers at once never see a false "older copy" (a read raced by a write reads again)', async () => {
    const t = setup()
    const keyFile = path.join(t.dir, 'keys', 'vault.key')
    const env: Record<string, string> = { ...t.env, CREDCTL_KEY_FILE: keyFile }
    delete env.CREDCTL_MASTER_KEY
    const cli = (args: string[], input?: string) => runCli(args, { env, ...(input !== undefined ? { input } : {}) })
    await seed(cli, 3)
    const jobs: Promise<{ code: number; stderr: string }>[] = []
    for (let w = 0; w < 3; w++) for (let i = 0; i < 4; i++) jobs.push(cli(['update', `k${w}`, '--description', `w${w}-${i}`]))
    for (let r = 0; r < 8; r++) jobs.push(cli(['reveal', `k${r % 3}`]))
    const out = await Promise.all(jobs)
    expect(out.filter((o) => o.code !== 0).map((o) => o.stderr)).toEqual([])
  })
})
