import type { CredentialRecord, VaultFile } from '../vault/format.js'
import { CredctlError } from '../errors.js'
import { CATEGORIES, isCategory, typeInfo, typesOf } from './catalogue.js'
import { checkServiceUrl } from './urls.js'

/**
 * The rules every credential obeys whichever way it arrives (create, update, import): names, base
 * URLs, expiry dates, category/type pairs; and how a name or id finds its record.
 */
const NAME_MAX = 200

export function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '') throw new CredctlError('INVALID_INPUT', 'a name is required (--name)')
  if (name.length > NAME_MAX) throw new CredctlError('INVALID_INPUT', `name too long: at most ${NAME_MAX} characters`)
  // Control characters (newlines, escapes) would forge lines in tables, TSV and history.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\u0080-\u009f]/.test(name)) throw new CredctlError('INVALID_INPUT', 'name contains control characters (newline, tab or escape)')
  if (name !== name.trim()) throw new CredctlError('INVALID_INPUT', 'name starts or ends with whitespace')
  return name
}

export function checkBaseUrl(u: string | null | undefined): string | null {
  if (u === undefined || u === null || u === '') return null
  return checkServiceUrl(u, '--base-url').replace(/\/+$/, '')
}

export function checkExpiry(x: string | null | undefined): string | null {
  if (x === undefined || x === null || x === '') return null
  const t = /^\d{4}-\d{2}-\d{2}$/.test(x) ? Date.parse(`${x}T00:00:00Z`) : NaN
  // Date.parse rolls impossible days over (2027-02-30 -> March 2): the date must come back unchanged.
  if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 10) !== x) {
    throw new CredctlError('INVALID_INPUT', `invalid expiry ${JSON.stringify(x.slice(0, 40))}: expected a real date, YYYY-MM-DD`)
  }
  return new Date(t).toISOString()
}

/** Resolve --category/--type into a valid pair; a mismatch lists the valid pairs. */
export function resolveCategory(type: string | undefined, category: string | undefined): { type: string; category: string } {
  if (!type) throw new CredctlError('INVALID_INPUT', 'a type is required (--type); see `credctl types`')
  const info = typeInfo(type)
  if (!info) throw new CredctlError('INVALID_INPUT', `unknown type "${type}"; see \`credctl types\` for the list`)
  if (category !== undefined && category !== info.category) {
    if (!isCategory(category)) throw new CredctlError('INVALID_INPUT', `unknown category "${category}": one of ${CATEGORIES.join(', ')}`)
    const pairs = typesOf(category).map((t) => t.type).join(', ')
    throw new CredctlError('INVALID_INPUT', `type ${type} belongs to category ${info.category}, not ${category} (${category} has: ${pairs})`)
  }
  return { type, category: info.category }
}

export const active = (v: VaultFile) => v.credentials.filter((c) => c.deleted_at === null)

export function findById(v: VaultFile, id: string): CredentialRecord {
  const r = v.credentials.find((c) => c.id === id)
  if (!r) throw new CredctlError('NOT_FOUND', `credential ${id} no longer exists`)
  return r
}

/** A record by id, or by name (an active one first; with `deleted`, a deleted one too). */
export function find(v: VaultFile | undefined, idOrName: string, opts: { deleted?: boolean; preferDeleted?: boolean } = {}): CredentialRecord {
  if (typeof idOrName !== 'string' || idOrName === '') throw new CredctlError('USAGE', 'a credential name or id is required')
  const all = v?.credentials ?? []
  const byId = all.find((c) => c.id === idOrName)
  if (byId && (byId.deleted_at === null || opts.deleted)) return byId
  const live = all.find((c) => c.deleted_at === null && c.name === idOrName)
  const gone = opts.deleted ? all.filter((c) => c.deleted_at !== null && c.name === idOrName).pop() : undefined
  const hit = opts.preferDeleted ? (gone ?? live) : (live ?? gone)
  if (hit) return hit
  const deletedOnly = !opts.deleted && all.some((c) => c.deleted_at !== null && (c.name === idOrName || c.id === idOrName))
  throw new CredctlError('NOT_FOUND', `no credential named "${idOrName}"${deletedOnly ? ' (it is deleted; `credctl restore` brings it back)' : ''}`, {
    hint: 'see `credctl list`',
  })
}
