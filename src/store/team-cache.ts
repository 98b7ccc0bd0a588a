import * as path from 'node:path'
import { CredctlError } from '../errors.js'
import { teamsDir } from '../lib/teams-dir.js'
import { fetchAction, type HistoryEntry, type StoredRecord, type VaultHeader, type VaultSnapshot, type VaultStore } from './types.js'

/**
 * The offline cache of a team vault (issue 14): a VaultStore around the PostgreSQL one that keeps, per
 * device, `<teams dir>/<vault id>.cache` (0600): the last snapshot loaded online (header and records,
 * exactly as stored) and the sealed values this device has fetched (only while the vault's offline
 * policy is `allow`). Ciphertext only, like the vault file: the same head MAC, record MACs, digests and
 * kept sequence are checked on what it returns, so a cache edited on disk is refused like a vault file.
 *
 * When the database cannot be reached (`isUnreachable`): load() returns the cached snapshot, values.fetch
 * the cached values (a value never fetched on this device is VAULT_OFFLINE), and both say so once
 * (`onOffline`); every write is VAULT_OFFLINE (exit 4). A value used offline is recorded in
 * `<vault id>.pending.jsonl` and uploaded to the database's history (detail marked `offline`) by the
 * next command that reaches it, before its own work.
 */

interface CacheDoc {
  version: 1
  saved_at: string
  snapshot: VaultSnapshot
  sealed: Record<string, string>
}

export interface CacheOptions {
  /** Where CREDCTL_TEAMS_DIR (lib/teams-dir.ts) is read from: the cache and pending files live there. */
  env: NodeJS.ProcessEnv
  /** The vault id this device knows for the name (teams.json), so the cache can be found before any load. */
  vaultId: string | null
  isUnreachable: (e: unknown) => boolean
  /** Told once per process when the cache answers instead of the database. */
  onOffline: (note: string) => void
  /** False when values must not be cached (CI without CREDCTL_TEAM_CACHE=1). */
  keepValues: boolean
}

export function cachedStore(inner: VaultStore, opts: CacheOptions): VaultStore & { readonly inner: VaultStore } {
  let offline = false
  let vaultId = opts.vaultId
  let said = false
  const say = (doc: CacheDoc) => {
    if (said) return
    said = true
    opts.onOffline(`offline: ${inner.location} cannot be reached; using this device's cache as of ${doc.saved_at} (sequence ${doc.snapshot.header.sequence})`)
  }
  const files = async () => {
    const b = path.join(await teamsDir(opts.env), vaultId!)
    return { cache: `${b}.cache`, pending: `${b}.pending.jsonl` }
  }
  // Read once per process, then kept in step with what this process writes: load() and values.fetch()
  // (and an offline fetch) share one copy instead of reading the file again.
  let held: CacheDoc | undefined
  let readOnce = false
  const readCache = async (): Promise<CacheDoc | undefined> => {
    if (!vaultId) return undefined
    if (!readOnce) {
      held = await readCacheFile(opts.env, vaultId)
      readOnce = true
    }
    return held
  }
  const writeCache = async (doc: CacheDoc): Promise<void> => {
    const { ensureDir, writeFileAtomic } = await import('../lib/durable-file.js')
    const f = (await files()).cache
    await ensureDir(path.dirname(f))
    await writeFileAtomic(f, JSON.stringify(doc), 'team vault cache')
    held = doc
    readOnce = true
  }
  const offlineError = (what: string) =>
    new CredctlError('VAULT_OFFLINE', `${inner.location} cannot be reached, and ${what}`, { hint: 'retry when the database is reachable' })

  /** Upload what was used offline (best effort: it stays pending until it lands). */
  const flushPending = async (): Promise<void> => {
    if (!vaultId) return
    const { readFile, unlink } = await import('node:fs/promises')
    const f = (await files()).pending
    let text: string
    try {
      text = await readFile(f, 'utf8')
    } catch {
      return
    }
    const entries = text.split('\n').filter(Boolean).flatMap((l) => {
      try {
        return [JSON.parse(l) as HistoryEntry]
      } catch {
        return []
      }
    })
    if (entries.length) await inner.history.append(entries)
    await unlink(f).catch(() => {})
  }

  const store: VaultStore & { readonly inner: VaultStore } = {
    inner,
    location: inner.location,
    async load() {
      let snap: VaultSnapshot | undefined
      try {
        snap = await inner.load()
      } catch (e) {
        if (!opts.isUnreachable(e)) throw e
        const doc = await readCache()
        if (!doc) throw e
        offline = true
        say(doc)
        return structuredClone(doc.snapshot)
      }
      offline = false
      if (!snap) return snap
      if (vaultId !== snap.header.vault_id) {
        vaultId = snap.header.vault_id
        readOnce = false // another vault's cache (or none) was held
      }
      await flushPending().catch(() => {})
      // Refresh the cache when the vault moved on; values of records that did not change stay.
      const old = await readCache()
      if (!old || old.snapshot.header.mac !== snap.header.mac) {
        const keep = opts.keepValues && snap.header.team?.offline !== 'deny'
        const revs = new Map(old?.snapshot.records.map((r) => [r.id, r]) ?? [])
        const sealed: Record<string, string> = {}
        if (keep && old && old.snapshot.header.team?.epoch === snap.header.team?.epoch) {
          for (const r of snap.records) {
            const was = revs.get(r.id)
            if (was && was.body === r.body && old.sealed[r.id] !== undefined) sealed[r.id] = old.sealed[r.id]!
          }
        }
        await writeCache({ version: 1, saved_at: new Date().toISOString(), snapshot: snap, sealed }).catch(() => {})
      }
      return snap
    },
    async transact(fn, o) {
      if (offline) throw offlineError('changes need it (nothing was changed)')
      try {
        return await inner.transact(fn, o)
      } catch (e) {
        if (opts.isUnreachable(e)) throw offlineError('changes need it (nothing was changed)')
        throw e
      }
    },
    async exclusive(name, fn, o) {
      if (offline) throw offlineError('this needs it')
      return inner.exclusive(name, fn, o)
    },
    history: {
      location: inner.history.location,
      async append(entries) {
        if (!offline) return inner.history.append(entries)
        const { appendFile } = await import('node:fs/promises')
        const { ensureDir } = await import('../lib/durable-file.js')
        const f = (await files()).pending
        await ensureDir(path.dirname(f))
        const lines = entries.map((e) => JSON.stringify({ ...e, detail: `${e.detail ? `${e.detail}; ` : ''}offline` }) + '\n').join('')
        await appendFile(f, lines, { mode: 0o600 })
      },
      async read() {
        if (offline) throw offlineError('history is kept in the database')
        return inner.history.read()
      },
    },
    schemas: {
      read: (id) => (offline ? Promise.reject(offlineError('schemas are kept in the database')) : inner.schemas.read(id)),
      write: (id, doc) => (offline ? Promise.reject(offlineError('changes need it')) : inner.schemas.write(id, doc)),
      remove: (id) => (offline ? Promise.reject(offlineError('changes need it')) : inner.schemas.remove(id)),
    },
    values: {
      async fetch(ids, purpose, detail) {
        if (!offline) {
          const got = await inner.values!.fetch(ids, purpose, detail)
          if (opts.keepValues) await keepValues(got).catch(() => {})
          return got
        }
        const doc = await readCache()
        if (!doc || doc.snapshot.header.team?.offline === 'deny') throw offlineError('its admin does not allow values to be used offline')
        const missing = ids.filter((id) => doc.sealed[id] === undefined)
        if (missing.length) throw offlineError(`${missing.length === ids.length ? 'this device has not used these values online before' : 'some of these values were never used on this device online'}`)
        await store.history.append([{ time: new Date().toISOString(), action: fetchAction(purpose), outcome: 'ok', ...(detail ? { detail } : {}), credentials: ids.map((id) => ({ id, name: null, type: null })) }])
        return ids.map((id) => ({ id, sealed: doc.sealed[id]! }))
      },
    },
  }

  async function keepValues(got: { id: string; sealed: string }[]): Promise<void> {
    const doc = await readCache()
    if (!doc || doc.snapshot.header.team?.offline === 'deny') return
    for (const g of got) doc.sealed[g.id] = g.sealed
    await writeCache(doc)
  }
  return store
}

/**
 * The snapshot this device last loaded of team vault `vaultId` (undefined when it has none): for shell
 * completion, which must not wait on the network at every Tab. Metadata only; nothing is verified.
 */
export async function cachedSnapshot(env: NodeJS.ProcessEnv, vaultId: string): Promise<VaultSnapshot | undefined> {
  return (await readCacheFile(env, vaultId))?.snapshot
}

/** The cache file of `vaultId`, or undefined when there is none or it does not parse (a cache is never fatal). */
async function readCacheFile(env: NodeJS.ProcessEnv, vaultId: string): Promise<CacheDoc | undefined> {
  const { readFile } = await import('node:fs/promises')
  try {
    const doc = JSON.parse(await readFile(path.join(await teamsDir(env), `${vaultId}.cache`), 'utf8')) as CacheDoc
    return doc?.version === 1 && doc.snapshot?.header && Array.isArray(doc.snapshot.records) ? doc : undefined
  } catch {
    return undefined
  }
}

export type { StoredRecord, VaultHeader }
