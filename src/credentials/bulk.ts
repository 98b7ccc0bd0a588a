import { randomUUID } from 'node:crypto'
import { redactSecrets } from '../checks/redact.js'
import { CredctlError } from '../errors.js'
import { aadFor, seal } from '../vault/cipher.js'
import type { CredentialRecord, VaultFile } from '../vault/format.js'
import type { ImportItem, ImportOptions, ImportReport, SchemaDoc } from './types.js'
import { checkBaseUrl, checkDescription, checkExpiry, checkName, ID_SHAPE, maskedContent, resolveCategory } from './records.js'
import { isSettingKey, ISO_TIME } from '../vault/record-schema.js'
import { remoteText } from '../lib/text.js'
import { normalisePartial, normaliseSchema } from './schema-text.js'
import type { Vault } from './vault-session.js'
import { WAREHOUSE_TYPES } from './catalogue.js'
import { entryFor, type HistoryEntry } from './history.js'
import { checkValue } from './input.js'
import { checkSettings } from './settings.js'
import { toView } from './view.js'

// The import shapes are public (importMany, importBundle): they live in types.ts.
export type { ImportItem, ImportOptions, ImportReport } from './types.js'

const ISO = ISO_TIME

interface Checked {
  item: ImportItem
  name: string
  type: string
  category: string
  schemaType: string | null
  value: string
  base_url: string | null
  expires_at: string | null
  settings: Record<string, string>
  description: string | null
  /** The bundle's schema, normalised as remote text; undefined when absent or malformed. */
  schema: SchemaDoc | undefined
}

function bundleSchema(doc: SchemaDoc | undefined): SchemaDoc | undefined {
  if (!doc || typeof doc.updated_at !== 'string' || !ISO.test(doc.updated_at) || !Array.isArray(doc.tables)) return undefined
  try {
    const partial = normalisePartial(doc.partial)
    // A schema exported stale stays stale: it describes what the value reached before a change.
    const stale = typeof doc.stale_since === 'string' && ISO.test(doc.stale_since) ? { stale_since: doc.stale_since } : {}
    return { updated_at: doc.updated_at, tables: normaliseSchema(doc.tables), ...(partial ? { partial } : {}), ...stale }
  } catch {
    return undefined // not a schema: dropped (has_schema false), `credctl discover` rebuilds it
  }
}

function check(item: ImportItem): Checked {
  const name = checkName(item.name)
  const { type, category } = resolveCategory(item.type, item.category)
  let schemaType: string | null = null
  if (type === 'database') {
    if (!item.schema_type || !WAREHOUSE_TYPES.includes(item.schema_type)) throw new CredctlError('INVALID_INPUT', 'type database needs a schema_type')
    schemaType = item.schema_type
  } else if (item.schema_type) throw new CredctlError('INVALID_INPUT', 'schema_type applies only to type database')
  const value = checkValue(type, item.value, schemaType ?? undefined, { exact: !!item.exact })
  const base_url = checkBaseUrl(item.base_url ?? null)
  const expires_at = item.expires_at && ISO.test(item.expires_at) ? item.expires_at : checkExpiry(item.expires_at ?? null)
  const settings: Record<string, string> = {}
  for (const [k, v] of Object.entries(item.settings ?? {})) {
    if (!isSettingKey(k) || typeof v !== 'string') throw new CredctlError('INVALID_INPUT', 'malformed setting')
    settings[k] = v
  }
  // The same rules as create: a bundle cannot bring a plain-http check URL with it.
  checkSettings(type, schemaType, settings)
  const description = checkDescription(typeof item.description === 'string' ? item.description : null)
  return { item, name, type, category, schemaType, value, base_url, expires_at, settings, description, schema: bundleSchema(item.schema) }
}

/** The name an item gets in `v`: its own, a free `NAME (n)` with rename, or undefined (skip). */
function freeName(taken: Set<string>, name: string, rename: boolean): string | undefined {
  if (!taken.has(name)) return name
  if (!rename) return undefined
  for (let n = 2; n < 10_000; n++) {
    const suffix = ` (${n})`
    const candidate = `${name.slice(0, 200 - suffix.length).trimEnd()}${suffix}`
    if (!taken.has(candidate)) return candidate
  }
  return undefined
}

interface Decision {
  c: Checked
  name: string
  id: string
  is_default: boolean
}

/** Decide names, ids and defaults against the current vault (pure: run again under the lock). */
function decide(v: VaultFile | undefined, checked: Checked[], rename: boolean, skipped: ImportReport['skipped']): Decision[] {
  const live = (v?.credentials ?? []).filter((c) => c.deleted_at === null)
  const taken = new Set(live.map((c) => c.name))
  const ids = new Set((v?.credentials ?? []).map((c) => c.id))
  // No id may equal a name and no name an id (DESIGN 2): an imported id must be a UUID no record here
  // uses as id or name (in any letter case: a UUID is case-insensitive), lowercase as credctl writes
  // them; anything else gets a fresh one. A name equal to an existing id is skipped.
  const allNames = new Set((v?.credentials ?? []).map((c) => c.name))
  const hasDefault = new Set(live.filter((c) => c.is_default).map((c) => c.type))
  const out: Decision[] = []
  for (const c of checked) {
    if (ids.has(c.name)) {
      skipped.push({ source: c.item.source, name: c.name, reason: 'the name is the id of a credential in this vault' })
      continue
    }
    const name = freeName(taken, c.name, rename)
    if (name === undefined) {
      skipped.push({ source: c.item.source, name: c.name, reason: 'a credential with this name already exists (use --rename to import it under another name)' })
      continue
    }
    taken.add(name)
    const wanted = c.item.id
    const id = wanted && ID_SHAPE.test(wanted) && wanted === wanted.toLowerCase() && ![...ids].some((x) => x.toLowerCase() === wanted) && !allNames.has(wanted) && !checked.some((o) => o.name === wanted) ? wanted : randomUUID()
    ids.add(id)
    const is_default = c.item.is_default !== false && !hasDefault.has(c.type)
    if (is_default) hasDefault.add(c.type)
    out.push({ c, name, id, is_default })
  }
  return out
}

function record(d: Decision, vaultId: string, key: Buffer, now: string): CredentialRecord {
  const { c } = d
  const it = c.item
  const keepValidation = typeof it.is_valid === 'boolean' && !!it.validated_at && ISO.test(it.validated_at)
  return {
    id: d.id,
    name: d.name,
    type: c.type,
    category: c.category,
    description: c.description,
    schema_type: c.schemaType,
    base_url: c.base_url,
    settings: c.settings,
    masked_content: maskedContent(c.schemaType ?? c.type, c.value),
    is_default: d.is_default,
    is_valid: keepValidation ? it.is_valid! : null,
    validated_at: keepValidation ? it.validated_at! : null,
    // Text from a bundle is remote text: normalised like a provider's message.
    validation_message: keepValidation && typeof it.validation_message === 'string' ? remoteText(it.validation_message, 500) : null,
    has_schema: !!c.schema,
    schema_updated_at: c.schema?.updated_at ?? null,
    ...(c.schema?.stale_since ? { schema_stale_since: c.schema.stale_since } : {}),
    expires_at: c.expires_at,
    created_at: it.created_at && ISO.test(it.created_at) ? it.created_at : now,
    updated_at: now,
    deleted_at: null,
    secret: seal(key, c.value, aadFor(vaultId, d.id, 'value')),
  }
}

export async function importItems(vault: Vault, items: ImportItem[], opts: ImportOptions = {}): Promise<ImportReport> {
  const skipped: ImportReport['skipped'] = []
  const checked: Checked[] = []
  for (const item of items) {
    try {
      checked.push(check(item))
    } catch (e) {
      if (!(e instanceof CredctlError)) throw e
      // Input errors are written not to quote the value; the one redaction function makes sure, partial
      // echoes included (a reason is printed and may be kept in CI logs).
      skipped.push({ source: item.source, name: String(item.name), reason: redactSecrets(e.message, [String(item.value ?? '')]) })
    }
  }
  const rename = !!opts.rename
  const current = await vault.read()
  const previewSkips: ImportReport['skipped'] = []
  const preview = decide(current, checked, rename, previewSkips)
  // A dry run, or nothing to create (everything clashes or was skipped): no key, no write.
  const blocked = !!opts.allOrNothing && skipped.length + previewSkips.length > 0
  if (opts.dryRun || preview.length === 0 || blocked) {
    const ds = preview
    const now = vault.now().toISOString()
    return {
      // Blocked (all or nothing): what would have been created, for the report, as in a dry run.
      created: opts.dryRun || blocked
        ? ds.map((d) => ({
            source: d.c.item.source,
            credential: toView({ ...record(d, 'preview', Buffer.alloc(32), now), secret: '' }),
            ...(d.name !== d.c.name ? { renamed_from: d.c.name } : {}),
          }))
        : [],
      skipped: [...skipped, ...previewSkips],
      dry_run: !!opts.dryRun,
      ...(blocked ? { blocked: true } : {}),
    }
  }
  const action = opts.action ?? 'import'
  const result = await vault.mutate(
    async (v, key, now) => {
      const lockSkips: ImportReport['skipped'] = []
      const ds = decide(v, checked, rename, lockSkips)
      // A name taken between the preview and the lock: all or nothing still means nothing.
      if (opts.allOrNothing && lockSkips.length > 0) {
        const s = lockSkips[0]!
        throw new CredctlError('NAME_TAKEN', `${s.source}: ${s.reason}; nothing was imported`)
      }
      const recs = ds.map((d, i) => {
        opts.onProgress?.(i, ds.length)
        return record(d, v.vault_id, key, now)
      })
      opts.onProgress?.(recs.length, recs.length)
      for (const r of recs) if (r.is_default) for (const c of v.credentials) if (c.type === r.type && c.is_default) c.is_default = false
      v.credentials.push(...recs)
      // One import is one action: one entry listing every credential it created (issue 12, point 8).
      const history: HistoryEntry[] = recs.length ? [entryFor(recs, action, 'ok', now, [opts.detail, ds.map((d) => d.c.item.source).filter(Boolean).join(', ')].filter(Boolean).join(': '))] : []
      return {
        result: {
          created: recs.map((r, i) => ({ source: ds[i]!.c.item.source, credential: toView(r), ...(r.name !== ds[i]!.c.name ? { renamed_from: ds[i]!.c.name } : {}) })),
          lockSkips,
          schemas: recs.map((r, i) => ({ id: r.id, schema: ds[i]!.c.schema })),
        },
        history,
      }
    },
    { create: true },
  )
  for (const s of result.schemas) {
    // Schemas are non-secret metadata beside the vault; a failed write leaves has_schema pointing at
    // nothing, which `credctl schema` reports with a hint to rediscover.
    if (s.schema) await vault.writeSchema(s.id, s.schema).catch(() => {})
  }
  return { created: result.created, skipped: [...skipped, ...result.lockSkips], dry_run: false }
}
