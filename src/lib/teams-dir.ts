import * as path from 'node:path'

/**
 * Where this device keeps what it knows about team vaults (issue 14): `teams.json` (which names are team
 * vaults and where their database is) and, per vault id, `<vault id>.state` (the highest sequence and the
 * key epoch this device has seen: rollback and forged-key detection). CREDCTL_TEAMS_DIR overrides it;
 * otherwise `teams/` in credctl's data directory (env-paths: XDG_DATA_HOME on Linux), beside the default vault.
 */
export async function teamsDir(env: Readonly<Record<string, string | undefined>>): Promise<string> {
  if (env.CREDCTL_TEAMS_DIR) return path.resolve(env.CREDCTL_TEAMS_DIR)
  const { default: envPaths } = await import('env-paths')
  return path.join(envPaths('credctl', { suffix: '' }).data, 'teams')
}
