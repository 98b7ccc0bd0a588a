import { CredctlError, EXIT } from '../../errors.js'
import type { ValidationResult, ValidateProgress } from '../../credentials/client.js'
import type { Factory } from '../factory.js'
import type { Output } from '../output.js'
import { timeoutMs } from '../timeout.js'
import { startProgress } from '../progress.js'
import { truncateText } from '../../lib/width.js'
import { VALIDATE_LIMITS } from '../../checks/target.js'
import { wholeNumber } from '../../lib/strict.js'

export interface ValidateOptions {
  all?: boolean
  category?: string
  type?: string
  timeout?: string
  concurrency?: string
  perHost?: string
  json?: boolean
}

/** A count flag: a whole number from 1 to `max`, `dflt` when absent; anything else is exit 2. */
function positive(flag: string, raw: string | undefined, dflt: number, max: number): number {
  if (raw === undefined) return dflt
  const n = wholeNumber(raw, { min: 1, max })
  if (n === undefined) throw new CredctlError('USAGE', `${flag} must be a positive whole number of at most ${max}`)
  return n
}

/**
 * 0 all valid/restricted, 1 any invalid or exhausted (or a check error), 5 none of those but some
 * unreachable/timed out.
 */
export function exitCodeFor(results: Pick<ValidationResult, 'status'>[]): number {
  if (results.some((r) => r.status === 'invalid' || r.status === 'exhausted' || r.status === 'error')) return EXIT.checkFailed
  if (results.some((r) => r.status === 'unreachable' || r.status === 'timeout')) return EXIT.unreachable
  return EXIT.ok
}

export async function run(f: Factory, names: string[], o: ValidateOptions): Promise<Output> {
  const timeout = timeoutMs(o.timeout, 10)
  const concurrency = positive('--concurrency', o.concurrency, VALIDATE_LIMITS.concurrency, VALIDATE_LIMITS.max)
  const perHost = positive('--per-host', o.perHost, VALIDATE_LIMITS.perHost, VALIDATE_LIMITS.max)
  // --category/--type select a set as --all does, so either implies --all (issue 12, point 9). With names
  // they are refused rather than used as a filter: a named credential silently left out would look checked.
  const all = o.all || o.category !== undefined || o.type !== undefined
  if (names.length && all) throw new CredctlError('USAGE', 'give credential names or --all/--category/--type, not both')
  if (!names.length && !all) throw new CredctlError('USAGE', 'name the credentials to validate, or pass --all (or --category/--type)')
  const client = await f.client()
  let ids = names
  if (all) {
    ids = (await client.credentials.list({ ...(o.category ? { category: o.category } : {}), ...(o.type ? { type: o.type } : {}) })).map((c) => c.id)
    if (ids.length === 0) throw new CredctlError('NO_CHECK', 'nothing to validate: no credentials match')
  }
  // On a terminal only: without one (CI logs, pipes) nothing is printed until the results.
  let running: ValidateProgress['running'] = []
  const progress = ids.length > 1 ? startProgress(f.io, 'validating', { detail: () => slowest(running, Date.now()) }) : undefined
  const onProgress = (done: number, total: number, now: ValidateProgress['running']) => {
    running = now
    progress?.update(done, total)
  }
  // Several credentials: one with nothing to check is skipped and reported, not a reason to check none.
  const skipped: string[] = []
  const onSkip = ids.length > 1 ? (c: { name: string }, reason: string) => void skipped.push(`skipped ${c.name}: ${reason}`) : undefined
  let results: ValidationResult[]
  try {
    results = await client.credentials.validateMany(ids, { timeoutMs: timeout, concurrency, perHost, ...(progress ? { onProgress } : {}), ...(onSkip ? { onSkip } : {}) })
  } finally {
    progress?.stop()
  }
  if (results.length === 0) throw new CredctlError('NO_CHECK', `nothing to validate: none of the ${ids.length} credentials has a check`)
  for (const line of skipped) f.warn(line)
  return {
    json: names.length === 1 && !o.all ? results[0] : results,
    table: {
      head: ['NAME', 'TYPE', 'STATUS', 'MESSAGE', 'TIME'],
      rows: results.map((r) => [r.name, r.type, r.status, r.message, `${(r.duration_ms / 1000).toFixed(2)}s`]),
      // TIME here is how long the check took (not a time of day): the first to go on a narrow terminal.
      columns: { TIME: { kind: 'text', priority: 30 } },
    },
    exitCode: exitCodeFor(results),
  }
}

/** The check running longest (the one a user waits for) and its time so far: "slowest: NAME (3.1 s)". */
export function slowest(running: ValidateProgress['running'], now: number): string {
  const first = running.reduce<ValidateProgress['running'][number] | undefined>((a, r) => (!a || r.started < a.started ? r : a), undefined)
  if (!first) return ''
  return `slowest: ${truncateText(first.name, 40)} (${((now - first.started) / 1000).toFixed(1)} s)`
}
