import { randomUUID } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { HistoryEntry, VaultStore } from '../../src/store/types.js'
import { sampleEpoch, sampleHeader, sampleMember, sampleRecord, sampleSealed, sampleTeamHeader } from './samples.js'

export { sampleHeader, sampleRecord, sampleSealed, sampleTeamHeader }

/**
 * The storage contract (src/store/types.ts), run against every adapter: each adapter's test file calls
 * describeStore with a factory that gives a fresh, empty store. Stores keep opaque bytes, so the
 * headers and records here are shaped like the SDK's (a format 2 header, record MACs, JSON object
 * bodies) but carry no real MACs: checking those is the SDK's job, above the store.
 */
export interface StoreUnderTest {
  store: VaultStore
  /**
   * What would change if the store wrote anything (the file adapter: the file's bytes and mtime). The
   * no-change tests compare it before and after; without one they compare load() results only.
   */
  fingerprint?: () => Promise<string>
}

/** Bodies with everything that could break a line- or JSON-based layout: quotes, backslashes, U+2028/9, astral characters, controls. */
const awkward = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.constantFrom('\u2028', '\u2029', '"', '\\', '"],\n', '\r\n', '\u{1F600}', '\0', '</script>', '\ud800'),
  fc.array(fc.constantFrom('\u2028', '"', '\\', '\n', '\u{10FFFF}', 'é', ']', ','), { maxLength: 20 }).map((a) => a.join('')),
)
export const arbBody = fc.record({ note: awkward, n: fc.integer() }).map((o) => JSON.stringify(o))

const entry = (i: number): HistoryEntry => ({
  time: `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}.000Z`,
  action: 'reveal',
  outcome: 'ok',
  ...(i % 2 ? { detail: `d${i} \u2028 "q"` } : {}),
  credentials: [{ id: randomUUID(), name: `N${i}`, type: 'openai' }],
})

export function describeStore(name: string, make: () => Promise<StoreUnderTest>): void {
  describe(`storage contract: ${name}`, () => {
    it('load() is undefined before the first transaction, and after one that writes nothing', async () => {
      const { store } = await make()
      expect(await store.load()).toBeUndefined()
      expect(await store.transact(async (tx) => (tx.header(), tx.records().length))).toBe(0)
      expect(await store.load()).toBeUndefined()
      // Records need a vault: a first transaction that puts without a header is refused whole.
      await expect(store.transact(async (tx) => tx.put(sampleRecord('{}')))).rejects.toThrow(/without a vault header/)
      expect(await store.load()).toBeUndefined()
    })

    it("a transaction's writes are what the next load returns, bodies byte for byte", async () => {
      const { store } = await make()
      let sequence = 1
      await fc.assert(
        fc.asyncProperty(fc.array(arbBody, { maxLength: 6 }), async (bodies) => {
          const header = sampleHeader(sequence++)
          const records = bodies.map((b) => sampleRecord(b))
          const before = (await store.load())?.records ?? []
          await store.transact(async (tx) => {
            tx.setHeader(header)
            for (const r of before) tx.remove(r.id)
            for (const r of records) tx.put(r)
            // Reads inside the transaction see its own changes.
            expect(tx.header()).toEqual(header)
            expect(tx.records()).toEqual(records)
          })
          const got = await store.load()
          expect(got).toEqual({ header, records })
          for (let i = 0; i < records.length; i++) expect(got!.records[i]!.body === records[i]!.body).toBe(true)
        }),
        { numRuns: 30 },
      )
    })

    it('a transaction whose fn throws applies nothing, and its error reaches the caller', async () => {
      const { store, fingerprint } = await make()
      const r = sampleRecord('{"a":1}')
      await store.transact(async (tx) => (tx.setHeader(sampleHeader()), tx.put(r)))
      const before = await store.load()
      const mark = await fingerprint?.()
      const boom = new Error('boom')
      await expect(
        store.transact(async (tx) => {
          tx.setHeader(sampleHeader(9))
          tx.put(sampleRecord('{"b":2}'))
          tx.remove(r.id)
          throw boom
        }),
      ).rejects.toBe(boom)
      expect(await store.load()).toEqual(before)
      expect(await fingerprint?.()).toBe(mark)
    })

    it('a transaction that changes nothing writes nothing', async () => {
      const { store, fingerprint } = await make()
      await store.transact(async (tx) => (tx.setHeader(sampleHeader()), tx.put(sampleRecord('{"a":1}'))))
      const before = await store.load()
      const mark = await fingerprint?.()
      await new Promise((r) => setTimeout(r, 20)) // an mtime would move
      const out = await store.transact(async (tx) => {
        tx.remove(randomUUID()) // not there: a no-op
        return tx.records().map((r) => r.id)
      })
      expect(out).toEqual(before!.records.map((r) => r.id))
      expect(await store.load()).toEqual(before)
      expect(await fingerprint?.()).toBe(mark)
    })

    it('refuses, at setHeader or put, a header that is not format 2 and records out of shape; nothing is applied', async () => {
      const { store, fingerprint } = await make()
      const good = sampleRecord('{"a":1}')
      await store.transact(async (tx) => (tx.setHeader(sampleHeader()), tx.put(good)))
      const before = await store.load()
      const mark = await fingerprint?.()
      const badHeaders = [
        { ...sampleHeader(), format: 1 as const },
        { ...sampleHeader(), sequence: 0 },
        { ...sampleHeader(), mac: '' },
        { ...sampleHeader(), vault_id: '../x' },
        { ...sampleHeader(), key: { source: 'nowhere', check: 'x' } as never },
      ]
      for (const h of badHeaders) await expect(store.transact(async (tx) => tx.setHeader(h)), JSON.stringify(h)).rejects.toThrow(/header/)
      const badRecords = [
        ...['{"a":1}\n', '{"a":1}\r', '{"a":1', '[1]', '"s"', '{"a":1}],["x",1,"y",{}'].map((b) => sampleRecord(b)),
        { ...sampleRecord('{}'), revision: 0 },
        { ...sampleRecord('{}'), revision: 1.5 },
        { ...sampleRecord('{}'), mac: '' },
        { ...sampleRecord('{}'), id: '../../etc' },
      ]
      for (const r of badRecords) await expect(store.transact(async (tx) => tx.put(r)), JSON.stringify(r)).rejects.toThrow(/record/)
      expect(await store.load()).toEqual(before)
      expect(await fingerprint?.()).toBe(mark)
    })

    it('put replaces by id; remove removes', async () => {
      const { store } = await make()
      const a = sampleRecord('{"v":"a1"}')
      const b = sampleRecord('{"v":"b1"}')
      await store.transact(async (tx) => (tx.setHeader(sampleHeader()), tx.put(a), tx.put(b)))
      const a2 = { ...sampleRecord('{"v":"a2"}', a.id, 2) }
      await store.transact(async (tx) => tx.put(a2))
      let got = (await store.load())!.records
      expect(got).toHaveLength(2)
      expect(got.find((r) => r.id === a.id)).toEqual(a2)
      expect(got.find((r) => r.id === b.id)).toEqual(b)
      await store.transact(async (tx) => tx.remove(a.id))
      got = (await store.load())!.records
      expect(got).toEqual([b])
      await store.transact(async (tx) => tx.remove(b.id))
      expect((await store.load())!.records).toEqual([])
    })

    it('20 concurrent transactions, each incrementing a counter, lose nothing', async () => {
      const { store } = await make()
      const id = randomUUID()
      await store.transact(async (tx) => (tx.setHeader(sampleHeader()), tx.put(sampleRecord('{"n":0}', id))))
      await Promise.all(
        Array.from({ length: 20 }, () =>
          store.transact(async (tx) => {
            const r = tx.records().find((x) => x.id === id)!
            const n = (JSON.parse(r.body) as { n: number }).n
            await new Promise((res) => setTimeout(res, Math.random() * 3)) // let others try to interleave
            tx.setHeader({ ...tx.header()!, sequence: tx.header()!.sequence + 1 })
            tx.put({ ...r, revision: r.revision + 1, body: JSON.stringify({ n: n + 1 }) })
          }),
        ),
      )
      const got = await store.load()
      expect(got!.records[0]!.body).toBe('{"n":20}')
      expect(got!.records[0]!.revision).toBe(21)
      expect(got!.header.sequence).toBe(21)
    })

    it('history keeps entries in order, oldest first', async () => {
      const { store } = await make()
      expect(await store.history.read()).toEqual([])
      const es = Array.from({ length: 7 }, (_, i) => entry(i))
      await store.history.append(es.slice(0, 3))
      await store.history.append([])
      await store.history.append(es.slice(3))
      // A team store adds who did it and may stamp when (the database's clock, never the client's claim):
      // the entries are otherwise as given.
      const got = await store.history.read()
      if (store.values) for (const e of got) expect(typeof e.actor).toBe('string')
      for (const e of got) expect(e.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/)
      const strip = ({ actor: _a, time: _t, ...e }: (typeof got)[number]) => e
      expect(store.values ? got.map(strip) : got).toEqual(store.values ? es.map(strip) : es)
    })

    it('schemas: undefined until written, read back equal, removed (removing again is a no-op)', async () => {
      const { store } = await make()
      const id = randomUUID()
      expect(await store.schemas.read(id)).toBeUndefined()
      const doc = { updated_at: '2026-01-01T00:00:00.000Z', tables: [{ name: 't\u2028"x"', columns: ['a', '\u{1F600}'] }] }
      await store.schemas.write(id, doc)
      expect(await store.schemas.read(id)).toEqual(doc)
      await store.schemas.write(id, { tables: [] })
      expect(await store.schemas.read(id)).toEqual({ tables: [] })
      await store.schemas.remove(id)
      expect(await store.schemas.read(id)).toBeUndefined()
      await store.schemas.remove(id)
    })
  })
  describeValueStore(name, make)
}

const ids = (xs: { id: string }[]) => xs.map((x) => x.id).sort()

/**
 * The team part of the contract (issue 14), for stores with `values` (the others pass it by skipping):
 * a TeamHeader kept exactly, sealed values kept apart from the records and handed out only through
 * values.fetch, each fetch on record.
 */
export function describeValueStore(name: string, make: () => Promise<StoreUnderTest>): void {
  describe(`storage contract, values and team headers: ${name}`, () => {
    it('a team header is kept exactly: members (by name) and epochs as given, through adds, removals and changes', async () => {
      const { store } = await make()
      if (!store.values) return
      let h = sampleTeamHeader(1, [sampleMember('carol', 'reader'), sampleMember('alice@laptop', 'admin'), sampleMember('bob')])
      await store.transact(async (tx) => tx.setHeader(h))
      expect((await store.load())!.header).toEqual(h)
      const t = structuredClone(h.team!)
      t.members = [sampleMember('Zed', 'reader'), ...t.members.filter((m) => m.member !== 'bob').map((m) => (m.member === 'carol' ? { ...m, role: 'writer' as const, db_role: 'carol_ci', wrap: sampleMember('x').wrap } : m)), sampleMember('dave', 'admin')]
      t.members.sort((a, b) => (a.member < b.member ? -1 : 1))
      t.epochs = [...t.epochs, sampleEpoch(2)]
      t.epoch = 2
      t.offline = 'deny'
      h = { ...h, sequence: 2, key: { ...h.key }, team: t }
      await store.transact(async (tx) => tx.setHeader(h))
      expect((await store.load())!.header).toEqual(h)
      // A transaction sees the header it read, team part included.
      expect(await store.transact(async (tx) => tx.header())).toEqual(h)
    })

    it('sealed values are kept apart: never in load() or tx.records(), handed out by values.fetch, each fetch on record', async () => {
      const { store } = await make()
      if (!store.values) return
      const recs = Array.from({ length: 4 }, (_, i) => ({ ...sampleRecord(JSON.stringify({ name: `N${i}`, type: 'openai' })), sealed: sampleSealed() }))
      await store.transact(async (tx) => {
        tx.setHeader(sampleTeamHeader())
        for (const r of recs) tx.put(r)
        for (const r of tx.records()) expect(r).not.toHaveProperty('sealed')
      })
      const got = await store.load()
      expect(got!.records).toEqual(recs.map(({ sealed: _, ...r }) => r))
      for (const r of got!.records) expect(r).not.toHaveProperty('sealed')
      const want = [recs[0]!, recs[2]!]
      const fetched = await store.values.fetch([...want.map((r) => r.id), randomUUID()], 'reveal', 'by the contract')
      expect(fetched.sort((a, b) => (a.id < b.id ? -1 : 1))).toEqual(want.map((r) => ({ id: r.id, sealed: r.sealed })).sort((a, b) => (a.id < b.id ? -1 : 1)))
      const fetches = (await store.history.read()).filter((e) => e.action === 'fetch:reveal')
      expect(fetches).toHaveLength(1)
      expect(fetches[0]!.detail).toBe('by the contract')
      expect(ids(fetches[0]!.credentials as { id: string }[])).toEqual(ids(want))
    })

    it('a put without sealed keeps the stored value; remove drops it; a new record without one is refused whole', async () => {
      const { store } = await make()
      if (!store.values) return
      const a = { ...sampleRecord('{"v":1}'), sealed: sampleSealed() }
      await store.transact(async (tx) => (tx.setHeader(sampleTeamHeader()), tx.put(a)))
      const a2 = sampleRecord('{"v":2}', a.id, 2)
      await store.transact(async (tx) => tx.put(a2))
      expect((await store.load())!.records).toEqual([a2])
      expect(await store.values.fetch([a.id], 'run')).toEqual([{ id: a.id, sealed: a.sealed }])
      const before = await store.load()
      await expect(store.transact(async (tx) => (tx.put({ ...sampleRecord('{"v":3}', a.id, 3), sealed: sampleSealed() }), tx.put(sampleRecord('{"new":1}'))))).rejects.toThrow(/sealed/)
      expect(await store.load()).toEqual(before)
      expect(await store.values.fetch([a.id], 'run')).toEqual([{ id: a.id, sealed: a.sealed }])
      await store.transact(async (tx) => tx.remove(a.id))
      expect(await store.values.fetch([a.id], 'export')).toEqual([])
    })

    it('values follow every put with sealed, across transactions (generated)', async () => {
      const { store } = await make()
      if (!store.values) return
      const pool = Array.from({ length: 5 }, () => randomUUID())
      const model = new Map<string, string>()
      let seq = 1
      await store.transact(async (tx) => tx.setHeader(sampleTeamHeader(seq)))
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.record({ i: fc.nat(4), op: fc.constantFrom('seal', 'body', 'remove') }), { minLength: 1, maxLength: 6 }),
          async (ops) => {
            const next = new Map(model)
            await store.transact(async (tx) => {
              tx.setHeader({ ...tx.header()!, sequence: ++seq })
              for (const { i, op } of ops) {
                const id = pool[i]!
                const rev = (tx.records().find((r) => r.id === id)?.revision ?? 0) + 1
                if (op === 'remove') {
                  tx.remove(id)
                  next.delete(id)
                } else if (op === 'seal' || !next.has(id)) {
                  const sealed = sampleSealed()
                  tx.put({ ...sampleRecord(JSON.stringify({ rev }), id, rev), sealed })
                  next.set(id, sealed)
                } else tx.put(sampleRecord(JSON.stringify({ rev }), id, rev))
              }
            })
            // The model follows what was committed, before checking, so a failing run leaves both in step.
            model.clear()
            for (const [k, v] of next) model.set(k, v)
            const got = await store.values!.fetch(pool, 'export')
            expect(new Map(got.map((x) => [x.id, x.sealed]))).toEqual(model)
            expect(ids((await store.load())!.records)).toEqual([...model.keys()].sort())
          },
        ),
        { numRuns: 25 },
      )
    })
  })
}
