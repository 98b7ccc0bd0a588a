import { promises as fsp } from 'node:fs'
import * as path from 'node:path'
import { CredctlError } from '../../errors.js'
import type { Factory } from '../factory.js'
import type { Output } from '../output.js'
import { writeOutputFile } from '../write-output.js'

export interface ExportOptions {
  output?: string
  force?: boolean
  json?: boolean
}

/**
 * The bundle passphrase: CREDCTL_EXPORT_PASSPHRASE, else a hidden prompt (asked twice when exporting),
 * else, with no terminal, an error that names the variable. Never a flag: argv is visible in `ps`.
 */
export async function exportPassphrase(f: Pick<Factory, 'env' | 'io' | 'prompter'>, o: { confirm: boolean }): Promise<string> {
  const fromEnv = f.env.CREDCTL_EXPORT_PASSPHRASE
  if (fromEnv) return fromEnv
  if (!f.io.canPrompt) {
    throw new CredctlError('USAGE', 'a bundle passphrase is required: set CREDCTL_EXPORT_PASSPHRASE (no terminal to prompt on)')
  }
  if (o.confirm) {
    const [{ MIN_PASSPHRASE }, { askNewPassphrase }] = await Promise.all([import('../../credentials/bundle.js'), import('../passphrase.js')])
    return askNewPassphrase(f, { what: 'passphrase for the bundle', min: MIN_PASSPHRASE, nothing: 'nothing was written' })
  }
  return (await f.prompter()).password('Bundle passphrase:', { validate: (v) => (v ? true : 'the passphrase is empty') })
}

export async function run(f: Factory, o: ExportOptions): Promise<Output> {
  const out = o.output
  if (!out) throw new CredctlError('USAGE', 'missing --output FILE (the encrypted bundle to write; - for stdout)')
  const toStdout = out === '-'
  if (!toStdout && !o.force) {
    const exists = await fsp.lstat(out).then(
      () => true,
      () => false,
    )
    if (exists) throw new CredctlError('USAGE', `--output ${out} already exists: pass --force to replace it`)
  }
  const client = await f.client()
  // The SDK asks for the passphrase only once it knows there is something to export (transfer.ts).
  const { text, credentials } = await client.credentials.exportBundle(() => exportPassphrase(f, { confirm: true }), { detail: toStdout ? 'to stdout' : `to ${path.basename(out)}` })
  const note = `Exported ${credentials.length} credential${credentials.length === 1 ? '' : 's'}${toStdout ? '' : ` to ${out}`}, encrypted with the passphrase; restore with: credctl import --bundle ${toStdout ? 'FILE' : JSON.stringify(out)}`
  if (toStdout) return { text, notes: [note] }
  await writeOutputFile(path.resolve(out), text, !!o.force, client)
  return { json: { file: path.resolve(out), count: credentials.length, credentials }, notes: [note] }
}
