import { CredctlError } from '../../errors.js'
import type { TeamStatus } from '../../credentials/team-types.js'
import type { Factory } from '../factory.js'
import type { Output } from '../output.js'
import { teamApi, teamVault } from '../team.js'

/**
 * `credctl vault …`: team vaults (issue 14) on this device. create, attach, init-sql, detach and import
 * name their vault; status, verify and set take NAME or the global --vault (CREDCTL_VAULT). The work is in
 * the SDK (client.team, src/credentials/team-types.ts); these functions shape what it returns.
 */

export interface VaultCreateOptions {
  backend: string
  /** This device's member name (default: the backend's database user). */
  member?: string
  /** commander's --no-install: false when the DDL was run by a DBA (`vault init-sql`). */
  install?: boolean
  offline?: 'allow' | 'deny'
  json?: boolean
}

/** Aligned `label  value` lines (identity.ts's form), for stdout. */
const kv = (rows: [string, string][]): string => {
  const w = Math.max(...rows.map(([k]) => k.length)) + 2
  return rows.map(([k, v]) => `${k.padEnd(w)}${v}`).join('\n') + '\n'
}

/** The backend URL with another database user: each member connects as their own role (history says who). */
function asRole(backend: string, user: string): string {
  try {
    const u = new URL(backend)
    u.username = user
    return u.toString()
  } catch {
    return backend
  }
}

export async function runCreate(f: Factory, name: string, o: VaultCreateOptions): Promise<Output> {
  const r = await (await teamApi(f)).create({
    name: name,
    backend: o.backend,
    ...(o.member !== undefined ? { member: o.member } : {}),
    ...(o.install === false ? { install: false } : {}),
    ...(o.offline ? { offline: o.offline } : {}),
  })
  return {
    json: r,
    text: kv([
      ['vault', r.name],
      ['vault id', r.vault_id],
      ['key id', r.key_id],
      ['member', `${r.member} (admin)`],
      ['fingerprint', r.fingerprint],
    ]),
    notes: [
      `Created team vault ${r.name}${r.installed ? ' (and its tables in the database)' : ' in tables a DBA installed (credctl vault init-sql)'}; you are its admin`,
      `members attach with: credctl vault attach ${r.name} --backend ${asRole(o.backend, 'THEIR_ROLE')}   (and compare the key id ${r.key_id})`,
      `then add each: credctl --vault ${r.name} member add WHO --recipient age1…   (the recipient from their credctl identity show)`,
    ],
  }
}

/** `vault init-sql NAME`: the DDL and grants as SQL on stdout, for `| psql` by a DBA. No connection. */
export async function runInitSql(f: Factory, name: string): Promise<Output> {
  const sql = await (await teamApi(f)).initSql(name)
  return { text: sql.endsWith('\n') ? sql : `${sql}\n` }
}

export async function runAttach(f: Factory, name: string, o: { backend: string; json?: boolean }): Promise<Output> {
  const r = await (await teamApi(f)).attach({ name: name, backend: o.backend })
  const notes = [
    `Attached team vault ${r.name} on this device`,
    // The first attach is trust-on-first-use: nothing this device knew can vouch for the key.
    ...(r.key_id ? [`compare the key id ${r.key_id} with an admin's (credctl --vault ${r.name} vault status): this first attach trusts what the database shows`] : []),
  ]
  if (!r.member) notes.push(`not a member yet: send an admin your recipient (credctl identity show); they run credctl --vault ${r.name} member add WHO --recipient age1…`)
  return {
    json: r,
    text: kv([
      ['vault', r.name],
      ['vault id', r.vault_id],
      ['key id', r.key_id ?? '(shown once you are a member)'],
      ['member', r.member ? `${r.member} (${r.role})` : '(not a member yet)'],
      ['members', String(r.members)],
    ]),
    notes,
  }
}

/** `vault list`: the team vaults this device knows (teams.json); no network. */
export async function runList(f: Factory, _o: { json?: boolean } = {}): Promise<Output> {
  const all = await (await teamApi(f)).list()
  return {
    json: all,
    table: { head: ['NAME', 'BACKEND', 'VAULT ID', 'ATTACHED'], rows: all.map((e) => [e.name, e.backend, e.vault_id ?? '', e.attached_at]), columns: { BACKEND: { role: 'text' }, 'VAULT ID': { kind: 'id' }, ATTACHED: { kind: 'time' } } },
    notes: all.length === 0 && f.io.isStdoutTTY ? ['No team vaults on this device. credctl vault create --help, or credctl vault attach --help'] : [],
  }
}

const statusRows = (s: TeamStatus): [string, string][] => [
  ['vault', s.name],
  ['backend', s.backend],
  ['vault id', s.vault_id],
  ['epoch', String(s.epoch)],
  ['sequence', String(s.sequence)],
  ['key id', s.key_id],
  ['members', String(s.members)],
  ['you', s.member ? `${s.member} (${s.role})` : '(not a member)'],
  ['offline reads', s.offline === 'allow' ? 'allowed' : 'denied'],
  ['credentials', `${s.credentials.active} active, ${s.credentials.deleted} deleted`],
  ['integrity', s.integrity.status === 'ok' ? 'ok (every MAC, member row and epoch link holds)' : `${s.integrity.status}${s.integrity.reason ? ` (${s.integrity.reason})` : ''}`],
]

/** `vault status [NAME]`: every check, nothing fetched; exit 4 when the integrity check failed. */
export async function runStatus(f: Factory, name: string | undefined, _o: { json?: boolean } = {}): Promise<Output> {
  await teamVault(f, 'vault status', name)
  const s = await (await teamApi(f)).status()
  return { json: s, table: { head: ['', ''], rows: statusRows(s) }, ...(s.integrity.status === 'failed' ? { exitCode: 4 } : {}) }
}

/**
 * `vault verify [NAME]`: the checks of status, as a yes or no. Exit 0 when every MAC, member row and
 * epoch link holds; VAULT_DAMAGED (exit 4) naming the check otherwise.
 */
export async function runVerify(f: Factory, name: string | undefined, _o: { json?: boolean } = {}): Promise<Output> {
  const { name: vault } = await teamVault(f, 'vault verify', name)
  const s = await (await teamApi(f)).status()
  if (s.integrity.status !== 'ok') {
    throw new CredctlError('VAULT_DAMAGED', `team vault ${vault} failed verification: ${s.integrity.reason ?? s.integrity.status}`, {
      hint: 'every value command refuses it; ask the vault admin and the DBA what changed in the database',
    })
  }
  return {
    json: { name: s.name, ok: true, epoch: s.epoch, sequence: s.sequence, key_id: s.key_id, members: s.members },
    notes: [`team vault ${s.name}: verified (epoch ${s.epoch}, sequence ${s.sequence}, key id ${s.key_id}, ${s.members} members)`],
  }
}

/** `vault detach NAME`: forget it on this device; the database is untouched. */
export async function runDetach(f: Factory, name: string, _o: { json?: boolean } = {}): Promise<Output> {
  const entry = await teamVault(f, 'vault detach', name)
  await (await teamApi(f)).detach(entry.name)
  return { json: { name: entry.name, detached: true }, notes: [`Detached team vault ${entry.name} from this device (the database and its members are unchanged; attach again with credctl vault attach ${entry.name} --backend ${entry.backend})`] }
}

/** `vault import --from PATH --to NAME`: a local vault file's credentials into a team vault. */
export async function runImport(f: Factory, o: { from?: string; to?: string; json?: boolean }): Promise<Output> {
  if (!o.from || !o.to) throw new CredctlError('USAGE', 'vault import needs --from PATH (a local vault file) and --to NAME (a team vault)')
  const entry = await teamVault(f, 'vault import', o.to)
  const r = await (await teamApi(f)).importLocal({ from: o.from })
  return {
    json: { to: entry.name, ...r },
    notes: [
      `Imported ${r.imported} credentials (${r.deleted} of them deleted) and ${r.schemas} schemas from ${o.from} into team vault ${entry.name}`,
      `the local vault is unchanged: once the team vault serves you (credctl --vault ${entry.name} list), remove ${o.from} yourself`,
    ],
  }
}

/** `vault set offline allow|deny` (admin): may members' devices keep sealed values for offline reads. */
export async function runSet(f: Factory, setting: string, value: string, _o: { json?: boolean } = {}): Promise<Output> {
  if (setting !== 'offline' || (value !== 'allow' && value !== 'deny')) throw new CredctlError('USAGE', 'vault set takes: offline allow|deny')
  const { name } = await teamVault(f, 'vault set')
  await (await teamApi(f)).setOffline(value)
  return {
    json: { name, offline: value },
    notes: [value === 'allow' ? `team vault ${name}: members' devices may keep sealed values for offline reads` : `team vault ${name}: offline reads denied (devices keep no sealed values)`],
  }
}
