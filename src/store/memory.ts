import { assertStorable, assertWritableHeader } from './storable.js'
import type { HistoryEntry, StoredRecord, StoreTx, VaultHeader, VaultSnapshot, VaultStore } from './types.js'

/**
 * A vault kept in memory: for unit tests and for embedders that keep sealed records elsewhere
 * themselves. It keeps the store contract (types.ts) exactly: a transaction sees its own changes,
 * applies all of them or none, and transactions run one at a time, in the order they were asked for.
 */
export function memoryStore(location = 'memory'): VaultStore & { snapshot(): VaultSnapshot | undefined } {
  let header: VaultHeader | undefined
  let records: StoredRecord[] = []
  const history: HistoryEntry[] = []
  const schemas = new Map<string, string>()
  let queue: Promise<unknown> = Promise.resolve()
  let turns: Promise<unknown> = Promise.resolve()

  const copy = (): VaultSnapshot | undefined =>
    header ? { header: structuredClone(header), records: records.map((r) => ({ ...r })) } : undefined

  return {
    location,
    snapshot: copy,
    async load() {
      return copy()
    },
    transact<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
      const run = async (): Promise<T> => {
        let h = header ? structuredClone(header) : undefined
        const recs = new Map(records.map((r) => [r.id, { ...r }]))
        let changed = false
        const tx: StoreTx = {
          header: () => h,
          setHeader: (next) => {
            assertWritableHeader(next) // what the file could store, so tests on memory catch what the file would refuse
            h = structuredClone(next)
            changed = true
          },
          records: () => [...recs.values()],
          put: (r) => {
            assertStorable(r)
            recs.set(r.id, { ...r })
            changed = true
          },
          remove: (id) => {
            changed = recs.delete(id) || changed
          },
        }
        const out = await fn(tx)
        if (changed) {
          if (!h) throw new Error('memory store: a transaction wrote records without a vault header')
          header = h
          records = [...recs.values()]
        }
        return out
      }
      const p = queue.then(run, run)
      queue = p.catch(() => {})
      return p
    },
    exclusive<T>(_name: 'rotate', fn: () => Promise<T>): Promise<T> {
      const p = turns.then(fn, fn)
      turns = p.catch(() => {})
      return p
    },
    history: {
      location: `history of ${location}`,
      async append(entries) {
        history.push(...structuredClone(entries))
      },
      async read() {
        return structuredClone(history)
      },
    },
    schemas: {
      async read(id) {
        const t = schemas.get(id)
        return t === undefined ? undefined : (JSON.parse(t) as unknown)
      },
      async write(id, doc) {
        schemas.set(id, JSON.stringify(doc))
      },
      async remove(id) {
        schemas.delete(id)
      },
    },
  }
}
