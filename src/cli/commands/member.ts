import { CredctlError } from '../../errors.js'
import type { MemberRemoved, MemberView } from '../../credentials/team-types.js'
import type { TeamRole } from '../../vault/team-header.js'
import type { Factory } from '../factory.js'
import type { Output } from '../output.js'
import { teamApi, teamVault } from '../team.js'

/**
 * `credctl --vault NAME member add|list|remove`: the members of a team vault (issue 14). The vault comes
 * from the global --vault (or CREDCTL_VAULT); the work is in the SDK (client.team.members).
 */

export interface MemberAddOptions {
  recipient: string
  role?: TeamRole
  /** A CI job's identity rather than a person's device. */
  ci?: boolean
  /** A recovery identity kept offline (a safe): no device, no database role; its wrap opens with any age tool. */
  recovery?: boolean
  dbRole?: string
  json?: boolean
}

export async function runAdd(f: Factory, who: string, o: MemberAddOptions): Promise<Output> {
  const { name } = await teamVault(f, 'member add')
  if (o.ci && o.recovery) throw new CredctlError('USAGE', '--ci and --recovery say two different kinds of member: give one')
  const r = await (await teamApi(f)).members.add({
    member: who,
    recipient: o.recipient,
    ...(o.role ? { role: o.role } : {}),
    ...(o.ci ? { kind: 'ci' as const } : o.recovery ? { kind: 'recovery' as const } : {}),
    ...(o.dbRole !== undefined ? { dbRole: o.dbRole } : {}),
  })
  const notes = [
    `Added ${r.member} to team vault ${name} as ${r.role}${r.kind === 'ci' ? ' (CI)' : r.kind === 'recovery' ? ' (recovery: keep its identity offline; `age -d -i IDENTITY` opens its wrap)' : ''}`,
    // The recipient came from the person over some channel; the fingerprint on both screens proves it is theirs.
    r.kind === 'ci'
      ? `check the fingerprint ${r.fingerprint} against the one identity new --print showed for this CI identity`
      : `ask ${r.member} to run \`credctl identity show\` and compare the fingerprint: ${r.fingerprint}`,
  ]
  if (r.grant) notes.push(r.granted ? `database: ran ${r.grant}` : `database: credctl may not grant roles here; ask a DBA to run: ${r.grant}`)
  return {
    json: r,
    text: `${[
      ['member', r.member],
      ['role', r.role],
      ['kind', r.kind],
      ['db role', r.db_role ?? '(none)'],
      ['fingerprint', r.fingerprint],
    ]
      .map(([k, v]) => `${k!.padEnd(13)}${v}`)
      .join('\n')}\n`,
    notes,
  }
}

export async function runList(f: Factory, _o: { json?: boolean } = {}): Promise<Output> {
  await teamVault(f, 'member list')
  const all = await (await teamApi(f)).members.list()
  return {
    json: all,
    table: {
      head: ['MEMBER', 'ROLE', 'KIND', 'FINGERPRINT', 'DB ROLE', 'ADDED', 'YOU'],
      rows: all.map((m) => [m.member, m.role, m.kind, m.fingerprint, m.db_role ?? '', m.added_at, m.you ? 'you' : '']),
      columns: { MEMBER: { essential: true, role: 'key' }, ROLE: { essential: true }, ADDED: { kind: 'time' } },
    },
  }
}

export interface MemberRemoveOptions {
  /** commander's --no-rotate: false keeps the vault key (the removed device still holds it). */
  rotate?: boolean
  yes?: boolean
  json?: boolean
}

/** What removing `m` does, for the confirmation: the member, what happens to the key, who keeps access. */
function plan(vault: string, m: MemberView, others: MemberView[], rotate: boolean): string {
  const keep = others.length ? others.map((o) => `${o.member} (${o.role})`).join(', ') : 'nobody'
  const what = rotate
    ? `a new vault key, every value re-encrypted and the ${others.length} remaining members re-wrapped, in one transaction`
    : `NO rotation: ${m.member}'s device keeps the current vault key, which opens every value stored now`
  return `Remove ${m.member} (${m.role}, fingerprint ${m.fingerprint}) from team vault ${vault}: ${what}. Access stays with: ${keep}. Continue?`
}

/**
 * `member remove WHO [--no-rotate] [--yes]` (admin). Asks on a terminal (what happens, who keeps access);
 * without one, --yes is required (USAGE, exit 2). NOT_FOUND (exit 3) for a name that is not a member.
 * Prints the credentials to change at their providers, those WHO used first.
 */
export async function runRemove(f: Factory, who: string, o: MemberRemoveOptions): Promise<Output> {
  const { name } = await teamVault(f, 'member remove')
  const team = await teamApi(f)
  const rotate = o.rotate !== false
  const all = await team.members.list()
  const m = all.find((x) => x.member === who)
  if (!m) throw new CredctlError('NOT_FOUND', `team vault ${name} has no member "${who}"`, { hint: `credctl --vault ${name} member list` })
  if (!o.yes) {
    if (!f.io.canPrompt) throw new CredctlError('USAGE', `member remove takes ${who}'s access to team vault ${name}: pass --yes to confirm (no terminal to ask on)`)
    const ok = await (await f.prompter()).confirm(plan(name, m, all.filter((x) => x !== m), rotate), { default: false })
    if (!ok) throw new CredctlError('CANCELLED', `${who} was not removed; nothing was written`)
  }
  const r = await team.members.remove(who, { rotate })
  return { json: r, ...removedOutput(name, r) }
}

/** The worklist table and the notes after a removal (exported for the unit test of the wording). */
export function removedOutput(vault: string, r: MemberRemoved): Pick<Output, 'table' | 'notes'> {
  const notes = [
    r.rotated
      ? `Removed ${r.member} from team vault ${vault}; new vault key (epoch ${r.epoch}), ${r.re_encrypted} values re-encrypted: the removed identity opens nothing stored from now on`
      : `Removed ${r.member} from team vault ${vault} WITHOUT rotation: the vault key ${r.member}'s device held still opens every value stored now`,
  ]
  if (r.revoke) notes.push(r.revoked ? `database: ran ${r.revoke}` : `database: credctl may not revoke roles here; ask a DBA to run: ${r.revoke}`)
  const used = r.to_change.filter((c) => c.used_by_member).length
  if (r.to_change.length) {
    notes.push(
      `change these ${r.to_change.length} credentials at their providers${used ? `, the ${used} ${r.member} revealed, ran or exported first` : ''}; each stays marked until its value changes (credctl --vault ${vault} update NAME --value-stdin)`,
    )
  }
  notes.push(`no tool can make ${r.member} forget values already read: only changing them at the provider ends that access`)
  return {
    table: {
      head: ['NAME', 'TYPE', 'USED BY MEMBER', 'ID'],
      rows: r.to_change.map((c) => [c.name, c.type, c.used_by_member ? 'yes' : 'no', c.id]),
      columns: { NAME: { essential: true, role: 'key' }, ID: { kind: 'id' } },
    },
    notes,
  }
}
