import { CredctlError } from '../errors.js'
import { MIN_PASSPHRASE, openBundle, parseBundle, sealBundle, type BundleEntry } from './bundle.js'
import type { RecoverReport } from './recover.js'
import type { BundlePassphrase, ExportedBundle, ImportBundleOptions, ImportItem, ImportOptions, ImportReport, RecoveredBundle, SchemaDoc } from './types.js'
import type { Credential } from './view.js'

/**
 * Moving credentials between vaults (`credctl export` / `import --bundle`, and the SDK's
 * exportBundle / importBundle): which credentials go into a bundle, with which fields, and how a
 * bundle's entries become imports. The bundle format itself is bundle.ts's; writing the text to a file
 * is the caller's (the CLI's write-output.ts).
 */

/** What this needs of the SDK client (structural, so this module does not import client.ts). */
export interface TransferApi {
  list(): Promise<Credential[]>
  exportAll(detail: string): Promise<{ credential: Credential; settings: Record<string, string>; value: string }[]>
  getSchema(idOrName: string): Promise<SchemaDoc>
  importMany(items: ImportItem[], opts: ImportOptions): Promise<ImportReport>
  recover(detail: string): Promise<RecoverReport>
}

async function passphraseOf(p: BundlePassphrase): Promise<string> {
  return typeof p === 'function' ? p() : p
}

/**
 * The one rule for a passphrase that seals a bundle (export, recover): at least MIN_PASSPHRASE
 * characters (code points). `what` names it in the message ("export passphrase", "bundle passphrase").
 */
export function checkBundlePassphrase(passphrase: string, what: string): string {
  if (typeof passphrase !== 'string' || [...passphrase].length < MIN_PASSPHRASE) {
    throw new CredctlError('INVALID_INPUT', `the ${what} must have at least ${MIN_PASSPHRASE} characters; nothing was written`)
  }
  return passphrase
}

/** One credential as a bundle carries it: the safe view's metadata, the settings, the value, the schema. */
function entryOf(c: Credential, settings: Record<string, string>, value: string, schema: SchemaDoc | undefined): BundleEntry {
  return {
    id: c.id,
    name: c.name,
    type: c.type,
    category: c.category,
    description: c.description,
    schema_type: c.schema_type ?? null,
    base_url: c.base_url ?? null,
    settings,
    expires_at: c.expires_at ?? null,
    is_default: c.is_default,
    is_valid: c.is_valid,
    validated_at: c.validated_at ?? null,
    validation_message: c.validation_message ?? null,
    created_at: c.created_at,
    updated_at: c.updated_at,
    value,
    ...(schema ? { schema } : {}),
  }
}

/** A bundle entry as an import: everything it carries is offered; bulk.ts decides what is kept. */
function itemOf(e: BundleEntry): ImportItem {
  return {
    source: e.name,
    name: e.name,
    type: e.type,
    category: e.category,
    value: e.value,
    description: e.description,
    base_url: e.base_url,
    schema_type: e.schema_type,
    settings: e.settings,
    expires_at: e.expires_at,
    is_default: e.is_default,
    id: e.id,
    is_valid: e.is_valid,
    validated_at: e.validated_at,
    validation_message: e.validation_message,
    created_at: e.created_at,
    ...(e.schema ? { schema: e.schema } : {}),
  }
}

/**
 * Every active credential sealed in a bundle. Order of work, so that nothing is asked or decrypted in
 * vain: an empty vault is NOT_FOUND before the passphrase is asked; a short passphrase is INVALID_INPUT
 * before anything is decrypted; then one key load and one history entry (`export`, `detail`).
 */
export async function exportBundle(api: TransferApi, passphrase: BundlePassphrase, opts: { detail: string; now: Date }): Promise<ExportedBundle> {
  if ((await api.list()).length === 0) throw new CredctlError('NOT_FOUND', 'no credentials to export', { hint: 'see `credctl list`' })
  const pass = checkBundlePassphrase(await passphraseOf(passphrase), 'export passphrase')
  const items = await api.exportAll(opts.detail)
  const entries: BundleEntry[] = []
  for (const { credential: c, settings, value } of items) {
    // A schema file that cannot be read is left out: the credential still travels, `discover` rebuilds it.
    const schema = c.has_schema ? await api.getSchema(c.id).catch(() => undefined) : undefined
    entries.push(entryOf(c, settings, value, schema))
  }
  return { text: await sealBundle(entries, pass, opts.now), credentials: items.map((i) => i.credential) }
}

/**
 * A bundle's credentials imported in one write (bulk.ts: name clashes skipped or renamed, defaults
 * kept only where the vault has none). A damaged bundle is INVALID_INPUT before the passphrase is
 * asked; a wrong passphrase KEY_WRONG; nothing is imported on either.
 */
export async function importBundle(api: TransferApi, text: string, passphrase: BundlePassphrase, opts: ImportBundleOptions = {}): Promise<ImportReport> {
  parseBundle(text)
  const { entries } = await openBundle(text, await passphraseOf(passphrase))
  return api.importMany(entries.map(itemOf), {
    rename: !!opts.rename,
    dryRun: !!opts.dryRun,
    ...(opts.detail !== undefined ? { detail: opts.detail } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
  })
}

/**
 * What still decrypts in a damaged vault (recover.ts, through the client's `recover`), sealed in a
 * bundle for `importBundle` into a new vault. Nothing recoverable is VAULT_DAMAGED (exit 4) saying why,
 * after each warning and lost record has gone to `onWarning`, and before the passphrase is asked; a
 * short passphrase is INVALID_INPUT. `notes`: one line each on what the file lacked, what was repaired,
 * lost or left out (never a value).
 */
export async function recoverBundle(api: TransferApi, passphrase: BundlePassphrase, opts: { detail: string; now: Date; onWarning?: (line: string) => void }): Promise<RecoveredBundle> {
  const report = await api.recover(opts.detail)
  const lost = report.failed.map((x) => `Not recovered: ${x.name} (${x.id}): ${x.reason}`)
  if (report.entries.length === 0) {
    for (const line of [...report.warnings, ...lost]) opts.onWarning?.(line)
    const why = report.failed.length ? `all ${report.failed.length} records are damaged` : report.deleted.length ? 'every readable record is soft-deleted' : 'no credential record could be read from it'
    throw new CredctlError('VAULT_DAMAGED', `nothing to recover: ${why}; nothing was written`)
  }
  const pass = checkBundlePassphrase(await passphraseOf(passphrase), 'bundle passphrase')
  const text = await sealBundle(report.entries, pass, opts.now)
  const notes = [
    ...report.warnings,
    ...report.recovered.filter((r) => r.notes.length).map((r) => `Recovered ${r.name}: ${r.notes.join('; ')}`),
    ...lost,
    ...(report.deleted.length ? [`Left out ${report.deleted.length} soft-deleted credential${report.deleted.length === 1 ? '' : 's'}`] : []),
  ]
  return { text, report, notes }
}
