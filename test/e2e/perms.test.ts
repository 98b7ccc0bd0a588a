import { spawn } from 'node:child_process'
import { chmodSync, chownSync, mkdirSync, readdirSync, statSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BIN, runCli, tempVault, type CliResult } from '../helpers/cli.js'

// Issue 6 / DESIGN 5 / security.md 8.3 (23): files 0600 and directories 0700 whatever the umask.
let t: ReturnType<typeof tempVault>
beforeEach(() => (t = tempVault('credctl-perms')))
afterEach(() => t.cleanup())

/** Run the CLI under `umask 000` (the worst case: everything created world-writable by default). */
function cliUmask0(args: string[], env: Record<string, string | undefined>, input?: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', 'umask 000 && exec "$0" "$@"', process.execPath, BIN, ...args], { env: env as NodeJS.ProcessEnv })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }))
    child.stdin.end(input ?? '')
  })
}

const mode = (p: string) => statSync(p).mode & 0o777
const everything = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? [path.join(dir, d.name), ...everything(path.join(dir, d.name))] : [path.join(dir, d.name)]))

describe('permissions under umask 000', () => {
  it('the vault directory is 0700 and every file credctl writes is 0600 (vault, history)', async () => {
    const env = { ...t.env }
    const deep = path.join(t.dir, 'a', 'b', 'vault.json')
    env.CREDCTL_VAULT = deep
    expect((await cliUmask0(['status'], env)).stdout).toBeTruthy() // status writes nothing
    for (const [name, type, value] of [
      ['one', 'openai', 'sk-proj-PERMS0123456789abcdefghijkl'],
      ['two', 'postgresql', 'postgresql://u:pw123456@db:5432/x'],
    ]) {
      const r = await cliUmask0(['create', '--name', name!, '--type', type!, '--value-stdin'], env, value)
      expect(r.code, r.stderr).toBe(0)
    }
    expect((await cliUmask0(['update', 'one', '--value-stdin'], env, 'sk-proj-PERMSnew0123456789abcdefgh')).code).toBe(0)
    expect((await cliUmask0(['reveal', 'one'], env)).code).toBe(0)
    expect((await cliUmask0(['rotate-key'], { ...env, CREDCTL_NEW_MASTER_KEY: randomBytes(32).toString('base64') })).code).toBe(0)
    for (const d of [path.join(t.dir, 'a'), path.join(t.dir, 'a', 'b')]) expect(mode(d), d).toBe(0o700)
    const files = everything(path.join(t.dir, 'a'))
    expect(files.map((f) => path.basename(f)).sort()).toEqual(['b', 'vault.history.jsonl', 'vault.json'])
    for (const f of files) if (statSync(f).isFile()) expect(mode(f), f).toBe(0o600)
  })

  it('the file key source: key file 0600, its new directory 0700, and still so after rotate-key', async () => {
    const keyFile = path.join(t.dir, 'keys', 'sub', 'credctl.key')
    const env = { ...t.env, CREDCTL_MASTER_KEY: undefined, CREDCTL_KEY_FILE: keyFile }
    const r = await cliUmask0(['create', '--name', 'k', '--type', 'groq', '--value-stdin'], env, 'gsk_PERMS0123456789abcdef')
    expect(r.code, r.stderr).toBe(0)
    expect(mode(keyFile)).toBe(0o600)
    expect(mode(path.dirname(keyFile))).toBe(0o700)
    expect((await cliUmask0(['rotate-key'], env)).code).toBe(0)
    expect(mode(keyFile)).toBe(0o600)
    // The key and, beside it since issue 13, the kept sequence (rollback detection); both private, no temp left.
    const seq = readdirSync(path.dirname(keyFile)).filter((n) => n !== 'credctl.key')
    expect(seq).toHaveLength(1)
    expect(seq[0]).toMatch(/^credctl\.key\.[A-Za-z0-9_-]{8,64}\.sequence$/)
    expect(mode(path.join(path.dirname(keyFile), seq[0]!))).toBe(0o600)
  })

  it('an export bundle is 0600', async () => {
    expect((await cliUmask0(['create', '--name', 'k', '--type', 'groq', '--value-stdin'], t.env, 'gsk_PERMS0123456789abcdef')).code).toBe(0)
    const out = path.join(t.dir, 'team.credctl')
    const r = await cliUmask0(['export', '--output', out], { ...t.env, CREDCTL_EXPORT_PASSPHRASE: 'an export passphrase' })
    expect(r.code, r.stderr).toBe(0)
    expect(mode(out)).toBe(0o600)
  })
})

describe('modes of existing files and directories', () => {
  it('a vault someone chmodded 0644 is 0600 again after the next write', async () => {
    expect((await runCli(['create', '--name', 'k', '--type', 'groq', '--value-stdin'], { env: t.env, input: 'gsk_0123456789abcdef' })).code).toBe(0)
    chmodSync(t.vault, 0o644)
    expect((await runCli(['update', 'k', '--description', 'x'], { env: t.env })).code).toBe(0)
    expect(mode(t.vault)).toBe(0o600)
  })

  it('an existing directory keeps its mode (--vault in a shared directory never chmods it)', async () => {
    const shared = path.join(t.dir, 'shared')
    mkdirSync(shared)
    chmodSync(shared, 0o755)
    const env = { ...t.env, CREDCTL_VAULT: path.join(shared, 'vault.json') }
    expect((await runCli(['create', '--name', 'k', '--type', 'groq', '--value-stdin'], { env, input: 'gsk_0123456789abcdef' })).code).toBe(0)
    expect(mode(shared)).toBe(0o755)
    expect(mode(path.join(shared, 'vault.json'))).toBe(0o600)
  })

  it('a key file others can read, or that another user owns, is refused (exit 4), never used', async () => {
    const keyFile = path.join(t.dir, 'k', 'credctl.key')
    const env = { ...t.env, CREDCTL_MASTER_KEY: undefined, CREDCTL_KEY_FILE: keyFile }
    expect((await runCli(['create', '--name', 'k', '--type', 'groq', '--value-stdin'], { env, input: 'gsk_0123456789abcdef' })).code).toBe(0)
    chmodSync(keyFile, 0o640)
    const r = await runCli(['reveal', 'k'], { env })
    expect(r.code).toBe(4)
    expect(r.stderr).toMatch(/readable by other users \(mode 640\).*chmod 600/)
    chmodSync(keyFile, 0o600)
    if (process.getuid?.() === 0) {
      chownSync(keyFile, 65534, 65534)
      const o = await runCli(['reveal', 'k'], { env })
      expect(o.code).toBe(4)
      expect(o.stderr).toMatch(/owned by another user/)
      chownSync(keyFile, 0, 0)
    }
    expect((await runCli(['reveal', 'k'], { env })).stdout).toBe('gsk_0123456789abcdef')
  })

  it('refuses a key file inside the vault directory (copying the directory would copy the key)', async () => {
    const env = { ...t.env, CREDCTL_MASTER_KEY: undefined, CREDCTL_KEY_FILE: path.join(path.dirname(t.vault), 'key') }
    const r = await runCli(['create', '--name', 'k', '--type', 'groq', '--value-stdin'], { env, input: 'gsk_0123456789abcdef' })
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/must be outside the vault's directory/)
  })
})
