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
  // Checked before the passphrase is asked: an empty vault has nothing to export.
  if ((await client.credentials.list()).length === 0) throw new CredctlError('NOT_FOUND', 'no credentials to export', { hint: 'see `credctl list`' })
  const passphrase = await exportPassphrase(f, { confirm: true })
  const { MIN_PASSPHRASE, sealBundle } = await import('../../credentials/bundle.js')
  if ([...passphrase].length < MIN_PASSPHRASE) throw new CredctlError('INVALID_INPUT', `the export passphrase must have at least ${MIN_PASSPHRASE} characters; nothing was written`)
  const items = await client.credentials.exportAll(toStdout ? 'to stdout' : `to ${path.basename(out)}`)
  const entries = []
  for (const { credential: c, settings, value } of items) {
    const schema = c.has_schema ? await client.credentials.getSchema(c.id).catch(() => undefined) : undefined
    entries.push({
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
    })
  }
  const text = await sealBundle(entries, passphrase, f.now())
  const credentials = items.map((i) => i.credential)
  const note = `Exported ${credentials.length} credential${credentials.length === 1 ? '' : 's'}${toStdout ? '' : ` to ${out}`}, encrypted with the passphrase; restore with: credctl import --bundle ${toStdout ? 'FILE' : JSON.stringify(out)}`
  if (toStdout) return { text, notes: [note] }
  await writeOutputFile(path.resolve(out), text, !!o.force, client)
  return { json: { file: path.resolve(out), count: credentials.length, credentials }, notes: [note] }
}
