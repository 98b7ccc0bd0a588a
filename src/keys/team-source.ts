import { CredctlError } from '../errors.js'
import type { AnySourceModule, SequenceKeeper } from './types.js'

/**
 * The `team` key source as the list in index.ts holds it (issue 14): only its description here, and its
 * work in keys/team.ts, imported on first use. Every command loads the key-source list; only a team
 * vault's needs the age identity, the wraps and the device state, so local vaults never parse them.
 */
const impl = () => import('./team.js')

export const teamSource: AnySourceModule = {
  name: 'team',
  summary: "a team vault's key, wrapped for each member's age identity (credctl vault create)",
  place: "each member's age identity",
  env: [
    { name: 'CREDCTL_TEAMS_DIR', doc: 'where this device keeps teams.json and what it has seen of each team vault (default: teams/ in the data directory)' },
  ],
  usesKeychain: false,
  describeKey: () => "this device's identity",
  create: async () => {
    throw new CredctlError('USAGE', 'a team vault is created with `credctl vault create NAME --backend postgresql://…`, not with --key-source team')
  },
  load: async ({ vault, vaultFile, ctx, verify }) => (await impl()).loadTeamKey(vault, vaultFile, ctx, verify),
  stageRotation: async ({ vault }) => (await impl()).stageTeamRotation(vault.vault_id),
  sequence: (vault, _where, ctx): SequenceKeeper => {
    const keeper = impl().then((m) => m.teamSequence(vault.vault_id, ctx.env))
    return {
      where: `team vault state (${vault.vault_id}.state)`,
      read: async () => (await keeper).read(),
      raise: async (n) => (await keeper).raise(n),
    }
  },
}
