import { fileStore } from '../store/file.js'
import { parseSnapshot } from './snapshot.js'
import { resolveVaultPath } from '../store/paths.js'
import { TEAM_VAULT_NAME } from '../vault/team-header.js'

/**
 * Credential names straight from the vault file, for shell completion: no key, no keychain, no SDK
 * client. Names are plain metadata (the key only protects values), and completion runs on every Tab,
 * so this reads one file and nothing else. A missing vault has no names.
 */
export async function credentialNames(opts: { vault?: string | undefined; env: NodeJS.ProcessEnv; deleted?: boolean }): Promise<string[]> {
  // A team vault (issue 14): the names this device's offline cache holds, never a query per Tab.
  const named = opts.vault ?? (opts.env.CREDCTL_VAULT || undefined)
  const team = named && TEAM_VAULT_NAME.test(named) ? await (await import('../store/team-config.js')).resolveTeamVault(named, opts.env).catch(() => undefined) : undefined
  if (team) {
    const snap = team.vault_id ? await (await import('../store/team-cache.js')).cachedSnapshot(opts.env, team.vault_id) : undefined
    return snap ? namesOf(parseSnapshot(snap, team.name).vault.credentials, opts.deleted) : []
  }
  const file = await resolveVaultPath(opts.vault, opts.env)
  const snap = await fileStore(file).load()
  if (!snap) return []
  return namesOf(parseSnapshot(snap, file).vault.credentials, opts.deleted)
}

function namesOf(credentials: readonly { name: string; deleted_at: string | null }[], deleted: boolean | undefined): string[] {
  const names = credentials.filter((c) => (deleted ? c.deleted_at !== null : c.deleted_at === null)).map((c) => c.name)
  return [...new Set(names)].sort((a, b) => a.localeCompare(b))
}
