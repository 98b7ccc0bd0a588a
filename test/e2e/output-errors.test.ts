import { spawn, execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmdirSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BIN, runCli, tempVault } from '../helpers/cli.js'

// Issue 10, kind 6: output errors are clean. A full stdout is one line and exit 1 (it was a stack
// trace); a full disk while writing the vault is the vault I/O error, exit 4 (it was "internal error").
const KEY = 'gsk_CANARYfull0123456789abcdef'
let t: ReturnType<typeof tempVault>
beforeEach(() => (t = tempVault('credctl-full')))
afterEach(() => t.cleanup())

/** Run the CLI with stdout on /dev/full. */
function toDevFull(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const fd = openSync('/dev/full', 'w')
    const child = spawn(process.execPath, [BIN, ...args], { env: t.env, stdio: ['ignore', fd, 'pipe'] })
    closeSync(fd)
    let stderr = ''
    child.stderr!.on('data', (d: Buffer) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stderr }))
  })
}

describe('stdout that cannot be written', () => {
  it.skipIf(process.platform !== 'linux')('`list > /dev/full` (and reveal, --json, types) is one line on stderr and exit 1, no stack', async () => {
    expect((await runCli(['create', '--name', 'k', '--type', 'groq', '--value-stdin'], { env: t.env, input: KEY })).code).toBe(0)
    for (const args of [['list'], ['list', '--json'], ['reveal', 'k'], ['types'], ['get', 'k']]) {
      const r = await toDevFull(args)
      expect(r, args.join(' ')).toEqual({ code: 1, stderr: 'credctl: cannot write to standard output: no space left on device\n' })
    }
  })
})

/** A 64 KiB tmpfs: a real full disk. Needs root (CI runs the suite as root); skipped elsewhere. */
function mountTiny(): string | undefined {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return undefined
  const dir = mkdtempSync(path.join(tmpdir(), 'credctl-tmpfs-'))
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=700', 'tmpfs', dir], { stdio: 'ignore' })
    return dir
  } catch {
    rmdirSync(dir)
    return undefined
  }
}
const canMount = (() => {
  const d = mountTiny()
  if (!d) return false
  execFileSync('umount', [d])
  rmdirSync(d)
  return true
})()

describe('a full disk while writing the vault', () => {
  it.skipIf(!canMount)('is exit 4 "vault … could not be written: no space left on device (nothing was changed)"; the vault is intact', async () => {
    const mnt = mountTiny()!
    try {
      const env = { ...t.env, CREDCTL_VAULT: path.join(mnt, 'vault.json') }
      const vault = env.CREDCTL_VAULT
      expect((await runCli(['create', '--name', 'k', '--type', 'groq', '--value-stdin', '--description', 'd'.repeat(3000)], { env, input: KEY })).code).toBe(0)
      // Fill the disk, then free exactly one page: the lock fits, a vault of two pages does not.
      const fill = path.join(mnt, 'fill')
      const fd = openSync(fill, 'w')
      try {
        for (;;) writeFileSync(fd, Buffer.alloc(4096))
      } catch (e) {
        expect((e as NodeJS.ErrnoException).code).toBe('ENOSPC')
      } finally {
        closeSync(fd)
      }
      truncateSync(fill, Math.max(0, readFileSync(fill).length - 4096))
      const before = createHash('sha256').update(readFileSync(vault)).digest('hex')
      const r = await runCli(['update', 'k', '--description', 'e'.repeat(4000)], { env })
      expect(r.code).toBe(4)
      expect(r.stderr).toBe(`credctl: vault ${vault} could not be written: no space left on device (nothing was changed) (free some space and run the command again)\n`)
      expect(createHash('sha256').update(readFileSync(vault)).digest('hex')).toBe(before)
      expect(readdirSync(mnt).sort()).toEqual(['fill', 'vault.history.jsonl', 'vault.json']) // no temp file, no lock
      expect((await runCli(['reveal', 'k'], { env })).stdout).toBe(KEY)
      // Space again: the same command succeeds.
      truncateSync(fill, 0)
      expect((await runCli(['update', 'k', '--description', 'e'.repeat(4000)], { env })).code).toBe(0)
    } finally {
      execFileSync('umount', [mnt])
      rmdirSync(mnt)
    }
  })
})
