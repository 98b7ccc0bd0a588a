import * as path from 'node:path'
import { CredctlError } from '../../errors.js'
import type { ImportItem, ImportReport } from '../../credentials/bulk.js'
import type { Factory } from '../factory.js'
import type { Output, Table } from '../output.js'
import { readInput } from '../read-input.js'
import { exportPassphrase } from './export.js'
import { startProgress } from '../progress.js'

export interface ImportOptions {
  fromEnv?: string
  bundle?: string
  dryRun?: boolean
  rename?: boolean
  json?: boolean
}

const MAX_ENV_BYTES = 1024 * 1024

function render(report: ImportReport, kind: string): Output {
  const rows: Table['rows'] = [
    ...report.created.map((c) => [
      c.source,
      c.credential.name,
      c.credential.type,
      c.credential.masked_content,
      `${report.dry_run ? 'would import' : 'imported'}${c.renamed_from ? ` (renamed from "${c.renamed_from}")` : ''}${c.credential.is_default ? ', default' : ''}`,
    ]),
    ...report.skipped.map((s) => [s.source, s.name, '', '', `skipped: ${s.reason}`]),
  ]
  const n = report.created.length
  const summary = `${report.dry_run ? 'Dry run: would import' : 'Imported'} ${n} credential${n === 1 ? '' : 's'} from ${kind}; skipped ${report.skipped.length}${report.dry_run ? '; nothing was written' : ''}`
  return {
    json: { dry_run: report.dry_run, imported: report.created.map((c) => ({ source: c.source, ...(c.renamed_from ? { renamed_from: c.renamed_from } : {}), credential: c.credential })), skipped: report.skipped },
    table: { head: ['SOURCE', 'NAME', 'TYPE', 'VALUE', 'RESULT'], rows },
    notes: [summary],
  }
}

/** The import under the progress line ("importing 40/120…", terminal only; see progress.ts). */
async function withProgress<T>(f: Factory, work: (onProgress: (done: number, total: number) => void) => Promise<T>): Promise<T> {
  const progress = startProgress(f.io, 'importing')
  try {
    return await work(progress.update)
  } finally {
    progress.stop()
  }
}

export async function run(f: Factory, o: ImportOptions): Promise<Output> {
  if ((o.fromEnv === undefined) === (o.bundle === undefined)) throw new CredctlError('USAGE', 'give exactly one of --from-env FILE and --bundle FILE')
  if (o.fromEnv !== undefined) {
    const text = await readInput(o.fromEnv, '--from-env', MAX_ENV_BYTES, f.io.stdin)
    const { parseEnvFile, planEnvImport } = await import('../../credentials/envfile.js')
    const entries = parseEnvFile(text, o.fromEnv)
    const base = o.fromEnv === '-' ? process.cwd() : path.dirname(path.resolve(o.fromEnv))
    const plan = await planEnvImport(entries, (p) => readInput(path.resolve(base, p), 'GOOGLE_APPLICATION_CREDENTIALS', 64 * 1024, undefined, { regularOnly: true }))
    const client = await f.client()
    const items: ImportItem[] = plan.items.map((i) => ({ source: i.source, name: i.name, type: i.type, value: i.value }))
    const detail = `.env ${o.fromEnv === '-' ? 'stdin' : path.basename(o.fromEnv)}`
    const report = await withProgress(f, (onProgress) => client.credentials.importMany(items, { rename: !!o.rename, dryRun: !!o.dryRun, detail, onProgress }))
    report.skipped.unshift(...plan.skipped)
    return render(report, o.fromEnv)
  }
  const file = o.bundle!
  const { MAX_BUNDLE_BYTES, openBundle, parseBundle } = await import('../../credentials/bundle.js')
  const text = await readInput(file, '--bundle', MAX_BUNDLE_BYTES, f.io.stdin)
  parseBundle(text) // a damaged file fails here, before asking for a passphrase
  const passphrase = await exportPassphrase(f, { confirm: false })
  const { entries } = await openBundle(text, passphrase)
  const items: ImportItem[] = entries.map((e) => ({
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
  }))
  const client = await f.client()
  const report = await withProgress(f, (onProgress) => client.credentials.importMany(items, { rename: !!o.rename, dryRun: !!o.dryRun, detail: `bundle ${file === '-' ? 'stdin' : path.basename(file)}`, onProgress }))
  return render(report, file)
}
