import { CredctlError } from '../../errors.js'
import { CATEGORIES, TYPES, isCategory } from '../../credentials/catalogue.js'
import type { Factory } from '../factory.js'
import type { Output } from '../output.js'

export async function run(_f: Factory, o: { category?: string }): Promise<Output> {
  if (o.category !== undefined && !isCategory(o.category)) throw new CredctlError('INVALID_INPUT', `unknown category "${o.category}": one of ${CATEGORIES.join(', ')}`)
  const list = TYPES.filter((t) => o.category === undefined || t.category === o.category)
  const json = list.map((t) => ({
    type: t.type,
    category: t.category,
    display_name: t.display_name,
    description: t.description,
    env: [...t.env],
    base_url_env: [...t.base_url_env],
    uses_base_url: t.uses_base_url,
    ...(t.note ? { note: t.note } : {}),
  }))
  return {
    json,
    table: {
      head: ['TYPE', 'CATEGORY', 'NAME', 'DESCRIPTION', 'ENV', 'BASE URL ENV'],
      rows: list.map((t) => [t.type, t.category, t.display_name, t.note ? `${t.description}. ${t.note}` : t.description, t.env.join(','), t.base_url_env.join(',')]),
    },
  }
}
