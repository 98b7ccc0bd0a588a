import { promises as fsp } from 'node:fs'
import * as path from 'node:path'
import { CredctlError } from '../../errors.js'
import type { Factory } from '../factory.js'
import type { Output } from '../output.js'
import { exportPassphrase } from './export.js'
import { writeOutputFile } from '../write-output.js'

export interface RecoverOptions {
  output?: string
  force?: boolean
  json?: boolean
}

/** `credctl recover --output FILE`: see src/credentials/recover.ts. The vault itself is never written. */
export async function run(f: Factory, o: RecoverOptions): Promise<Output> {
  const out = o.output
  if (!out) throw new CredctlError('USAGE', 'missing --output FILE (the bundle to write the recovered credentials to; - for stdout)')
  const toStdout = out === '-'
  if (!toStdout && !o.force && (await fsp.lstat(out).then(() => true, () => false))) {
    throw new CredctlError('USAGE', `--output ${out} already exists: pass --force to replace it`)
  }
  const client = await f.client()
  const report = await client.credentials.recover(toStdout ? 'to stdout' : `to ${path.basename(out)}`)
  const lost = report.failed.map((x) => `Not recovered: ${x.name} (${x.id}): ${x.reason}`)
  if (report.entries.length === 0) {
    // The error is one line; which records failed goes first, as warnings.
    for (const line of [...report.warnings, ...lost]) f.warn(line)
    const why = report.failed.length ? `all ${report.failed.length} records are damaged` : report.deleted.length ? 'every readable record is soft-deleted' : 'no credential record could be read from it'
    throw new CredctlError('VAULT_DAMAGED', `nothing to recover: ${why}; nothing was written`)
  }
  const passphrase = await exportPassphrase(f, { confirm: true })
  const { MIN_PASSPHRASE, sealBundle } = await import('../../credentials/bundle.js')
  if ([...passphrase].length < MIN_PASSPHRASE) throw new CredctlError('INVALID_INPUT', `the bundle passphrase must have at least ${MIN_PASSPHRASE} characters; nothing was written`)
  const text = await sealBundle(report.entries, passphrase, f.now())
  const n = report.entries.length
  const notes = [
    ...report.warnings,
    ...report.recovered.filter((r) => r.notes.length).map((r) => `Recovered ${r.name}: ${r.notes.join('; ')}`),
    ...lost,
    ...(report.deleted.length ? [`Left out ${report.deleted.length} soft-deleted credential${report.deleted.length === 1 ? '' : 's'}`] : []),
    `Recovered ${n} credential${n === 1 ? '' : 's'}${toStdout ? '' : ` to ${out}`}; names and types come from the damaged file and are unauthenticated: check them. Next: move the vault aside, then credctl import --bundle ${toStdout ? 'FILE' : JSON.stringify(out)}`,
  ]
  const exitCode = report.failed.length || report.warnings.length ? 1 : 0
  if (toStdout) return { text, notes, exitCode }
  await writeOutputFile(path.resolve(out), text, !!o.force, client)
  const json = {
    file: path.resolve(out),
    recovered: report.recovered,
    failed: report.failed,
    deleted: report.deleted,
    warnings: report.warnings,
  }
  return { json, notes, exitCode }
}
