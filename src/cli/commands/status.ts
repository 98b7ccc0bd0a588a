import type { Factory } from '../factory.js'
import type { Output } from '../output.js'
import type { VaultStatus } from '../../credentials/client.js'
import { SOURCES } from '../../keys/index.js'
import { truncateText } from '../../lib/width.js'
import { expiryNotes } from '../../credentials/expiry.js'
import { otherSources } from '../../keys/index.js'

export async function run(f: Factory): Promise<Output> {
  const s = await (await f.client()).status()
  const rows: [string, string][] = [
    ['vault', s.vault],
    ['exists', String(s.exists)],
    ...(s.format !== undefined ? [['format', s.format === 2 ? `2 (sequence ${s.sequence})` : '1 (rewritten as 2 by the next change)'] as [string, string]] : []),
    ['key source', s.key_source ?? (s.exists ? '(unknown: the vault cannot be read)' : `(chosen when the first credential is created${s.new_key_source ? `: ${s.new_key_source}` : ''}${newVaultBlocked(s) ? `; the keychain is not reachable: ${otherSources('keychain')} first` : ''})`)],
    ['keychain', keychainLine(s)],
    ['credentials', `${s.counts.active} active, ${s.counts.deleted} deleted, ${s.counts.defaults} defaults`],
  ]
  for (const [c, n] of Object.entries(s.counts.by_category)) rows.push([`  ${c}`, String(n)])
  if (s.integrity) rows.push(['integrity', s.integrity.status === 'ok' ? 'ok (the key opens the vault; no change made outside credctl)' : `${s.integrity.status}${s.integrity.reason ? ` (${s.integrity.reason})` : ''}`])
  if (s.error) rows.push(['problem', `${s.error.code}: ${s.error.message}`])
  // Expiry needs only the metadata (no key); a damaged vault is already reported above.
  let expiry: { expired: string[]; expiring: string[]; within_days: number } | undefined
  let notes: string[] = []
  if (s.exists && !s.error) {
    const w = await (await f.client()).credentials.expiry().catch(() => undefined)
    if (w) {
      expiry = { expired: w.expired.map((c) => c.name), expiring: w.expiring.map((c) => c.name), within_days: w.within_days }
      rows.push(['expiry', `${w.expired.length} expired, ${w.expiring.length} expiring within ${w.within_days} days`])
      notes = expiryNotes([...w.expired, ...w.expiring], f.now())
    }
  }
  return { json: expiry ? { ...s, expiry } : s, table: { head: ['', ''], rows }, notes, ...(s.error ? { exitCode: 4 } : {}) }
}

/** Where a source keeps its key, in a few words, from the key-source list. */
const placeOf = (source: string | null | undefined): string | null | undefined =>
  source && Object.hasOwn(SOURCES, source) ? SOURCES[source as keyof typeof SOURCES].place : source

/**
 * The keychain row: one short sentence (issue 12). The full reason stays in `status --json`
 * (keychain.reason); the row names the usual causes in a few words, else the reason's last clause, cut.
 */
/** A vault not created yet whose first write would need the keychain, which is not reachable here. */
const newVaultBlocked = (s: Pick<VaultStatus, 'exists' | 'new_key_source' | 'keychain'>): boolean =>
  !s.exists && s.new_key_source === 'keychain' && s.keychain.used && !s.keychain.reachable

export function keychainLine(s: Pick<VaultStatus, 'keychain' | 'key_source' | 'new_key_source'>): string {
  if (!s.keychain.used) {
    return s.key_source
      ? `not used (this vault's key is in ${placeOf(s.key_source)})`
      : `not used (a new vault's key will be in ${placeOf(s.new_key_source)})`
  }
  if (s.keychain.reachable) return 'reachable'
  const r = s.keychain.reason ?? ''
  const why = /dbus|secret.?service|org\.freedesktop\.secrets/i.test(r)
    ? 'no Secret Service on the session bus'
    : /did not answer within/.test(r)
      ? 'it did not answer in time'
      : /not installed/.test(r)
        ? 'the keyring module is not installed'
        : /locked/i.test(r)
          ? 'it is locked'
          : truncateText(r.split(': ').pop() ?? r, 50)
  return `not reachable (${why})`
}
