import * as path from 'node:path'

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

export function sidePaths(vaultFile: string) {
  const dir = path.dirname(vaultFile)
  const base = path.basename(vaultFile).replace(/\.json$/i, '')
  return {
    dir,
    history: path.join(dir, `${base}.history.jsonl`),
    schemas: path.join(dir, `${base}.schemas`),
  }
}
