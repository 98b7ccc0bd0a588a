import type { MemberKind, TeamRole } from '../vault/team-header.js'
import type { TeamVaultEntry } from '../store/team-config.js'

/*
 * The SDK's team-vault shapes (issue 14): `client.team` (vaults this device knows, create, attach) and
 * `client.team.members` (the members of the client's vault, `createClient({ vault: NAME })`). Types only.
 */

export type { TeamVaultEntry }

export interface TeamCreateOptions {
  /** The team vault's name (TEAM_VAULT_NAME: a-z first, then a-z 0-9 and -, up to 40). */
  name: string
  /** postgresql:// URL without a password (~/.pgpass or PGPASSWORD keep it). */
  backend: string
  /** This device's member name in the vault (default: the database user of `backend`, else $USER). */
  member?: string
  /** Run the DDL (schema, tables, roles, grants) when the database role may; default true. Without it, a DBA ran `vault init-sql`. */
  install?: boolean
  /** Whether members' devices may keep sealed values for offline reads (default 'allow'). */
  offline?: 'allow' | 'deny'
}

export interface TeamCreated {
  name: string
  vault_id: string
  /** The vault key's id (keys/team.ts keyId): what `vault attach` prints for members to compare. */
  key_id: string
  member: string
  fingerprint: string
  /** Whether this call ran the DDL. */
  installed: boolean
}

export interface TeamAttached {
  name: string
  vault_id: string
  key_id: string | null
  /** This device's member name, or null when it is not a member yet (an admin must add it). */
  member: string | null
  role: TeamRole | null
  members: number
}

export interface MemberView {
  member: string
  recipient: string
  fingerprint: string
  role: TeamRole
  kind: MemberKind
  db_role: string | null
  added_at: string
  /** This device's own row. */
  you: boolean
}

export interface MemberAddOptions {
  member: string
  /** age1… X25519 recipient, from the person (`credctl identity show`), never from the database. */
  recipient: string
  role?: TeamRole
  kind?: MemberKind
  /** The database login role the member connects as (default: `member` when it is a plain identifier). */
  dbRole?: string
}

export interface MemberAdded {
  member: string
  fingerprint: string
  role: TeamRole
  kind: MemberKind
  db_role: string | null
  /** The GRANT that lets the database role in (run by credctl when it may, else printed for a DBA); null when there is no db role. */
  grant: string | null
  granted: boolean
}

export interface MemberRemoveOptions {
  /** Rotate the vault key (default true): new key, every value re-sealed, every remaining member re-wrapped, one transaction. */
  rotate?: boolean
}

export interface CredentialToChange {
  id: string
  name: string
  type: string
  /** The removed member revealed, ran or exported it (history says), so change it first. */
  used_by_member: boolean
}

export interface MemberRemoved {
  member: string
  rotated: boolean
  epoch: number
  re_encrypted: number
  /** The REVOKE run (or printed, when credctl may not run it); null when the member had no db role. */
  revoke: string | null
  revoked: boolean
  /** Active credentials to change at their providers, those the member used first; marked until their value changes. */
  to_change: CredentialToChange[]
}

export interface TeamStatus {
  name: string
  backend: string
  vault_id: string
  epoch: number
  sequence: number
  key_id: string
  members: number
  /** This device's member name and role (null: not a member). */
  member: string | null
  role: TeamRole | null
  offline: 'allow' | 'deny'
  credentials: { active: number; deleted: number }
  /** Every MAC, member row and epoch link checked; nothing fetched. */
  integrity: { status: 'ok' | 'failed' | 'unchecked'; reason: string | null }
}

export interface MembersApi {
  /** Admin only: wrap the vault key for `recipient` (32 bytes; no value re-encrypted). */
  add(o: MemberAddOptions): Promise<MemberAdded>
  list(): Promise<MemberView[]>
  /** Admin only: remove, and by default rotate (see MemberRemoveOptions). */
  remove(member: string, o?: MemberRemoveOptions): Promise<MemberRemoved>
}

export interface TeamApi {
  /** The team vaults this device knows (teams.json), no network. */
  list(): Promise<TeamVaultEntry[]>
  create(o: TeamCreateOptions): Promise<TeamCreated>
  attach(o: { name: string; backend: string }): Promise<TeamAttached>
  /** Forget a team vault on this device (teams.json only; the database is untouched). */
  detach(name: string): Promise<void>
  /** The DDL and grants a DBA runs for `name` (no connection). */
  initSql(name: string): Promise<string>
  /** The client's team vault (createClient({ vault: NAME })): status, every check, nothing fetched. */
  status(): Promise<TeamStatus>
  /** Move a local vault file's credentials (ids, defaults, deleted, verdicts, schemas) into the client's team vault. */
  importLocal(o: { from: string }): Promise<{ imported: number; deleted: number; schemas: number }>
  /** Admin only: allow or forbid sealed values in members' offline caches. */
  setOffline(policy: 'allow' | 'deny'): Promise<void>
  members: MembersApi
}
