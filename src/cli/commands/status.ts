import type { Factory } from '../factory.js'
import type { Output } from '../output.js'
import { EXPIRY_WARNING_DAYS, expiryNotes, expiryWarnings } from '../../credentials/expiry.js'

export async function run(f: Factory): Promise<Output> {
  const s = await (await f.client()).status()
  const rows: [string, string][] = [
    ['vault', s.vault],
    ['exists', String(s.exists)],
    ['key source', s.key_source ?? (s.exists ? '(unknown: the vault cannot be read)' : '(chosen when the first credential is created)')],
    ['keychain', s.keychain.reachable ? 'reachable' : `not reachable (${s.keychain.reason})`],
    ['credentials', `${s.counts.active} active, ${s.counts.deleted} deleted, ${s.counts.defaults} defaults`],
  ]
  for (const [c, n] of Object.entries(s.counts.by_category)) rows.push([`  ${c}`, String(n)])
  if (s.integrity) rows.push(['integrity', s.integrity.status === 'ok' ? 'ok (the key opens the vault; no change made outside credctl)' : `${s.integrity.status}${s.integrity.reason ? ` (${s.integrity.reason})` : ''}`])
  if (s.error) rows.push(['problem', `${s.error.code}: ${s.error.message}`])
  // Expiry needs only the metadata (no key); a damaged vault is already reported above.
  let expiry: { expired: string[]; expiring: string[]; within_days: number } | undefined
  let notes: string[] = []
  if (s.exists && !s.error) {
    const items = await (await f.client()).credentials.list().catch(() => undefined)
    if (items) {
      const w = expiryWarnings(items, f.now())
      expiry = { expired: w.expired.map((c) => c.name), expiring: w.expiring.map((c) => c.name), within_days: EXPIRY_WARNING_DAYS }
      rows.push(['expiry', `${w.expired.length} expired, ${w.expiring.length} expiring within ${EXPIRY_WARNING_DAYS} days`])
      notes = expiryNotes(items, f.now())
    }
  }
  return { json: expiry ? { ...s, expiry } : s, table: { head: ['', ''], rows }, notes, ...(s.error ? { exitCode: 4 } : {}) }
}
