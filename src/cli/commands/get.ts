import type { Factory } from '../factory.js'
import type { Output } from '../output.js'
import { credentialDetail } from '../render.js'

export async function run(f: Factory, name: string): Promise<Output> {
  const c = await (await f.client()).credentials.get(name)
  return { json: c, table: credentialDetail(c) }
}
