import { createHash } from 'node:crypto'
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runCli, tempVault } from '../helpers/cli.js'

// Issue 10, kind 6: nothing outside the vault follows a link or surprises. The vault and its history
// are opened without following a symlink; a vault in a directory others can write is refused.
const KEY = 'gsk_CANARYplace0123456789abcdef'
let t: ReturnType<typeof tempVault>
beforeEach(() => (t = tempVault('credctl-place')))
afterEach(() => t.cleanup())

const cli = (args: string[], env: Record<string, string | undefined> = t.env, input?: string) => runCli(args, { env, ...(input !== undefined ? { input } : {}) })
const create = async (name: string, env = t.env) => expect((await cli(['create', '--name', name, '--type', 'groq', '--value-stdin'], env, KEY)).code).toBe(0)
const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex')
const oneLine = (s: string) => expect(s.split('\n').filter(Boolean)).toHaveLength(1)

describe('links beside the vault are never followed', () => {
  it('a symlinked vault path is refused for reads and writes, and stays a link to an unchanged file', async () => {
    await create('k')
    const real = path.join(t.dir, 'elsewhere', 'real.json')
    mkdirSync(path.dirname(real), { mode: 0o700 })
    renameSync(t.vault, real)
    symlinkSync(real, t.vault)
    const before = sha(real)
    for (const args of [['list'], ['reveal', 'k'], ['create', '--name', 'k2', '--type', 'groq', '--value-stdin'], ['update', 'k', '--description', 'x']]) {
      const r = await cli(args, t.env, KEY)
      expect(r.code, args.join(' ')).toBe(4)
      expect(r.stderr).toMatch(/^credctl: vault \S+vault\.json is a symbolic link: credctl neither follows nor replaces it \(point --vault \(or CREDCTL_VAULT\) at the file it links to\)\n$/)
      expect(r.stdout).toBe('')
    }
    expect(lstatSync(t.vault).isSymbolicLink()).toBe(true)
    expect(sha(real)).toBe(before)
    // Pointed at the real file, everything works.
    expect((await cli(['reveal', 'k'], { ...t.env, CREDCTL_VAULT: real })).stdout).toBe(KEY)
  })

  it('a symlinked history file is refused: reveal prints nothing, the link target is neither written nor chmodded', async () => {
    await create('k')
    const history = t.vault.replace(/\.json$/, '.history.jsonl')
    const victim = path.join(t.dir, 'victim.txt')
    writeFileSync(victim, 'original\n')
    chmodSync(victim, 0o644)
    unlinkSync(history)
    symlinkSync(victim, history)
    const r = await cli(['reveal', 'k'])
    expect(r.code).toBe(4)
    expect(r.stdout).toBe('')
    expect(r.stderr).toMatch(/history file \S+ is a symbolic link/)
    oneLine(r.stderr)
    const h = await cli(['history'])
    expect(h.code).toBe(4)
    await create('k2') // a change is not stopped by its history entry
    expect(readFileSync(victim, 'utf8')).toBe('original\n')
    expect(statSync(victim).mode & 0o777).toBe(0o644)
  })
})

describe('a vault in a directory other users can write is refused', () => {
  it('world- or group-writable without the sticky bit: exit 4 naming the directory, nothing created', async () => {
    for (const mode of [0o777, 0o775, 0o757]) {
      const shared = path.join(t.dir, `shared-${mode.toString(8)}`)
      mkdirSync(shared)
      chmodSync(shared, mode)
      const env = { ...t.env, CREDCTL_VAULT: path.join(shared, 'vault.json') }
      const r = await cli(['create', '--name', 'k', '--type', 'groq', '--value-stdin'], env, KEY)
      expect(r.code).toBe(4)
      expect(r.stderr).toBe(`credctl: vault directory ${shared} is writable by other users (mode ${mode.toString(8)}): they could replace the vault (chmod go-w ${shared}, or keep the vault in a private directory)\n`)
      expect(readdirSync(shared)).toEqual([])
    }
  })

  it('an existing vault whose directory became world-writable is not read or written; the file stays byte-identical', async () => {
    await create('k')
    const dir = path.dirname(t.vault)
    const before = sha(t.vault)
    chmodSync(dir, 0o777)
    for (const args of [['list'], ['reveal', 'k'], ['delete', 'k'], ['history']]) {
      const r = await cli(args)
      expect(r.code, args.join(' ')).toBe(4)
      expect(r.stderr).toMatch(/writable by other users \(mode 777\)/)
    }
    expect(sha(t.vault)).toBe(before)
    chmodSync(dir, 0o700)
    expect((await cli(['reveal', 'k'])).stdout).toBe(KEY)
  })

  it('a sticky world-writable directory (like /tmp) is accepted: others can pre-create names there, not replace files', async () => {
    const sticky = path.join(t.dir, 'sticky')
    mkdirSync(sticky)
    chmodSync(sticky, 0o1777)
    const env = { ...t.env, CREDCTL_VAULT: path.join(sticky, 'vault.json') }
    await create('k', env)
    expect((await cli(['reveal', 'k'], env)).stdout).toBe(KEY)
    expect(existsSync(path.join(sticky, 'vault.history.jsonl'))).toBe(true)
  })
})
