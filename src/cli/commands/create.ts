import { CATEGORIES, TYPES, typeInfo, typesOf, WAREHOUSE_TYPES, type Category } from '../../credentials/catalogue.js'
import { CredctlError } from '../../errors.js'
import type { Factory } from '../factory.js'
import type { Output } from '../output.js'
import { readValue, type ValueFlags } from '../value.js'
import { settingsFromFlags } from './settings.js'

export interface CreateOptions extends ValueFlags {
  name?: string
  type?: string
  category?: string
  description?: string
  baseUrl?: string
  schemaType?: string
  default?: boolean
  expires?: string
  checkUrl?: string
  authHeader?: string
  expect?: string
  tokenAuth?: string
  json?: boolean
}

/** Ask for what is missing on a terminal; without one, name the flag. */
async function fill(f: Factory, o: CreateOptions): Promise<{ name: string; type: string; category?: string; schemaType?: string }> {
  let { name, type, category, schemaType } = o
  const need = (flag: string) => new CredctlError('USAGE', `missing ${flag} (no terminal to prompt on)`)
  if (!type) {
    if (!f.io.canPrompt) throw need('--type')
    const p = await f.prompter()
    if (!category) category = await p.select('Category', CATEGORIES.map((c) => ({ value: c })))
    type = await p.select(
      'Type',
      typesOf(category as Category).map((t) => ({ value: t.type, name: `${t.display_name} (${t.type})`, description: t.description })),
    )
  }
  if (type === 'database' && !schemaType) {
    if (!f.io.canPrompt) throw need('--schema-type (type database)')
    schemaType = await (await f.prompter()).select('Database engine', WAREHOUSE_TYPES.map((t) => ({ value: t, name: typeInfo(t)!.display_name })))
  }
  if (!name) {
    if (!f.io.canPrompt) throw need('--name')
    // Checked as soon as it is typed, with the SDK's rules (checkName and the uniqueness rule), so a
    // taken name is refused before the secret is asked; create checks again when it writes.
    const client = await f.client()
    name = await (await f.prompter()).input('Name', {
      validate: async (v) => {
        try {
          await client.credentials.checkNewName(v)
          return true
        } catch (e) {
          // A refused name is asked again with the reason; anything else (an unreadable vault) is not
          // the name's fault: accepted here, and reported by the write, which reads the vault again.
          if (e instanceof CredctlError && (e.code === 'INVALID_INPUT' || e.code === 'NAME_TAKEN')) return e.message
          return true
        }
      },
    })
  } else if (f.io.canPrompt || f.io.stdin.isTTY) {
    // The value is about to be typed (a prompt, or stdin at a terminal): a name given by flag that is
    // taken or invalid should not cost the user a paste either. Piped runs skip this read of the vault.
    await (await f.client()).credentials.checkNewName(name)
  }
  return { name, type, ...(category ? { category } : {}), ...(schemaType ? { schemaType } : {}) }
}

export async function run(f: Factory, o: CreateOptions): Promise<Output> {
  // Check the type before asking for a secret: a typo should not cost the user a paste.
  if (o.type && !TYPES.some((t) => t.type === o.type)) throw new CredctlError('INVALID_INPUT', `unknown type "${o.type}"`)
  // So is a base URL the type never reads, and a past expiry date (confirmed on a terminal).
  const { checkBaseUrlFor } = await import('../../credentials/records.js')
  if (o.type && (o.type !== 'database' || o.schemaType)) checkBaseUrlFor(o.type, o.schemaType, o.baseUrl)
  await (await import('../past-expiry.js')).confirmPastExpiry(f, o.expires, o.name)
  // Interactive when something required is missing on a terminal: then the optional questions are
  // asked too. With every flag given, nothing is asked (scripts stay scriptable on a TTY).
  const interactive = f.io.canPrompt && (!o.type || !o.name)
  const { name, type, category, schemaType } = await fill(f, o)
  // A type or engine chosen at the prompt: the same rule, still before the secret is asked for.
  checkBaseUrlFor(type, schemaType, o.baseUrl)
  const value = (await readValue(f, o, { for: { name, type, schemaType } }))!
  let description = o.description
  let makeDefault = !!o.default
  let validateNow = false
  if (interactive) {
    const p = await f.prompter()
    if (description === undefined) description = (await p.input('Description (optional)')).trim() || undefined
    // The first credential of a type becomes its default anyway: only ask when there is one already.
    const hasDefault = (await (await f.client()).credentials.list({ type })).some((c) => c.is_default)
    if (!o.default && hasDefault) makeDefault = await p.confirm(`Make it the default ${type} credential (instead of the current one)?`, { default: false })
    validateNow = await p.confirm('Validate it now against the service?', { default: true })
  }
  const client = await f.client()
  const c = await client.credentials.create({
    name,
    type,
    ...(category ? { category } : {}),
    value,
    description: description ?? null,
    base_url: o.baseUrl ?? null,
    schema_type: schemaType ?? null,
    settings: settingsFromFlags(o),
    is_default: makeDefault,
    expires_at: o.expires ?? null,
  })
  const notes = [`Created ${c.name} (${c.type}, ${c.masked_content})${c.is_default ? ', default for its type' : ''}`]
  if (validateNow) {
    try {
      const r = await client.credentials.validate(c.id)
      notes.push(`Validation: ${r.status}: ${r.message}`)
      return { json: r, notes }
    } catch (e) {
      // The credential is stored either way; a check that cannot run is reported, not fatal.
      notes.push(`Validation not run: ${(e as Error).message}`)
    }
  }
  return { json: c, notes }
}
