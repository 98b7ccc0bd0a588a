import { spawnSync } from 'node:child_process'
import { existsSync, lstatSync, lutimesSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { CredctlError } from '../../src/errors.js'
import { withLock } from '../../src/store/lock.js'

// Issue 10, section 3: whatever is found at <vault>.lock and <vault>.lock.reclaim, withLock takes the
// lock or gives up with VAULT_LOCKED / VAULT_IO within its deadline (never spins, never blocks on a
// FIFO), and never removes the lock of a live process.

const root = mkdtempSync(path.join(tmpdir(), 'credctl-lockstates-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const DEAD_PID = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout)
const LIVE_PID = process.pid
const OLD = new Date(Date.now() - 60_000)

type LockState =
  | 'missing'
  | 'live-pid'
  | 'dead-pid'
  | 'garbage'
  | 'huge'
  | 'empty-fresh'
  | 'empty-old'
  | 'symlink-dangling'
  | 'symlink-to-dir'
  | 'symlink-to-dead-lock'
  | 'directory'
  | 'fifo'
type GuardState = 'none' | 'file-fresh' | 'file-old' | 'dir-empty-old' | 'dir-nonempty' | 'symlink-dangling' | 'fifo'

const mkfifo = (p: string) => expect(spawnSync('mkfifo', [p]).status).toBe(0)
const age = (p: string) => lutimesSync(p, OLD, OLD)

function makeLock(lock: string, s: LockState): void {
  const dir = path.dirname(lock)
  if (s === 'live-pid') writeFileSync(lock, `${LIVE_PID} 1 live`)
  if (s === 'dead-pid') writeFileSync(lock, `${DEAD_PID} 1 dead`)
  if (s === 'garbage') writeFileSync(lock, '\u0000garbage 12 x')
  if (s === 'huge') writeFileSync(lock, `${DEAD_PID} `.padEnd(1 << 20, 'x'))
  if (s === 'empty-fresh') writeFileSync(lock, '')
  if (s === 'empty-old') (writeFileSync(lock, ''), age(lock))
  if (s === 'symlink-dangling') symlinkSync(path.join(dir, 'nowhere'), lock)
  if (s === 'symlink-to-dir') symlinkSync(dir, lock)
  if (s === 'symlink-to-dead-lock') (writeFileSync(path.join(dir, 'target'), `${DEAD_PID} 1 dead`), symlinkSync(path.join(dir, 'target'), lock))
  if (s === 'directory') mkdirSync(lock)
  if (s === 'fifo') mkfifo(lock)
}

function makeGuard(guard: string, s: GuardState): void {
  if (s === 'file-fresh') writeFileSync(guard, '')
  if (s === 'file-old') (writeFileSync(guard, ''), age(guard))
  if (s === 'dir-empty-old') (mkdirSync(guard), age(guard))
  if (s === 'dir-nonempty') mkdirSync(path.join(guard, 'sub'), { recursive: true })
  if (s === 'symlink-dangling') symlinkSync(path.join(path.dirname(guard), 'nowhere'), guard)
  if (s === 'fifo') mkfifo(guard)
}

const LOCK_MS = 300
const MARGIN_MS = 5000

describe('withLock against generated lock-path states', () => {
  it('acquires, or throws VAULT_LOCKED / VAULT_IO within the deadline; a live holder keeps its lock', async () => {
    let n = 0
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<LockState>('missing', 'live-pid', 'dead-pid', 'garbage', 'huge', 'empty-fresh', 'empty-old', 'symlink-dangling', 'symlink-to-dir', 'symlink-to-dead-lock', 'directory', 'fifo'),
        fc.constantFrom<GuardState>('none', 'file-fresh', 'file-old', 'dir-empty-old', 'dir-nonempty', 'symlink-dangling', 'fifo'),
        async (lockState, guardState) => {
          const dir = path.join(root, `case${n++}`)
          mkdirSync(dir)
          const file = path.join(dir, 'vault.json')
          const lock = `${file}.lock`
          makeLock(lock, lockState)
          makeGuard(`${lock}.reclaim`, guardState)
          const liveBefore = lockState === 'live-pid' ? readFileSync(lock, 'utf8') : undefined

          let ran = false
          let hung: NodeJS.Timeout | undefined
          const outcome = await Promise.race([
            withLock(file, async () => void (ran = true), { lockTimeoutMs: LOCK_MS }).then(
              () => 'acquired',
              (e: unknown) => e,
            ),
            new Promise((r) => (hung = setTimeout(() => r('hung'), LOCK_MS + MARGIN_MS))),
          ]).finally(() => clearTimeout(hung))

          expect(outcome, `${lockState} / ${guardState}`).not.toBe('hung')
          if (outcome === 'acquired') {
            expect(ran).toBe(true)
            // Released afterwards; something that was never ours stays where it was.
            if (lockState === 'missing' || lockState === 'dead-pid' || lockState === 'empty-old') expect(existsSync(lock)).toBe(false)
          } else {
            expect(outcome, `${lockState} / ${guardState}: ${String(outcome)}`).toBeInstanceOf(CredctlError)
            expect(['VAULT_LOCKED', 'VAULT_IO']).toContain((outcome as CredctlError).code)
            expect(ran).toBe(false)
          }
          // Never the lock of a live process removed (or rewritten).
          if (liveBefore !== undefined) expect(readFileSync(lock, 'utf8')).toBe(liveBefore)
          // Nothing credctl does not own is removed: symlinks, directories and FIFOs at the lock path stay.
          if (!['missing', 'live-pid', 'dead-pid', 'garbage', 'huge', 'empty-fresh', 'empty-old'].includes(lockState)) expect(() => lstatSync(lock)).not.toThrow()
        },
      ),
      { numRuns: 60 },
    )
  }, 120_000)

  it('a lock path that is not a regular file is an error at once, naming what it is', async () => {
    for (const [state, kind] of [
      ['symlink-dangling', 'a symbolic link'],
      ['symlink-to-dir', 'a symbolic link'],
      ['directory', 'a directory'],
      ['fifo', 'a FIFO'],
    ] as [LockState, string][]) {
      const dir = mkdtempSync(path.join(root, 'once-'))
      const file = path.join(dir, 'vault.json')
      makeLock(`${file}.lock`, state)
      const err = await withLock(file, async () => {}, { lockTimeoutMs: 60_000 }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(CredctlError)
      expect((err as CredctlError).code).toBe('VAULT_IO')
      expect((err as CredctlError).message).toContain(kind)
    }
  }, 10_000)
})
