import type { CredentialRecord } from '../vault/format.js'
import type { HistoryCredential, HistoryEntry } from '../store/types.js'

/**
 * History as the SDK sees it: building entries, grouping and filtering them. The entry shape lives with
 * the storage interface (store/types.ts) and the file I/O in the file adapter (store/file-history.ts);
 * both are re-exported here for this module's existing users.
 */
export type { HistoryCredential, HistoryEntry } from '../store/types.js'
export { parseEntry, trimmedOf } from '../store/history-entry.js'
export { appendHistory, HISTORY_MAX_BYTES, readHistory, rotatedFile, type AppendOptions } from '../store/file-history.js'

/** Every action credctl records; `history --action` accepts only these. */
export const HISTORY_ACTIONS = [
  'create',
  'update',
  'delete',
  'restore',
  'purge',
  'set-default',
  'validate',
  'discover',
  'reveal',
  'run',
  'inject',
  'export',
  'import',
  'recover',
  'rotate-key',
  'history-trimmed',
  // Team vaults (issue 14). The database also records each audited value fetch as `fetch:<purpose>`.
  'vault-create',
  'vault-import',
  'vault-set',
  'member-add',
  'member-remove',
] as const

type Ref = Pick<CredentialRecord, 'id' | 'name' | 'type'>

const refOf = (r: Ref): HistoryCredential => ({ id: r.id, name: r.name, type: r.type })

/** One entry for one action on the given credentials (none: a vault-wide action such as rotate-key). */
export const entryFor = (r: Ref | Ref[] | undefined, action: string, outcome: string, time: string, detail?: string): HistoryEntry => ({
  time,
  action,
  outcome,
  ...(detail ? { detail } : {}),
  credentials: (r === undefined ? [] : Array.isArray(r) ? r : [r]).map(refOf),
})

/**
 * Entries of one action merged by outcome and detail, first appearance first: five credentials validated
 * valid and one invalid are two entries. For actions whose items each have their own verdict.
 */
export function groupEntries(entries: HistoryEntry[]): HistoryEntry[] {
  const byKey = new Map<string, HistoryEntry>()
  for (const e of entries) {
    const key = JSON.stringify([e.time, e.action, e.outcome, e.detail ?? null])
    const g = byKey.get(key)
    if (g) g.credentials.push(...e.credentials)
    else byKey.set(key, { ...e, credentials: [...e.credentials] })
  }
  return [...byKey.values()]
}

export interface HistoryQuery {
  /** Only entries at or after this time. */
  since?: Date
  /** Only these actions. */
  actions?: readonly string[]
  /** Only entries naming a credential for which this returns true. */
  credential?: (c: HistoryCredential) => boolean
  /** The last N entries (after the other filters). */
  limit?: number
}

/** The filters of `history`, in one place for the SDK and its tests. */
export function filterHistory(entries: HistoryEntry[], q: HistoryQuery): HistoryEntry[] {
  const since = q.since?.getTime()
  let out = entries.filter(
    (e) =>
      (since === undefined || Date.parse(e.time) >= since) &&
      (!q.actions || q.actions.includes(e.action)) &&
      (!q.credential || e.credentials.some(q.credential)),
  )
  if (q.limit !== undefined) out = out.slice(-q.limit)
  return out
}
