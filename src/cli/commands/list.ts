import type { Factory } from '../factory.js'
import type { Output } from '../output.js'
import { credentialTable } from '../render.js'
import { expiryNotes } from '../../credentials/expiry.js'

export interface ListOptions {
  category?: string
  type?: string
  deleted?: boolean
  json?: boolean
}

export async function run(f: Factory, o: ListOptions): Promise<Output> {
  const client = await f.client()
  const items = await client.credentials.list({
    ...(o.category ? { category: o.category } : {}),
    ...(o.type ? { type: o.type } : {}),
    includeDeleted: !!o.deleted,
  })
  const notes = items.length === 0 && f.io.isStdoutTTY ? ['No credentials yet. Add one with: credctl create --help'] : []
  // Expiry: an extra last column (piped TSV keeps the earlier columns where they were) and a warning
  // line per expired or soon-expiring credential. --json stays the safe representation (expires_at).
  const now = f.now()
  const table = credentialTable(items, { deleted: !!o.deleted })
  table.head.push('EXPIRES')
  // The expiry time; the printer shows it as the dated label when piped, "in 3 days" on a terminal.
  table.rows.forEach((r, i) => r.push(items[i]!.expires_at ?? ''))
  notes.push(...expiryNotes(items, now))
  return { json: items, table, notes }
}
