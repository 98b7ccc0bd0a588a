import { CredctlError } from '../../errors.js'
import type { Factory } from '../factory.js'
import type { Output } from '../output.js'
import { readValue, type ValueFlags } from '../value.js'
import { settingsFromFlags } from './settings.js'
import { pickCredential } from './pick.js'

export interface UpdateOptions extends ValueFlags {
  name?: string
  description?: string
  baseUrl?: string
  expires?: string
  checkUrl?: string
  authHeader?: string
  expect?: string
  tokenAuth?: string
  json?: boolean
}

export async function run(f: Factory, target: string | undefined, o: UpdateOptions): Promise<Output> {
  const client = await f.client()
  const id = target ?? (await pickCredential(f, 'Credential to update'))
  const current = await client.credentials.get(id)
  // Refused or confirmed before a new value is read: a typo should not cost the user a paste.
  const { checkBaseUrlFor } = await import('../../credentials/records.js')
  checkBaseUrlFor(current.type, current.schema_type, o.baseUrl)
  await (await import('../past-expiry.js')).confirmPastExpiry(f, o.expires, current.name)
  // '' clears a setting; an absent flag leaves it alone.
  const settingsPatch = settingsFromFlags(o)
  // `update NAME` with no flag at all, on a terminal: offer the hidden prompt for a new value (empty
  // keeps the current one). With any flag the command says what to change, and nothing is asked.
  const fields = [o.name, o.description, o.baseUrl, o.expires].some((x) => x !== undefined) || Object.keys(settingsPatch).length > 0
  const ask = f.io.canPrompt && !fields
  const value = await readValue(f, o, { optional: true, ask, for: { name: current.name, type: current.type, schemaType: current.schema_type ?? undefined } })
  if (ask && value === undefined) {
    return { json: current, notes: [`Nothing changed: ${current.name} keeps its value`] }
  }
  const patch = {
    ...(value !== undefined ? { value } : {}),
    ...(o.name !== undefined ? { name: o.name } : {}),
    ...(o.description !== undefined ? { description: o.description } : {}),
    ...(o.baseUrl !== undefined ? { base_url: o.baseUrl } : {}),
    ...(o.expires !== undefined ? { expires_at: o.expires } : {}),
    ...(Object.keys(settingsPatch).length ? { settings: settingsPatch } : {}),
  }
  if (Object.keys(patch).length === 0) {
    throw new CredctlError('USAGE', 'nothing to update: pass --value-stdin or --value-file, or one of --name, --description, --base-url, --expires, --check-url, --auth-header, --expect, --token-auth, --project, --location')
  }
  // Asked at the prompt, the user decided on what was read above: a change made meanwhile (a colleague in a
  // team vault, another process) is a conflict, not overwritten. Given by flags or stdin, nothing was shown.
  const c = await client.credentials.update(current.id, { ...patch, ...(ask ? { ifUnchangedSince: current.updated_at } : {}) })
  return { json: c, notes: [`Updated ${c.name}`] }
}
