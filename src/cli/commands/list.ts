import type { Factory } from '../factory.js'
import type { Output } from '../output.js'
import { credentialTable } from '../render.js'

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
  return { json: items, table: credentialTable(items, { deleted: !!o.deleted }), notes }
}
