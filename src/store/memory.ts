import { assertStorable, assertWritableHeader } from './storable.js'
import { fetchAction, type FetchPurpose, type HistoryEntry, type StoredRecord, type StoreTx, type VaultHeader, type VaultSnapshot, type VaultStore } from './types.js'

/**
 * A vault kept in memory: for unit tests and for embedders that keep sealed records elsewhere
 * themselves. It keeps the store contract (types.ts) exactly: a transaction sees its own changes,
 * applies all of them or none, and transactions run one at a time, in the order they were asked for.
 */
export function memoryStore(location = 'memory', opts: { values?: boolean } = {}): VaultStore & { snapshot(): VaultSnapshot | undefined; sealedValues(): Map<string, string> } {
  let header: VaultHeader | undefined
  let records: StoredRecord[] = []
  // With `values` (a team store's contract, issue 14): sealed values kept apart, handed out by values.fetch.
  let sealed = new Map<string, string>()
  const history: HistoryEntry[] = []
  const schemas = new Map<string, string>()
  let queue: Promise<unknown> = Promise.resolve()
  let turns: Promise<unknown> = Promise.resolve()

  const copy = (): VaultSnapshot | undefined =>
    header ? { header: structuredClone(header), records: records.map((r) => ({ ...r })) } : undefined

  return {
    location,
    snapshot: copy,
    sealedValues: () => new Map(sealed),
    async load() {
      return copy()
    },
    transact<T>(fn: (tx: StoreTx) => Promise<T>): Promise<T> {
      const run = async (): Promise<T> => {
        let h = header ? structuredClone(header) : undefined
        const recs = new Map(records.map((r) => [r.id, { ...r }]))
        const seals = new Map(sealed)
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
            const { sealed: value, ...rest } = r
            if (value !== undefined) {
              if (!opts.values) throw new Error('memory store: a sealed value put on a store without values (a bug in the caller)')
              seals.set(r.id, value)
            } else if (opts.values && !seals.has(r.id)) throw new Error(`memory store: record ${r.id} put without its sealed value (a bug in the caller)`)
            recs.set(r.id, rest)
            changed = true
          },
          remove: (id) => {
            seals.delete(id)
            changed = recs.delete(id) || changed
          },
        }
        const out = await fn(tx)
        if (changed) {
          if (!h) throw new Error('memory store: a transaction wrote records without a vault header')
          header = h
          records = [...recs.values()]
          sealed = seals
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
    ...(opts.values
      ? {
          values: {
            async fetch(ids: readonly string[], purpose: FetchPurpose, detail?: string) {
              const known = new Map(records.map((r) => [r.id, r]))
              const hit = [...new Set(ids)].filter((id) => known.has(id) && sealed.has(id))
              // On record before anything is handed out, as the database function does.
              history.push({ time: new Date().toISOString(), action: fetchAction(purpose), outcome: 'ok', ...(detail ? { detail } : {}), credentials: hit.map((id) => ({ id, name: null, type: null })) })
              return hit.map((id) => ({ id, sealed: sealed.get(id)! }))
            },
          },
        }
      : {}),
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
