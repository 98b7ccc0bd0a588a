import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync, existsSync, mkdirSync, chmodSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CredctlError } from '../../src/errors.js'
import { ensureDir } from '../../src/lib/durable-file.js'
import { withLock } from '../../src/store/lock.js'
import { writeVaultFile } from '../../src/store/vault-file.js'
import { sampleVault } from '../fixtures/hostile/sample-vault.js'

// security.md 8.3 (19): the lock serialises writers, reclaims the lock of a dead holder, never removes a
// lock it does not own, and gives up with a clear error instead of hanging.
let dir: string
let file: string
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'credctl-lock-'))
  file = path.join(dir, 'vault.json')
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

/** A pid that certainly belonged to a process that is gone now. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' })
  return Number(r.stdout)
}

async function contend(n: number, work: () => Promise<void> = async () => {}) {
  let inside = 0
  let maxInside = 0
  let done = 0
  await Promise.all(
    Array.from({ length: n }, () =>
      withLock(
        file,
        async () => {
          inside++
          maxInside = Math.max(maxInside, inside)
          await work()
          await new Promise((r) => setTimeout(r, Math.random() * 3))
          inside--
          done++
        },
        { lockTimeoutMs: 20_000 },
      ),
    ),
  )
  return { maxInside, done }
}

describe('withLock', () => {
  it('lets one holder in at a time and releases the lock file afterwards', async () => {
    const { maxInside, done } = await contend(40)
    expect(maxInside).toBe(1)
    expect(done).toBe(40)
    expect(existsSync(`${file}.lock`)).toBe(false)
  })

  it('holds "pid timestamp token" in a 0600 lock file while held', async () => {
    await withLock(file, async () => {
      const text = readFileSync(`${file}.lock`, 'utf8')
      expect(text.split(' ')[0]).toBe(String(process.pid))
      expect(statSync(`${file}.lock`).mode & 0o777).toBe(0o600)
    })
  })

  it('reclaims the lock of a dead process (SIGKILLed writer)', async () => {
    writeFileSync(`${file}.lock`, `${deadPid()} ${Date.now()} deadbeef`)
    let ran = false
    await withLock(file, async () => void (ran = true), { lockTimeoutMs: 2000 })
    expect(ran).toBe(true)
    expect(existsSync(`${file}.lock`)).toBe(false)
  })

  it('many waiters reclaiming the same stale lock still enter one at a time', async () => {
    for (let round = 0; round < 5; round++) {
      writeFileSync(`${file}.lock`, `${deadPid()} ${Date.now()} stale`)
      const { maxInside, done } = await contend(25)
      expect(maxInside).toBe(1)
      expect(done).toBe(25)
      expect(readdirSync(dir).filter((f) => f.includes('.lock'))).toEqual([])
    }
  })

  it('reclaims an empty lock file (a writer that died between create and write) once it is old', async () => {
    writeFileSync(`${file}.lock`, '')
    const old = new Date(Date.now() - 10_000)
    utimesSync(`${file}.lock`, old, old)
    await withLock(file, async () => {}, { lockTimeoutMs: 2000 })
  })

  it('a lock held by a live process is waited for, then a clear VAULT_LOCKED error, not a hang', async () => {
    writeFileSync(`${file}.lock`, `${process.ppid} ${Date.now()} alive`) // our parent is alive
    const started = Date.now()
    const err = await withLock(file, async () => {}, { lockTimeoutMs: 300 }).catch((e: unknown) => e)
    expect(Date.now() - started).toBeLessThan(3000)
    expect(err).toBeInstanceOf(CredctlError)
    expect((err as CredctlError).code).toBe('VAULT_LOCKED')
    expect((err as CredctlError).exitCode).toBe(4)
    expect((err as CredctlError).message).toContain(`locked by process ${process.ppid}`)
    expect((err as CredctlError).hint).toContain(`${file}.lock`)
    expect(existsSync(`${file}.lock`)).toBe(true) // never removed: it is not ours
  })

  it('an unreadable lock file is an error at the deadline, not a busy loop', async () => {
    if (process.getuid?.() === 0) return // root reads anything
    writeFileSync(`${file}.lock`, 'x')
    chmodSync(`${file}.lock`, 0)
    const err = await withLock(file, async () => {}, { lockTimeoutMs: 200 }).catch((e: unknown) => e)
    expect((err as CredctlError).code).toBe('VAULT_LOCKED')
  })

  it('never removes a lock it does not own on release', async () => {
    await withLock(file, async () => {
      // Someone judged us stale and took the lock meanwhile: our release must leave theirs alone.
      rmSync(`${file}.lock`)
      writeFileSync(`${file}.lock`, `${process.ppid} ${Date.now()} theirs`)
    })
    expect(readFileSync(`${file}.lock`, 'utf8')).toContain('theirs')
  })

  it('releases the lock when the work throws', async () => {
    await expect(withLock(file, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom')
    expect(existsSync(`${file}.lock`)).toBe(false)
  })
})

describe('writeVaultFile', () => {
  it('writes 0600 via a temp file and leaves no temp file behind', async () => {
    const { vault } = sampleVault()
    await writeVaultFile(file, vault)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(readdirSync(dir)).toEqual(['vault.json'])
  })

  it('removes temp files of dead writers, keeps those of live ones', async () => {
    const dead = `.vault.json.${deadPid()}.${randomBytes(4).toString('hex')}.tmp`
    const live = `.vault.json.${process.ppid}.${randomBytes(4).toString('hex')}.tmp`
    const other = `.other.json.${deadPid()}.${randomBytes(4).toString('hex')}.tmp`
    for (const f of [dead, live, other]) writeFileSync(path.join(dir, f), 'partial', { mode: 0o600 })
    await writeVaultFile(file, sampleVault().vault)
    const left = readdirSync(dir).sort()
    expect(left).toContain(live)
    expect(left).toContain(other) // another vault's temp file: not ours to judge
    expect(left).not.toContain(dead)
  })
})

describe('ensureDir', () => {
  it('creates missing directories 0700, every level it created', async () => {
    const deep = path.join(dir, 'a', 'b', 'c')
    await ensureDir(deep)
    for (const d of [path.join(dir, 'a'), path.join(dir, 'a', 'b'), deep]) expect(statSync(d).mode & 0o777).toBe(0o700)
  })

  it('leaves the mode of an existing directory alone (--vault /tmp/v.json must not chmod /tmp)', async () => {
    const shared = path.join(dir, 'shared')
    mkdirSync(shared)
    chmodSync(shared, 0o1777)
    await ensureDir(shared)
    expect(statSync(shared).mode & 0o7777).toBe(0o1777)
    await ensureDir(path.join(shared, 'mine'))
    expect(statSync(shared).mode & 0o7777).toBe(0o1777)
    expect(statSync(path.join(shared, 'mine')).mode & 0o777).toBe(0o700)
  })
})
