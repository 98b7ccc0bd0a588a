import type { Factory } from '../factory.js'
import type { Output } from '../output.js'

export async function run(f: Factory): Promise<Output> {
  const s = await (await f.client()).status()
  const rows: [string, string][] = [
    ['vault', s.vault],
    ['exists', String(s.exists)],
    ['key source', s.key_source ?? '(chosen when the first credential is created)'],
    ['keychain', s.keychain.reachable ? 'reachable' : `not reachable (${s.keychain.reason})`],
    ['credentials', `${s.counts.active} active, ${s.counts.deleted} deleted, ${s.counts.defaults} defaults`],
  ]
  for (const [c, n] of Object.entries(s.counts.by_category)) rows.push([`  ${c}`, String(n)])
  if (s.error) rows.push(['problem', `${s.error.code}: ${s.error.message}`])
  return { json: s, table: { head: ['', ''], rows }, ...(s.error ? { exitCode: 4 } : {}) }
}
