import * as path from 'node:path'
import { CredctlError, EXIT } from '../../errors.js'
import type { ImportReport } from '../../credentials/bulk.js'
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
  /** With --from-env: the reference file to write (import --template). */
  template?: string
  force?: boolean
}

const MAX_ENV_BYTES = 1024 * 1024

/** A skipped variable or entry; `secret` (.env only): it holds a secret, which was not imported. */
type Skip = ImportReport['skipped'][number] & { secret?: boolean; same_as?: string }
type Report = Omit<ImportReport, 'skipped'> & { skipped: Skip[] }

/** What --template did, for the report: the file, whether it was written, and how many lines point at credentials. */
interface TemplateReport {
  file: string
  written: boolean
  references: number
  literals: number
}

function render(report: Report, kind: string, extra: { template?: TemplateReport; blocked?: boolean } = {}): Output {
  const { template, blocked } = extra
  const done = blocked ? 'not imported (all or nothing)' : report.dry_run ? 'would import' : 'imported'
  const rows: Table['rows'] = [
    ...report.created.map((c) => [
      c.source,
      c.credential.name,
      c.credential.type,
      c.credential.masked_content,
      `${done}${c.renamed_from ? ` (renamed from "${c.renamed_from}")` : ''}${c.credential.is_default ? ', default' : ''}`,
    ]),
    ...report.skipped.map((s) => [s.source, s.name, '', '', template && !blocked && s.secret === false ? `kept as is in the template (${s.reason})` : `skipped: ${s.reason}`]),
  ]
  const n = report.created.length
  const secrets = report.skipped.filter((s) => s.secret).length
  const notes = [
    blocked
      ? `${report.dry_run ? 'Dry run: nothing would be imported' : 'Nothing was imported'} from ${kind} and no template ${report.dry_run ? 'would be' : 'was'} written: ${secrets} variable${secrets === 1 ? '' : 's'} holding a secret cannot be imported (the skipped rows say why); fix them and run again`
      : `${report.dry_run ? 'Dry run: would import' : 'Imported'} ${n} credential${n === 1 ? '' : 's'} from ${kind}; skipped ${report.skipped.length}${secrets ? ` (${secrets} holding a secret)` : ''}${report.dry_run ? '; nothing was written' : ''}`,
  ]
  if (template && !blocked) {
    notes.push(
      `${template.written ? 'Wrote' : 'Would write'} ${template.file}: ${template.references} reference${template.references === 1 ? '' : 's'} to credentials, ${template.literals} literal value${template.literals === 1 ? '' : 's'}; it holds no secret. Run with: credctl run --dotenv ${JSON.stringify(template.file)} --no-defaults -- COMMAND`,
    )
  }
  return {
    json: {
      dry_run: report.dry_run,
      imported: blocked ? [] : report.created.map((c) => ({ source: c.source, ...(c.renamed_from ? { renamed_from: c.renamed_from } : {}), credential: c.credential })),
      skipped: report.skipped,
      ...(template ? { template } : {}),
    },
    table: { head: ['SOURCE', 'NAME', 'TYPE', 'VALUE', 'RESULT'], rows },
    notes,
    // Exit 1 when a secret was left behind: a script that deletes the .env after `import` must not
    // lose it (usage errors are 2; 1 is "the command ran, and its result is not all good", as validate).
    ...(secrets > 0 ? { exitCode: EXIT.checkFailed } : {}),
  }
}

/**
 * `import --from-env FILE [--template OUT]`. Without a template: every variable that holds a secret
 * becomes a credential, the rest is reported as skipped; exit 1 if a secret was skipped. With one:
 * all or nothing (a template whose references miss a credential would not reproduce the .env): when
 * every secret can be imported, they are, in one vault write, and OUT is written (atomically, 0644,
 * never over an existing file without --force); otherwise nothing is written and the exit code is 1.
 */
async function runEnv(f: Factory, o: ImportOptions, file: string): Promise<Output> {
  const text = await readInput(file, '--from-env', MAX_ENV_BYTES, f.io.stdin)
  const out = o.template === undefined ? undefined : path.resolve(o.template)
  const base = file === '-' ? process.cwd() : path.dirname(path.resolve(file))
  const client = await f.client()
  // Checked before anything is imported, so a template that cannot be written leaves the vault as it was.
  if (out !== undefined) {
    const { checkOutputTarget } = await import('../write-output.js')
    await checkOutputTarget(out, !!o.force, client, { flag: '--template', noun: 'template', source: { file, what: 'the .env being imported' } })
  }
  const r = await withProgress(f, (onProgress) => client.credentials.importEnv(text, {
    label: file,
    readFile: (p) => readInput(path.resolve(base, p), 'GOOGLE_APPLICATION_CREDENTIALS', 64 * 1024, undefined, { regularOnly: true }),
    // Relative paths in a .env are relative to the .env, wherever credctl runs from.
    resolvePath: (p) => path.resolve(base, p),
    template: out !== undefined,
    rename: !!o.rename,
    dryRun: !!o.dryRun,
    detail: `.env ${file === '-' ? 'stdin' : path.basename(file)}`,
    onProgress,
  }))
  if (out === undefined) return render(r, file)
  if (!r.template) return render(r, file, { template: { file: o.template!, written: false, references: 0, literals: 0 }, blocked: r.blocked })
  if (!o.dryRun) {
    const { writeOutputFile } = await import('../write-output.js')
    await writeOutputFile(out, r.template.text, !!o.force, client, { mode: 0o644, flag: '--template', noun: 'template' })
  }
  return render(r, file, { template: { file: o.template!, written: !o.dryRun, references: r.template.references, literals: r.template.literals } })
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
  if (o.template !== undefined && o.fromEnv === undefined) throw new CredctlError('USAGE', '--template goes with --from-env (it writes the .env back with references to the imported credentials)')
  if (o.force && o.template === undefined) throw new CredctlError('USAGE', '--force applies only to --template')
  if (o.fromEnv !== undefined) return runEnv(f, o, o.fromEnv)
  const file = o.bundle!
  const { MAX_BUNDLE_BYTES } = await import('../../credentials/bundle.js')
  const text = await readInput(file, '--bundle', MAX_BUNDLE_BYTES, f.io.stdin)
  const client = await f.client()
  // A damaged bundle fails in the SDK before the passphrase is asked (transfer.ts importBundle).
  const report = await withProgress(f, (onProgress) =>
    client.credentials.importBundle(text, () => exportPassphrase(f, { confirm: false }), { rename: !!o.rename, dryRun: !!o.dryRun, detail: `bundle ${file === '-' ? 'stdin' : path.basename(file)}`, onProgress }),
  )
  return render(report, file)
}
