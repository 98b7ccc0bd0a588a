import type { ImportOptions, ImportReport } from './bulk.js'
import { CredctlError } from '../errors.js'
import { holdsSecret, planEnvImport, scanEnvFile, type EnvSkip } from './envfile.js'
import { renderTemplate } from './env-template.js'

/** A skipped variable (EnvSkip), or an item the vault refused (`secret` by the same rule). */
export type EnvImportSkip = ImportReport['skipped'][number] & { secret: boolean; same_as?: string }

export interface EnvImportResult extends Omit<ImportReport, 'skipped'> {
  skipped: EnvImportSkip[]
  /**
   * With a template: a variable holding a secret could not be imported, so nothing was (all or
   * nothing) and there is no template. `created` then lists what would have been imported.
   */
  blocked: boolean
  /** With a template and not blocked: its text, and how many variables refer to credentials. */
  template?: { text: string; references: number; literals: number }
}

export interface EnvImportOptions {
  /** For messages: the file's name (`.env:12: ...`). */
  label: string
  /** Reads the service-account file GOOGLE_APPLICATION_CREDENTIALS names (the SDK core has no file system). */
  readFile: (path: string) => Promise<string>
  /** Makes a relative static_file path absolute against the .env file's directory (the SDK core has no cwd of its own to use). */
  resolvePath?: (path: string) => string
  /** Build the template (import --template): values stored byte for byte, all or nothing. */
  template?: boolean
  rename?: boolean
  dryRun?: boolean
  /** History detail of the import entry (never a value). */
  detail?: string
  /** Called as each credential is sealed: done of total (bulk.ts ImportOptions.onProgress). */
  onProgress?: (done: number, total: number) => void
}

/**
 * `import --from-env` (issue 12, point 2): parse the .env, import every variable that holds a secret
 * (envfile.ts: planEnvImport, holdsSecret), and with `template` render the .env with references
 * (env-template.ts). `skipped[].secret` says what was left behind; callers exit 1 on any.
 */
export async function importEnv(importMany: (items: import('./bulk.js').ImportItem[], opts: ImportOptions) => Promise<ImportReport>, text: string, o: EnvImportOptions): Promise<EnvImportResult> {
  const scan = scanEnvFile(text, o.label)
  const entries = scan.definitions.filter((d) => !d.overridden)
  const template = !!o.template
  if (template) {
    // dotenv gives `credctl://X` as literal text, but `run --env-file` would resolve the template's copy
    // of it to a credential; references have no escape syntax, so such a line cannot be kept as is.
    const ref = scan.definitions.find((d) => /^credctl:\/\//i.test(d.value.trim()))
    if (ref) throw new CredctlError('USAGE', `${o.label}:${ref.line}: ${ref.name} already holds a credctl:// reference, which the template cannot keep as literal text`, { hint: 'import without --template, or replace that value first' })
  }
  // A .env value is never a paste: stored as written, with or without a template (input.ts `exact`).
  const plan = await planEnvImport(entries, o.readFile, { exact: true, ...(o.resolvePath ? { resolvePath: o.resolvePath } : {}) })
  // A secret the plan already cannot import (a credctl setting, an unreadable service-account file):
  // with a template nothing is written, but the vault is still asked what it would do, for the report.
  const planBlocks = template && plan.skipped.some((s) => s.secret && s.same_as === undefined)
  const report = await importMany(
    // A generic secret (api_key named after its variable) is reached through the template or --env, never
    // as a type default: a default api_key is injected into every `credctl run` under a name derived from
    // it (REDIS_URL -> REDIS_URL_API_KEY), far from the .env it came from.
    plan.items.map((i) => ({ source: i.source, name: i.name, type: i.type, value: i.value, exact: i.exact, ...(i.type === 'api_key' ? { is_default: false } : {}) })),
    { rename: !!o.rename, dryRun: !!o.dryRun || planBlocks, allOrNothing: template, ...(o.detail ? { detail: o.detail } : {}), ...(o.onProgress ? { onProgress: o.onProgress } : {}) },
  )
  const value = new Map(entries.map((e) => [e.name, e.value]))
  const refs = new Map<string, string>()
  // A service account imported from the file GOOGLE_APPLICATION_CREDENTIALS names: the variable holds
  // a path, which is no secret, and the credential the file; the template keeps the path as written,
  // so it still gives the program the very bytes the .env gave it.
  const fromFile = new Set(plan.items.filter((i) => template && !i.exact).map((i) => i.source))
  for (const c of report.created) if (!fromFile.has(c.source)) refs.set(c.source, c.credential.name)
  // A variable whose value another one's credential holds refers to that credential; if that one was
  // not imported, neither is this one.
  const skipped: EnvImportSkip[] = [
    ...plan.skipped.map((s: EnvSkip) => (s.same_as === undefined ? s : refs.has(s.same_as) ? { ...s, secret: false } : { ...s, reason: `${s.reason}, but ${s.same_as} was not imported` })),
    ...report.skipped.map((s) => ({ ...s, secret: holdsSecret(s.source, value.get(s.source) ?? '') })),
  ]
  for (const s of plan.skipped) if (s.same_as !== undefined && refs.has(s.same_as)) refs.set(s.source, refs.get(s.same_as)!)
  const blocked = template && skipped.some((s) => s.secret)
  const result: EnvImportResult = { ...report, dry_run: !!o.dryRun, skipped, blocked }
  if (!template || blocked) return result
  // Every secret as decoded and as written (quotes and escapes included: `"pa\"ss…"` may be copied
  // into a comment as is); a path kept as a literal line is no secret.
  const secretDefs = scan.definitions.filter((d) => holdsSecret(d.name, d.value))
  const secrets = [
    ...plan.items.filter((i) => !fromFile.has(i.source) || i.type !== 'static_file').map((i) => i.value),
    ...secretDefs.map((d) => d.value),
    ...secretDefs.map((d) => text.slice(d.span.start, d.span.end)),
  ]
  result.template = { text: renderTemplate(text, scan, refs, secrets), references: refs.size, literals: entries.length - refs.size }
  return result
}
