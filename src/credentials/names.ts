import { fileStore } from '../store/file.js'
import { parseSnapshot } from './snapshot.js'
import { resolveVaultPath } from '../store/paths.js'

/**
 * Credential names straight from the vault file, for shell completion: no key, no keychain, no SDK
 * client. Names are plain metadata (the key only protects values), and completion runs on every Tab,
 * so this reads one file and nothing else. A missing vault has no names.
 */
export async function credentialNames(opts: { vault?: string | undefined; env: NodeJS.ProcessEnv; deleted?: boolean }): Promise<string[]> {
  const file = await resolveVaultPath(opts.vault, opts.env)
  const snap = await fileStore(file).load()
  if (!snap) return []
  const v = parseSnapshot(snap, file).vault
  const names = v.credentials.filter((c) => (opts.deleted ? c.deleted_at !== null : c.deleted_at === null)).map((c) => c.name)
  return [...new Set(names)].sort((a, b) => a.localeCompare(b))
}
