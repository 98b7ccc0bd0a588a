import type { HistoryCredential, HistoryEntry } from './types.js'

/**
 * Reading one history line back, and what a `history-trimmed` entry says: below the SDK, because the
 * file adapter's rotation (file-history.ts) needs both and credentials/history.ts re-exports them.
 */

/** What a `history-trimmed` entry says was dropped: how many entries, and the time of the first. */
export function trimmedOf(e: HistoryEntry): { count: number; from: string } | undefined {
  const m = /^(\d+) older entr(?:y|ies) \((\S+) to \S+\)/.exec(e.detail ?? '')
  return m ? { count: Number(m[1]), from: m[2]! } : undefined
}

const str = (x: unknown): string | null => (typeof x === 'string' ? x : null)

/** One line, old (per credential) or new (credentials list) format, as a HistoryEntry; undefined if neither. */
export function parseEntry(o: unknown): HistoryEntry | undefined {
  if (!o || typeof o !== 'object' || Array.isArray(o)) return undefined
  const r = o as Record<string, unknown>
  if (typeof r.action !== 'string' || typeof r.time !== 'string') return undefined
  let credentials: HistoryCredential[]
  if (Array.isArray(r.credentials)) {
    credentials = r.credentials
      .filter((c): c is Record<string, unknown> => !!c && typeof c === 'object')
      .map((c) => ({ id: str(c.id), name: str(c.name), type: str(c.type) }))
  } else {
    const c = { id: str(r.credential_id), name: str(r.name), type: str(r.type) }
    credentials = c.id !== null || c.name !== null ? [c] : []
  }
  return { time: r.time, action: r.action, outcome: typeof r.outcome === 'string' ? r.outcome : '', ...(typeof r.detail === 'string' && r.detail ? { detail: r.detail } : {}), credentials }
}

