import { crypto } from '../lazy-crypto.js'
import { statusOfError } from '../checks/classify.js'
import { redact, redactError } from '../checks/redact.js'
import type { Check, CheckInput, CheckResult, CheckStatus, DiscoverOptions, DiscoveredTable } from '../checks/types.js'
import { CredctlError } from '../errors.js'
import { aadFor, seal } from '../vault/cipher.js'
import type { CredentialRecord } from '../vault/format.js'
import type { RotateOptions, RotateResult } from './rotate.js'
import type { IdentityApi } from '../keys/identity.js'
import type { TeamApi } from './team-types.js'
import { CATEGORIES, isCategory, typeInfo, WAREHOUSE_TYPES } from './catalogue.js'
import { entryFor, filterHistory, groupEntries, type HistoryEntry, type HistoryQuery } from './history.js'
import { remoteText } from '../lib/text.js'
import { active, checkBaseUrl, checkBaseUrlFor, checkDescription, checkExpiry, checkName, checkNameFree, find, findById, maskedContent, resolveCategory } from './records.js'
import { sameSecret } from './snapshot.js'
import { checkSettings } from './settings.js'
import { toView, type Credential } from './view.js'
import { Vault } from './vault-session.js'
import type { ClientOptions, CreateInput, ListFilter, SchemaDoc, UpdateInput, ValidationResult, VaultStatus } from './types.js'

export { checkBaseUrl, checkBaseUrlFor, checkExpiry, checkName, resolveCategory } from './records.js'
export type { Vault } from './vault-session.js'
// The SDK's data shapes live in types.ts, so the modules client.ts uses can name them without a cycle.
export type { ClientOptions, CreateInput, ListFilter, SchemaDoc, UpdateInput, ValidationResult, VaultStatus } from './types.js'

/** What a check sees of a credential: a tools/database credential is checked as its schema_type. */
function checkInputOf(rec: CredentialRecord, value: string): CheckInput {
  return { type: rec.schema_type ?? rec.type, value, base_url: rec.base_url ?? undefined, schema_type: rec.schema_type ?? undefined, settings: { ...rec.settings } }
}

/**
 * What redaction hunts for in a check's messages: the value, except for a type whose value is a
 * location, not a secret (static_file: a path, shown as is by the mask too), so a message can say
 * which file it could not read.
 */
function secretsOf(rec: CredentialRecord, value: string): string[] {
  return typeInfo(rec.schema_type ?? rec.type)?.mask === 'path' ? [] : [value]
}

/**
 * Mark a stored schema stale: something discovery reads changed. The first change's time is kept
 * (the schema is stale since then); a record without a schema has nothing to mark.
 */
function markSchemaStale(rec: CredentialRecord, now: string): void {
  if (rec.has_schema && rec.schema_stale_since === undefined) rec.schema_stale_since = now
}

/**
 * Whether credctl can discover a schema behind this credential: the data_warehouse types (a tools/database
 * credential through its schema_type), each of whose check modules exports discoverSchema (catalogue.ts,
 * checks/registry.ts). Known from the catalogue alone, so `schema` loads no check to say no.
 */
const hasDiscovery = (rec: Pick<CredentialRecord, 'type' | 'schema_type'>): boolean => WAREHOUSE_TYPES.includes(rec.schema_type ?? rec.type)

/** `schema`/`discover` on a credential whose type has no discovery: exit 2, and no advice to run discover. */
function noDiscovery(rec: Pick<CredentialRecord, 'name' | 'type' | 'schema_type'>): CredctlError {
  const type = rec.schema_type ?? rec.type
  return new CredctlError('NO_CHECK', `${type} has no schema discovery ("${rec.name}" is a ${type} credential)`, {
    hint: `schemas are discovered for the data_warehouse types: ${WAREHOUSE_TYPES.join(', ')}`,
  })
}

/** A stored schema as getSchema returns it; anything else (damaged, hand-edited) reads as missing. */
function isSchemaDoc(x: unknown): x is SchemaDoc {
  return typeof x === 'object' && x !== null && typeof (x as SchemaDoc).updated_at === 'string' && Array.isArray((x as SchemaDoc).tables)
}

/** The longest check message kept (stored as `validation_message`, printed by validate). */
const MESSAGE_MAX = 500

/**
 * A value a check obtained (an OAuth refresh) is remote input like any other: it is stored only if it
 * passes the same checks as a value the user types. Otherwise the verdict says so and nothing changes.
 */
async function acceptNewValue(rec: CredentialRecord, result: CheckResult): Promise<CheckResult> {
  const { checkValue } = await import('./input.js')
  try {
    return { ...result, newValue: checkValue(rec.type, result.newValue!, rec.schema_type ?? undefined) }
  } catch (e) {
    if (!(e instanceof CredctlError)) throw e
    const { newValue: _dropped, ...rest } = result
    return { ...rest, status: 'error', message: `the token endpoint returned a token credctl will not store (${e.message.replace(/^invalid value for type \S+: /, '')}); the stored token is unchanged` }
  }
}

/** A name as one shell word, for the command a verdict message suggests (`credctl update 'My key' ...`). */
function shellWord(name: string): string {
  return /^[\w.@%+-]+$/.test(name) ? name : `'${name.replace(/'/g, `'\\''`)}'`
}

/** Settings a check learned (oauth's token_auth) are kept only if they pass the settings rules. */
function acceptSettings(rec: CredentialRecord, settings: Record<string, string>): Record<string, string> | undefined {
  try {
    checkSettings(rec.type, rec.schema_type, settings)
    return settings
  } catch {
    return undefined
  }
}

/** Progress of validateMany, for a terminal's progress line (its onProgress gets done, total, running). */
export interface ValidateProgress {
  done: number
  total: number
  running: { name: string; started: number }[]
}

/** What to do after a check that threw, by status: a driver's code alone tells the user nothing. */
const THROWN_NEXT: Partial<Record<CheckStatus, string>> = {
  timeout: 'try again, or allow more time with --timeout',
  unreachable: 'check the host or base URL, the network and any proxy or firewall, then try again',
}

/** A check that threw: timeout, unreachable or error, with a message that never holds the value. */
function failureOf(e: unknown, signal: AbortSignal, timeoutMs: number, secrets: string[]): CheckResult {
  const status = statusOfError(e, signal)
  const said = status === 'timeout' ? `no answer within ${Math.round(timeoutMs / 100) / 10} s` : redactError(e, secrets)
  const next = THROWN_NEXT[status]
  return { status, message: remoteText(next ? `${said}. Next: ${next}` : said, MESSAGE_MAX) }
}

export class CredentialsApi {
  private readonly vault: Vault
  constructor(vault: Vault) {
    this.vault = vault
  }

  /** Create a credential; the value is checked for its type, encrypted, and never returned. */
  async create(input: CreateInput): Promise<Credential> {
    const name = checkName(input.name)
    const { type, category } = resolveCategory(input.type, input.category)
    let schemaType: string | null = null
    if (type === 'database') {
      if (!input.schema_type || !WAREHOUSE_TYPES.includes(input.schema_type)) {
        throw new CredctlError('INVALID_INPUT', `type database needs --schema-type, one of: ${WAREHOUSE_TYPES.join(', ')}`)
      }
      schemaType = input.schema_type
    } else if (input.schema_type) {
      throw new CredctlError('INVALID_INPUT', '--schema-type applies only to type database')
    }
    if (typeof input.value !== 'string') throw new CredctlError('INVALID_INPUT', 'a value is required')
    // The value checks carry every engine's URI parser: loaded only by the commands that take a value.
    const { checkValue } = await import('./input.js')
    const value = checkValue(type, input.value, schemaType ?? undefined)
    const base_url = checkBaseUrlFor(type, schemaType, input.base_url)
    const expires_at = checkExpiry(input.expires_at)
    const description = checkDescription(input.description)
    checkSettings(type, schemaType, input.settings ?? {})
    const settings = Object.fromEntries(Object.entries(input.settings ?? {}).filter(([, v]) => v !== ''))
    return this.vault.mutate(async (v, key, now) => {
      checkNameFree(v, name)
      const id = crypto().randomUUID()
      const makeDefault = input.is_default === true || !active(v).some((c) => c.type === type && c.is_default)
      if (makeDefault) for (const c of v.credentials) if (c.type === type) c.is_default = false
      const rec: CredentialRecord = {
        id,
        name,
        type,
        category,
        description,
        schema_type: schemaType,
        base_url,
        settings,
        masked_content: maskedContent(schemaType ?? type, value),
        is_default: makeDefault,
        is_valid: null,
        validated_at: null,
        validation_message: null,
        has_schema: false,
        schema_updated_at: null,
        expires_at,
        created_at: now,
        updated_at: now,
        deleted_at: null,
        secret: seal(key, value, aadFor(v.vault_id, id, 'value')),
      }
      v.credentials.push(rec)
      return { result: toView(rec), history: [entryFor(rec, 'create', 'ok', now)] }
    }, { create: true })
  }

  /**
   * Whether `name` may name a new credential (or, with `renaming`, the credential of that name or id)
   * now: checkName and the uniqueness rule (records.ts checkNameFree), the same rules create and update
   * apply again under the lock at write time. Returns the name as it would be stored (NFC); throws
   * INVALID_INPUT or NAME_TAKEN. Reads the vault without the key. For prompts that check a name as soon
   * as it is typed, before the secret is asked.
   */
  async checkNewName(name: string, opts: { renaming?: string } = {}): Promise<string> {
    const n = checkName(name)
    const v = await this.vault.read()
    checkNameFree(v, n, opts.renaming !== undefined ? find(v, opts.renaming).id : undefined)
    return n
  }

  /** Credentials, without their values, newest last. Does not need the key. */
  async list(filter: ListFilter = {}): Promise<Credential[]> {
    if (filter.category !== undefined && !isCategory(filter.category)) {
      throw new CredctlError('INVALID_INPUT', `unknown category "${filter.category}": one of ${CATEGORIES.join(', ')}`)
    }
    if (filter.type !== undefined && !typeInfo(filter.type)) throw new CredctlError('INVALID_INPUT', `unknown type "${filter.type}"; see \`credctl types\``)
    const v = await this.vault.read()
    if (!v) return []
    return v.credentials
      .filter(
        (c) =>
          (filter.includeDeleted ? true : c.deleted_at === null) &&
          (filter.category === undefined || c.category === filter.category) &&
          (filter.type === undefined || c.type === filter.type),
      )
      .map(toView)
  }

  /** One credential by id or name, deleted ones included; a name several records have is AMBIGUOUS. */
  async get(idOrName: string): Promise<Credential> {
    return toView((await this.vault.lookup([idOrName], { deleted: true })).records[0]!)
  }

  /** VAULT_CONFLICT for `rec`, changed since the caller read it: when, and who when the store stamps actors (team vaults). */
  private async conflict(rec: CredentialRecord): Promise<CredctlError> {
    const last = (await this.vault.readHistory().catch(() => []))
      .filter((e) => e.credentials.some((c) => c.id === rec.id) && e.action !== 'reveal' && !e.action.startsWith('fetch:'))
      .at(-1)
    const who = last?.actor ? ` by ${last.actor}` : ''
    return new CredctlError('VAULT_CONFLICT', `"${rec.name}" was changed${who} at ${rec.updated_at}, after you read it; nothing was written`, {
      hint: `look at it again (credctl get ${shellWord(rec.name)}), then repeat the update`,
    })
  }

  async update(idOrName: string, input: UpdateInput): Promise<Credential> {
    const name = input.name !== undefined ? checkName(input.name) : undefined
    const base_url = input.base_url !== undefined ? checkBaseUrl(input.base_url) : undefined
    const expires_at = input.expires_at !== undefined ? checkExpiry(input.expires_at) : undefined
    const description = input.description !== undefined ? checkDescription(input.description) : undefined
    return this.vault.mutate(async (v, key, now) => {
      const rec = find(v, idOrName)
      if (input.ifUnchangedSince !== undefined && rec.updated_at !== input.ifUnchangedSince) throw await this.conflict(rec)
      const changed: string[] = []
      if (name !== undefined && name !== rec.name) {
        checkNameFree(v, name, rec.id)
        rec.name = name
        changed.push('name')
      }
      if (input.value !== undefined) {
        const { checkValue } = await import('./input.js')
        const value = checkValue(rec.type, input.value, rec.schema_type ?? undefined)
        // The previous ciphertext is overwritten in this write; no copy of the old value is kept.
        rec.secret = seal(key, value, aadFor(v.vault_id, rec.id, 'value'))
        rec.masked_content = maskedContent(rec.schema_type ?? rec.type, value)
        rec.is_valid = null
        rec.validated_at = null
        rec.validation_message = null
        // Changed at the provider after a member's removal (issue 14): no longer to do.
        delete rec.needs_rotation_since
        changed.push('value')
      }
      // A base URL must mean something for this type; clearing one (null, '') is always allowed.
      if (base_url) checkBaseUrlFor(rec.type, rec.schema_type, base_url)
      if (description !== undefined) {
        rec.description = description
        changed.push('description')
      }
      if (base_url !== undefined) {
        rec.base_url = base_url
        changed.push('base_url')
      }
      if (expires_at !== undefined) {
        rec.expires_at = expires_at
        changed.push('expires_at')
      }
      if (input.settings) {
        checkSettings(rec.type, rec.schema_type, input.settings)
        for (const [k, val] of Object.entries(input.settings)) {
          if (val === null || val === '') delete rec.settings[k]
          else rec.settings[k] = val
        }
        changed.push('settings')
      }
      if (changed.length === 0) throw new CredctlError('USAGE', 'nothing to update: pass --value-stdin, --name, --description, --base-url or another field')
      // The stored schema came from what discovery read (value, base URL, settings such as bigquery's
      // project): a change to any of them may point at another database. Name and description do not.
      // (schema_type cannot change: it is fixed at create.)
      if (changed.some((k) => k === 'value' || k === 'base_url' || k === 'settings')) markSchemaStale(rec, now)
      rec.updated_at = now
      return { result: toView(rec), history: [entryFor(rec, 'update', 'ok', now, changed.join(','))] }
    })
  }

  /** Soft delete: hidden, never used, never a default, never injected; restore brings it back. */
  async delete(idOrName: string): Promise<Credential> {
    return this.vault.mutate(async (v, _key, now) => {
      const rec = find(v, idOrName)
      rec.deleted_at = now
      rec.is_default = false
      rec.updated_at = now
      return { result: toView(rec), history: [entryFor(rec, 'delete', 'ok', now)] }
    })
  }

  async restore(idOrName: string): Promise<Credential> {
    return this.vault.mutate(async (v, _key, now) => {
      const rec = find(v, idOrName, { deleted: true })
      if (rec.deleted_at === null) throw new CredctlError('USAGE', `credential "${rec.name}" is not deleted`)
      if (active(v).some((c) => c.name === rec.name)) {
        throw new CredctlError('NAME_TAKEN', `cannot restore "${rec.name}": another credential has that name`, {
          hint: 'rename or delete the other credential first',
        })
      }
      rec.deleted_at = null
      rec.updated_at = now
      return { result: toView(rec), history: [entryFor(rec, 'restore', 'ok', now)] }
    })
  }

  /** Remove the record and its ciphertext (and its discovered schema) for good. */
  async purge(idOrName: string): Promise<Credential> {
    const out = await this.vault.mutate(async (v, _key, now) => {
      const rec = find(v, idOrName, { deleted: true })
      v.credentials = v.credentials.filter((c) => c.id !== rec.id)
      return { result: toView(rec), history: [entryFor(rec, 'purge', 'ok', now)] }
    }, { role: 'admin' }) // a team vault's purge is for admins (issue 14); a local vault has no roles
    await this.vault.removeSchema(out.id)
    return out
  }

  async setDefault(idOrName: string): Promise<Credential> {
    return this.vault.mutate(async (v, _key, now) => {
      const rec = find(v, idOrName)
      for (const c of v.credentials) if (c.type === rec.type && c.id !== rec.id && c.is_default) {
        c.is_default = false
        c.updated_at = now
      }
      rec.is_default = true
      rec.updated_at = now
      return { result: toView(rec), history: [entryFor(rec, 'set-default', 'ok', now)] }
    })
  }

  /** Run the type's check against the real service and store the verdict. */
  async validate(idOrName: string, opts: { timeoutMs?: number } = {}): Promise<ValidationResult> {
    return (await this.validateMany([idOrName], opts))[0]!
  }

  /**
   * Check several credentials at once: one read and one key load, the checks in parallel (at most
   * `concurrency` at a time, at most `perHost` of them contacting one host:port), then all verdicts
   * stored in a single write, in the order asked. Credentials whose type has no check yet make it a
   * NO_CHECK error before anything runs.
   */
  async validateMany(
    idsOrNames: string[],
    opts: {
      timeoutMs?: number
      /** Checks in flight at most: 1 to 256, default 32 (checks/target.ts VALIDATE_LIMITS); otherwise INVALID_INPUT. */
      concurrency?: number
      /** Checks in flight at most per host:port a check contacts (checks/target.ts): 1 to 256, default 8. */
      perHost?: number
      /**
       * Called when a check starts or ends: how many are done, of how many (the `onProgress(done, total)`
       * of every long SDK call), and which are running since when (ms since the epoch).
       */
      onProgress?: (done: number, total: number, running: ValidateProgress['running']) => void
      /**
       * Several credentials (`validate --all`): one with nothing to check (no check for its type, an
       * api_key without a check URL) is reported here and skipped instead of stopping the others.
       * Without it, such a credential is a NO_CHECK error. Either way it gets no verdict.
       */
      onSkip?: (credential: Credential, reason: string) => void
    } = {},
  ): Promise<ValidationResult[]> {
    const [{ loadCheck }, { targetOf, validateLimits }, { runLimited }] = await Promise.all([import('../checks/registry.js'), import('../checks/target.js'), import('../lib/limiter.js')])
    const limits = validateLimits(opts)
    // A team vault's reader may not store verdicts: refused before any check is sent, not after.
    await this.vault.requireRole((await this.vault.read())?.team, 'writer', 'validating (each verdict is stored)')
    let items = await this.vault.decryptMany(idsOrNames, 'validate')
    const checks = new Map<string, Check | undefined>()
    const skip = (rec: CredentialRecord, reason: string) => {
      if (!opts.onSkip) throw new CredctlError('NO_CHECK', `${reason} (credential "${rec.name}")`)
      opts.onSkip(toView(rec), reason)
    }
    for (const { rec } of items) {
      const checkType = rec.schema_type ?? rec.type
      if (!checks.has(checkType)) checks.set(checkType, await loadCheck(checkType))
      if (!checks.get(checkType)) skip(rec, `no check exists yet for type ${checkType}; nothing was verified`)
    }
    items = items.filter(({ rec }) => checks.get(rec.schema_type ?? rec.type))
    const timeoutMs = opts.timeoutMs ?? this.vault.timeoutMs
    const results: { id: string; checkedSecret: string; status: CheckStatus; message: string; duration_ms: number; newValue?: string; settings?: Record<string, string> }[] = new Array(items.length)
    // What is running now, for progress: name and start time of each check in flight.
    const running = new Map<string, { name: string; started: number }>()
    const progress = () => opts.onProgress?.(done, items.length, [...running.values()])
    let done = 0
    const checkOne = async (i: number) => {
        const { rec, value } = items[i]!
        const started = Date.now()
        running.set(rec.id, { name: rec.name, started })
        progress()
        const signal = AbortSignal.timeout(timeoutMs)
        let result: CheckResult
        try {
          const input = checkInputOf(rec, value)
          result = await checks.get(input.type)!.validate(input, { signal, timeoutMs, fetch: this.vault.fetch, now: this.vault.now })
        } catch (e) {
          // A check with nothing to verify (api_key/oauth without a check URL) is not a verdict: it
          // reaches the caller as NO_CHECK (exit 2) and nothing is stored; no further check starts.
          if (e instanceof CredctlError && e.code === 'NO_CHECK') {
            if (!opts.onSkip) {
              throw new CredctlError('NO_CHECK', `${e.message} (credential "${rec.name}")`, e.hint ? { hint: e.hint } : {})
            }
            opts.onSkip(toView(rec), e.message)
            running.delete(rec.id)
            done++
            progress()
          return
          }
          result = failureOf(e, signal, timeoutMs, secretsOf(rec, value))
        }
        if (result.newValue !== undefined) result = await acceptNewValue(rec, result)
        const learned = result.settings ? acceptSettings(rec, result.settings) : undefined
        results[i] = {
          id: rec.id,
          checkedSecret: rec.secret,
          status: result.status,
          // The remote-text boundary: redacted first (a value never survives), then normalised.
          message: remoteText(redact(String(result.message), secretsOf(rec, value)).replaceAll('credctl update NAME', `credctl update ${shellWord(rec.name)}`), MESSAGE_MAX),
          duration_ms: Date.now() - started,
          ...(result.newValue !== undefined ? { newValue: result.newValue } : {}),
          ...(learned ? { settings: learned } : {}),
        }
        running.delete(rec.id)
        done++
        progress()
      }
    // At most `concurrency` checks in flight, and at most `perHost` per host a check contacts (target.ts).
    await runLimited(items.map(({ rec, value }, i) => ({ key: targetOf(checks.get(rec.schema_type ?? rec.type)!, checkInputOf(rec, value)), run: () => checkOne(i) })), limits)
    // Skipped credentials leave holes: only verdicts are stored, and nothing is written without one.
    const checked = results.filter((r) => r !== undefined)
    if (checked.length === 0) return []
    const views = await this.vault.mutate(async (v, key, now) => {
      const out: Credential[] = []
      const history: HistoryEntry[] = []
      for (const r of checked) {
        const rec = findById(v, r.id)
        if (!sameSecret(rec.secret, r.checkedSecret)) {
          // The value was replaced while the check ran: this verdict is about the old value, and a
          // refreshed token must not overwrite the new one. Report it, store nothing.
          r.message = `${r.message} (not stored: the value changed while it was checked)`
          out.push(toView(rec))
          history.push(entryFor(rec, 'validate', `${r.status} (stale)`, now))
          continue
        }
        if (r.status === 'valid' || r.status === 'restricted') rec.is_valid = true
        else if (r.status === 'invalid' || r.status === 'exhausted') rec.is_valid = false
        // unreachable, timeout and error say nothing about the credential: the earlier verdict stands.
        if (r.settings) Object.assign(rec.settings, r.settings)
        rec.validated_at = now
        rec.validation_message = `${r.status}: ${r.message}`
        if (r.newValue !== undefined) {
          rec.secret = seal(key, r.newValue, aadFor(v.vault_id, rec.id, 'value'))
          rec.masked_content = maskedContent(rec.schema_type ?? rec.type, r.newValue)
          markSchemaStale(rec, now)
          rec.updated_at = now
        }
        out.push(toView(rec))
        history.push(entryFor(rec, 'validate', r.status, now))
      }
      // One validate is one action: one entry per verdict, listing the credentials that got it.
      return { result: out, history: groupEntries(history) }
    })
    return views.map((view, i) => ({ ...view, status: checked[i]!.status, message: checked[i]!.message, duration_ms: checked[i]!.duration_ms }))
  }

  /** Discover tables and columns behind a warehouse credential; a failed discovery keeps the old schema. */
  async discoverSchema(idOrName: string, opts: DiscoverOptions & { timeoutMs?: number } = {}): Promise<Credential & SchemaDoc & { discovered: number }> {
    await this.vault.requireRole((await this.vault.read())?.team, 'writer', 'discovering a schema (it is stored)')
    const { rec, value } = await this.vault.decrypt(idOrName, 'discover')
    const input = checkInputOf(rec, value)
    const { loadCheck } = await import('../checks/registry.js')
    const check = await loadCheck(input.type)
    if (!check?.discoverSchema) throw noDiscovery(rec)
    const timeoutMs = opts.timeoutMs ?? Math.max(this.vault.timeoutMs, 30_000)
    const signal = AbortSignal.timeout(timeoutMs)
    let tables: DiscoveredTable[]
    let enginePartial: string[]
    try {
      const { normaliseSchema, normalisePartial } = await import('./schema-text.js')
      const found = await check.discoverSchema(input, { signal, timeoutMs, fetch: this.vault.fetch, now: this.vault.now, options: opts })
      tables = normaliseSchema(found.tables)
      enginePartial = normalisePartial(found.partial) ?? []
    } catch (e) {
      const { status, message: msg } = failureOf(e, signal, timeoutMs, secretsOf(rec, value))
      await this.vault.history([entryFor(rec, 'discover', status, this.vault.now().toISOString())])
      throw new CredctlError(status === 'timeout' || status === 'unreachable' ? 'UNREACHABLE' : 'CHECK_FAILED', `schema discovery of "${rec.name}" failed: ${msg}`, {
        hint: 'the previously discovered schema, if any, is kept',
      })
    }
    // A narrowed discovery (--schemas, a --max-tables cut) replaces only what it read.
    if (opts.schemas?.length && tables.length === 0) {
      throw new CredctlError('NOT_FOUND', `no tables found in ${opts.schemas.length === 1 ? 'schema' : 'schemas'} ${opts.schemas.join(', ')} of "${rec.name}"`, {
        hint: 'schema names are exact (case included): run discover without --schemas to see them; the stored schema, if any, is kept',
      })
    }
    const { mergeDiscovery } = await import('./schema-merge.js')
    // A stale schema describes what the old value reached: nothing of it is kept, even by a narrowed run.
    const stored = rec.has_schema && rec.schema_stale_since === undefined ? await this.getSchema(rec.id).catch(() => undefined) : undefined
    const merged = mergeDiscovery(stored, tables, enginePartial, opts)
    const updated_at = this.vault.now().toISOString()
    const doc: SchemaDoc = { updated_at, tables: merged.tables, ...(merged.partial.length ? { partial: merged.partial } : {}) }
    await this.vault.writeSchema(rec.id, doc)
    const view = await this.vault.mutate(async (v, _key, now) => {
      const r = findById(v, rec.id)
      r.has_schema = true
      r.schema_updated_at = updated_at
      // Stale again if the value changed while this discovery ran (it read the old one).
      if (sameSecret(r.secret, rec.secret)) delete r.schema_stale_since
      else r.schema_stale_since = updated_at
      return { result: toView(r), history: [entryFor(r, 'discover', 'ok', now, `${tables.length} tables${merged.kept ? ` (+${merged.kept} kept)` : ''}`)] }
    })
    // `tables` means the same as in getSchema / `schema --json`: the stored list.
    return { ...view, ...doc, discovered: tables.length }
  }

  /** The stored schema: { updated_at, tables: [...] }. */
  async getSchema(idOrName: string): Promise<SchemaDoc> {
    const rec = (await this.vault.lookup([idOrName], { deleted: true })).records[0]!
    if (!rec.has_schema && !hasDiscovery(rec)) throw noDiscovery(rec)
    if (!rec.has_schema) {
      throw new CredctlError('NOT_FOUND', `no schema discovered yet for "${rec.name}"`, { hint: `run: credctl discover ${JSON.stringify(rec.name)}` })
    }
    let doc: SchemaDoc
    try {
      const stored = await this.vault.readSchema(rec.id)
      if (!isSchemaDoc(stored)) throw new Error('not a schema')
      doc = stored
    } catch {
      throw new CredctlError('NOT_FOUND', `the schema file of "${rec.name}" is missing or damaged`, { hint: `run: credctl discover ${JSON.stringify(rec.name)}` })
    }
    // Staleness lives in the record (covered by the vault's MAC, set in the same write as the change).
    const { stale_since: _fromFile, ...rest } = doc
    return rec.schema_stale_since !== undefined ? { ...rest, stale_since: rec.schema_stale_since } : rest
  }

  /** The raw value, for `reveal` and pipes. Recorded in history. */
  async reveal(idOrName: string): Promise<string> {
    return (await this.revealWith(idOrName)).value
  }

  /**
   * The raw value and the credential it belongs to, recorded in history before it is returned; `detail`
   * says where the value went (`reveal --copy`: "clipboard"), never a value.
   */
  async revealWith(idOrName: string, opts: { detail?: string } = {}): Promise<{ credential: Credential; value: string }> {
    const { rec, value } = await this.vault.decrypt(idOrName)
    await this.vault.history([entryFor(rec, 'reveal', 'ok', this.vault.now().toISOString(), opts.detail)], { required: true })
    return { credential: toView(rec), value }
  }

  /** The default credential of a type, decrypted: for `run` and injection only. */
  async resolve(type: string): Promise<{ credential: Credential; value: string } | undefined> {
    if (!typeInfo(type)) throw new CredctlError('INVALID_INPUT', `unknown type "${type}"`)
    const v = await this.vault.read()
    const rec = v && active(v).find((c) => c.type === type && c.is_default)
    if (!rec) return undefined
    const { value } = await this.vault.decrypt(rec.id, 'run')
    return { credential: toView(rec), value }
  }

  /**
   * Several credentials decrypted with one key load, for `run`, `inject` and env files. The call is one
   * action, so it is ONE history entry (`action`) listing every credential, written before any value is
   * returned; with no credential at all, an entry without one. `detail` is non-secret: a string for the
   * whole action (the program and its variables), or, as before issue 12, a function giving each
   * credential's part (its distinct results are joined with "; "; called with undefined when there is
   * no credential).
   */
  async resolveMany(
    idsOrNames: string[],
    record: { action: string; detail: string | ((c: Credential | undefined) => string) },
  ): Promise<{ credential: Credential; value: string }[]> {
    // No vault at all (a new CI job): nothing to hand out and no history to keep; writing one would
    // create the vault's directory as a side effect of `run`.
    if (idsOrNames.length === 0 && !(await this.vault.read())) return []
    const items = await this.vault.decryptMany(idsOrNames, record.action === 'inject' ? 'inject' : 'run')
    const now = this.vault.now().toISOString()
    const d = record.detail
    const detail = typeof d === 'string' ? d : items.length ? [...new Set(items.map(({ rec }) => d(toView(rec))))].join('; ') : d(undefined)
    await this.vault.history([entryFor(items.map(({ rec }) => rec), record.action, 'ok', now, detail)], { required: true })
    return items.map(({ rec, value }) => ({ credential: toView(rec), value }))
  }

  /**
   * For a broker that uses values on the caller's behalf without handing them out (`credctl mcp`,
   * src/mcp): each credential's stored record (type, schema_type, base_url, settings: what a check or a
   * query reads) and its value, after ONE history entry (`record.action`, `record.outcome`, `detail`)
   * naming them is written; a failed write throws VAULT_IO and nothing is decrypted for use. Deleted
   * credentials are NOT_FOUND. The value must never be returned to the broker's caller.
   */
  async useValues(
    idsOrNames: string[],
    record: { action: string; outcome: string; detail?: string },
  ): Promise<{ credential: Credential; record: CredentialRecord; value: string }[]> {
    const items = await this.vault.decryptMany(idsOrNames)
    await this.vault.history([entryFor(items.map(({ rec }) => rec), record.action, record.outcome, this.vault.now().toISOString(), record.detail)], { required: true })
    return items.map(({ rec, value }) => ({ credential: toView(rec), record: rec, value }))
  }

  /**
   * One history entry about credentials (their safe views), no value decrypted: for a broker
   * (`credctl mcp`) that records each call before it acts and its outcome after. `required`: a failed
   * write throws VAULT_IO (the caller must then refuse the call); otherwise it is a warning.
   */
  async recordAction(credentials: Pick<Credential, 'id' | 'name' | 'type'>[], action: string, outcome: string, detail?: string, opts: { required?: boolean } = {}): Promise<void> {
    await this.vault.history([entryFor(credentials, action, outcome, this.vault.now().toISOString(), detail)], opts)
  }

  /**
   * The values a run plan (inject.ts planRun) needs, decrypted with one key load and recorded as
   * `resolveMany` records them; id -> value. VAULT_DAMAGED when the vault changed since the plan was
   * made in a way that would route a value elsewhere (inject.ts routingOf): nothing is handed out.
   */
  async resolvePlan(
    plan: { vars: { credential: Credential }[] },
    record: { action: string; detail: string | ((c: Credential | undefined) => string) },
  ): Promise<Map<string, string> & { credentials: Credential[] }> {
    const { routingOf } = await import('./inject.js')
    const planned = new Map(plan.vars.map((v) => [v.credential.id, routingOf(v.credential)]))
    const resolved = await this.resolveMany([...planned.keys()], record)
    if (resolved.length !== planned.size || resolved.some((r) => planned.get(r.credential.id) !== routingOf(r.credential))) {
      throw new CredctlError('VAULT_DAMAGED', 'the vault changed while the command was being prepared; no value was handed out', { hint: 'run it again' })
    }
    // The values by id, and the credentials as read with the key (for expiry warnings and masking).
    return Object.assign(new Map(resolved.map((r) => [r.credential.id, r.value])), { credentials: resolved.map((r) => r.credential) })
  }

  /**
   * The environment an env file describes (`credctl run --dotenv`, for SDK users): every variable of
   * the files, a `credctl://NAME` value replaced by that credential's value, others as written; later
   * files win; type defaults under their variables too unless `defaults: false`. A service-account
   * JSON becomes a 0600 temporary file whose path is the value: call `cleanup()` when done with it.
   * One history entry (action `run`) listing the credentials, naming the files and variables.
   * Errors: INVALID_INPUT (exit 2) for bad syntax or a variable env-guard.ts refuses, NOT_FOUND (exit 3)
   * for a reference to a missing or deleted credential, both naming FILE:LINE; nothing is decrypted then.
   * @example
   * const { vars, cleanup } = await client.credentials.resolveEnv([{ file: '.env.credctl', text }], { defaults: false })
   */
  async resolveEnv(
    files: import('./env-resolve.js').TextSource[],
    opts: { defaults?: boolean; program?: string } = {},
  ): Promise<{ vars: Record<string, string>; plan: import('./inject.js').RunPlan; cleanup(): Promise<void> }> {
    // planRun + prepareRun + materialize: the one path `run` takes, for callers that want the variables.
    const plan = await this.planRun({ files, ...(opts.defaults === false ? { defaults: false } : {}) })
    const prep = await this.prepareRun(plan, { ...(opts.program !== undefined ? { program: opts.program } : {}), files: files.map((x) => x.file) })
    const m = await prep.materialize()
    return { vars: m.vars, plan, cleanup: m.cleanup }
  }

  /**
   * A template (`credctl inject`) with every `{{ credctl://NAME }}` replaced by that credential's value
   * (references.ts scanTemplate); the rest byte for byte. All placeholders are checked before anything
   * is decrypted: a malformed one is INVALID_INPUT (exit 2), one naming a missing or deleted credential
   * NOT_FOUND (exit 3), both naming FILE:LINE. Recorded in history (action `inject`, detail naming the
   * file, the lines of each credential's placeholders and `detail`: one entry); a template without placeholders decrypts nothing and records nothing.
   * @example
   * const { text } = await client.credentials.renderTemplate({ file: 'config.yaml.tpl', text: tpl })
   */
  async renderTemplate(src: import('./env-resolve.js').TextSource, opts: { detail?: string } = {}): Promise<{ text: string; credentials: Credential[] }> {
    const { planTemplate, renderTemplate } = await import('./env-resolve.js')
    const slots = planTemplate(await this.list({ includeDeleted: true }), src)
    if (slots.length === 0) return { text: src.text, credentials: [] }
    const plan = { vars: slots.map((s) => ({ credential: s.credential })) }
    const values = await this.resolvePlan(plan, {
      action: 'inject',
      // Where each credential went: the template's lines (`config.yaml.tpl:3,9 to config.yaml`), never a value.
      detail: `${src.file}: ${[...new Map(slots.map((s) => [s.credential.id, s.credential])).values()]
        .map((c) => `${JSON.stringify(c.name)} at line ${[...new Set(slots.filter((s) => s.credential.id === c.id).map((s) => s.line))].join(',')}`)
        .join('; ')}${opts.detail ? ` ${opts.detail}` : ''}`,
    })
    const credentials = [...new Map(slots.map((s) => [s.credential.id, s.credential])).values()]
    return { text: renderTemplate(src.text, slots, values), credentials }
  }

  /**
   * Import a .env text: every variable that holds a secret becomes a credential; with `template`, also
   * the .env rewritten with credctl:// references, all or nothing. See env-import.ts.
   */
  async importEnv(text: string, opts: import('./env-import.js').EnvImportOptions): Promise<import('./env-import.js').EnvImportResult> {
    const { importEnv } = await import('./env-import.js')
    return importEnv((items, o) => this.importMany(items, o), text, opts)
  }

  /** Import credentials in one write (a .env file or an export bundle); see bulk.ts. */
  async importMany(items: import('./bulk.js').ImportItem[], opts: import('./bulk.js').ImportOptions = {}): Promise<import('./bulk.js').ImportReport> {
    const { importItems } = await import('./bulk.js')
    return importItems(this.vault, items, opts)
  }

  /** Every active credential with its value, for an export bundle (one key load; recorded in history). */
  async exportAll(detail: string): Promise<{ credential: Credential; settings: Record<string, string>; value: string }[]> {
    const v = await this.vault.read()
    const ids = v ? active(v).map((c) => c.id) : []
    const items = await this.vault.decryptMany(ids, 'export')
    const now = this.vault.now().toISOString()
    await this.vault.history([entryFor(items.map(({ rec }) => rec), 'export', 'ok', now, detail)], { required: true })
    return items.map(({ rec, value }) => ({ credential: toView(rec), settings: { ...rec.settings }, value }))
  }

  /**
   * Active credentials past their `expires_at` (`expired`) or within `within_days` (14) of it
   * (`expiring`), by expiry.ts's rule (a date counts from 00:00 UTC). Reads without the key.
   * @example
   * const { expired } = await client.credentials.expiry()
   */
  async expiry(): Promise<{ expired: Credential[]; expiring: Credential[]; within_days: number }> {
    const { EXPIRY_WARNING_DAYS, expiryWarnings } = await import('./expiry.js')
    return { ...expiryWarnings(await this.list(), this.vault.now()), within_days: EXPIRY_WARNING_DAYS }
  }

  /**
   * Every active credential (values, metadata, settings, discovered schemas) sealed in an encrypted
   * bundle (`credctl export`): returns its text (bundle.ts: three lines, scrypt + AES-256-GCM) and the
   * credentials in it; writing it anywhere is up to the caller. `passphrase`: at least 8 characters, or
   * a function asked for it only once there is something to export. One history entry (`export`,
   * `detail`: where it goes, never a value). Errors: NOT_FOUND (exit 3) for an empty vault, before the
   * passphrase is asked; INVALID_INPUT (exit 2) for a short passphrase, before anything is decrypted.
   * @example
   * const { text } = await client.credentials.exportBundle(process.env.BUNDLE_PASS!, { detail: 'to backup.credctl' })
   */
  async exportBundle(passphrase: import('./types.js').BundlePassphrase, opts: { detail?: string } = {}): Promise<import('./types.js').ExportedBundle> {
    const { exportBundle } = await import('./transfer.js')
    return exportBundle(this, passphrase, { detail: opts.detail ?? 'returned to the caller', now: this.vault.now() })
  }

  /**
   * Import an export bundle's text (importBundle in transfer.ts; importMany's rules: one write, names
   * that are taken skipped, or renamed `NAME (2)` with `rename`). Errors: INVALID_INPUT (exit 2) for a
   * damaged bundle, before `passphrase` (a string or a function) is asked; KEY_WRONG (exit 4) for a wrong
   * passphrase. Nothing is imported on an error.
   * @example
   * const report = await client.credentials.importBundle(text, pass, { rename: true })   // { created, skipped, dry_run }
   */
  async importBundle(text: string, passphrase: import('./types.js').BundlePassphrase, opts: import('./types.js').ImportBundleOptions = {}): Promise<import('./bulk.js').ImportReport> {
    const { importBundle } = await import('./transfer.js')
    return importBundle(this, text, passphrase, opts)
  }

  /**
   * Plan a run (`credctl run`, inject.ts has the rules): which variable each credential fills, which
   * defaults lost a variable and why, env files' literals. Reads without the key and decrypts nothing.
   * Errors: USAGE (exit 2) for a bad `env` pair, INVALID_INPUT (exit 2) for env-file syntax or an
   * unknown type in `only`, NOT_FOUND (exit 3) for a missing credential or a type without a default in `only`.
   * @example
   * const plan = await client.credentials.planRun({ env: { OPENAI_API_KEY: 'OpenAI Audio' }, files: [{ file: '.env.credctl', text }] })
   */
  async planRun(opts: import('./types.js').RunPlanOptions = {}): Promise<import('./types.js').RunPlan> {
    const { planFor } = await import('./run-prepare.js')
    return planFor(this, opts)
  }

  /** A plan as `run --dry-run` shows it: masks, sources and notes, no value (see RunPlanView). */
  async describePlan(plan: import('./types.js').RunPlan): Promise<import('./types.js').RunPlanView> {
    const { describePlan } = await import('./run-prepare.js')
    return describePlan(plan)
  }

  /**
   * The values a plan names, decrypted (resolvePlan: VAULT_DAMAGED if the vault changed the routing
   * since the plan), recorded as one history entry (`run`, naming `program`, the variables and `files`),
   * with the warnings to show first and the secret texts to conceal in the program's output. Call
   * `materialize()` for the child's environment (temporary 0600 files for service-account JSON) and its
   * `cleanup()` when the program has ended.
   * @example
   * const prep = await client.credentials.prepareRun(plan, { program: 'node' })
   * const m = await prep.materialize()
   * try { spawnSync('node', ['app.js'], { env: m.childEnv(process.env), stdio: 'inherit' }) } finally { await m.cleanup() }
   */
  async prepareRun(plan: import('./types.js').RunPlan, opts: { program?: string; files?: string[] } = {}): Promise<import('./types.js').PreparedRun> {
    const { prepareRun } = await import('./run-prepare.js')
    return prepareRun(this, plan, {
      ...opts,
      now: this.vault.now(),
      vaultPath: () => this.vault.file(),
      vaultExists: async () => (await this.vault.read()) !== undefined,
    })
  }

  /**
   * Every value that still decrypts in a vault that no longer opens, for an export bundle; see
   * recover.ts. Reads only; each recovered credential is recorded in history before it is returned.
   */
  async recover(detail: string): Promise<import('./recover.js').RecoverReport> {
    const store = await this.vault.store()
    if (!store.rawText) throw new CredctlError('USAGE', `recover reads a vault file; ${store.location} is not one`)
    const { recoverVault } = await import('./recover.js')
    const report = await recoverVault(await store.rawText(), store.location, (h) => this.vault.keyForHeader(h), this.vault.env)
    const now = this.vault.now().toISOString()
    const recovered = report.entries.map((e, i) => ({ id: report.recovered[i]!.id, name: e.name, type: e.type }))
    if (recovered.length) await this.vault.history([entryFor(recovered, 'recover', 'ok', now, detail)], { required: true })
    return report
  }

  /**
   * `credctl recover` for SDK users: every value that still decrypts in a vault that no longer opens
   * (`recover`), sealed in an export bundle under `passphrase` (a string or a function, asked only when
   * something was recovered). Errors: VAULT_DAMAGED (exit 4) when nothing is recoverable, after every
   * warning went to `onWarning`; INVALID_INPUT (exit 2) for a passphrase under 8 characters.
   * @example
   * const { text, notes } = await client.credentials.recoverBundle(pass, { detail: 'to rescue.credctl' })
   */
  async recoverBundle(passphrase: import('./types.js').BundlePassphrase, opts: { detail?: string; onWarning?: (line: string) => void } = {}): Promise<import('./types.js').RecoveredBundle> {
    const { recoverBundle } = await import('./transfer.js')
    return recoverBundle(this, passphrase, { detail: opts.detail ?? 'returned to the caller', now: this.vault.now(), ...(opts.onWarning ? { onWarning: opts.onWarning } : {}) })
  }

  /**
   * History entries, oldest first, from both files (see history.ts). `name`: only entries naming that
   * credential; `since`, `actions`, `limit`: see HistoryQuery.
   */
  async history(filter: { name?: string } & Omit<HistoryQuery, 'credential'> = {}): Promise<HistoryEntry[]> {
    // The key-source rule holds for reads too; a vault that does not parse still has its history to show.
    const v = await this.vault.read().catch((e: unknown) => {
      if (e instanceof CredctlError && e.code === 'USAGE') throw e
      return undefined
    })
    const entries = await this.vault.readHistory()
    let credential: HistoryQuery['credential']
    if (filter.name !== undefined) {
      const name = filter.name
      // A name or id of a record in the vault means that one record (AMBIGUOUS when several records have
      // it, like every other lookup); a purged credential is found by the name or id its entries carry.
      let rec: CredentialRecord | undefined
      try {
        rec = find(v, name, { deleted: true })
      } catch (e) {
        if (!(e instanceof CredctlError) || e.code !== 'NOT_FOUND') throw e
      }
      const r = rec
      credential = r ? (c) => c.id === r.id || (c.id === null && c.name === r.name) : (c) => c.name === name || c.id === name
    }
    const { name: _n, ...rest } = filter
    return filterHistory(entries, { ...rest, ...(credential ? { credential } : {}) })
  }
}

export interface Client {
  credentials: CredentialsApi
  /** Vault path, key source, keychain reachability and counts. */
  status(): Promise<VaultStatus>
  /**
   * A new vault key; every value re-encrypted; committed by one atomic rename (see src/credentials/rotate.ts).
   * @example
   * await createClient({ env: { CREDCTL_MASTER_KEY: oldKey, CREDCTL_NEW_MASTER_KEY: newKey } }).rotateKey()
   */
  rotateKey(opts?: RotateOptions): Promise<RotateResult>
  /** The resolved vault file path. */
  vaultPath(): Promise<string>
  /**
   * Files outside the vault's directory that the vault depends on: a file-source vault's key file (as its
   * header records it, or CREDCTL_KEY_FILE for a vault not created yet) and its rotation file. An output
   * (export, inject, recover, import --template) must never replace one: the vault could not be opened.
   */
  keyFiles(): Promise<string[]>
  /**
   * This device's age identity for team vaults (src/keys/identity.ts): `new({ force })` into the OS
   * keychain, `generate()` for CI (stored nowhere), `show()` (CREDCTL_IDENTITY, CREDCTL_IDENTITY_FILE or
   * the keychain; never the private key). Uses the client's `env` and `keychain`.
   * @example
   * const { recipient, fingerprint } = await createClient().identity.show()
   */
  identity: IdentityApi
  /**
   * Team vaults (issue 14; src/credentials/team.ts): `list`, `create`, `attach`, `detach`, `initSql`, and, on
   * the client's vault (`createClient({ vault: NAME })`), `status`, `importLocal`, `setOffline` and `members`.
   * @example
   * await createClient().team.create({ name: 'prod', backend: 'postgresql://alice@db.internal/credctl' })
   * await createClient({ vault: 'prod' }).team.members.add({ member: 'bob', recipient: 'age1…', role: 'writer' })
   */
  team: TeamApi
}

/**
 * Create an SDK client.
 * @example
 * const client = createClient({ vault: '/tmp/v.json', env: { CREDCTL_MASTER_KEY: key } })
 * await client.credentials.create({ name: 'OpenAI Prod', type: 'openai', value: 'sk-...' })
 */
export function createClient(opts: ClientOptions = {}): Client {
  const vault = new Vault(opts)
  const keyFiles = async () => {
    const header = await vault.read().catch(() => undefined)
    const file = header?.key.file ?? (opts.env ?? process.env).CREDCTL_KEY_FILE
    if (!file) return []
    const { keyFilesOf } = await import('../keys/index.js')
    return keyFilesOf(file, header?.vault_id)
  }
  // Loaded on first use: only identity commands (and team vaults) load it and the age library behind it.
  const ids = async () => (await import('../keys/identity.js')).identityApi({ env: vault.env, keychain: () => vault.keychain() })
  const identity: IdentityApi = {
    new: async (o) => (await ids()).new(o),
    generate: async () => (await ids()).generate(),
    show: async () => (await ids()).show(),
  }
  // Loaded on first use, like identity: a local vault's commands never load team code.
  const teams = async () => (await import('./team.js')).teamApi(vault, opts)
  const team: TeamApi = {
    list: async () => (await teams()).list(),
    create: async (o) => (await teams()).create(o),
    attach: async (o) => (await teams()).attach(o),
    detach: async (n) => (await teams()).detach(n),
    initSql: async (n) => (await teams()).initSql(n),
    status: async () => (await teams()).status(),
    importLocal: async (o) => (await teams()).importLocal(o),
    setOffline: async (p) => (await teams()).setOffline(p),
    members: {
      add: async (o) => (await teams()).members.add(o),
      list: async () => (await teams()).members.list(),
      remove: async (m, o) => (await teams()).members.remove(m, o),
    },
  }
  return { credentials: new CredentialsApi(vault), status: () => vault.status(), rotateKey: (o) => vault.rotateKey(o), vaultPath: () => vault.file(), keyFiles, identity, team }
}
