import { CredctlError } from '../../errors.js'
import { wholeNumber } from '../../lib/strict.js'
import { HISTORY_ACTIONS } from '../../credentials/history.js'
import { FETCH_PURPOSES, fetchAction } from '../../store/types.js'

// A team vault's database records each audited value fetch as `fetch:<purpose>` (store/types.ts).
const FETCH_ACTIONS: readonly string[] = FETCH_PURPOSES.map(fetchAction)
import type { Factory } from '../factory.js'
import type { Output } from '../output.js'

export interface HistoryOptions {
  limit?: string
  since?: string
  /** Repeatable, each a comma-separated list. */
  action?: string[]
  /** Team vaults: a member name (its database role) or a database role. */
  actor?: string
  json?: boolean
}

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }

/**
 * `--since`: an ISO 8601 date or time (`2026-11-30`, `2026-11-30T08:00:00Z`; without a zone it is the
 * local time, as Date.parse reads it) or a duration back from now (`30m`, `2h`, `7d`, `2w`; s, m, h, d, w).
 */
export function parseSince(raw: string, now: Date): Date {
  const t = raw.trim()
  const dur = /^(\d{1,9})\s*([smhdw])$/i.exec(t)
  if (dur) {
    // Beyond what a Date holds (about 273,790 years back), the answer would be an Invalid Date: nothing.
    const d = new Date(now.getTime() - Number(dur[1]) * UNIT_MS[dur[2]!.toLowerCase()]!)
    if (Number.isFinite(d.getTime())) return d
    throw new CredctlError('USAGE', `--since ${JSON.stringify(raw)} reaches back further than any date`, { hint: 'leave --since out to see everything' })
  }
  if (/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i.test(t)) {
    const ms = Date.parse(t)
    if (Number.isFinite(ms)) return new Date(ms)
  }
  throw new CredctlError('USAGE', `--since ${JSON.stringify(raw)} is neither an ISO time nor a duration`, { hint: 'e.g. --since 2h, --since 7d, --since 2026-11-30T08:00:00Z' })
}

/** `--action` values (repeatable, comma lists), each checked against the actions credctl records. */
export function parseActions(raw: string[]): string[] {
  const out = raw.flatMap((r) => r.split(',')).map((a) => a.trim()).filter(Boolean)
  for (const a of out) {
    if (!(HISTORY_ACTIONS as readonly string[]).includes(a) && !FETCH_ACTIONS.includes(a)) {
      throw new CredctlError('USAGE', `--action ${JSON.stringify(a)} is not an action credctl records`, { hint: `one of: ${HISTORY_ACTIONS.join(', ')}` })
    }
  }
  if (out.length === 0) throw new CredctlError('USAGE', '--action needs an action', { hint: `one of: ${HISTORY_ACTIONS.join(', ')}` })
  return [...new Set(out)]
}

export async function run(f: Factory, name: string | undefined, o: HistoryOptions): Promise<Output> {
  let limit: number | undefined
  if (o.limit !== undefined) {
    limit = wholeNumber(o.limit, { min: 1 })
    if (limit === undefined) throw new CredctlError('USAGE', '--limit must be a positive integer')
  }
  const since = o.since !== undefined ? parseSince(o.since, f.now()) : undefined
  const actions = o.action !== undefined ? parseActions(o.action) : undefined
  const actors = o.actor !== undefined ? await actorsOf(f, o.actor) : undefined
  const entries = await (await f.client()).credentials.history({
    ...(name !== undefined ? { name } : {}),
    ...(limit ? { limit } : {}),
    ...(since ? { since } : {}),
    ...(actions ? { actions } : {}),
    ...(actors ? { actors } : {}),
  })
  // A team vault's entries say who (the database stamps it); a local vault's never do.
  const team = actors !== undefined || entries.some((e) => e.actor !== undefined)
  const row = (e: (typeof entries)[number]) => [e.time, e.action, e.credentials.map((c) => c.name ?? c.id ?? '?').join(', '), e.outcome, e.detail ?? '']
  return {
    json: entries,
    table: team
      ? { head: ['TIME', 'ACTOR', 'ACTION', 'CREDENTIALS', 'OUTCOME', 'DETAIL'], rows: entries.map((e) => { const r = row(e); r.splice(1, 0, e.actor ?? ''); return r }), columns: { ACTOR: { role: 'key' } } }
      : { head: ['TIME', 'ACTION', 'CREDENTIALS', 'OUTCOME', 'DETAIL'], rows: entries.map(row) },
  }
}

/**
 * `--actor WHO`: the database roles whose entries to keep. History's actor is the database role the
 * database stamped, so a member name counts as that member's db_role too. Errors: USAGE (exit 2) when
 * the vault is not a team vault (a local history has no actor). A name that is no member's is taken as a role.
 */
async function actorsOf(f: Factory, who: string): Promise<string[]> {
  const { teamApi, teamVault } = await import('../team.js')
  if (!who.trim()) throw new CredctlError('USAGE', '--actor needs a member name or database role')
  try {
    await teamVault(f, 'history --actor')
  } catch (e) {
    if (e instanceof CredctlError && e.code === 'NOT_FOUND') throw new CredctlError('USAGE', '--actor filters a team vault\'s history (a local vault records no actor)', { hint: 'credctl --vault NAME history --actor WHO; credctl vault list names the team vaults' })
    throw e
  }
  const member = (await (await teamApi(f)).members.list()).find((m) => m.member === who)
  return [...new Set([who, ...(member?.db_role ? [member.db_role] : [])])]
}
