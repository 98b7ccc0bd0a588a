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
  const { text, report, notes: found } = await client.credentials.recoverBundle(() => exportPassphrase(f, { confirm: true }), {
    detail: toStdout ? 'to stdout' : `to ${path.basename(out)}`,
    // Nothing recoverable: the error is one line; which records failed goes first, as warnings.
    onWarning: (line) => f.warn(line),
  })
  const n = report.entries.length
  const notes = [
    ...found,
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
