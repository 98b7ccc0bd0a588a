import { crypto } from '../lazy-crypto.js'
import { CredctlError } from '../errors.js'
import { aadFor, open, seal } from '../vault/cipher.js'
import type { CredentialRecord, VaultFile } from '../vault/format.js'
import { MEMBER_NAME, TEAM_ROLES, TEAM_VAULT_NAME, type TeamHeader, type TeamMember, type TeamRole } from '../vault/team-header.js'
import { fetchAction, type HistoryEntry, type VaultStore } from '../store/types.js'
import type { ClientOptions } from './types.js'
import { entryFor } from './history.js'
import { applyChanges, parseSnapshot } from './snapshot.js'
import { Vault } from './vault-session.js'
import type { CredentialToChange, MemberAdded, MemberRemoved, MemberView, TeamApi, TeamAttached, TeamCreated, TeamStatus } from './team-types.js'

/**
 * Team vaults (issue 14): the SDK's `client.team`. A team vault is a VaultStore in PostgreSQL
 * (store/postgres.ts) whose vault key is wrapped for each member's age identity (keys/team.ts); this file
 * adds what only team vaults have: creating and attaching one, members, and moving a local vault in.
 * Everything else (list, create, reveal, run, validate, …) is the ordinary session over the team store.
 */

/** Action words of the history a removed member's use of a credential shows in (reveal, run, …, and the database's fetch rows). */
const USES = new Set(['reveal', 'run', 'inject', 'export', ...(['reveal', 'run', 'inject', 'export', 'validate', 'discover', 'mcp'] as const).map(fetchAction)])

/** A PostgreSQL role name credctl will put in a GRANT unquoted-safe: lower-case identifier. */
const PG_ROLE = /^[a-z_][a-z0-9_]{0,62}$/

/** The user of a postgresql:// URL, when it names one. */
function dbUserOf(backend: string): string | null {
  try {
    const u = decodeURIComponent(new URL(backend).username)
    return u || null
  } catch {
    return null
  }
}

const byMember = (a: TeamMember, b: TeamMember): number => (a.member < b.member ? -1 : a.member > b.member ? 1 : 0)

function notTeam(where: string): CredctlError {
  return new CredctlError('USAGE', `${where} is a local vault; members belong to team vaults`, { hint: 'name a team vault: --vault NAME (credctl vault list)' })
}

/** The store's database-side grant helpers, when the store has them (PostgreSQL). */
interface Grants {
  grantRole?(dbRole: string, role: TeamRole): Promise<{ sql: string; done: boolean }>
  revokeRoles?(dbRole: string, role: TeamRole): Promise<{ sql: string; done: boolean }>
}

export function teamApi(vault: Vault, opts: ClientOptions): TeamApi {
  const env = vault.env
  const config = () => import('../store/team-config.js')
  const keys = () => import('../keys/team.js')

  const openStore = async (name: string, backend: string) => {
    const { postgresStore } = await import('../store/postgres.js')
    return postgresStore({ connectionString: backend, vault: name, lockTimeoutMs: () => vault.lockTimeoutMs() })
  }

  /** The client's vault, loaded, which must be a team vault. */
  const loadTeam = async () => {
    const l = await vault.load()
    const where = (await vault.store()).location
    if (!l) throw new CredctlError('NOT_FOUND', `${where} does not exist`, { hint: 'create it with `credctl vault create NAME --backend postgresql://…`' })
    if (!l.vault.team) throw notTeam(where)
    return { l, team: l.vault.team, where }
  }

  const view = async (m: TeamMember, mine: string | null): Promise<MemberView> => {
    const { recipientFingerprint } = await import('../keys/identity.js')
    return { member: m.member, recipient: m.recipient, fingerprint: recipientFingerprint(m.recipient), role: m.role, kind: m.kind, db_role: m.db_role, added_at: m.added_at, you: m.recipient === mine }
  }

  const api: TeamApi = {
    async list() {
      return [...(await (await config()).readTeams(env)).values()]
    },

    async initSql(name) {
      if (!TEAM_VAULT_NAME.test(name)) throw badName(name)
      const { initSql } = await import('../store/postgres.js')
      return initSql(name)
    },

    async create(o): Promise<TeamCreated> {
      if (!TEAM_VAULT_NAME.test(o.name)) throw badName(o.name)
      const cfg = await config()
      cfg.checkBackend(o.backend)
      if ((await cfg.readTeams(env)).has(o.name)) throw new CredctlError('NAME_TAKEN', `this device already knows a team vault named ${o.name}`, { hint: 'pick another name, or `credctl vault detach NAME` first' })
      const dbUser = dbUserOf(o.backend)
      const member = o.member ?? (dbUser && MEMBER_NAME.test(dbUser) ? dbUser : env.USER && MEMBER_NAME.test(env.USER) ? env.USER : 'admin')
      if (!MEMBER_NAME.test(member)) throw badMember(member)
      const k = await keys()
      const me = await k.myIdentity({ env, keychain: () => vault.keychain() })
      const store = await openStore(o.name, o.backend)
      try {
        // A role without DDL rights may still create the vault in a schema a DBA installed (init-sql):
        // the refusal is kept and told only when the schema is not there either.
        let refused: unknown
        if (o.install !== false) await store.install().catch((e: unknown) => {
          if (!(e instanceof CredctlError) || e.code !== 'VAULT_FORBIDDEN') throw e
          refused = e
        })
        const vaultId = crypto().randomUUID()
        const { key, header } = k.newTeamKey(vaultId)
        const now = vault.now().toISOString()
        const team: TeamHeader = {
          name: o.name,
          epoch: 1,
          offline: o.offline ?? 'allow',
          members: [{ member, recipient: me.recipient, role: 'admin', kind: 'human', db_role: dbUser && PG_ROLE.test(dbUser) ? dbUser : null, wrap: await k.wrapKey(key, me.recipient), added_at: now }],
          epochs: [{ epoch: 1, key_id: k.keyId(key), back: null }],
        }
        await store.transact(
          async (tx) => {
            if (tx.header()) throw new CredctlError('NAME_TAKEN', `team vault ${o.name} already exists in that database`, { hint: `join it with: credctl vault attach ${o.name} --backend …` })
            const fresh: VaultFile = { version: 2, vault_id: vaultId, created_at: now, key: header, credentials: [], mac: '', team }
            applyChanges(undefined, fresh, key, tx, store.location)
          },
          { lockTimeoutMs: vault.lockTimeoutMs() },
        ).catch((e: unknown) => {
          throw refused ?? e
        })
        await cfg.writeTeam(env, o.name, { backend: o.backend, vault_id: vaultId, attached_at: now })
        await store.history.append([entryFor(undefined, 'vault-create', 'ok', now, `admin ${member}`)]).catch(() => {})
        // This device has now seen epoch 1 and sequence 1: pinned like any later read.
        const pinned = sessionFor(o.name)
        await pinned.verifiedKey((await pinned.load())!, { quiet: true })
        return { name: o.name, vault_id: vaultId, key_id: k.keyId(key), member, fingerprint: (await import('../keys/identity.js')).recipientFingerprint(me.recipient), installed: o.install !== false && refused === undefined }
      } finally {
        await store.close().catch(() => {})
      }
    },

    async attach(o): Promise<TeamAttached> {
      if (!TEAM_VAULT_NAME.test(o.name)) throw badName(o.name)
      const cfg = await config()
      cfg.checkBackend(o.backend)
      const store = await openStore(o.name, o.backend)
      let snap
      try {
        snap = await store.load()
      } finally {
        await store.close().catch(() => {})
      }
      if (!snap?.header.team) throw new CredctlError('NOT_FOUND', `there is no team vault ${o.name} in that database`, { hint: 'check --backend and the name (an admin made it with `credctl vault create`)' })
      await cfg.writeTeam(env, o.name, { backend: o.backend, vault_id: snap.header.vault_id, attached_at: vault.now().toISOString() })
      const s = sessionFor(o.name)
      const l = parseSnapshot(snap, store.location)
      const me = await s.me(l.vault.team!).catch((e: unknown) => {
        if (e instanceof CredctlError && e.code === 'NOT_A_MEMBER') return undefined
        throw e
      })
      // A member checks everything now, and pins this epoch's key (trust on first use: compare key_id).
      if (me) await s.verifiedKey(l)
      const cur = snap.header.team.epochs.find((e) => e.epoch === snap.header.team!.epoch)
      return { name: o.name, vault_id: snap.header.vault_id, key_id: me ? (cur?.key_id ?? null) : null, member: me?.member ?? null, role: me?.role ?? null, members: snap.header.team.members.length }
    },

    async detach(name) {
      const cfg = await config()
      if (!(await cfg.readTeams(env)).has(name)) throw new CredctlError('NOT_FOUND', `this device knows no team vault named ${name}`, { hint: 'see `credctl vault list`' })
      await cfg.writeTeam(env, name, undefined)
      await (await keys()).forgetTeamPin(env, name)
    },

    async status(): Promise<TeamStatus> {
      const { l, team } = await loadTeam()
      const cfg = (await (await config()).readTeams(env)).get(team.name)
      const counts = { active: 0, deleted: 0 }
      for (const c of l.vault.credentials) counts[c.deleted_at === null ? 'active' : 'deleted']++
      let integrity: TeamStatus['integrity'] = { status: 'ok', reason: null }
      let me: TeamMember | undefined
      try {
        me = await vault.me(team)
        await vault.verifiedKey(l, { quiet: true })
      } catch (e) {
        if (!(e instanceof CredctlError)) throw e
        integrity = e.code === 'NOT_A_MEMBER' || e.code === 'KEY_UNAVAILABLE' || e.code === 'NOT_FOUND' ? { status: 'unchecked', reason: e.message } : { status: 'failed', reason: e.message }
      }
      const cur = team.epochs.find((e) => e.epoch === team.epoch)
      return {
        name: team.name,
        backend: cfg?.backend ?? '',
        vault_id: l.vault.vault_id,
        epoch: team.epoch,
        sequence: l.header.sequence,
        key_id: cur?.key_id ?? '',
        members: team.members.length,
        member: me?.member ?? null,
        role: me?.role ?? null,
        offline: team.offline,
        credentials: counts,
        integrity,
      }
    },

    async setOffline(policy) {
      await vault.mutate(
        async (v, _key, now) => {
          if (!v.team) throw notTeam(v.vault_id)
          v.team.offline = policy
          return { result: undefined, history: [entryFor(undefined, 'vault-set', 'ok', now, `offline ${policy}`)] }
        },
        { role: 'admin' },
      )
    },

    async importLocal(o) {
      const { team } = await loadTeam()
      await vault.requireRole(team, 'writer', 'importing credentials')
      if (!o.from) throw new CredctlError('USAGE', 'give the local vault file to import: --from PATH')
      // The local vault with its own key source; a path, never a team name.
      const local = new Vault({ ...opts, store: undefined, vault: /[\\/]/.test(o.from) ? o.from : `./${o.from}` })
      const ll = await local.load()
      if (!ll) throw new CredctlError('NOT_FOUND', `there is no vault at ${o.from}`)
      if (ll.vault.team) throw new CredctlError('USAGE', `${o.from} is a team vault; --from takes a local vault file`)
      const lkey = await local.verifiedKey(ll)
      const plain = new Map<string, Buffer>()
      for (const r of ll.vault.credentials) plain.set(r.id, open(lkey, r.secret, aadFor(ll.vault.vault_id, r.id, 'value')))
      const schemas = new Map<string, unknown>()
      for (const r of ll.vault.credentials) if (r.has_schema) {
        const doc = await local.readSchema(r.id).catch(() => undefined)
        if (doc !== undefined) schemas.set(r.id, doc)
      }
      let deleted = 0
      try {
        await vault.mutate(async (v, key, now) => {
          const ids = new Set(v.credentials.map((c) => c.id))
          const names = new Set(v.credentials.filter((c) => c.deleted_at === null).map((c) => c.name))
          const defaults = new Set(v.credentials.filter((c) => c.deleted_at === null && c.is_default).map((c) => c.type))
          const added: CredentialRecord[] = []
          for (const r of ll.vault.credentials) {
            if (ids.has(r.id)) throw new CredctlError('NAME_TAKEN', `credential id ${r.id} ("${r.name}") is already in team vault ${v.team?.name}; nothing was imported`)
            if (r.deleted_at === null && names.has(r.name)) throw new CredctlError('NAME_TAKEN', `team vault ${v.team?.name} already has an active credential named "${r.name}"; nothing was imported`, { hint: 'rename one of them first' })
            if (r.deleted_at !== null) deleted++
            const is_default = r.is_default && r.deleted_at === null && !defaults.has(r.type)
            added.push({ ...r, settings: { ...r.settings }, is_default, secret: seal(key, plain.get(r.id)!, aadFor(v.vault_id, r.id, 'value')) })
          }
          v.credentials.push(...added)
          return { result: undefined, history: [entryFor(added, 'vault-import', 'ok', now, `from a local vault (${added.length} credentials)`)] }
        })
      } finally {
        for (const b of plain.values()) b.fill(0)
      }
      for (const [id, doc] of schemas) await vault.writeSchema(id, doc as never)
      return { imported: ll.vault.credentials.length, deleted, schemas: schemas.size }
    },

    members: {
      async list() {
        const { team } = await loadTeam()
        const mine = await vault.me(team).then((m) => m.recipient, () => null)
        return Promise.all([...team.members].sort(byMember).map((m) => view(m, mine)))
      },

      async add(o): Promise<MemberAdded> {
        if (!MEMBER_NAME.test(o.member)) throw badMember(o.member)
        const role = o.role ?? 'reader'
        if (!TEAM_ROLES.includes(role)) throw new CredctlError('INVALID_INPUT', `unknown role "${String(role)}": use reader, writer or admin`)
        const kind = o.kind ?? 'human'
        const k = await keys()
        const recipient = await k.parseRecipient(o.recipient)
        const dbRole = o.dbRole ?? (kind !== 'recovery' && PG_ROLE.test(o.member) ? o.member : null)
        if (dbRole !== null && !PG_ROLE.test(dbRole)) throw new CredctlError('INVALID_INPUT', `"${dbRole}" is not a database role name credctl can grant (lower-case letters, digits, _)`)
        await vault.mutate(
          async (v, key, now) => {
            const t = v.team
            if (!t) throw notTeam(v.vault_id)
            if (t.members.some((m) => m.member === o.member)) throw new CredctlError('NAME_TAKEN', `${o.member} is already a member of ${t.name}`, { hint: 'remove them first to change their device; roles: remove and add again' })
            const same = t.members.find((m) => m.recipient === recipient)
            if (same) throw new CredctlError('NAME_TAKEN', `that recipient is already member ${same.member} of ${t.name}`)
            // 32 bytes wrapped for one more recipient: no value is re-encrypted.
            t.members = [...t.members, { member: o.member, recipient, role, kind, db_role: dbRole, wrap: await k.wrapKey(key, recipient), added_at: now }].sort(byMember)
            return { result: undefined, history: [entryFor(undefined, 'member-add', 'ok', now, `${o.member} as ${role}${kind !== 'human' ? ` (${kind})` : ''}`)] }
          },
          { role: 'admin' },
        )
        const grant = dbRole ? await grantsOf(await vault.store()).grantRole?.(dbRole, role).catch(() => undefined) : undefined
        const { recipientFingerprint } = await import('../keys/identity.js')
        return { member: o.member, fingerprint: recipientFingerprint(recipient), role, kind, db_role: dbRole, grant: grant?.sql ?? null, granted: grant?.done ?? false }
      },

      async remove(member, o = {}): Promise<MemberRemoved> {
        const { team, where } = await loadTeam()
        const target = team.members.find((m) => m.member === member)
        if (!target) throw new CredctlError('NOT_FOUND', `${member} is not a member of ${team.name}`, { hint: `see: credctl --vault ${team.name} member list` })
        const me = await vault.me(team)
        await vault.requireRole(team, 'admin', 'removing a member')
        if (target.recipient === me.recipient) throw new CredctlError('USAGE', `this device is ${member}: another admin removes it`, { hint: 'a vault must keep an admin who can open it' })
        const rotate = o.rotate !== false
        let epoch = team.epoch
        let reEncrypted = 0
        if (rotate) {
          const r = await vault.rotateKey({ purpose: 'member-remove', markForRotation: true, keepMembers: (ms) => ms.filter((m) => m.member !== member) })
          reEncrypted = r.re_encrypted
          epoch = team.epoch + 1
        } else {
          await vault.mutate(
            async (v, _key, now) => {
              if (!v.team) throw notTeam(where)
              v.team.members = v.team.members.filter((m) => m.member !== member)
              for (const c of v.credentials) if (c.deleted_at === null && c.needs_rotation_since === undefined) c.needs_rotation_since = now
              return { result: undefined }
            },
            { role: 'admin' },
          )
        }
        const now = vault.now().toISOString()
        await vault.history([entryFor(undefined, 'member-remove', 'ok', now, `${member}${rotate ? `, key rotated to epoch ${epoch}` : ', key NOT rotated'}`)])
        const revoke = target.db_role ? await grantsOf(await vault.store()).revokeRoles?.(target.db_role, target.role).catch(() => undefined) : undefined
        return { member, rotated: rotate, epoch, re_encrypted: reEncrypted, revoke: revoke?.sql ?? null, revoked: revoke?.done ?? false, to_change: await toChange(target) }
      },
    },
  }

  /** A session on another (named) vault, with this client's settings. */
  function sessionFor(name: string): Vault {
    return new Vault({ ...opts, store: undefined, vault: name })
  }

  /** Active credentials to change at their providers: those the member used (history says) first. */
  async function toChange(m: TeamMember): Promise<CredentialToChange[]> {
    const v = await vault.read()
    const used = new Set<string>()
    if (m.db_role) {
      const entries: HistoryEntry[] = await vault.readHistory().catch(() => [])
      for (const e of entries) if (e.actor === m.db_role && USES.has(e.action)) for (const c of e.credentials) if (c.id) used.add(c.id)
    }
    const active = (v?.credentials ?? []).filter((c) => c.deleted_at === null)
    return active
      .map((c) => ({ id: c.id, name: c.name, type: c.type, used_by_member: used.has(c.id) }))
      .sort((a, b) => Number(b.used_by_member) - Number(a.used_by_member) || (a.name < b.name ? -1 : 1))
  }

  return api
}

/** The store's grant helpers: the PostgreSQL store's, also through the offline cache around it. */
function grantsOf(store: VaultStore): Grants {
  const s = store as VaultStore & { inner?: VaultStore }
  return (s.inner ?? s) as VaultStore & Grants
}

function badName(name: string): CredctlError {
  return new CredctlError('INVALID_INPUT', `"${name.slice(0, 50)}" is not a team vault name: a lower-case letter, then up to 39 of a-z, 0-9 and - (no _: the schema name uses it)`)
}

function badMember(name: string): CredctlError {
  return new CredctlError('INVALID_INPUT', `"${name.slice(0, 70)}" is not a member name: 1-64 of letters, digits, . _ @ + - (e.g. alice, alice@laptop, ci-deploy)`)
}
