import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { generateX25519Identity, identityToRecipient } from 'age-encryption'
import { query } from '../helpers/pg-team.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClient, CredctlError } from '../../src/index.js'
import { BIN } from '../helpers/cli.js'
import { tcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js'

/**
 * Issue 14: "a kill at any moment leaves all-old or all-new". Rotations of a team vault on the real
 * PostgreSQL (rotate-key, and member remove with its rotation), each interrupted at a random moment by
 * one of: SIGKILL of the credctl process, pg_terminate_backend of its connections (found by
 * application_name), a TCP proxy between alice and the server cutting every connection, or none. After each, every member opens every value, and the state is
 * exactly the old one (epoch e, old members) or the new one (epoch e+1, new members), never a mix.
 * CREDCTL_TEAM_KILL_ROUNDS sets the number of rounds (default 100); the seed is printed to replay one.
 */

const ROUNDS = Number(process.env.CREDCTL_TEAM_KILL_ROUNDS ?? 100)
const SEED = Number(process.env.CREDCTL_TEAM_KILL_SEED ?? Date.now() % 1_000_000)
const CREDENTIALS = 200
const TAG = randomBytes(4).toString('hex')
const DB = `credctl_tkill_${TAG}`
const VAULT = `kill-${TAG}`
const ADMIN_URL = 'postgresql://postgres@127.0.0.1:5432/postgres'
const role = (who: string) => `tkill_${TAG}_${who}`

let rand = SEED
/** mulberry32: a seeded generator, so a failing round can be replayed with CREDCTL_TEAM_KILL_SEED. */
const random = (): number => {
  rand |= 0
  rand = (rand + 0x6d2b79f5) | 0
  let t = Math.imul(rand ^ (rand >>> 15), 1 | rand)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

/** One statement (or a script: the simple protocol) on a connection of its own. */
const sql = (text: string, url = ADMIN_URL): Promise<Record<string, unknown>[]> => query(url, text)

interface Person {
  who: string
  env: Record<string, string>
  recipient: string
  backend: string
}

const people: Record<string, Person> = {}
let proxy: TcpProxy
const values = new Map<string, string>()

async function person(who: string, port = 5432): Promise<Person> {
  const dir = mkdtempSync(path.join(tmpdir(), `credctl-kill-${who}-`))
  const identity = await generateX25519Identity()
  const idFile = path.join(dir, 'identity.txt')
  writeFileSync(idFile, `${identity}\n`, { mode: 0o600 })
  mkdirSync(path.join(dir, 'work'))
  return {
    who,
    recipient: await identityToRecipient(identity),
    backend: `postgresql://${role(who)}@127.0.0.1:${port}/${DB}`,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, XDG_DATA_HOME: path.join(dir, 'data'), CREDCTL_TEAMS_DIR: path.join(dir, 'teams'), CREDCTL_IDENTITY_FILE: idFile, NO_COLOR: '1' },
  }
}

// One client per person for the whole file: each client's store keeps a small connection pool, and a
// client per call would hold hundreds of idle connections (max_connections is 100 by default).
const clients = new Map<string, ReturnType<typeof createClient>>()
const client = (p: Person) => {
  let c = clients.get(p.who)
  if (!c) clients.set(p.who, (c = createClient({ vault: VAULT, env: { ...p.env } })))
  return c
}

/** Every value as `p` opens it now (one audited fetch), or the error code. */
async function openAll(p: Person): Promise<Map<string, string> | string> {
  try {
    const got = await client(p).credentials.resolveMany([...values.keys()], { action: 'run', detail: 'kill test check' })
    return new Map(got.map((g) => [g.credential.name, g.value]))
  } catch (e) {
    if (e instanceof CredctlError) return e.code
    throw e
  }
}

async function state(): Promise<{ epoch: number; members: string[] }> {
  const s = await client(people.alice!).team.status()
  const m = await client(people.alice!).team.members.list()
  return { epoch: s.epoch, members: m.map((x) => x.member).sort() }
}

/** Run credctl as `p`, and interrupt it as `how` says after `delayMs`. */
function interrupted(p: Person, args: string[], how: 'sigkill' | 'terminate' | 'cut' | 'none', delayMs: number): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: p.env, cwd: path.join(p.env.HOME!, 'work'), stdio: ['ignore', 'ignore', 'ignore'] })
    // The interruption finishes before the round's checks start: a pg_terminate_backend still under way
    // would otherwise end this test's own connections of the same role in the middle of a check.
    let interrupting: Promise<unknown> = Promise.resolve()
    const timer = setTimeout(() => {
      if (how === 'sigkill') child.kill('SIGKILL')
      if (how === 'cut') proxy.cut()
      if (how === 'terminate') interrupting = sql(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${DB}' AND application_name = 'credctl' AND usename = '${role(p.who)}'`).catch(() => {})
    }, delayMs)
    child.on('exit', (code) => {
      clearTimeout(timer)
      void interrupting.then(() => resolve(code))
    })
  })
}

beforeAll(async () => {
  await sql(`CREATE DATABASE ${DB}`)
  // alice (the admin who rotates) reaches the server through a proxy that can cut her connections.
  proxy = await tcpProxy()
  for (const who of ['alice', 'bob', 'carol']) {
    await sql(`DROP ROLE IF EXISTS ${role(who)}`)
    await sql(`CREATE ROLE ${role(who)} LOGIN`)
    people[who] = await person(who, who === 'alice' ? proxy.port : 5432)
  }
  const { alice, bob, carol } = people as Record<'alice' | 'bob' | 'carol', Person>
  // The DBA installs; alice (granted the admin role) creates and adds bob and carol.
  const init = await createClient({ env: alice.env }).team.initSql(VAULT)
  await sql(init, `postgresql://postgres@127.0.0.1:5432/${DB}`)
  const schema = `credctl_${VAULT.replace(/-/g, '_')}`
  await sql(`GRANT ${schema}_admin TO ${role('alice')}`)
  await sql(`GRANT ${schema}_writer TO ${role('bob')}, ${role('carol')}`)
  await createClient({ env: alice.env }).team.create({ name: VAULT, backend: alice.backend, member: 'alice', install: false })
  for (const p of [bob, carol]) await client(alice).team.members.add({ member: p.who, recipient: p.recipient, role: 'writer', dbRole: role(p.who) })
  for (const p of [bob, carol]) await createClient({ env: p.env }).team.attach({ name: VAULT, backend: p.backend })
  for (let i = 0; i < CREDENTIALS; i++) {
    const v = `sk-proj-${randomBytes(16).toString('hex')}`
    values.set(`k${i}`, v)
    await client(i % 2 ? bob : alice).credentials.create({ name: `k${i}`, type: 'openai', value: v })
  }
}, 300_000)

afterAll(async () => {
  await proxy?.close()
  await sql(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`)
  for (const who of ['alice', 'bob', 'carol']) await sql(`DROP ROLE IF EXISTS ${role(who)}`)
  const schema = `credctl_${VAULT.replace(/-/g, '_')}`
  for (const r of ['admin', 'writer', 'reader']) await sql(`DROP ROLE IF EXISTS ${schema}_${r}`)
  for (const p of Object.values(people)) rmSync(p.env.HOME!, { recursive: true, force: true })
})

describe(`team vault rotations killed at random moments (seed ${SEED})`, () => {
  it(`${ROUNDS} rounds: all-old or all-new, never mixed; every member opens every value`, async () => {
    const { alice, bob, carol } = people as Record<'alice' | 'bob' | 'carol', Person>
    const outcomes = { old: 0, new: 0 }
    for (let round = 0; round < ROUNDS; round++) {
      const before = await state()
      const removing = before.members.includes('carol') && random() < 0.5
      const how = (['sigkill', 'terminate', 'cut', 'none'] as const)[Math.floor(random() * 4)]!
      const args = removing ? ['--vault', VAULT, 'member', 'remove', 'carol', '--yes'] : ['--vault', VAULT, 'rotate-key']
      await interrupted(alice, args, how, Math.floor(random() * 900))
      const after = await state()
      const moved = after.epoch === before.epoch + 1
      const where = `round ${round} (seed ${SEED}, ${removing ? 'member remove' : 'rotate-key'}, ${how})`
      expect([before.epoch, before.epoch + 1], where).toContain(after.epoch)
      // Never mixed: the member list changes exactly when the epoch does (for a removal).
      if (removing) expect(after.members, where).toEqual(moved ? before.members.filter((m) => m !== 'carol') : before.members)
      else expect(after.members, where).toEqual(before.members)
      outcomes[moved ? 'new' : 'old']++
      for (const p of [alice, bob]) {
        const got = await openAll(p)
        expect(typeof got === 'string' ? got : [...got].every(([n, v]) => values.get(n) === v), `${where}: ${p.who}`).toBe(true)
      }
      const c = await openAll(carol)
      if (after.members.includes('carol')) expect(typeof c === 'string' ? c : 'opens', where).toBe('opens')
      else {
        // Not a member any more; once member remove got as far as its REVOKE, not even a reader of the rows.
        expect(['NOT_A_MEMBER', 'VAULT_FORBIDDEN'], where).toContain(c)
        // Back in for the next rounds (a fresh wrap of the current key).
        await client(alice).team.members.add({ member: 'carol', recipient: carol.recipient, role: 'writer', dbRole: role('carol') })
      }
    }
    console.log(`team kill rounds (seed ${SEED}): ${outcomes.old} left the old state, ${outcomes.new} the new one`)
    expect(outcomes.old + outcomes.new).toBe(ROUNDS)
  }, 1_200_000)
})

describe('16 concurrent writers from three people', () => {
  it('no write is lost; each credential holds what its writer stored', async () => {
    const { alice, bob, carol } = people as Record<'alice' | 'bob' | 'carol', Person>
    const writers = [alice, bob, carol]
    const wrote = new Map<string, string>()
    const runs = Array.from({ length: 16 }, (_, i) => {
      const p = writers[i % 3]!
      const name = `w${i}`
      const value = `sk-proj-${randomBytes(16).toString('hex')}`
      wrote.set(name, value)
      return new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, [BIN, '--vault', VAULT, 'create', '--name', name, '--type', 'openai', '--value-stdin'], {
          env: { ...p.env, CREDCTL_LOCK_TIMEOUT_MS: '60000' },
          cwd: path.join(p.env.HOME!, 'work'),
          stdio: ['pipe', 'ignore', 'pipe'],
        })
        let err = ''
        child.stderr.on('data', (d: Buffer) => (err += d.toString()))
        child.stdin.end(value)
        child.on('exit', (code) => {
          if (code !== 0) console.error(`writer ${name} (${p.who}): exit ${code}: ${err}`)
          resolve(code)
        })
      })
    })
    expect(await Promise.all(runs)).toEqual(Array(16).fill(0))
    const got = await client(bob).credentials.resolveMany([...wrote.keys()], { action: 'run', detail: 'writers check' })
    expect(new Map(got.map((g) => [g.credential.name, g.value]))).toEqual(wrote)
  }, 300_000)
})

describe('what the database and its dumps hold', () => {
  it('a pg_dump holds no value and no identity', async () => {
    const { execFileSync } = await import('node:child_process')
    const dump = execFileSync('pg_dump', ['-h', '127.0.0.1', '-U', 'postgres', DB], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
    expect(dump).toMatch(/CREATE TABLE/)
    for (const v of values.values()) expect(dump.includes(v)).toBe(false)
    expect(dump).not.toMatch(/AGE-SECRET-KEY-/)
  })
})

describe('offline, through a proxy that refuses connections', () => {
  it('reads come from the cache with a notice, writes are exit 4, offline use reaches history later', async () => {
    const { alice } = people as Record<'alice', Person>
    const run = (args: string[], input?: string) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [BIN, '--vault', VAULT, ...args], { env: alice.env, cwd: path.join(alice.env.HOME!, 'work'), stdio: ['pipe', 'pipe', 'pipe'] })
        let stdout = ''
        let stderr = ''
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
        child.stdin.end(input ?? '')
        child.on('exit', (code) => resolve({ code, stdout, stderr }))
      })
    // Online: a reveal keeps the value (sealed) in alice's cache.
    const online = await run(['reveal', 'k1'])
    expect(online.code, online.stderr).toBe(0)
    await proxy.refuse()
    try {
      const list = await run(['list', '--json'])
      expect(list.code, list.stderr).toBe(0)
      expect(list.stderr).toMatch(/^offline: .*cache as of/m)
      expect(JSON.parse(list.stdout).length).toBeGreaterThan(0)
      const r = await run(['reveal', 'k1'])
      expect(r.code, r.stderr).toBe(0)
      expect(r.stdout.trim()).toBe(values.get('k1'))
      const w = await run(['create', '--name', 'offline-write', '--type', 'openai', '--value-stdin'], `sk-proj-${'f'.repeat(32)}`)
      expect(w.code).toBe(4)
    } finally {
      await proxy.restore()
    }
    expect((await run(['list'])).code).toBe(0)
    const rows = await sql(`SELECT action, detail FROM credctl_${VAULT.replace(/-/g, '_')}.history WHERE detail LIKE '%offline%'`, `postgresql://postgres@127.0.0.1:5432/${DB}`)
    expect(rows.length).toBeGreaterThan(0)
  }, 120_000)
})
