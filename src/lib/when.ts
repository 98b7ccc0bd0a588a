/**
 * A time relative to now, for a terminal: "2 hours ago", "in 3 days", as gh shows times
 * (cli/cli pkg/text FuzzyAgo). Whole units, rounded down, the largest that is at least 1: minutes under
 * an hour, hours under a day, days under 30, months (30 days) under a year, then years. Under a minute is
 * "just now" (or "in less than a minute"). Piped output and --json keep ISO times; this is display only.
 *
 * @example relativeTime(Date.parse('2026-01-01T10:00:00Z'), Date.parse('2026-01-01T12:30:00Z')) // "2 hours ago"
 */
export function relativeTime(at: number, now: number): string {
  const past = at <= now
  const s = Math.abs(now - at) / 1000
  if (s < 60) return past ? 'just now' : 'in less than a minute'
  const [n, unit] =
    s < 3600 ? [s / 60, 'minute'] : s < 86_400 ? [s / 3600, 'hour'] : s < 30 * 86_400 ? [s / 86_400, 'day'] : s < 365 * 86_400 ? [s / (30 * 86_400), 'month'] : [s / (365 * 86_400), 'year']
  const k = Math.floor(n)
  const phrase = `${k} ${unit}${k === 1 ? '' : 's'}`
  return past ? `${phrase} ago` : `in ${phrase}`
}

/** An ISO 8601 time as credctl stores them (`2026-01-31T12:00:00.000Z`); anything else is not a time. */
export function parseIsoTime(s: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(s)) return undefined
  const t = Date.parse(s)
  return Number.isNaN(t) ? undefined : t
}
