import type { CredentialRecord, VaultFile } from '../vault/format.js'
import { CredctlError } from '../errors.js'
import { isWellFormed } from '../lib/text.js'
import { fitField, FIELD_MAX, textProblem, type TextField } from '../vault/record-schema.js'
import { CATEGORIES, isCategory, typeInfo, typesOf } from './catalogue.js'
import { mask } from './mask.js'
import { checkServiceUrl } from '../lib/url-safety.js'

/**
 * The rules every credential obeys whichever way it arrives (create, update, import): names, base
 * URLs, expiry dates, category/type pairs; and how a name or id finds its record.
 */
const NAME_MAX = FIELD_MAX.name

/**
 * What an id looks like: a UUID, as credctl makes them. A name of that shape is refused, and an
 * imported record whose id is not one gets a fresh id, so no string is ever both a name and an id.
 */
export const ID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * Could `s` be read as an id prefix (find accepts ID_PREFIX_MIN+ characters of an id): the start of a
 * UUID's shape, hex digits with dashes where a UUID has them. A name of that shape would mean one
 * credential today and, once that credential is gone, silently another whose id starts so.
 */
export function looksLikeIdPrefix(s: string): boolean {
  const shape = 'xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx'
  if (s.length < ID_PREFIX_MIN || s.length > shape.length) return false
  return [...s].every((ch, i) => (shape[i] === '-' ? ch === '-' : /[0-9a-f]/i.test(ch)))
}

export function checkName(input: unknown): string {
  if (typeof input !== 'string' || input.trim() === '') throw new CredctlError('INVALID_INPUT', 'a name is required (--name)')
  let name: string = input
  if (name.length > NAME_MAX) throw new CredctlError('INVALID_INPUT', `name too long: at most ${NAME_MAX} characters`)
  // Control characters (newlines, escapes) would forge lines in tables, TSV and history.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\u0080-\u009f]/.test(name)) throw new CredctlError('INVALID_INPUT', 'name contains control characters (newline, tab or escape)')
  if (name !== name.trim()) throw new CredctlError('INVALID_INPUT', 'name starts or ends with whitespace')
  // Every command takes the name as an argument: one starting with "-" would be read as an option
  // (`credctl get -rf`), and shell completion would offer exactly that.
  if (name.startsWith('-')) throw new CredctlError('INVALID_INPUT', 'name starts with "-", which every command would read as an option', { hint: 'choose a name that starts with another character' })
  if (!isWellFormed(name)) throw new CredctlError('INVALID_INPUT', 'name is not valid Unicode (a lone surrogate)')
  // Invisible characters (zero-width spaces, bidi marks: Unicode's Cf class) make two names look alike;
  // U+FFFD is what the OS left of invalid UTF-8 in argv. Both are refused, naming the position.
  const bad = /[\p{Cf}\uFFFD]/u.exec(name)
  if (bad) {
    const cp = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')
    throw new CredctlError('INVALID_INPUT', `name contains an invisible or replacement character (U+${cp}) at position ${[...name.slice(0, bad.index)].length + 1}`, { hint: 'retype the name' })
  }
  // One spelling per name: "é" typed as one code point or as e + combining accent is the same name.
  name = name.normalize('NFC')
  // Dash look-alikes (U+2010, U+2212, ...) must not make a name that reads as an id either.
  const dashed = name.replace(/[\p{Pd}\u2212]/gu, '-')
  if (ID_SHAPE.test(name) || ID_SHAPE.test(dashed)) {
    throw new CredctlError('INVALID_INPUT', `name "${name}" looks like a credential id`, { hint: 'ids and names must never be confused: choose a name that is not a UUID' })
  }
  if (looksLikeIdPrefix(name) || looksLikeIdPrefix(dashed)) {
    throw new CredctlError('INVALID_INPUT', `name "${name}" could be read as the start of a credential id (${ID_PREFIX_MIN}+ hex digits)`, {
      hint: 'ids and names must never be confused: add a letter beyond a-f, or a word',
    })
  }
  return name
}

/**
 * Free text a user gives for a stored field (description, setting values): refused with exit 2 when
 * the record schema would refuse it, before anything is written. `label` names the flag.
 */
export function checkText(field: TextField, value: string, label: string): string {
  const why = textProblem(field, value) ?? (isWellFormed(value) ? undefined : 'is not valid Unicode (a lone surrogate)')
  if (why) throw new CredctlError('INVALID_INPUT', `${label} ${why}`)
  return value
}

/** A description as stored: blank means none. */
export function checkDescription(d: string | null | undefined): string | null {
  if (d === undefined || d === null || !d.trim()) return null
  return checkText('description', d, '--description')
}

/**
 * The masked form as stored: the type's mask, cut to the record schema's limit (a 60 KiB connection
 * string masks to more than a field may hold; cutting only ever hides more).
 */
export function maskedContent(type: string, value: string): string {
  return fitField('masked_content', mask(type, value))
}

export function checkBaseUrl(u: string | null | undefined): string | null {
  if (u === undefined || u === null || u === '') return null
  checkText('base_url', u, '--base-url')
  return checkServiceUrl(u, '--base-url').replace(/\/+$/, '')
}

/**
 * A base URL for a credential of `type` (tools/database: of its `schemaType`): refused with exit 2 for a
 * type whose check never reads one (the catalogue's `uses_base_url`), so a setting that changes nothing
 * is never stored. Clearing (undefined, null, '') is always allowed: a record written by an older
 * credctl may hold one. Returns the checked URL, or null.
 */
export function checkBaseUrlFor(type: string, schemaType: string | null | undefined, u: string | null | undefined): string | null {
  const url = checkBaseUrl(u)
  if (url === null) return null
  const info = typeInfo(schemaType ?? type)
  if (info && !info.uses_base_url) {
    const which = schemaType ? `type ${type} (schema_type ${schemaType})` : `type ${type}`
    const hint = type === 'api_key' ? 'an api_key is checked at its --check-url; drop --base-url' : `drop --base-url: the ${info.category === 'data_warehouse' ? 'host comes from the value itself' : 'check never reads one'}; \`credctl types --json\` lists the types that use one (uses_base_url)`
    throw new CredctlError('INVALID_INPUT', `--base-url does not apply to ${which}: nothing reads it`, { hint })
  }
  return url
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

/**
 * The one uniqueness rule of names: no two active credentials share a name, and no name is another
 * record's id (a vault written before ids and names were kept apart may hold such a record). `name` is
 * checkName's result; `self` is the id of the record being renamed. Throws NAME_TAKEN (exit 2).
 * Called at write time by create and update, under the lock, and by the interactive name prompt
 * (CredentialsApi.checkNewName) right after the name is typed.
 */
export function checkNameFree(v: VaultFile | undefined, name: string, self?: string): void {
  if (!v) return
  if (active(v).some((c) => c.name === name && c.id !== self)) {
    throw new CredctlError('NAME_TAKEN', `a credential named "${name}" already exists`, { hint: self ? 'choose another name' : 'choose another name, or update that one' })
  }
  if (v.credentials.some((c) => c.id === name && c.id !== self)) throw new CredctlError('NAME_TAKEN', `"${name}" is the id of another credential`, { hint: 'choose another name' })
}

export function findById(v: VaultFile, id: string): CredentialRecord {
  const r = v.credentials.find((c) => c.id === id)
  if (!r) throw new CredctlError('NOT_FOUND', `credential ${id} no longer exists`)
  return r
}

/** The shortest id prefix accepted as an id: the length tables show (src/cli/render.ts, like git's short hashes). */
export const ID_PREFIX_MIN = 8

/**
 * The one record a name, id or id prefix (ID_PREFIX_MIN+ characters) means. A prefix matching several
 * records, or one record's id prefix and another's name, is AMBIGUOUS like any other double meaning.
 * Ids and names never collide (checkName, import ids), but a vault
 * may still hold an active and a deleted credential of one name, two deleted ones, or (written by an
 * older credctl) a name equal to another record's id: every record the string could mean is a
 * candidate, and more than one is an AMBIGUOUS error (exit 2) listing them by id. Never a silent pick.
 * `deleted`: deleted records are candidates too (get, restore, purge, schema); otherwise only active ones.
 */
export function find<R extends Pick<CredentialRecord, 'id' | 'name'> & { deleted_at?: string | null | undefined } = CredentialRecord>(
  v: { credentials: R[] } | undefined,
  idOrName: string,
  opts: { deleted?: boolean } = {},
): R {
  if (typeof idOrName !== 'string' || idOrName === '') throw new CredctlError('USAGE', 'a credential name or id is required')
  const all = v?.credentials ?? []
  const nfc = idOrName.normalize('NFC') // names are stored NFC (checkName)
  // An id prefix of ID_PREFIX_MIN+ characters stands for the id (tables show ids that short); hex is
  // case-insensitive. Shorter strings are names only, so a short name never turns into an id.
  const prefix = idOrName.length >= ID_PREFIX_MIN ? idOrName.toLowerCase() : undefined
  const matches = all.filter((c) => c.id === idOrName || c.name === idOrName || c.name === nfc || (prefix !== undefined && c.id.toLowerCase().startsWith(prefix)))
  const candidates = opts.deleted ? matches : matches.filter((c) => !c.deleted_at)
  if (candidates.length === 1) return candidates[0]!
  if (candidates.length > 1) {
    const list = candidates.map((c) => `${c.id} (${c.name === idOrName || c.name === nfc ? `"${c.name}"` : `id; named "${c.name}"`}${c.deleted_at ? ', deleted' : ''})`).join(', ')
    throw new CredctlError('AMBIGUOUS', `"${idOrName}" matches ${candidates.length} credentials: ${list}`, {
      hint: 'name the one you mean by its id',
    })
  }
  const deletedOnly = matches.length > 0
  throw new CredctlError('NOT_FOUND', `no credential named "${idOrName}"${deletedOnly ? ' (it is deleted; `credctl restore` brings it back)' : ''}`, {
    hint: 'see `credctl list`',
  })
}
