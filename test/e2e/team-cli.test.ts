import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { generateX25519Identity, identityToRecipient } from 'age-encryption'
import fc from 'fast-check'
import { query } from '../helpers/pg-team.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertNoLeak, BIN, runCli, type CliResult } from '../helpers/cli.js'
import { hasTmux, TmuxTerminal } from '../helpers/tmux.js'

/**
 * `credctl vault …` and `credctl member …` (issue 14) from the built CLI, as several people would run them
 * against the real PostgreSQL (127.0.0.1:5432, trust). Each person has their own HOME, XDG dirs, team list
 * (CREDCTL_TEAMS_DIR), identity file (CREDCTL_IDENTITY_FILE, made with age-encryption) and database login
 * role. This file makes its own database and roles (random names; roles are cluster-wide) and drops them.
 * The tests run in order: each builds on the vault the ones before left.
 */
const TAG = randomBytes(5).toString('hex')
const DB = `credctl_tcli_${TAG}`
const ADMIN = 'postgresql://postgres@127.0.0.1:5432/postgres'
// Per file: init-sql makes cluster-wide roles named after the vault (credctl_<vault>_reader, …).
const VAULT = `team-${TAG}`
const role = (who: string) => `tcli_${TAG}_${who}`
const PEOPLE = ['alice', 'bob', 'carol', 'eve'] as const
type Who = (typeof PEOPLE)[number]

/** One statement (or a script: the simple protocol) on a connection of its own. */
const sql = (text: string, db = ADMIN): Promise<Record<string, unknown>[]> => query(db, text)

interface Person {
  who: Who
  dir: string
  env: Record<string, string>
  recipient: string
  backend: string
  cli(args: string[], input?: string): Promise<CliResult>
}

async function person(who: Who): Promise<Person> {
  const dir = mkdtempSync(path.join(tmpdir(), `credctl-team-${who}-`))
  const idFile = path.join(dir, 'identity.txt')
  const identity = await generateX25519Identity()
  writeFileSync(idFile, `# ${who}\n${identity}\n`, { mode: 0o600 })
  mkdirSync(path.join(dir, 'work'))
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    XDG_DATA_HOME: path.join(dir, 'data'),
    XDG_CONFIG_HOME: path.join(dir, 'config'),
    CREDCTL_TEAMS_DIR: path.join(dir, 'teams'),
    CREDCTL_IDENTITY_FILE: idFile,
    NO_COLOR: '1',
  }
  const p: Person = {
    who,
    dir,
    env,
    recipient: await identityToRecipient(identity),
    backend: `postgresql://${role(who)}@127.0.0.1:5432/${DB}`,
    // cwd: an empty directory, so no file there shares the team vault's name (that would be ambiguous).
    cli: (args, input) => runCli(args, { env, cwd: path.join(dir, 'work'), ...(input !== undefined ? { input } : {}) }),
  }
  outputs.set(who, [])
  const cli = p.cli
  p.cli = async (args, input) => {
    const r = await cli(args, input)
    if (!(args.includes('reveal') && r.code === 0)) outputs.get(who)!.push(r.stdout, r.stderr)
    return r
  }
  return p
}

/** Every output except a successful reveal's: the canary scan's haystack. */
const outputs = new Map<Who, string[]>()
const people = {} as Record<Who, Person>
const OPENAI = `sk-proj-${randomBytes(24).toString('hex')}`
const DBURL = `postgresql://svc:${randomBytes(12).toString('hex')}@warehouse.internal:5432/analytics`
const fingerprintOf = async (p: Person) => JSON.parse((await p.cli(['identity', 'show', '--json'])).stdout).fingerprint as string
const team = (p: Person, args: string[], input?: string) => p.cli(['--vault', VAULT, ...args], input)
/**
 * What the DBA does after `member add` when credctl could not run the GRANT itself (it says so, and
 * prints it): here the test runs it, as the database superuser.
 */
async function dbaGrants(added: { granted: boolean; db_role: string | null; role: string }): Promise<void> {
  if (added.granted || !added.db_role) return
  const roles = await sql(`SELECT 1 FROM pg_roles WHERE rolname = 'credctl_${VAULT.replace(/-/g, "_")}_${added.role}'`)
  if (roles.length) await sql(`GRANT credctl_${VAULT.replace(/-/g, "_")}_${added.role} TO ${added.db_role}`)
}
/** Piped table output: one row a line, cells tab-separated (an empty last cell kept). */
const rows = (out: string) => out.replace(/\n$/, '').split('\n').map((l) => l.split('\t'))
const json = (r: CliResult) => {
  expect(r.code, r.stderr).toBe(0)
  return JSON.parse(r.stdout)
}

beforeAll(async () => {
  await sql(`CREATE DATABASE ${DB}`)
  for (const who of PEOPLE) {
    await sql(`DROP ROLE IF EXISTS ${role(who)}`)
    await sql(`CREATE ROLE ${role(who)} LOGIN`)
    people[who] = await person(who)
  }
})

afterAll(async () => {
  await sql(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`)
  for (const who of PEOPLE) await sql(`DROP ROLE IF EXISTS ${role(who)}`)
  for (const r of ['admin', 'writer', 'reader']) await sql(`DROP ROLE IF EXISTS credctl_${VAULT.replace(/-/g, "_")}_${r}`)
  for (const p of Object.values(people)) rmSync(p.dir, { recursive: true, force: true })
})

describe('team vaults from the built CLI, several people, real PostgreSQL', () => {
  it('the DBA installs from init-sql; alice creates the vault without DDL rights and is its admin', async () => {
    const { alice } = people
    const init = await alice.cli(['vault', 'init-sql', VAULT])
    expect(init.code, init.stderr).toBe(0)
    expect(init.stdout).toMatch(/CREATE TABLE/)
    // The DBA's step (`credctl vault init-sql team | psql`), as the database superuser.
    await sql(init.stdout, `postgresql://postgres@127.0.0.1:5432/${DB}`)
    const db = `postgresql://postgres@127.0.0.1:5432/${DB}`
    if (/\bGRANT\b/i.test(init.stdout)) {
      // The DBA lets alice administer the vault, and eve read its database rows (she is no member: credctl's own check stops her).
      await sql(`GRANT credctl_${VAULT.replace(/-/g, "_")}_admin TO ${role('alice')}; GRANT credctl_${VAULT.replace(/-/g, "_")}_reader TO ${role('eve')}`, db)
    } else {
      // Until init-sql prints per-vault grants, the DBA lets the people's roles use the schema; credctl's
      // own role checks are what this file tests.
      const roles = PEOPLE.map(role).join(', ')
      await sql(
        `GRANT USAGE ON SCHEMA credctl TO ${roles}; GRANT ALL ON ALL TABLES IN SCHEMA credctl TO ${roles};
         GRANT ALL ON ALL SEQUENCES IN SCHEMA credctl TO ${roles}; GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA credctl TO ${roles}`,
        db,
      )
    }

    const created = json(await alice.cli(['vault', 'create', VAULT, '--backend', alice.backend, '--member', 'alice', '--no-install', '--json']))
    expect(Object.keys(created).sort()).toEqual(['fingerprint', 'installed', 'key_id', 'member', 'name', 'vault_id'])
    expect(created).toMatchObject({ name: VAULT, member: 'alice', installed: false, fingerprint: await fingerprintOf(alice) })
    expect(created.key_id).toMatch(/^[A-Za-z0-9_-]{22}$/)

    const list = json(await alice.cli(['vault', 'list', '--json']))
    expect(list).toEqual([{ name: VAULT, backend: alice.backend, vault_id: created.vault_id, attached_at: expect.any(String) }])
    const status = json(await alice.cli(['vault', 'status', VAULT, '--json']))
    expect(status).toMatchObject({ name: VAULT, backend: alice.backend, vault_id: created.vault_id, epoch: 1, key_id: created.key_id, members: 1, member: 'alice', role: 'admin', offline: 'allow', credentials: { active: 0, deleted: 0 }, integrity: { status: 'ok', reason: null } })
    const plain = await alice.cli(['vault', 'status', VAULT])
    expect(plain.stdout).toMatch(new RegExp(`^vault\t${VAULT}$`, 'm'))
    expect(plain.stdout).toMatch(/^you\talice \(admin\)$/m)
    const verify = await alice.cli(['--vault', VAULT, 'vault', 'verify'])
    expect(verify.code, verify.stderr).toBe(0)
    expect(verify.stderr).toContain(`team vault ${VAULT}: verified`)
  })

  it('alice adds bob (reader) and carol (writer): the fingerprint to compare is the one their identity show prints; then they attach', async () => {
    const { alice, bob, carol } = people
    const added = json(await team(alice, ['member', 'add', 'bob', '--recipient', bob.recipient, '--role', 'reader', '--db-role', role('bob'), '--json']))
    expect(Object.keys(added).sort()).toEqual(['db_role', 'fingerprint', 'grant', 'granted', 'kind', 'member', 'role'])
    expect(added).toMatchObject({ member: 'bob', role: 'reader', kind: 'human', db_role: role('bob'), fingerprint: await fingerprintOf(bob) })
    await dbaGrants(added)
    const text = await team(alice, ['member', 'add', 'carol', '--recipient', carol.recipient, '--role', 'writer', '--db-role', role('carol')])
    expect(text.code, text.stderr).toBe(0)
    expect(text.stdout).toContain(`fingerprint  ${await fingerprintOf(carol)}`)
    expect(text.stderr).toContain('ask carol to run `credctl identity show` and compare the fingerprint')
    await dbaGrants({ granted: /database: ran GRANT/.test(text.stderr), db_role: role('carol'), role: 'writer' })

    // Now they attach, and compare the key id with the admin's; eve, whom nobody added, is told how to join.
    const { key_id } = json(await alice.cli(['vault', 'status', VAULT, '--json']))
    for (const [p, r] of [[bob, 'reader'], [carol, 'writer']] as const) {
      expect(json(await p.cli(['vault', 'attach', VAULT, '--backend', p.backend, '--json']))).toEqual({ name: VAULT, vault_id: expect.any(String), key_id, member: p.who, role: r, members: 3 })
    }
    const eve = await people.eve.cli(['vault', 'attach', VAULT, '--backend', people.eve.backend])
    expect(eve.code, eve.stderr).toBe(0)
    expect(eve.stdout).toMatch(/^member +\(not a member yet\)$/m)
    expect(eve.stderr).toContain('not a member yet: send an admin your recipient (credctl identity show)')

    const members = json(await team(bob, ['member', 'list', '--json']))
    expect(members.map((m: { member: string }) => m.member)).toEqual(['alice', 'bob', 'carol'])
    expect(Object.keys(members[0]).sort()).toEqual(['added_at', 'db_role', 'fingerprint', 'kind', 'member', 'recipient', 'role', 'you'])
    expect(members.map((m: { you: boolean }) => m.you)).toEqual([false, true, false])
    expect(members.find((m: { member: string }) => m.member === 'carol')).toMatchObject({ role: 'writer', recipient: carol.recipient })
    // Piped: no header, one member a line, tab-separated (MEMBER ROLE KIND FINGERPRINT DB ROLE ADDED YOU).
    const table = rows((await team(alice, ['member', 'list'])).stdout)
    expect(table.map((r) => [r[0], r[1], r[2], r[4], r[6]])).toEqual([
      ['alice', 'admin', 'human', role('alice'), 'you'],
      ['bob', 'reader', 'human', role('bob'), ''],
      ['carol', 'writer', 'human', role('carol'), ''],
    ])
  })

  it('writers store, bob lists and reveals; a reader cannot write; a stranger is not a member', async () => {
    const { alice, bob, carol, eve } = people
    expect((await team(alice, ['create', '--name', 'openai-prod', '--type', 'openai', '--value-stdin'], OPENAI)).code).toBe(0)
    const c = await team(carol, ['create', '--name', 'warehouse', '--type', 'postgresql', '--value-stdin'], DBURL)
    expect(c.code, c.stderr).toBe(0)

    const list = json(await team(bob, ['list', '--json']))
    expect(list.map((x: { name: string }) => x.name).sort()).toEqual(['openai-prod', 'warehouse'])
    const rev = await team(bob, ['reveal', 'openai-prod'])
    expect(rev.code, rev.stderr).toBe(0)
    expect(rev.stdout).toBe(OPENAI)
    const carolRev = await team(carol, ['reveal', 'openai-prod'])
    expect(carolRev.stdout).toBe(OPENAI)

    const denied = await team(bob, ['create', '--name', 'bobs', '--type', 'openai', '--value-stdin'], `sk-${randomBytes(20).toString('hex')}`)
    expect(denied.code).toBe(4)
    expect(denied.stderr).toMatch(/reader/)
    const bobAdd = await team(bob, ['member', 'add', 'mallory', '--recipient', eve.recipient])
    expect(bobAdd.code).toBe(4)
    expect(json(await team(alice, ['member', 'list', '--json'])).length).toBe(3)

    const stranger = await team(eve, ['reveal', 'openai-prod'])
    expect(stranger.code).toBe(4)
    expect(stranger.stderr).toContain(`not a member of team vault ${VAULT}`)
    expect(stranger.stdout).toBe('')
  })

  it('history --actor: who did what, stamped by the database; ACTOR column on a team vault', async () => {
    const { alice } = people
    const byBob = json(await team(alice, ['history', '--actor', 'bob', '--json']))
    expect(byBob.length).toBeGreaterThan(0)
    for (const e of byBob) expect(e.actor).toBe(role('bob'))
    expect(byBob.some((e: { action: string; credentials: { name: string }[] }) => /reveal/.test(e.action) && e.credentials.some((c) => c.name === 'openai-prod'))).toBe(true)
    // The database role names the same entries as the member name.
    expect(json(await team(alice, ['history', '--actor', role('bob'), '--json']))).toEqual(byBob)
    // Piped: TIME ACTOR ACTION CREDENTIALS OUTCOME DETAIL, no header.
    const all = rows((await team(alice, ['history'])).stdout)
    expect(all.every((r) => r.length === 6)).toBe(true)
    expect(all.some((r) => r[1] === role('bob') && /reveal/.test(r[2]!) && r[3]!.includes('openai-prod'))).toBe(true)
    expect(json(await team(alice, ['history', '--actor', 'nobody-at-all', '--json']))).toEqual([])
    // A local vault has no actors to filter on.
    const local = await alice.cli(['--vault', path.join(alice.dir, 'local.json'), 'history', '--actor', 'bob'])
    expect(local.code).toBe(2)
  })

  it('usage errors: exit 2 for a password in the URL, a bad recipient, no vault or no confirmation; exit 3 for unknown names', async () => {
    const { alice, bob } = people
    const pw = `pw${randomBytes(8).toString('hex')}`
    const withPw = await bob.cli(['vault', 'attach', 'other', '--backend', `postgresql://${role('bob')}:${pw}@127.0.0.1:5432/${DB}`])
    expect(withPw.code).toBe(2)
    expect(withPw.stderr).toMatch(/password/)
    expect(withPw.stderr + withPw.stdout).not.toContain(pw)
    const withPwCreate = await alice.cli(['vault', 'create', 'other', '--backend', `postgresql://${role('alice')}@127.0.0.1:5432/${DB}?password=${pw}`])
    expect(withPwCreate.code).toBe(2)
    expect(withPwCreate.stderr).not.toContain(pw)

    // Recipients that are not an age X25519 recipient, from a generator: each is exit 2, nothing added.
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ minLength: 1, maxLength: 70 }).filter((s) => !s.startsWith('-') && !s.includes('\0')),
          fc.stringMatching(/^age1[02-9ac-hj-np-z]{10,70}$/),
          fc.constant(people.bob.recipient.slice(0, -1) + (people.bob.recipient.endsWith('q') ? 'p' : 'q')),
        ),
        async (bad) => {
          const r = await team(alice, ['member', 'add', 'dave', '--recipient', bad])
          expect(r.code, `${bad}: ${r.stderr}`).toBe(2)
        },
      ),
      { numRuns: 6 },
    )
    expect(json(await team(alice, ['member', 'list', '--json'])).map((m: { member: string }) => m.member)).toEqual(['alice', 'bob', 'carol'])

    const noVault = await alice.cli(['member', 'list'])
    expect(noVault.code).toBe(2)
    expect(noVault.stderr).toContain('--vault NAME')
    expect((await alice.cli(['vault', 'status', 'nosuch'])).code).toBe(3)
    expect((await alice.cli(['--vault', 'nosuch', 'member', 'list'])).code).toBe(3)
    expect((await alice.cli(['vault', 'detach', 'nosuch'])).code).toBe(3)
    const unknown = await team(alice, ['member', 'remove', 'nobody', '--yes'])
    expect(unknown.code).toBe(3)
    expect(unknown.stderr).toContain('nobody')

    const noTty = await team(alice, ['member', 'remove', 'carol'])
    expect(noTty.code).toBe(2)
    expect(noTty.stderr).toContain('--yes')
    expect(json(await team(alice, ['member', 'list', '--json'])).length).toBe(3)
    // Only an admin removes.
    expect((await team(bob, ['member', 'remove', 'carol', '--yes'])).code).toBe(4)
  })

  it('alice removes carol: the key rotates, carol opens nothing, bob still does; the worklist puts what carol used first', async () => {
    const { alice, bob, carol } = people
    const before = json(await alice.cli(['vault', 'status', VAULT, '--json']))
    const r = json(await team(alice, ['member', 'remove', 'carol', '--yes', '--json']))
    expect(Object.keys(r).sort()).toEqual(['epoch', 'member', 're_encrypted', 'revoke', 'revoked', 'rotated', 'to_change'])
    expect(r).toMatchObject({ member: 'carol', rotated: true, epoch: before.epoch + 1 })
    expect(r.re_encrypted).toBe(2)
    expect(r.to_change).toEqual([
      { id: expect.any(String), name: 'openai-prod', type: 'openai', used_by_member: true },
      { id: expect.any(String), name: 'warehouse', type: 'postgresql', used_by_member: false },
    ])

    const after = json(await alice.cli(['vault', 'status', VAULT, '--json']))
    expect(after).toMatchObject({ epoch: before.epoch + 1, members: 2, integrity: { status: 'ok' } })
    expect(after.key_id).not.toBe(before.key_id)

    const gone = await team(carol, ['reveal', 'openai-prod'])
    expect(gone.code).toBe(4)
    expect(gone.stdout).toBe('')
    const still = await team(bob, ['reveal', 'openai-prod'])
    expect(still.code, still.stderr).toBe(0)
    expect(still.stdout).toBe(OPENAI)
    expect(json(await team(bob, ['member', 'list', '--json'])).map((m: { member: string }) => m.member)).toEqual(['alice', 'bob'])
  })

  it('remove without --json: the worklist on stdout (NAME TYPE USED-BY-MEMBER ID), and the sentence that no tool makes a member forget', async () => {
    const { alice, bob } = people
    expect((await team(alice, ['member', 'add', 'bob2', '--recipient', people.eve.recipient, '--role', 'reader', '--db-role', role('eve')])).code).toBe(0)
    const r = await team(alice, ['member', 'remove', 'bob2', '--yes'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^openai-prod\topenai\tno\t/m)
    expect(r.stderr).toContain('no tool can make bob2 forget values already read')
    expect(r.stderr).toMatch(/new vault key \(epoch \d+\)/)
    expect((await team(bob, ['reveal', 'warehouse'])).stdout).toBe(DBURL)
  })

  it.skipIf(!hasTmux)('member remove on a real terminal asks, saying who keeps access; No is exit 130 and changes nothing', async () => {
    const { alice } = people
    expect((await team(alice, ['member', 'add', 'dan', '--recipient', people.carol.recipient, '--role', 'writer', '--db-role', role('carol')])).code).toBe(0)
    const term = new TmuxTerminal()
    try {
      for (const [answer, code] of [['n', 130], ['y', 0]] as const) {
        term.start([`cd ${path.join(alice.dir, 'work')}`, `${process.execPath} ${BIN} --vault ${VAULT} member remove dan`], alice.env, { cols: 300 })
        await term.waitFor(new RegExp(`Remove dan \\(writer, fingerprint [0-9a-f ]+\\) from team vault ${VAULT}: a new vault key[\\s\\S]*Access stays with: alice \\(admin\\), bob \\(reader\\)`))
        term.type(answer)
        term.keys('Enter')
        expect(await term.exitCode()).toBe(code)
        const left = json(await team(alice, ['member', 'list', '--json'])).map((m: { member: string }) => m.member)
        expect(left).toEqual(code === 130 ? ['alice', 'bob', 'dan'] : ['alice', 'bob'])
      }
    } finally {
      term.close()
    }
  })

  it('no value in any output but reveal, nor in any file on the people\'s devices', () => {
    for (const p of Object.values(people)) assertNoLeak([OPENAI, DBURL], outputs.get(p.who)!, p.dir)
  })
})
