import * as path from 'node:path'
import { CredctlError } from '../errors.js'

/**
 * Where things live. The default vault is in env-paths' data dir (XDG_DATA_HOME on Linux,
 * ~/Library/Application Support on macOS, %LOCALAPPDATA% on Windows); --vault and CREDCTL_VAULT
 * override it. History and discovered schemas sit beside the vault, named after it, so several vaults
 * can share a directory.
 */
export async function defaultVaultPath(): Promise<string> {
  const { default: envPaths } = await import('env-paths')
  return path.join(envPaths('credctl', { suffix: '' }).data, 'vault.json')
}

/**
 * The one vault-path resolution (the SDK session and completion's `__names` both use it): `explicit`
 * (--vault, createClient's `vault`), else CREDCTL_VAULT, else defaultVaultPath(); made absolute against
 * the working directory. An explicit but empty path is a USAGE error (exit 2): `--vault "$UNSET"` must
 * not quietly mean the default vault. An empty CREDCTL_VAULT counts as unset.
 */
export async function resolveVaultPath(explicit: string | undefined, env: Readonly<Record<string, string | undefined>>): Promise<string> {
  if (explicit === '') throw new CredctlError('USAGE', 'the vault path is empty (--vault "")', { hint: 'give a path, or leave --vault out' })
  const p = explicit ?? env.CREDCTL_VAULT
  return path.resolve(p ? p : await defaultVaultPath())
}

export function sidePaths(vaultFile: string) {
  const dir = path.dirname(vaultFile)
  const base = path.basename(vaultFile).replace(/\.json$/i, '')
  return {
    dir,
    history: path.join(dir, `${base}.history.jsonl`),
    schemas: path.join(dir, `${base}.schemas`),
  }
}

/**
 * Is `file` one of the files credctl keeps for the vault (the vault, its lock, temp and reclaim files,
 * history and its rotated file and lock, schemas, rotation files)? Compared after resolving links in the directories, so
 * `--output ./v.json` from the vault's directory or through a symlinked directory is caught too. An
 * output flag (export, recover) must never replace one of them: `--force` is for the user's own files.
 */
/** A path with the links in its directories resolved (the last component as written). */
async function realDir(p: string): Promise<string> {
  const { realpath } = await import('node:fs/promises')
  const dir = await realpath(path.dirname(path.resolve(p))).catch(() => path.dirname(path.resolve(p)))
  return path.join(dir, path.basename(p))
}

/** Do two paths name one file: the same place after resolving links in the directories, or the same file (inode) when both exist. */
export async function samePath(a: string, b: string): Promise<boolean> {
  if ((await realDir(a)) === (await realDir(b))) return true
  const { stat } = await import('node:fs/promises')
  const [x, y] = await Promise.all([stat(a).catch(() => undefined), stat(b).catch(() => undefined)])
  return !!x && !!y && x.dev === y.dev && x.ino === y.ino
}

export async function isVaultFile(file: string, vaultFile: string): Promise<boolean> {
  const real = realDir
  const out = await real(file)
  const vault = await real(vaultFile)
  if (path.dirname(out) !== path.dirname(vault)) return false
  const name = path.basename(out)
  const vbase = path.basename(vault)
  const base = vbase.replace(/\.json$/i, '')
  const history = `${base}.history.jsonl`
  return (
    name === vbase ||
    name.startsWith(`${vbase}.`) ||
    name.startsWith(`.${vbase}.`) ||
    name === history ||
    name.startsWith(`${history}.`) || // the rotated history (.1) and its lock
    name.startsWith(`.${history}.`) || // the lock's temp files
    name === `${base}.schemas`
  )
}
