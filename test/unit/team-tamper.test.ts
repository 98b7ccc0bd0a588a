import { randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CredctlError } from '../../src/errors.js'
import { createClient } from '../../src/index.js'
import { applyChanges, parseSnapshot } from '../../src/credentials/snapshot.js'
import { sealCheck } from '../../src/keys/check.js'
import { keyId, wrapKey } from '../../src/keys/team.js'
import { memoryStore } from '../../src/store/memory.js'
import { postgresStore, type PostgresStore } from '../../src/store/postgres.js'
import type { StoredRecord } from '../../src/store/types.js'
import { aadFor, seal } from '../../src/vault/cipher.js'
import type { VaultFile } from '../../src/vault/format.js'
import type { TeamMember } from '../../src/vault/team-header.js'
import { headMac, teamManifest } from '../../src/vault/integrity.js'
import { person, type Person } from '../helpers/people.js'
import { freshDatabase, type FreshDatabase } from '../helpers/pg-team.js'
import { fullCopy, loaded, makeTeamVault, purge, removeMember, setValue, superuserWrite, type FullCopy, type TeamStore, type TeamVault } from '../helpers/team-vault.js'

/**
 * Issue 14, "integrity the database cannot forge": every change a database superuser can make to a team
 * vault's rows (edit, swap, delete, resurrect, insert a member, raise a role, roll back, forge a whole
 * vault under a key of his own, change the epoch) is refused with VAULT_DAMAGED (exit 4) by every
 * value-using command, BEFORE any request leaves for the provider. A sentinel fetch records every
 * outbound request; the audited value fetch (store.values.fetch) is counted too, and is allowed only
 * where the damage is in the sealed value itself (its digest is checked when it arrives).
 *
 * The reader is the SDK itself: each member's createClient({ store, env, fetch: sentinel }) on the
 * memory store with values (the team store's contract), calling credentials.reveal and .validate.
 */

const base = mkdtempSync(path.join(tmpdir(), 'credctl-tamper-'))
afterAll(() => rmSync(base, { recursive: true, force: true }))

const PROVIDER = 'https://api.openai.com/v1'
const ATTACKER = 'https://collector.attacker.example/v1'
const VALUES = {
  'openai-prod': `sk-proj-${'P'.repeat(20)}prod${randomBytes(8).toString('hex')}`,
  'openai-ci': `sk-proj-${'C'.repeat(20)}ci${randomBytes(8).toString('hex')}`,
  'anthropic-eval': `sk-ant-api03-${'E'.repeat(40)}${randomBytes(8).toString('hex')}`,
} as const
type Name = keyof typeof VALUES

// ---- the outbound side: a fetch that records every request and never reaches the network
interface Sentinel {
  fetch: typeof fetch
  calls: string[]
}
function sentinel(): Sentinel {
  const calls: string[] = []
  const f = (async (input: string | URL | Request, init?: RequestInit) => {
    // The URL, and the headers (the value rides in one): so a test can tell the genuine request apart.
    const url = input instanceof Request ? input.url : String(input)
    const headers = [...new Headers(input instanceof Request ? input.headers : init?.headers).entries()].sort()
    calls.push(headers.length ? `${url} ${JSON.stringify(headers)}` : url)
    // The control case sees its request answered; a tampered case must never get here.
    return new Response(JSON.stringify({ object: 'list', data: [] }), { status: 200, headers: { 'content-type': 'application/json' } })
  }) as typeof fetch
  return { fetch: f, calls }
}

// ---- the reader: the SDK, as each member's client on the store
/** `reveal` (the value) or `validate` (the type's real check, its requests through the sentinel): the SDK's own calls. */
async function use(op: 'reveal' | 'validate', tv: TeamVault, who: Person, name: string, s: Sentinel): Promise<string> {
  const c = tv.client(who, s.fetch)
  if (op === 'reveal') return c.credentials.reveal(name)
  return (await c.credentials.validate(name)).status
}

/** Sealed values handed out so far: each audited fetch is on record first (`fetch:<purpose>` in history). */
async function fetches(tv: TeamVault): Promise<number> {
  return (await tv.store.history.read()).filter((e) => e.action.startsWith('fetch:')).length
}

/** The CredctlError a promise rejects with (fails the test on success or on any other error). */
async function refusal(p: Promise<unknown>): Promise<CredctlError> {
  let out: unknown
  try {
    await p
  } catch (e) {
    out = e
  }
  if (!(out instanceof CredctlError)) throw new Error(`expected a refusal (CredctlError), got ${out === undefined ? 'success' : String((out as Error)?.stack ?? out)}`)
  return out
}

// ---- a genuine team vault: alice (admin), bob (writer), carol (reader); alice has used it once
interface World {
  tv: TeamVault
  /** The team vault's name (its header's team name). */
  name: string
  alice: Person
  bob: Person
  carol: Person
  mallory: Person
}

/** Where a world's vault lives: the memory store with values, or the real PostgreSQL store as its superuser. */
interface Backend {
  label: string
  /** A new empty team store (installed) and the vault's team name. */
  newStore(): Promise<{ name: string; store?: TeamStore }>
}

const MEMORY: Backend = { label: 'memory store', newStore: async () => ({ name: 'acme' }) }

let worlds = 0
async function world(b: Backend = MEMORY): Promise<World> {
  const dir = path.join(base, `w${++worlds}`)
  const [alice, bob, carol, mallory] = await Promise.all(['alice', 'bob', 'carol', 'mallory'].map((n) => person(n, dir)))
  const { name, store } = await b.newStore()
  const tv = await makeTeamVault(
    name,
    [
      { person: alice!, role: 'admin' },
      { person: bob!, role: 'writer' },
      { person: carol!, role: 'reader' },
    ],
    (Object.keys(VALUES) as Name[]).map((name) => ({ name, type: name.startsWith('openai') ? 'openai' : 'anthropic', value: VALUES[name], ...(name.startsWith('openai') ? { base_url: PROVIDER } : {}) })),
    store ? { store } : {},
  )
  // Every person has used the vault once: their device pinned its key epoch and sequence.
  for (const p of [alice!, bob!, carol!]) expect(await use('reveal', tv, p, 'openai-ci', sentinel())).toBe(VALUES['openai-ci'])
  return { tv, name, alice: alice!, bob: bob!, carol: carol!, mallory: mallory! }
}

// ---- superuser edits, by row
const recordOf = (c: FullCopy, tv: TeamVault, name: Name): StoredRecord => c.snap.records.find((r) => r.id === tv.ids.get(name))!
const memberOf = (c: FullCopy, member: string) => c.snap.header.team!.members.find((m) => m.member === member)!
/** A record body edited as JSON and written back in credctl's own form (the MAC is left as it was). */
const editBody = (r: StoredRecord, f: (o: Record<string, unknown>) => void): void => {
  const o = JSON.parse(r.body) as Record<string, unknown>
  f(o)
  r.body = JSON.stringify(o)
}

/**
 * A whole vault forged by someone with the rows but not the key: his own key K', every member's wrap of
 * K' (recipients are public), his own values and base URLs, every MAC right under K', the same vault id
 * and a higher sequence. With `claimRotation`, it poses as epoch 2 after the genuine epoch 1 (whose key id
 * is public), its `back` sealing a key of his own.
 */
async function forgeWholeVault(tv: TeamVault, claimRotation: boolean): Promise<void> {
  const l = await loaded(tv)
  const k = randomBytes(32)
  const v: VaultFile = structuredClone(l.vault)
  const sealed = new Map<string, string>()
  for (const r of v.credentials) {
    if (r.base_url) r.base_url = ATTACKER
    const s = seal(k, `sk-proj-${'F'.repeat(40)}`, aadFor(v.vault_id, r.id, 'value'))
    sealed.set(r.id, s)
    r.secret = s
  }
  const t = v.team!
  t.members = await Promise.all(t.members.map(async (m) => ({ ...m, wrap: await wrapKey(k, m.recipient) })))
  if (claimRotation) {
    t.epoch = 2
    t.epochs = [t.epochs[0]!, { epoch: 2, key_id: keyId(k), back: seal(k, randomBytes(32), Buffer.from(`credctl/v1/${v.vault_id}/epoch/2`, 'utf8')) }]
  } else t.epochs = [{ epoch: 1, key_id: keyId(k), back: null }]
  v.key = { source: 'team', check: sealCheck(v.vault_id, k) }
  // The forger's own applyChanges into a scratch store, then the sequence raised (and the head MAC redone) under K'.
  const scratch = memoryStore('forger', { values: true })
  await scratch.transact(async (tx) => {
    applyChanges(undefined, v, k, tx, 'forger')
  })
  const forged = (await scratch.load())!
  const sequence = l.header.sequence + 100
  const h = forged.header
  forged.header = { ...h, sequence, mac: headMac(k, { vault_id: h.vault_id, created_at: h.created_at, key: h.key, sequence, members: teamManifest(h.team!) }, forged.records) }
  await superuserWrite(tv.store, () => ({ snap: forged, sealed: scratch.sealedValues() }))
}

interface TamperCase {
  what: string
  /** Genuine changes (by members with the key) before the superuser acts; may return a copy to put back later. */
  before?: (w: World) => Promise<FullCopy | void>
  tamper: (w: World, earlier: FullCopy | undefined) => Promise<void>
  /** Who runs the value-using command (default alice), and on which credential (default openai-prod). */
  who?: (w: World) => Person
  target?: Name
  /** Only where the damage is in the sealed value itself: it is detected when it arrives, still before any request. */
  fetchesValue?: boolean
  /**
   * A tamper the SDK does not refuse yet: the case runs as it.fails (so it turns red, to be flipped
   * back, the day the SDK refuses it), and its name says KNOWN GAP and why.
   */
  knownGap?: string
}

const CASES: TamperCase[] = [
  {
    what: 'edit a body: base_url pointed at a collector',
    tamper: ({ tv }) => superuserWrite(tv.store, (c) => editBody(recordOf(c, tv, 'openai-prod'), (o) => (o.base_url = ATTACKER))),
  },
  {
    what: 'edit a body: the type changed (the value would go to another provider)',
    // Not a default any more either, so the database's one-default-per-type index lets the row in.
    tamper: ({ tv }) => superuserWrite(tv.store, (c) => editBody(recordOf(c, tv, 'openai-prod'), (o) => Object.assign(o, { type: 'anthropic', is_default: false }))),
  },
  {
    what: 'edit a body and put the revision up (as a genuine write would)',
    tamper: ({ tv }) =>
      superuserWrite(tv.store, (c) => {
        const r = recordOf(c, tv, 'openai-prod')
        editBody(r, (o) => (o.base_url = ATTACKER))
        r.revision++
      }),
  },
  {
    what: 'swap two sealed values',
    fetchesValue: true,
    tamper: ({ tv }) =>
      superuserWrite(tv.store, (c) => {
        const [a, b] = [tv.ids.get('openai-prod')!, tv.ids.get('openai-ci')!]
        const sa = c.sealed.get(a)!
        c.sealed.set(a, c.sealed.get(b)!)
        c.sealed.set(b, sa)
      }),
  },
  {
    what: "put back a record's earlier sealed value (its body and MAC current)",
    fetchesValue: true,
    before: async ({ tv }) => {
      const earlier = await fullCopy(tv.store)
      await setValue(tv, 'openai-prod', `sk-proj-${'N'.repeat(40)}`)
      return earlier
    },
    tamper: ({ tv }, earlier) => superuserWrite(tv.store, (c) => void c.sealed.set(tv.ids.get('openai-prod')!, earlier!.sealed.get(tv.ids.get('openai-prod')!)!)),
  },
  {
    what: "swap two members' wraps",
    tamper: ({ tv }) =>
      superuserWrite(tv.store, (c) => {
        const [a, b] = [memberOf(c, 'alice'), memberOf(c, 'bob')]
        ;[a.wrap, b.wrap] = [b.wrap, a.wrap]
      }),
  },
  {
    what: "swap two members' wraps, seen by the other member",
    who: (w) => w.bob,
    tamper: ({ tv }) =>
      superuserWrite(tv.store, (c) => {
        const [a, b] = [memberOf(c, 'alice'), memberOf(c, 'bob')]
        ;[a.wrap, b.wrap] = [b.wrap, a.wrap]
      }),
  },
  {
    what: 'insert a member row (mallory, admin, with a wrap the database made)',
    tamper: async ({ tv, mallory }) => {
      const wrap = await wrapKey(randomBytes(32), mallory.recipient)
      await superuserWrite(tv.store, (c) => {
        const t = c.snap.header.team!
        const row: TeamMember = { member: 'mallory', recipient: mallory.recipient, role: 'admin', kind: 'human', db_role: null, wrap, added_at: new Date().toISOString() }
        t.members = [...t.members, row].sort((a, b) => (a.member < b.member ? -1 : 1))
      })
    },
  },
  {
    what: "replace a member's recipient with mallory's (same name, same role)",
    tamper: ({ tv, mallory }) => superuserWrite(tv.store, (c) => void (memberOf(c, 'bob').recipient = mallory.recipient)),
  },
  {
    what: 'raise a role (carol, reader, to admin), seen by carol',
    who: (w) => w.carol,
    tamper: ({ tv }) => superuserWrite(tv.store, (c) => void (memberOf(c, 'carol').role = 'admin')),
  },
  {
    what: 'raise a role (carol, reader, to admin), seen by alice',
    tamper: ({ tv }) => superuserWrite(tv.store, (c) => void (memberOf(c, 'carol').role = 'admin')),
  },
  {
    what: 'delete a member row (bob)',
    tamper: ({ tv }) =>
      superuserWrite(tv.store, (c) => {
        c.snap.header.team!.members = c.snap.header.team!.members.filter((m) => m.member !== 'bob')
      }),
  },
  {
    what: 'delete a record (another one than the one used)',
    tamper: ({ tv }) =>
      superuserWrite(tv.store, (c) => {
        c.snap.records = c.snap.records.filter((r) => r.id !== tv.ids.get('anthropic-eval'))
        c.sealed.delete(tv.ids.get('anthropic-eval')!)
      }),
  },
  {
    what: 'resurrect an old record row (body, revision, MAC and sealed value of before an update)',
    before: async ({ tv }) => {
      const earlier = await fullCopy(tv.store)
      await setValue(tv, 'openai-prod', `sk-proj-${'N'.repeat(40)}`)
      return earlier
    },
    tamper: ({ tv }, earlier) =>
      superuserWrite(tv.store, (c) => {
        const id = tv.ids.get('openai-prod')!
        c.snap.records = c.snap.records.map((r) => (r.id === id ? structuredClone(earlier!.snap.records.find((x) => x.id === id)!) : r))
        c.sealed.set(id, earlier!.sealed.get(id)!)
      }),
  },
  {
    what: 'resurrect a purged record row',
    target: 'openai-ci',
    before: async ({ tv }) => {
      const earlier = await fullCopy(tv.store)
      await purge(tv, 'openai-prod')
      return earlier
    },
    tamper: ({ tv }, earlier) =>
      superuserWrite(tv.store, (c) => {
        const id = tv.ids.get('openai-prod')!
        c.snap.records = [...c.snap.records, structuredClone(earlier!.snap.records.find((x) => x.id === id)!)]
        c.sealed.set(id, earlier!.sealed.get(id)!)
      }),
  },
  {
    what: 'roll back the whole head to an older state (every row of an earlier, genuine copy)',
    before: async (w) => {
      const earlier = await fullCopy(w.tv.store)
      await setValue(w.tv, 'openai-prod', `sk-proj-${'N'.repeat(40)}`)
      await use('reveal', w.tv, w.alice, 'openai-ci', sentinel()) // alice sees the newer state
      return earlier
    },
    tamper: ({ tv }, earlier) => superuserWrite(tv.store, () => structuredClone(earlier!)),
  },
  {
    what: 'roll back to before a rotation (bob removed; the copy still has him, and the old key)',
    before: async (w) => {
      const earlier = await fullCopy(w.tv.store)
      await removeMember(w.tv, 'bob')
      await use('reveal', w.tv, w.alice, 'openai-ci', sentinel()) // alice sees epoch 2
      return earlier
    },
    tamper: ({ tv }, earlier) => superuserWrite(tv.store, () => structuredClone(earlier!)),
  },
  {
    what: "replace this device's wrap with a wrap of a fresh key, with a whole vault forged under it (same epoch)",
    tamper: ({ tv }) => forgeWholeVault(tv, false),
  },
  {
    what: 'a whole forged vault posing as a rotation (epoch 2 whose back key is not the genuine epoch 1 key)',
    tamper: ({ tv }) => forgeWholeVault(tv, true),
  },
  {
    what: 'a whole vault with another vault id put in place of this one',
    // The device pins the vault id it knows by each team name (keys/team.ts): a vault under a new id is
    // refused, not a first contact; otherwise the forger's vault would take every member's new values.
    tamper: async ({ tv, name, alice, bob, carol }) => {
      // The forger holds the new key himself; the helper builds his vault through the SDK, so it acts as
      // alice's recipient (public) from a device state of its own, not alice's.
      const forger = (p: typeof alice) => ({ ...p, env: { ...p.env, CREDCTL_TEAMS_DIR: `${p.env.CREDCTL_TEAMS_DIR}-forger` } })
      const other = await makeTeamVault(name, [{ person: forger(alice), role: 'admin' }, { person: forger(bob), role: 'writer' }, { person: forger(carol), role: 'reader' }], [{ name: 'openai-prod', type: 'openai', value: `sk-proj-${'O'.repeat(40)}`, base_url: ATTACKER }])
      const copy = await fullCopy(other.store)
      await superuserWrite(tv.store, () => copy)
    },
  },
  {
    what: 'change the epoch up (a made-up epoch 2 row)',
    tamper: ({ tv }) =>
      superuserWrite(tv.store, (c) => {
        const t = c.snap.header.team!
        t.epoch = 2
        t.epochs = [...t.epochs, { epoch: 2, key_id: keyId(randomBytes(32)), back: seal(randomBytes(32), randomBytes(32), Buffer.from('x')) }]
      }),
  },
  {
    what: 'change the epoch down after a rotation (epoch 2 row dropped, current wraps kept)',
    before: async (w) => {
      await removeMember(w.tv, 'bob')
      await use('reveal', w.tv, w.alice, 'openai-ci', sentinel())
    },
    tamper: ({ tv }) =>
      superuserWrite(tv.store, (c) => {
        const t = c.snap.header.team!
        t.epoch = 1
        t.epochs = t.epochs.slice(0, 1)
      }),
  },
]

function tamperSuite(b: Backend): void {
  it('control: the untampered vault is read, validated (one request to its own base URL) and fetched once per use', async () => {
    const w = await world(b)
    const s = sentinel()
    const fetched = await fetches(w.tv)
    expect(await use('reveal', w.tv, w.alice, 'openai-prod', s)).toBe(VALUES['openai-prod'])
    expect(await use('validate', w.tv, w.alice, 'openai-prod', s)).toBe('valid')
    expect(s.calls.map((c) => c.split(' ')[0])).toEqual([`${PROVIDER}/models`])
    expect(s.calls[0]).toContain(VALUES['openai-prod'])
    expect((await fetches(w.tv)) - fetched).toBe(2)
    for (const who of [w.bob, w.carol]) expect(await use('reveal', w.tv, who, 'openai-prod', s)).toBe(VALUES['openai-prod'])
  })

  for (const c of CASES) {
    for (const op of ['reveal', 'validate'] as const) {
      const test = c.knownGap ? it.fails : it
      test(`${c.knownGap ? `KNOWN GAP (${c.knownGap}): ` : ''}${c.what}: ${op} refuses with VAULT_DAMAGED (exit 4), nothing sent`, async () => {
        const w = await world(b)
        const earlier = (await c.before?.(w)) ?? undefined
        await c.tamper(w, earlier)
        const s = sentinel()
        const fetched = await fetches(w.tv)
        const who = c.who?.(w) ?? w.alice
        const e = await refusal(use(op, w.tv, who, c.target ?? 'openai-prod', s))
        expect({ code: e.code, exit: e.exitCode }, e.message).toEqual({ code: 'VAULT_DAMAGED', exit: 4 })
        expect(s.calls).toEqual([])
        // (On a digest that does not match, the SDK reads again, up to 5 times: a colleague's write may have raced.)
        if (c.fetchesValue) expect((await fetches(w.tv)) - fetched, 'sealed values fetched').toBeGreaterThanOrEqual(1)
        else expect((await fetches(w.tv)) - fetched, 'sealed values fetched').toBe(0)
        for (const v of Object.values(VALUES)) expect(`${e.message} ${e.hint ?? ''}`).not.toContain(v)
        // Refused again on a second try: nothing was "repaired" or pinned by the first.
        expect((await refusal(use(op, w.tv, who, c.target ?? 'openai-prod', s))).code).toBe('VAULT_DAMAGED')
        expect(s.calls).toEqual([])
      })
    }
  }
}

describe('a team vault refuses every tamper a database superuser can do, before any request leaves (memory store)', () => tamperSuite(MEMORY))

// The same on the real PostgreSQL store, the superuser editing its rows (connected as postgres): once the
// store keeps team values (issue 14's PostgreSQL team store); before that it has nothing to run against.
const PG_TEAM = 'values' in postgresStore({ connectionString: 'postgresql://postgres@127.0.0.1:5432/postgres', vault: 'probe' })
describe.skipIf(!PG_TEAM)(`a team vault refuses every tamper a database superuser can do, before any request leaves (PostgreSQL${PG_TEAM ? '' : ': SKIPPED, the PostgreSQL store of this build keeps no team values yet'})`, () => {
  let db: FreshDatabase
  const stores: PostgresStore[] = []
  beforeAll(async () => {
    db = await freshDatabase()
  })
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close().catch(() => {})))
    await db?.drop()
  }, 120_000)
  tamperSuite({
    label: 'PostgreSQL',
    newStore: async () => {
      const name = db.vaultName()
      const store = postgresStore({ connectionString: db.adminUrl, vault: name, lockTimeoutMs: 30_000 })
      stores.push(store)
      await store.install()
      return { name, store: store as TeamStore }
    },
  })

  // The path a user takes: `--vault NAME` through teams.json, which recorded the vault id at create.
  it('a named team vault replaced by one under a new vault id is refused, nothing sent', async () => {
    const dir = path.join(base, `named${++worlds}`)
    const [alice, dba] = await Promise.all([person('alice', dir), person('dba', dir)])
    const name = db.vaultName()
    await createClient({ env: alice.env }).team.create({ name, backend: db.adminUrl, member: 'alice' })
    const s = sentinel()
    const a = createClient({ vault: name, env: alice.env, fetch: s.fetch })
    await a.credentials.create({ name: 'openai-prod', type: 'openai', value: VALUES['openai-prod'], base_url: PROVIDER })
    expect(await a.credentials.reveal('openai-prod')).toBe(VALUES['openai-prod'])
    // The database admin builds a vault of his own (his key; alice's recipient is public) and puts it in place.
    const forged = await makeTeamVault(name, [{ person: dba, role: 'admin' }, { person: alice, role: 'admin' }], [{ name: 'openai-prod', type: 'openai', value: `sk-proj-${'F'.repeat(40)}`, base_url: ATTACKER }])
    const copy = await fullCopy(forged.store)
    const su = postgresStore({ connectionString: db.adminUrl, vault: name, lockTimeoutMs: 30_000 })
    stores.push(su)
    await superuserWrite(su as TeamStore, () => copy)
    const e = await refusal(a.credentials.validate('openai-prod'))
    expect({ code: e.code, exit: e.exitCode }).toEqual({ code: 'VAULT_DAMAGED', exit: 4 })
    expect(s.calls).toEqual([])
  })
})

// ---- the generator: any single-byte change to any stored field
type Field = { path: string; get: (c: FullCopy) => string; set: (c: FullCopy, v: string) => void }

/** Every stored text field of a copy (header, team rows, records, sealed values), as the database holds them. */
function fieldsOf(c: FullCopy): Field[] {
  const out: Field[] = []
  const text = <T extends object>(p: string, obj: (c: FullCopy) => T, k: keyof T) =>
    out.push({ path: p, get: (x) => String(obj(x)[k]), set: (x, v) => void ((obj(x) as Record<keyof T, unknown>)[k] = typeof obj(x)[k] === 'number' ? Number(v) : v) })
  const h = (x: FullCopy) => x.snap.header
  for (const k of ['vault_id', 'created_at', 'sequence', 'mac'] as const) text(`header.${k}`, h, k)
  text('header.key.source', (x) => h(x).key, 'source')
  text('header.key.check', (x) => h(x).key, 'check')
  for (const k of ['name', 'epoch', 'offline'] as const) text(`team.${k}`, (x) => h(x).team!, k)
  c.snap.header.team!.epochs.forEach((e, i) => {
    text(`epochs[${i}].key_id`, (x) => h(x).team!.epochs[i]!, 'key_id')
    if (e.back !== null) text(`epochs[${i}].back`, (x) => h(x).team!.epochs[i]!, 'back')
  })
  c.snap.header.team!.members.forEach((m, i) => {
    for (const k of ['member', 'recipient', 'role', 'kind', 'wrap', 'added_at'] as const) text(`members[${i}].${k} (${m.member})`, (x) => h(x).team!.members[i]!, k)
  })
  c.snap.records.forEach((r, i) => {
    for (const k of ['revision', 'mac', 'body'] as const) text(`records[${i}].${k}`, (x) => x.snap.records[i]!, k)
    // The id is the sealed value's key too (the secrets row follows its record, as a foreign key would).
    out.push({
      path: `records[${i}].id`,
      get: (x) => x.snap.records[i]!.id,
      set: (x, v) => {
        const old = x.snap.records[i]!.id
        x.snap.records[i]!.id = v
        x.sealed.set(v, x.sealed.get(old)!)
        x.sealed.delete(old)
      },
    })
    out.push({ path: `sealed[${r.id}]`, get: (x) => x.sealed.get(r.id)!, set: (x, v) => void x.sealed.set(r.id, v) })
  })
  return out
}

const DIGITS = '0123456789'
const ALNUM = `ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz${DIGITS}`
/** The new character: `pick` >= 0 chooses one of the old one's class; -1 - b is the printable byte b. */
function replacement(old: number, pick: number): number {
  if (pick < 0) return -1 - pick
  const ch = String.fromCharCode(old)
  const cls = DIGITS.includes(ch) ? DIGITS : ALNUM.includes(ch) ? ALNUM : ALNUM + '+/=-_.:'
  return cls.charCodeAt(pick % cls.length)
}

describe('any single-byte change to any stored field is refused by a value-using call, or leaves what it uses identical', () => {
  it('property (fast-check): reveal/validate of any credential after one changed byte', async () => {
    const w = await world()
    await removeMember(w.tv, 'bob') // two epochs, so the back key is a field too
    for (const p of [w.alice, w.carol]) await use('reveal', w.tv, p, 'openai-ci', sentinel())
    // Where each credential's check sends its value when nothing is wrong (validate writes a verdict, so
    // this runs before the genuine copy is taken).
    const genuineCalls = new Map<Name, string[]>()
    for (const t of Object.keys(VALUES) as Name[]) {
      const s = sentinel()
      await use('validate', w.tv, w.alice, t, s)
      genuineCalls.set(t, s.calls)
    }
    const genuine = await fullCopy(w.tv.store)
    // What each device has seen (pinned epoch, kept sequence) goes back with the rows before every run:
    // a successful validate writes a verdict and moves it on.
    const seen = [w.alice, w.carol].flatMap((p) => readdirSync(p.env.CREDCTL_TEAMS_DIR!).map((f) => path.join(p.env.CREDCTL_TEAMS_DIR!, f)))
    const seenText = new Map(seen.map((f) => [f, readFileSync(f, 'utf8')]))
    const fields = fieldsOf(genuine)
    const outcomes = { refused: 0, identical: 0, storeRefused: 0 }
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: fields.length - 1 }),
        fc.nat(),
        // Mostly a character of the same class (a digit for a digit, a letter or digit for a letter), which
        // keeps the field's shape and so reaches the reader; sometimes any printable character.
        fc.oneof({ arbitrary: fc.nat(), weight: 4 }, { arbitrary: fc.integer({ min: 0x21, max: 0x7e }).map((b) => -1 - b), weight: 1 }),
        fc.constantFrom<Name>('openai-prod', 'openai-ci', 'anthropic-eval'),
        fc.constantFrom<'alice' | 'carol'>('alice', 'carol'),
        async (fi, pos, pick, target, whoName) => {
          const f = fields[fi]!
          const old = f.get(genuine)
          const at = pos % old.length
          const byte = replacement(old.charCodeAt(at), pick)
          if (old.charCodeAt(at) === byte) return // not a change
          const changed = old.slice(0, at) + String.fromCharCode(byte) + old.slice(at + 1)
          await superuserWrite(w.tv.store, () => structuredClone(genuine))
          for (const [f, text] of seenText) writeFileSync(f, text)
          try {
            await superuserWrite(w.tv.store, (c) => f.set(c, changed))
          } catch (e) {
            // The store's own shape check refused to keep it (a real database would keep it; the reader's
            // parse refuses the same shapes): nothing to read.
            if (!(e instanceof Error) || !/^store: refusing/.test(e.message)) throw e
            outcomes.storeRefused++
            return
          }
          const who = whoName === 'alice' ? w.alice : w.carol
          const s = sentinel()
          // validate stores a verdict, which a reader may not: carol reveals only.
          const op = whoName === 'alice' && byte % 2 === 1 ? 'validate' : 'reveal'
          let got: string | undefined
          let refusedWith: CredctlError | undefined
          try {
            got = await use(op, w.tv, who, target, s)
          } catch (e) {
            if (!(e instanceof CredctlError)) throw new Error(`${op} by ${whoName} of ${target}: ${f.path}[${at}]: not a CredctlError: ${String((e as Error)?.stack ?? e)}`)
            refusedWith = e
          }
          // Whatever the outcome, a request went nowhere but where the genuine credential's check sends it.
          expect(s.calls.filter((u) => !genuineCalls.get(target)!.includes(u)), `${f.path}[${at}]`).toEqual([])
          if (refusedWith) {
            expect([3, 4], `${f.path}[${at}] → ${refusedWith.code}: ${refusedWith.message}`).toContain(refusedWith.exitCode)
            // Refused before any request, unless the request was the genuine one and the damage lies in a
            // record it did not use (found when the verdict is written: checked below like a success).
            outcomes.refused++
            if (s.calls.length === 0) return
          }
          // Not refused: what was used is exactly the genuine value (it went only where it belongs, above).
          if (op === 'reveal') expect(got, `${f.path}[${at}]`).toBe(VALUES[target])
          // Only what the call used is compared: another record's body is not read (nor MAC'd) by it.
          const l = parseSnapshot((await w.tv.store.load())!, w.tv.location, (r) => r.id === w.tv.ids.get(target))
          const rec = l.vault.credentials.find((r) => r.id === w.tv.ids.get(target))
          const orig = parseSnapshot(genuine.snap, w.tv.location).vault.credentials.find((r) => r.name === target)!
          expect({ base_url: rec?.base_url, type: rec?.type, settings: rec?.settings }, `${f.path}[${at}]`).toEqual({ base_url: orig.base_url, type: orig.type, settings: orig.settings })
          if (!refusedWith) outcomes.identical++
        },
      ),
      { numRuns: 300 },
    )
    // Most changes reach the reader (the store's shape check is not what this property leans on).
    expect(outcomes.refused).toBeGreaterThan(outcomes.storeRefused)
  }, 120_000)
})
