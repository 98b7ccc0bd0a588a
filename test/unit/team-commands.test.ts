import { readFileSync } from 'node:fs'
import * as path from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CredctlError, createClient } from '../../src/index.js'
import type { Factory } from '../../src/cli/factory.js'
import type { IOStreams } from '../../src/cli/io.js'
import type { Output } from '../../src/cli/output.js'
import * as history from '../../src/cli/commands/history.js'
import * as member from '../../src/cli/commands/member.js'
import * as vault from '../../src/cli/commands/vault.js'
import { createProgram } from '../../src/cli/program.js'
import { writeTeam } from '../../src/store/team-config.js'
import { filterHistory, type HistoryEntry } from '../../src/credentials/history.js'
import { person, teamVault, type Person } from '../helpers/team-memory.js'
import { code as codeOf } from '../helpers/error-code.js'

/**
 * The `vault` and `member` commands (issue 14) on the SDK's memory-store team vault, through a fake
 * Factory (STYLE 10b): what they return, when they ask, and which errors they raise. The built CLI against
 * PostgreSQL is test/e2e/team-cli.test.ts.
 */
const NAME = 'team-t'

interface Fake extends Factory {
  asked: string[]
}

/** A Factory for `p` on the team vault `t`; `answer` is what a terminal's confirmation says (undefined: no terminal). */
function factoryFor(p: Person, t: Awaited<ReturnType<typeof teamVault>>, opts: { answer?: boolean; vault?: string } = {}): Fake {
  const unexpected = () => {
    throw new Error('unexpected output call')
  }
  const tty = opts.answer !== undefined
  const io = { stdin: { isTTY: tty }, term: { out: unexpected, err: unexpected }, isStdoutTTY: tty, isStderrTTY: tty, colorEnabled: false, canPrompt: tty } as unknown as IOStreams
  const client = createClient({ store: t.store, env: p.env })
  const asked: string[] = []
  return {
    io,
    env: p.env,
    globals: { vault: 'vault' in opts ? opts.vault : NAME },
    client: async () => client,
    prompter: async () =>
      ({
        confirm: async (message: string) => {
          if (opts.answer === undefined) throw new Error('unexpected prompt')
          asked.push(message)
          return opts.answer
        },
      }) as never,
    warn: () => {},
    now: () => new Date(),
    asked,
  }
}

async function setup() {
  const [alice, bob, carol] = await Promise.all([person('alice'), person('bob'), person('carol')])
  const t = await teamVault(alice, NAME)
  // Each device knows the vault by name (teams.json), as `vault create` / `vault attach` leave it.
  for (const p of [alice, bob, carol]) await writeTeam(p.env, NAME, { backend: `postgresql://${p.name}@db.internal/credctl`, vault_id: t.store.snapshot()!.header.vault_id, attached_at: new Date().toISOString() })
  return { alice, bob, carol, t }
}


const notes = (o: Output) => (o.notes ?? []).join('\n')

describe('vault and member commands (memory-store team vault, fake Factory)', () => {
  it('member add prints the fingerprint to compare; member list marks this device', async () => {
    const { alice, bob, carol, t } = await setup()
    const a = factoryFor(alice, t)
    const added = await member.runAdd(a, 'bob', { recipient: bob.recipient, role: 'reader' })
    const fp = (await createClient({ env: bob.env }).identity.show()).fingerprint
    expect(added.json).toMatchObject({ member: 'bob', role: 'reader', kind: 'human', fingerprint: fp })
    expect(added.text).toContain(`fingerprint  ${fp}`)
    expect(notes(added)).toContain(`ask bob to run \`credctl identity show\` and compare the fingerprint: ${fp}`)
    const ci = await member.runAdd(a, 'ci-deploy', { recipient: carol.recipient, ci: true, role: 'reader' })
    expect(ci.json).toMatchObject({ kind: 'ci' })
    expect(notes(ci)).toContain('identity new --print')

    const list = await member.runList(factoryFor(bob, t))
    expect(list.table!.head).toEqual(['MEMBER', 'ROLE', 'KIND', 'FINGERPRINT', 'DB ROLE', 'ADDED', 'YOU'])
    expect(list.table!.rows.map((r) => [r[0], r[1], r[6]])).toEqual([
      ['alice', 'admin', ''],
      ['bob', 'reader', 'you'],
      ['ci-deploy', 'reader', ''],
    ])
  })

  it('member remove: exit 3 for a stranger, exit 2 without a terminal or --yes, asks on a terminal, then the worklist', async () => {
    const { alice, bob, carol, t } = await setup()
    const a = factoryFor(alice, t)
    await member.runAdd(a, 'bob', { recipient: bob.recipient, role: 'reader' })
    await member.runAdd(a, 'carol', { recipient: carol.recipient, role: 'writer' })
    const client = createClient({ store: t.store, env: alice.env })
    await client.credentials.create({ name: 'OpenAI Prod', type: 'openai', value: 'sk-proj-team-canary-0123456789abcdef' })

    expect(await codeOf(member.runRemove(a, 'nobody', { yes: true }))).toBe('NOT_FOUND')
    expect(await codeOf(member.runRemove(a, 'carol', {}))).toBe('USAGE')
    const no = factoryFor(alice, t, { answer: false })
    expect(await codeOf(member.runRemove(no, 'carol', {}))).toBe('CANCELLED')
    expect(no.asked[0]).toMatch(/^Remove carol \(writer, fingerprint [0-9a-f ]+\) from team vault team-t: a new vault key, every value re-encrypted and the 2 remaining members re-wrapped, in one transaction\. Access stays with: alice \(admin\), bob \(reader\)\. Continue\?$/)
    expect((await client.team.members.list()).length).toBe(3)
    const noRotate = factoryFor(alice, t, { answer: false })
    await codeOf(member.runRemove(noRotate, 'carol', { rotate: false }))
    expect(noRotate.asked[0]).toContain("NO rotation: carol's device keeps the current vault key")

    const yes = factoryFor(alice, t, { answer: true })
    const out = await member.runRemove(yes, 'carol', {})
    expect(out.json).toMatchObject({ member: 'carol', rotated: true, epoch: 2 })
    expect(out.table!.head).toEqual(['NAME', 'TYPE', 'USED BY MEMBER', 'ID'])
    expect(out.table!.rows.map((r) => r.slice(0, 3))).toEqual([['OpenAI Prod', 'openai', 'no']])
    expect(notes(out)).toContain('new vault key (epoch 2)')
    expect(notes(out)).toContain('no tool can make carol forget values already read')
    expect(await codeOf(createClient({ store: t.store, env: carol.env }).credentials.reveal('OpenAI Prod'))).toBe('NOT_A_MEMBER')
    // Only an admin removes; the SDK says so before anything changes.
    expect(await codeOf(member.runRemove(factoryFor(bob, t), 'alice', { yes: true }))).toBe('VAULT_FORBIDDEN')
  })

  it('vault status and verify: the checks, nothing fetched; verify is exit 0 or VAULT_DAMAGED', async () => {
    const { alice, bob, t } = await setup()
    const st = await vault.runStatus(factoryFor(alice, t, { vault: undefined }), NAME)
    expect(st.json).toMatchObject({ name: NAME, epoch: 1, members: 1, member: 'alice', role: 'admin', integrity: { status: 'ok' } })
    expect(st.table!.rows).toContainEqual(['you', 'alice (admin)'])
    expect(st.exitCode).toBeUndefined()
    const v = await vault.runVerify(factoryFor(alice, t), undefined)
    expect(v.json).toMatchObject({ name: NAME, ok: true, epoch: 1 })
    // A stranger's status cannot check the key: unchecked, and verify refuses to call that verified.
    const sb = await vault.runStatus(factoryFor(bob, t), undefined)
    expect(sb.json).toMatchObject({ member: null, integrity: { status: 'unchecked' } })
    expect(await codeOf(vault.runVerify(factoryFor(bob, t), undefined))).toBe('VAULT_DAMAGED')
  })

  it('which vault: none said is exit 2, --vault naming another is exit 2, an unknown name is exit 3, for any name', async () => {
    const { alice, t } = await setup()
    expect(await codeOf(member.runList(factoryFor(alice, t, { vault: '' })))).toBe('USAGE')
    expect(await codeOf(vault.runStatus(factoryFor(alice, t, { vault: 'other' }), NAME))).toBe('USAGE')
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 60 }).filter((s) => s !== NAME), async (name) => {
        expect(await codeOf(member.runList(factoryFor(alice, t, { vault: name })))).toBe('NOT_FOUND')
        expect(await codeOf(vault.runStatus(factoryFor(alice, t, { vault: undefined }), name))).toBe('NOT_FOUND')
      }),
      { numRuns: 40 },
    )
  })

  it('history --actor on a vault that is not a team vault is exit 2; on a team vault it filters by actor', async () => {
    const { alice, t } = await setup()
    expect(await codeOf(history.run(factoryFor(alice, t, { vault: '/tmp/local-vault.json' }), undefined, { actor: 'bob' }))).toBe('USAGE')
    const h = await history.run(factoryFor(alice, t), undefined, { actor: 'alice' })
    // The memory store stamps no actor (the database does): nothing matches, and the ACTOR column shows.
    expect(h.json).toEqual([])
    expect(h.table!.head).toEqual(['TIME', 'ACTOR', 'ACTION', 'CREDENTIALS', 'OUTCOME', 'DETAIL'])
    const all = await history.run(factoryFor(alice, t), undefined, {})
    expect(all.table!.head[1]).toBe('ACTION')
  })
})

describe('the README names every team command and flag there is (and so stays true)', () => {
  it('each `vault` and `member` subcommand, with each of its long flags, is in the Team vaults section', () => {
    const readme = readFileSync(path.resolve(import.meta.dirname, '../../README.md'), 'utf8')
    const section = readme.slice(readme.indexOf('\n## Team vaults\n'), readme.indexOf('\n## The vault\n'))
    expect(section.length).toBeGreaterThan(1000)
    const program = createProgram(new Proxy({} as Factory, { get: () => { throw new Error('unexpected factory use') } }), () => {})
    const missing: string[] = []
    for (const group of ['vault', 'member']) {
      const cmd = program.commands.find((c) => c.name() === group)!
      for (const sub of cmd.commands) {
        if (!section.includes(`\`${group} ${sub.name()}`)) missing.push(`${group} ${sub.name()}`)
        for (const o of sub.options) if (o.long && o.long !== '--help' && !section.includes(o.long)) missing.push(`${group} ${sub.name()} ${o.long}`)
      }
    }
    expect(missing).toEqual([])
    // And it names no team subcommand that does not exist.
    const named = [...section.matchAll(/`(vault|member) ([a-z-]+)/g)].map((m) => `${m[1]} ${m[2]}`)
    const real = new Set(['vault', 'member'].flatMap((g) => program.commands.find((c) => c.name() === g)!.commands.map((c) => `${g} ${c.name()}`)))
    expect(named.filter((n) => !real.has(n))).toEqual([])
  })
})

describe('filterHistory actors (history --actor)', () => {
  it('keeps exactly the entries whose actor is one of those asked, in order; an entry without an actor never matches', () => {
    const actor = fc.option(fc.constantFrom('alice', 'bob', 'ci_deploy', 'carol'), { nil: undefined })
    const entry = fc.record({ action: fc.constantFrom('reveal', 'run', 'fetch:reveal', 'member-add'), actor }).map(
      ({ action, actor }): HistoryEntry => ({ time: '2026-12-01T00:00:00.000Z', action, outcome: 'ok', credentials: [], ...(actor !== undefined ? { actor } : {}) }),
    )
    fc.assert(
      fc.property(fc.array(entry, { maxLength: 30 }), fc.uniqueArray(fc.constantFrom('alice', 'bob', 'ci_deploy', 'carol', 'nobody'), { maxLength: 3 }), (entries, actors) => {
        expect(filterHistory(entries, { actors })).toEqual(entries.filter((e) => e.actor !== undefined && (actors as string[]).includes(e.actor)))
        expect(filterHistory(entries, {})).toEqual(entries)
      }),
    )
  })
})
