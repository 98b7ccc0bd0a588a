import { randomBytes } from 'node:crypto'
import { constants as C, promises as fsp } from 'node:fs'
import * as path from 'node:path'
import { CredctlError } from '../../errors.js'
import type { Factory } from '../factory.js'
import type { Output } from '../output.js'

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
  const { MIN_PASSPHRASE } = await import('../../credentials/bundle.js')
  const p = await f.prompter()
  const first = await p.password(o.confirm ? `Passphrase for the bundle (at least ${MIN_PASSPHRASE} characters):` : 'Bundle passphrase:', {
    validate: (v) => (!o.confirm || [...v].length >= MIN_PASSPHRASE ? (v ? true : 'the passphrase is empty') : `at least ${MIN_PASSPHRASE} characters`),
  })
  if (o.confirm && (await p.password('Repeat the passphrase:')) !== first) {
    throw new CredctlError('INVALID_INPUT', 'the passphrases do not match; nothing was written')
  }
  return first
}

/**
 * Write the bundle atomically (temp file in the same directory, 0600, fsync, rename). Also the writer
 * of `import --template` (`opts`: its mode, 0644 as it holds no secret, and its flag for messages).
 */
export async function writeBundle(file: string, text: string, force: boolean, vaultFile: string, opts: { mode?: number; flag?: string } = {}): Promise<void> {
  const mode = opts.mode ?? 0o600
  const flag = opts.flag ?? '--output'
  const { isVaultFile } = await import('../../vault/paths.js')
  if (await isVaultFile(file, vaultFile)) {
    throw new CredctlError('USAGE', `${flag} ${file} is one of the vault's own files (${path.basename(vaultFile)} and what lies beside it): credctl never replaces them`, {
      hint: `write the ${flag === '--output' ? 'bundle' : 'file'} somewhere else`,
    })
  }
  const dir = path.dirname(file)
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  let fh
  try {
    fh = await fsp.open(tmp, C.O_WRONLY | C.O_CREAT | C.O_EXCL, mode)
  } catch (e) {
    throw new CredctlError('INVALID_INPUT', `cannot write ${flag} ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`)
  }
  try {
    await fh.chmod(mode)
    await fh.writeFile(text, 'utf8')
    await fh.sync()
    await fh.close()
    if (!force) {
      // link() fails if the target exists: no window in which another file could be replaced.
      await fsp.link(tmp, file)
      await fsp.unlink(tmp)
    } else {
      await fsp.rename(tmp, file)
    }
  } catch (e) {
    await fh.close().catch(() => {})
    await fsp.unlink(tmp).catch(() => {})
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new CredctlError('USAGE', `${flag} ${file} already exists: pass --force to replace it`)
    throw new CredctlError('INVALID_INPUT', `cannot write ${flag} ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`)
  }
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
  await writeBundle(path.resolve(out), text, !!o.force, await client.vaultPath())
  return { json: { file: path.resolve(out), count: credentials.length, credentials }, notes: [note] }
}
