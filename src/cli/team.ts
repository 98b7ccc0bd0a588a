import { CredctlError } from '../errors.js'
import type { TeamApi, TeamVaultEntry } from '../credentials/team-types.js'
import type { Factory } from './factory.js'

/**
 * What the `vault` and `member` commands share: the SDK's team API and which team vault a command is
 * about. Loaded only by those commands (and `history --actor`), from their actions.
 */

/** The SDK's `client.team` (src/credentials/team-types.ts). */
export async function teamApi(f: Factory): Promise<TeamApi> {
  return (await f.client()).team
}

/**
 * The team vault a command works on, checked against this device's list (teams.json, no network):
 * `named` (a command that names its vault: `vault status NAME`, `vault import --to NAME`), else the global
 * `--vault NAME`, else CREDCTL_VAULT. A named vault becomes the client's vault, so it must be named before
 * the client is first made (the client is memoised with the vault it was made for). Errors: USAGE (exit 2)
 * when no vault is said or `--vault` says another one; NOT_FOUND (exit 3) when this device knows no team
 * vault by that name.
 */
export async function teamVault(f: Factory, what: string, named?: string): Promise<TeamVaultEntry> {
  const given = f.globals.vault ?? f.env.CREDCTL_VAULT
  if (named !== undefined) {
    if (f.globals.vault !== undefined && f.globals.vault !== named) throw new CredctlError('USAGE', `${what} names team vault "${named}" but --vault says "${f.globals.vault}"`, { hint: 'give one of them' })
    f.globals.vault = named
  } else if (!given) {
    throw new CredctlError('USAGE', `${what} works on a team vault: say which with --vault NAME (or CREDCTL_VAULT=NAME)`, { hint: 'credctl vault list shows the team vaults this device knows' })
  }
  const name = named ?? given!
  const known = await (await teamApi(f)).list()
  const entry = known.find((e) => e.name === name)
  if (!entry) {
    throw new CredctlError('NOT_FOUND', `this device knows no team vault named "${name}"`, {
      hint: known.length ? `known here: ${known.map((e) => e.name).join(', ')}; or credctl vault attach ${name} --backend postgresql://USER@HOST/DB` : `credctl vault attach ${name} --backend postgresql://USER@HOST/DB (or vault create)`,
    })
  }
  return entry
}
