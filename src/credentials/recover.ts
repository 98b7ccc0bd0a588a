import { CredctlError } from '../errors.js'
import { aadFor, open } from '../vault/cipher.js'
import { FormatError, parseKeyHeader, type VaultFile } from '../vault/format.js'
import { opensCheck } from '../keys/index.js'
import { isIsoTime, isJsonObject, type JsonObject } from '../lib/strict.js'
import { isSettingKey, STORED_ID } from '../vault/record-schema.js'
import type { BundleEntry } from './bundle.js'
import { typeInfo, WAREHOUSE_TYPES } from './catalogue.js'
import { checkBaseUrl, checkDescription, checkName, ID_SHAPE } from './records.js'
import { checkSettings } from './settings.js'

/**
 * `credctl recover`: get the values out of a vault that no longer opens (a damaged file, an edit made
 * outside credctl, a record an older credctl wrote that today's reader refuses). Explicit, never
 * automatic, and it never writes the vault: it reads the file as leniently as it can, loads the key
 * through the header's key source, and keeps every record whose ciphertext still authenticates
 * (AES-GCM with the vault id and record id as associated data, so a value is only ever paired with
 * the record it was sealed for). The metadata MAC is NOT checked: that is what failed. Names, types and
 * settings are taken from the file where they pass today's input rules, so they are unauthenticated:
 * the report says so.
 */
export interface RecoverReport {
  entries: BundleEntry[]
  recovered: { id: string; name: string; notes: string[] }[]
  failed: { id: string; name: string; reason: string }[]
  /** Records whose value authenticates but that were soft-deleted: left out, like export does. */
  deleted: { id: string; name: string }[]
  /** What is wrong with the file beyond single records (cut short, key check damaged): said, never silent. */
  warnings: string[]
}

type Obj = JsonObject
const isObj = isJsonObject

/**
 * Every JSON object in `text` that parses on its own, outermost first: what is left of a file whose
 * JSON as a whole is broken (truncated, a stray byte). A string-aware brace scan; quadratic only in
 * nesting, which a vault keeps shallow.
 */
export function salvageObjects(text: string): Obj[] {
  const out: Obj[] = []
  const starts: number[] = []
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]
    if (inString) {
      if (ch === '\\') i++
      else if (ch === '"') inString = false
    } else if (ch === '"') inString = true
    else if (ch === '{') starts.push(i)
    else if (ch === '}' && starts.length) {
      const s = starts.pop()!
      try {
        const o = JSON.parse(text.slice(s, i + 1)) as unknown
        if (isObj(o)) out.push(o)
      } catch {
        /* not a whole object */
      }
    }
  }
  return out
}

function candidateRecords(raw: unknown, text: string): Obj[] {
  // Format 1 lists record objects; format 2 lists [id, revision, mac, record] (store/file-format.ts).
  if (isObj(raw) && Array.isArray(raw.credentials)) {
    return raw.credentials.map((c: unknown) => (Array.isArray(c) && c.length === 4 ? c[3] : c)).filter(isObj)
  }
  return salvageObjects(text).filter((o) => typeof o.id === 'string' && typeof o.secret === 'string')
}

function header(raw: unknown, text: string, env: NodeJS.ProcessEnv): Pick<VaultFile, 'vault_id' | 'key'> {
  let vaultId: unknown = isObj(raw) ? raw.vault_id : undefined
  let key: unknown = isObj(raw) ? raw.key : undefined
  if (vaultId === undefined) vaultId = /"vault_id"\s*:\s*"([A-Za-z0-9_-]{8,64})"/.exec(text)?.[1]
  if (key === undefined) key = salvageObjects(text).find((o) => typeof o.source === 'string' && typeof o.check === 'string')
  if (typeof vaultId !== 'string' || !STORED_ID.test(vaultId)) {
    throw new CredctlError('VAULT_DAMAGED', 'cannot recover: the vault id is missing or damaged, and every value is bound to it')
  }
  try {
    return { vault_id: vaultId, key: parseKeyHeader(key) }
  } catch (e) {
    if (!(e instanceof FormatError)) throw e
    // A damaged header no longer says where the key is. With CREDCTL_MASTER_KEY set, try that key on the
    // records (each still authenticates or not on its own); the other sources need the header's data.
    if (env.CREDCTL_MASTER_KEY) return { vault_id: vaultId, key: { source: 'env', check: '' } }
    throw new CredctlError('VAULT_DAMAGED', `cannot recover: the key header is damaged (${e.message}), so the key cannot be found`, {
      hint: 'if you have the key as base64, set CREDCTL_MASTER_KEY and run recover again',
    })
  }
}

/** A record's metadata as today's rules accept it; what they refuse is replaced and noted. */
function entryOf(o: Obj, id: string, value: string): { entry: BundleEntry; notes: string[] } {
  const notes: string[] = []
  const tryOr = <T>(what: string, f: () => T, fallback: T): T => {
    try {
      return f()
    } catch {
      notes.push(what)
      return fallback
    }
  }
  const name = tryOr('name replaced (the stored one is not valid today)', () => checkName(o.name), `recovered ${id.replace(/[^A-Za-z0-9-]/g, '').slice(0, 8) || 'credential'}`)
  let type = typeof o.type === 'string' && typeInfo(o.type) ? o.type : undefined
  if (!type) {
    notes.push('unknown type: recovered as api_key')
    type = 'api_key'
  }
  const schemaType = type === 'database' && typeof o.schema_type === 'string' && WAREHOUSE_TYPES.includes(o.schema_type) ? o.schema_type : null
  const description = tryOr('description dropped', () => checkDescription(typeof o.description === 'string' ? o.description : null), null)
  const base_url = tryOr('base URL dropped', () => checkBaseUrl(typeof o.base_url === 'string' ? o.base_url : null), null)
  const settings: Record<string, string> = {}
  if (isObj(o.settings)) {
    for (const [k, v] of Object.entries(o.settings)) {
      if (!isSettingKey(k) || typeof v !== 'string') continue
      tryOr(`setting ${k} dropped`, () => {
        checkSettings(type!, schemaType, { [k]: v })
        settings[k] = v
      }, undefined)
    }
  }
  const time = (x: unknown) => (isIsoTime(x) ? x : null)
  const now = new Date().toISOString()
  return {
    entry: {
      id,
      name,
      type,
      category: typeInfo(type)!.category,
      description,
      schema_type: schemaType,
      base_url,
      settings,
      expires_at: time(o.expires_at),
      is_default: o.is_default === true,
      // A verdict is not carried over: it is unauthenticated, and cheap to get again with validate.
      is_valid: null,
      validated_at: null,
      validation_message: null,
      created_at: time(o.created_at) ?? now,
      updated_at: time(o.updated_at) ?? now,
      value,
    },
    notes,
  }
}

/**
 * Read a vault's text (`file` names it in messages) leniently and open every record with the vault's key (`loadKey` gets it through the
 * header's key source and checks the key-check constant, so a wrong key is KEY_WRONG, never "nothing
 * decrypts").
 */
export async function recoverVault(
  text: string | undefined,
  file: string,
  loadKey: (h: Pick<VaultFile, 'vault_id' | 'key'>) => Promise<Buffer>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RecoverReport> {
  if (text === undefined) throw new CredctlError('NOT_FOUND', `vault ${file} does not exist: nothing to recover`)
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    raw = undefined // broken JSON: salvage what still parses
  }
  const h = header(raw, text, env)
  const key = await loadKey(h)
  const report: RecoverReport = { entries: [], recovered: [], failed: [], deleted: [], warnings: [] }
  if (raw === undefined) report.warnings.push('the file is not whole JSON (cut short or garbled): records after the damage may be missing from this report')
  const seen = new Set<string>()
  for (const o of candidateRecords(raw, text)) {
    const id = typeof o.id === 'string' ? o.id : ''
    const label = typeof o.name === 'string' ? o.name.slice(0, 200) : '(no name)'
    if (!id || typeof o.secret !== 'string') {
      report.failed.push({ id: id.slice(0, 64) || '(no id)', name: label, reason: 'no id or no sealed value' })
      continue
    }
    if (seen.has(id)) {
      report.failed.push({ id: id.slice(0, 64), name: label, reason: 'another record has the same id (only the first that authenticates is recovered)' })
      continue
    }
    let value: string
    try {
      value = new TextDecoder('utf-8', { fatal: true }).decode(open(key, o.secret, aadFor(h.vault_id, id, 'value')))
    } catch {
      report.failed.push({ id: id.slice(0, 64), name: label, reason: 'the sealed value does not authenticate (damaged, or moved from another record)' })
      continue
    }
    seen.add(id)
    if (o.deleted_at !== null && o.deleted_at !== undefined) {
      // Soft-deleted: like export, not brought back (the user deleted it), but said.
      report.deleted.push({ id: id.slice(0, 64), name: label })
      continue
    }
    const { entry, notes } = entryOf(o, id, value)
    if (!ID_SHAPE.test(id)) {
      entry.id = '' // import gives it a fresh one
      notes.push('id replaced')
    }
    report.entries.push(entry)
    report.recovered.push({ id, name: entry.name, notes })
  }
  const keyCheck = h.key.check !== '' && opensCheck(h, key)
  if (!keyCheck) {
    const opened = report.entries.length + report.deleted.length
    if (opened === 0) {
      throw new CredctlError('KEY_WRONG', `cannot recover ${file}: the key opens neither the vault's key check nor any record`, {
        hint: 'the key is not this vault\'s, or the vault id in the file was changed (every value is bound to it)',
      })
    }
    report.warnings.push(`the vault's key check is damaged, but the key opened ${opened} record${opened === 1 ? '' : 's'}`)
  }
  return report
}
