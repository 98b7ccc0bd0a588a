import { CredctlError } from '../../errors.js'
import type { Factory } from '../factory.js'
import type { Output } from '../output.js'

export async function run(f: Factory, name: string | undefined, o: { limit?: string }): Promise<Output> {
  let limit: number | undefined
  if (o.limit !== undefined) {
    limit = Number(o.limit)
    if (!Number.isInteger(limit) || limit < 1) throw new CredctlError('USAGE', '--limit must be a positive integer')
  }
  const entries = await (await f.client()).credentials.history({ ...(name !== undefined ? { name } : {}), ...(limit ? { limit } : {}) })
  return {
    json: entries,
    table: { head: ['TIME', 'ACTION', 'NAME', 'TYPE', 'OUTCOME', 'ID'], rows: entries.map((e) => [e.time, e.action, e.name, e.type, e.outcome, e.credential_id]) },
  }
}
