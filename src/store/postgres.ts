import { CredctlError } from '../errors.js'
import { parseEntry } from './history-entry.js'
import { initSql, rolesOf, schemaOf } from './postgres/ddl.js'
import { backendError, isConnectionLost, forbidden, isForbidden, isLockTimeout, locationOf } from './postgres/errors.js'
import { assertStorable, assertWritableHeader } from './storable.js'
import type { FetchPurpose, HistoryEntry, StoredRecord, StoreTx, TeamEpoch, TeamHeader, TeamMember, TransactOptions, ValueStore, VaultHeader, VaultSnapshot, VaultStore } from './types.js'

type Pool = import('pg').Pool
type PoolClient = import('pg').PoolClient

export { initSql, rolesOf, schemaOf }

/** A PostgreSQL identifier, double-quoted (the rule of pg's escapeIdentifier). */
const escapeIdent = (s: string): string => `"${s.replace(/"/g, '""')}"`

export interface PostgresStoreOptions {
  /** postgres:// or postgresql:// URL; a missing password comes from libpq's usual sources (PGPASSWORD, ~/.pgpass). */
  connectionString: string
  /** The team vault's name (TEAM_VAULT_NAME); its objects live in schema schemaOf(vault). */
  vault: string
  /** How long a transaction or exclusive() waits for another writer (default 10 s); TransactOptions overrides it. */
  lockTimeoutMs?: number | (() => number)
  /** How long to wait for a connection (default 5 s), then VAULT_IO. */
  connectTimeoutMs?: number
  /** Connections kept open at most (default 4). */
  maxConnections?: number
}

export interface PostgresStore extends VaultStore {
  /** GRANT the vault's `role` to a member's login role; `done` false when this login may not (the SQL is for a DBA). */
  grantRole(dbRole: string, role: 'reader' | 'writer' | 'admin'): Promise<{ sql: string; done: boolean }>
  /** REVOKE the vault's `role` from a login role (member remove); `done` false when this login may not (the SQL is for a DBA). */
  revokeRoles(dbRole: string, role: 'reader' | 'writer' | 'admin'): Promise<{ sql: string; done: boolean }>
  readonly values: ValueStore
  /** Run initSql(vault) (idempotent); needs CREATEROLE and CREATE on the database, else VAULT_FORBIDDEN. */
  install(): Promise<void>
  /** Close every connection (the process may exit without it: idle connections do not keep it alive). */
  close(): Promise<void>
}

// Advisory lock namespaces (the first key of pg_advisory_lock(int, int)): a credctl constant, so the
// second key (hashtext of the schema) never collides with another application's locks.
const CREATE_LOCK = 0x63726331 // a first transaction that creates the head row; install()
const ROTATE_LOCK = 0x63726332 // exclusive('rotate')

/**
 * How long a transaction may sit idle between statements (while the SDK's fn runs) before the server
 * ends it: a client that hangs holding the head row must not lock the team out. Rotation of 10,000
 * values re-seals in well under this.
 */
const IDLE_IN_TRANSACTION_MS = 60_000

interface HeadRow {
  vault_id: string
  name: string | null
  format: number
  created_at: string
  key_header: string
  sequence: string
  head_mac: string
  epoch: number | null
  offline: string | null
}

/** The head row and its members and epochs as JSON texts: one statement, so one snapshot. */
const stateSql = (q: string) => `SELECT h.vault_id, h.name, h.format, h.created_at, h.key_header, h.sequence::text AS sequence, h.head_mac, h.epoch, h.offline,
  (SELECT coalesce(json_agg(json_build_array(e.epoch, e.key_id, e.back) ORDER BY e.epoch), '[]')::text FROM ${q}.epochs e) AS epochs,
  (SELECT coalesce(json_agg(json_build_array(m.member, m.recipient, m.role, m.kind, m.db_role, m.wrap, m.added_at)), '[]')::text FROM ${q}.members m) AS members`

type StateRow = HeadRow & { epochs: string; members: string }

const byName = (a: TeamMember, b: TeamMember) => (a.member < b.member ? -1 : a.member > b.member ? 1 : 0)

/**
 * The header as the SDK gave it: the team part rebuilt from the head, members (sorted by name) and epochs
 * (ascending). Shapes and MACs are checked above the store; a key header that is not even JSON (edited in
 * the database) is VAULT_DAMAGED here.
 */
function headerOf(r: StateRow, location: string): VaultHeader {
  let key: VaultHeader['key']
  try {
    key = JSON.parse(r.key_header) as VaultHeader['key']
  } catch {
    throw new CredctlError('VAULT_DAMAGED', `the key header of ${location} is not valid JSON`, { hint: 'restore the vault from a backup of the database' })
  }
  const header: VaultHeader = {
    format: 2,
    vault_id: r.vault_id,
    created_at: r.created_at,
    key,
    sequence: Number(r.sequence),
    mac: r.head_mac,
  }
  if (r.name !== null) {
    const epochs = (JSON.parse(r.epochs) as [number, string, string | null][]).map(([epoch, key_id, back]): TeamEpoch => ({ epoch, key_id, back }))
    const members = (JSON.parse(r.members) as [string, string, TeamMember['role'], TeamMember['kind'], string | null, string, string][])
      .map(([member, recipient, role, kind, db_role, wrap, added_at]): TeamMember => ({ member, recipient, role, kind, db_role, wrap, added_at }))
      .sort(byName)
    header.team = { name: r.name, epoch: r.epoch!, offline: r.offline as TeamHeader['offline'], members, epochs }
  }
  return header
}

/** The head columns of a header, as stored. */
const headColumns = (h: VaultHeader) => ({
  vault_id: h.vault_id,
  format: 2,
  created_at: h.created_at,
  key_header: JSON.stringify(h.key),
  sequence: String(h.sequence),
  head_mac: h.mac,
  name: h.team?.name ?? null,
  epoch: h.team?.epoch ?? null,
  offline: h.team?.offline ?? null,
})

/**
 * The columns the database's unique indexes read (one active name, one default per type), copied from a
 * body. A stored body that is not a JSON object (edited in the database) counts as nameless and inactive.
 */
function indexColumns(body: string): { name: string | null; type: string | null; is_default: boolean; active: boolean } {
  let o: Record<string, unknown>
  try {
    o = (JSON.parse(body) ?? {}) as Record<string, unknown>
  } catch {
    return { name: null, type: null, is_default: false, active: false }
  }
  return {
    name: typeof o.name === 'string' ? o.name : null,
    type: typeof o.type === 'string' ? o.type : null,
    is_default: o.is_default === true,
    active: o.deleted_at === undefined || o.deleted_at === null,
  }
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b)

/**
 * A team vault kept in PostgreSQL (issue 14): one schema per vault (postgres/ddl.ts initSql, the layout
 * and grants), implementing the storage interface of types.ts with `values`. `pg` is imported on first
 * use, never at start-up.
 *
 * - `location`: `team vault NAME on host:port/db`, never the password.
 * - `load()`: one statement (one snapshot): the head row, epochs, members and every record's exact body
 *   in stored order; the TeamHeader is rebuilt as stored (members by name, epochs ascending); never a
 *   sealed value; undefined when the vault has no head row yet.
 * - `transact(fn)`: BEGIN; lock_timeout and idle_in_transaction_session_timeout for this transaction;
 *   `SELECT … FROM head FOR UPDATE` (a vault not created yet: creators queue on an advisory lock, and the
 *   head is INSERTed); the state is read after the lock; fn runs on it; only what changed is written
 *   (head columns, epochs and members diffed, records, sealed values) and committed. fn throwing, or
 *   changing nothing, rolls back. A record new to a team vault must come with its sealed value.
 * - `exclusive('rotate', fn)`: a session advisory lock on one dedicated connection while fn runs.
 * - `values.fetch`: request_fetch (commits the history row and a ticket) then fetch_values (D11, ddl.ts).
 * - `history`: rows of the history table (actor and server time stamped by the database; `time` is the
 *   client's, `actor` the login role); `schemas`: rows of the schemas table.
 * Errors: VAULT_LOCKED after lockTimeoutMs; VAULT_FORBIDDEN when the login role lacks a grant (naming the
 * vault role it needs); VAULT_CONFLICT on a second active name or default; VAULT_IO for a connection or
 * database failure (postgres/errors.ts); INVALID_INPUT for a malformed name or URL.
 */
export function postgresStore(opts: PostgresStoreOptions): PostgresStore {
  const where = locationOf(opts.connectionString, opts.vault)
  const { location } = where
  const schema = schemaOf(opts.vault)
  const S = `"${schema}"`
  const roles = rolesOf(opts.vault)
  const lockMs = (): number => {
    const v = typeof opts.lockTimeoutMs === 'function' ? opts.lockTimeoutMs() : opts.lockTimeoutMs
    return v ?? 10_000
  }
  let pool: Promise<Pool> | undefined
  const getPool = (): Promise<Pool> =>
    (pool ??= (async () => {
      const { default: pg } = await import('pg')
      const p = new pg.Pool({
        connectionString: opts.connectionString,
        application_name: 'credctl',
        connectionTimeoutMillis: opts.connectTimeoutMs ?? 5_000,
        max: opts.maxConnections ?? 4,
        // A CLI process exits when its work is done, without waiting for idle connections to time out.
        allowExitOnIdle: true,
        // An embedder may make many clients (each its own store): idle connections go soon, not after 10 s.
        idleTimeoutMillis: 2_000,
      })
      // A pooled connection the server drops while idle emits 'error': the next checkout reconnects.
      p.on('error', () => {})
      return p
    })())

  const connect = async (): Promise<PoolClient> => {
    try {
      const c = await (await getPool()).connect()
      // A connection the server ends while checked out emits 'error' (the pool listens only while it is
      // idle): without a listener that would crash the process; the pending query rejects anyway.
      if (c.listenerCount('error') === 0) c.on('error', () => {})
      return c
    } catch (e) {
      throw backendError(e, where, 'connect to')
    }
  }

  /** What a statement does, for messages: the VAULT_FORBIDDEN wording and the vault role it needs. */
  interface Doing {
    io: string
    may: string
    needs: string
  }
  const READ: Doing = { io: 'read', may: 'read the vault', needs: roles.reader }

  /** A database error as the CredctlError it means. */
  const mapError = (e: unknown, d: Doing, committing?: boolean): CredctlError => {
    if (isForbidden(e)) return forbidden(where, d.may, d.needs)
    return backendError(e, where, d.io, committing === undefined ? {} : { committing })
  }

  /** Statements on one pooled connection, outside any transaction (autocommit). */
  const withClient = async <T>(d: Doing, run: (c: PoolClient) => Promise<T>, attempt = 1): Promise<T> => {
    const c = await connect()
    try {
      const out = await run(c)
      c.release()
      return out
    } catch (e) {
      c.release(true)
      // A read on a pooled connection the server had ended while it sat idle (terminated, restarted):
      // once more on a fresh one. Only reads: a write's outcome would be unknown.
      if (attempt === 1 && d.io.startsWith('read') && isConnectionLost(e)) return withClient(d, run, 2)
      throw mapError(e, d)
    }
  }
  const query = <R extends object>(d: Doing, text: string, values: unknown[] = []): Promise<R[]> => withClient(d, async (c) => (await c.query<R>(text, values)).rows)

  const locked = (): CredctlError =>
    new CredctlError('VAULT_LOCKED', `${location} is locked by another writer`, {
      hint: 'wait for it to finish, or raise CREDCTL_LOCK_TIMEOUT_MS',
    })

  /** 23505 on the indexes the team shares: which name or type is taken. */
  const conflict = (e: unknown): CredctlError | undefined => {
    const err = e as { code?: string; constraint?: string; detail?: string }
    if (err?.code !== '23505') return undefined
    const value = /=\((.*)\) already exists/s.exec(err.detail ?? '')?.[1]
    if (err.constraint === 'one_active_name') {
      return new CredctlError('VAULT_CONFLICT', `another active credential in ${location} is already named ${JSON.stringify(value ?? '?')}`, { hint: 'load the vault again and choose another name' })
    }
    if (err.constraint === 'one_default') {
      return new CredctlError('VAULT_CONFLICT', `another active credential of type ${JSON.stringify(value ?? '?')} is already the default in ${location}`, { hint: 'load the vault again; set-default moves the default' })
    }
    if (err.constraint === 'members_recipient_key') {
      return new CredctlError('VAULT_CONFLICT', `another member of ${location} already has that recipient`)
    }
    return undefined
  }

  let queue: Promise<unknown> = Promise.resolve()

  const runTransaction = async <T>(fn: (tx: StoreTx) => Promise<T>, timeoutMs: number): Promise<T> => {
    const c = await connect()
    let broken = false
    // Errors of the database are mapped; fn's own errors (and the caller's bugs) pass through as thrown.
    const sql = async <R extends object>(d: Doing, text: string, values: unknown[] = []): Promise<R[]> => {
      try {
        return (await c.query<R>(text, values)).rows
      } catch (e) {
        broken = true
        if (isLockTimeout(e)) throw locked()
        throw conflict(e) ?? mapError(e, d, false)
      }
    }
    const WRITE: Doing = { io: 'write to', may: 'write to the vault', needs: roles.writer }
    const ADMIN = (may: string): Doing => ({ io: 'write to', may, needs: roles.admin })
    let open = false
    try {
      await sql(WRITE, 'BEGIN')
      open = true
      await sql(WRITE, `SELECT set_config('lock_timeout', $1, true), set_config('idle_in_transaction_session_timeout', $2, true)`, [
        `${Math.max(1, Math.floor(timeoutMs))}ms`,
        `${IDLE_IN_TRANSACTION_MS}ms`,
      ])
      const lockHead = () => sql(WRITE, `SELECT 1 FROM ${S}.head FOR UPDATE`)
      if ((await lockHead()).length === 0) {
        // No head row to lock yet: creators of this vault queue on an advisory lock on its schema, then
        // look again (READ COMMITTED: the next statement sees a row the previous holder committed).
        await sql(WRITE, 'SELECT pg_advisory_xact_lock($1, hashtext($2))', [CREATE_LOCK, schema])
        await lockHead()
      }
      // Read after the lock, in new statements: a snapshot taken before it could miss the last writer's rows.
      const [state] = await sql<StateRow>(READ, `${stateSql(S)} FROM ${S}.head h`)
      const before = state ? headerOf(state, location) : undefined
      const stored = before
        ? await sql<{ id: string; ord: string; revision: string; mac: string; body: string }>(READ, `SELECT id, ord::text AS ord, revision::text AS revision, mac, body FROM ${S}.records ORDER BY ord`)
        : []
      const old = new Map(stored.map((r) => [r.id, { rec: { id: r.id, revision: Number(r.revision), mac: r.mac, body: r.body }, ord: Number(r.ord) }]))
      let maxOrd = stored.reduce((m, r) => Math.max(m, Number(r.ord)), 0)

      let header = before && structuredClone(before)
      const recs = new Map<string, StoredRecord>([...old].map(([id, o]) => [id, o.rec]))
      const removedOnce = new Set<string>()
      // Sealed values put in this transaction, apart from the records (as the secrets table keeps them):
      // a later put of the same record without one keeps it, a remove drops it.
      const sealedPut = new Map<string, string>()
      const tx: StoreTx = {
        header: () => header && structuredClone(header),
        setHeader: (h) => {
          assertWritableHeader(h)
          header = structuredClone(h)
        },
        // Never a sealed value: what fn reads back is what load() would give.
        records: () => [...recs.values()].map((r) => ({ ...r })),
        put: (r) => {
          assertStorable(r)
          recs.set(r.id, { id: r.id, revision: r.revision, mac: r.mac, body: r.body })
          if (r.sealed !== undefined) sealedPut.set(r.id, r.sealed)
        },
        remove: (id) => {
          sealedPut.delete(id)
          if (recs.delete(id)) removedOnce.add(id)
        },
      }
      const out = await fn(tx)

      // What changed, against what was read. A Map keeps a replaced key in place and puts a new (or
      // removed and re-put) key last, so kept records keep their `ord` and the rest follow in order.
      const removes = [...old.keys()].filter((id) => !recs.has(id))
      const puts: { r: StoredRecord; ord: number; existed: boolean }[] = []
      for (const rec of recs.values()) {
        const was = old.get(rec.id)
        const kept = was && !removedOnce.has(rec.id)
        const ord = kept ? was.ord : ++maxOrd
        const sealed = sealedPut.get(rec.id)
        if (kept && sealed === undefined && was.rec.revision === rec.revision && was.rec.mac === rec.mac && was.rec.body === rec.body) continue
        puts.push({ r: sealed === undefined ? rec : { ...rec, sealed }, ord, existed: !!was })
      }
      const cols = header && headColumns(header)
      const was = before && headColumns(before)
      const headChanges = cols ? (Object.keys(cols) as (keyof typeof cols)[]).filter((k) => !was || cols[k] !== was[k]) : []
      const team = header?.team
      const epochsBefore = new Map((before?.team?.epochs ?? []).map((e) => [e.epoch, e]))
      const epochsAfter = new Map((team?.epochs ?? []).map((e) => [e.epoch, e]))
      const membersBefore = new Map((before?.team?.members ?? []).map((m) => [m.member, m]))
      const membersAfter = new Map((team?.members ?? []).map((m) => [m.member, m]))
      const epochWrites = [...epochsAfter.values()].filter((e) => !sameJson(e, epochsBefore.get(e.epoch)))
      const epochDeletes = [...epochsBefore.keys()].filter((n) => !epochsAfter.has(n))
      const memberInserts = [...membersAfter.values()].filter((m) => !membersBefore.has(m.member))
      const memberUpdates = [...membersAfter.values()].filter((m) => membersBefore.has(m.member) && !sameJson(m, membersBefore.get(m.member)))
      const memberDeletes = [...membersBefore.keys()].filter((n) => !membersAfter.has(n))

      const nothing = headChanges.length === 0 && removes.length === 0 && puts.length === 0
      if (nothing && epochWrites.length + epochDeletes.length + memberInserts.length + memberUpdates.length + memberDeletes.length === 0) {
        await sql(WRITE, 'ROLLBACK')
        open = false
        return out
      }
      if (!header || !cols) throw new Error('postgres store: a transaction wrote records without a vault header (a bug in the caller)')
      // A team vault's record holds only a digest of its value (D3): a record new to it without its sealed
      // value would be a credential nobody can ever open.
      if (team) {
        const bare = puts.find((p) => !p.existed && p.r.sealed === undefined)
        if (bare) throw new Error(`postgres store: record ${bare.r.id} put without its sealed value (a bug in the caller)`)
      }

      if (!before) {
        await sql(
          ADMIN('create the vault'),
          `INSERT INTO ${S}.head (vault_id, format, created_at, key_header, sequence, head_mac, name, epoch, offline) VALUES ($1, 2, $2, $3, $4, $5, $6, $7, $8)`,
          [cols.vault_id, cols.created_at, cols.key_header, cols.sequence, cols.head_mac, cols.name, cols.epoch, cols.offline],
        )
      } else if (headChanges.length > 0) {
        // A writer may move the sequence and the head MAC only; the rest (key, epoch, policy) is an admin's.
        const writerOnly = headChanges.every((k) => k === 'sequence' || k === 'head_mac')
        await sql(
          writerOnly ? { ...WRITE, may: 'update the vault head' } : ADMIN('change the vault header (key, epoch, offline policy)'),
          `UPDATE ${S}.head SET ${headChanges.map((k, i) => `${k} = $${i + 1}`).join(', ')}`,
          headChanges.map((k) => cols[k]),
        )
      }
      if (epochDeletes.length > 0) await sql(ADMIN('change key epochs'), `DELETE FROM ${S}.epochs WHERE epoch = ANY($1::int[])`, [epochDeletes])
      if (epochWrites.length > 0) {
        await sql(
          ADMIN('change key epochs'),
          `INSERT INTO ${S}.epochs (epoch, key_id, back) SELECT * FROM unnest($1::int[], $2::text[], $3::text[])
           ON CONFLICT (epoch) DO UPDATE SET key_id = EXCLUDED.key_id, back = EXCLUDED.back`,
          [epochWrites.map((e) => e.epoch), epochWrites.map((e) => e.key_id), epochWrites.map((e) => e.back)],
        )
      }
      const memberArgs = (ms: TeamMember[]) => [ms.map((m) => m.member), ms.map((m) => m.recipient), ms.map((m) => m.role), ms.map((m) => m.kind), ms.map((m) => m.db_role), ms.map((m) => m.wrap), ms.map((m) => m.added_at)]
      if (memberDeletes.length > 0) await sql(ADMIN('remove members'), `DELETE FROM ${S}.members WHERE member = ANY($1::text[])`, [memberDeletes])
      if (memberUpdates.length > 0) {
        await sql(
          ADMIN('change members'),
          `UPDATE ${S}.members m SET recipient = u.recipient, role = u.role, kind = u.kind, db_role = u.db_role, wrap = u.wrap, added_at = u.added_at
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS u(member, recipient, role, kind, db_role, wrap, added_at)
           WHERE m.member = u.member`,
          memberArgs(memberUpdates),
        )
      }
      if (memberInserts.length > 0) {
        await sql(
          ADMIN('add members'),
          `INSERT INTO ${S}.members (member, recipient, role, kind, db_role, wrap, added_at) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])`,
          memberArgs(memberInserts),
        )
      }
      if (removes.length > 0) await sql(ADMIN('delete (purge) credentials'), `DELETE FROM ${S}.records WHERE id = ANY($1::text[])`, [removes])
      if (puts.length > 0) {
        const writeRecords: Doing = { ...WRITE, may: 'write credentials' }
        // The unique indexes cannot be deferred: moving a default (or a name) from one row to another in
        // one statement would trip over the row not yet rewritten. So the rows whose name, type, default or
        // deletion change first leave both indexes (inactive, not default), then take their new values.
        const idx = puts.map((p) => indexColumns(p.r.body))
        const moving = puts.filter((p, i) => p.existed && !sameJson(idx[i], indexColumns(old.get(p.r.id)!.rec.body))).map((p) => p.r.id)
        if (moving.length > 0) await sql(writeRecords, `UPDATE ${S}.records SET is_default = false, active = false WHERE id = ANY($1::text[])`, [moving])
        await sql(
          writeRecords,
          `INSERT INTO ${S}.records (id, ord, revision, mac, body, name, type, is_default, active)
           SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::boolean[], $9::boolean[])
           ON CONFLICT (id) DO UPDATE SET ord = EXCLUDED.ord, revision = EXCLUDED.revision, mac = EXCLUDED.mac, body = EXCLUDED.body,
             name = EXCLUDED.name, type = EXCLUDED.type, is_default = EXCLUDED.is_default, active = EXCLUDED.active`,
          [
            puts.map((p) => p.r.id),
            puts.map((p) => String(p.ord)),
            puts.map((p) => String(p.r.revision)),
            puts.map((p) => p.r.mac),
            puts.map((p) => p.r.body),
            idx.map((x) => x.name),
            idx.map((x) => x.type),
            idx.map((x) => x.is_default),
            idx.map((x) => x.active),
          ],
        )
        const sealed = puts.filter((p) => p.r.sealed !== undefined)
        if (sealed.length > 0) {
          // Two statements, not an upsert: ON CONFLICT DO UPDATE reads EXCLUDED.sealed, which needs SELECT
          // on the column a writer must never read. Replace those there, then add the rest.
          const args = [sealed.map((p) => p.r.id), sealed.map((p) => p.r.sealed)]
          const writeValues: Doing = { ...WRITE, may: 'write credential values' }
          await sql(writeValues, `UPDATE ${S}.secrets s SET sealed = u.sealed FROM unnest($1::text[], $2::text[]) AS u(id, sealed) WHERE s.id = u.id`, args)
          await sql(writeValues, `INSERT INTO ${S}.secrets (id, sealed) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT (id) DO NOTHING`, args)
        }
      }
      open = false
      try {
        await c.query('COMMIT')
      } catch (e) {
        broken = true
        throw conflict(e) ?? mapError(e, { ...WRITE, io: 'commit to' }, true)
      }
      return out
    } finally {
      if (open && !broken) {
        try {
          await c.query('ROLLBACK')
        } catch {
          broken = true
        }
      }
      // A connection whose transaction failed midway is not trusted again: the pool opens a new one.
      c.release(broken || open ? true : undefined)
    }
  }

  return {
    location,

    async install() {
      const c = await connect()
      try {
        // Two installers at once would race on the catalog: one transaction, serialised.
        await c.query('BEGIN')
        await c.query('SELECT pg_advisory_xact_lock($1, 0)', [CREATE_LOCK])
        await c.query(initSql(opts.vault))
        await c.query('COMMIT')
        c.release()
      } catch (e) {
        c.release(true)
        if (isForbidden(e)) {
          throw new CredctlError('VAULT_FORBIDDEN', `database role ${where.user} may not create the schema and roles of ${location}`, {
            hint: `ask a database admin to run the SQL that \`credctl vault init-sql ${opts.vault}\` prints (it needs CREATEROLE and CREATE on the database)`,
          })
        }
        throw backendError(e, where, 'install the schema of')
      }
    },

    async grantRole(dbRole: string, role: 'reader' | 'writer' | 'admin') {
      // The role's name is the caller's (a member's db role); quoted as an identifier, never spliced raw.
      const sql = `GRANT ${escapeIdent(roles[role])} TO ${escapeIdent(dbRole)}`
      try {
        await query({ io: 'grant a role in', may: `grant ${roles[role]}`, needs: `${roles[role]} WITH ADMIN OPTION` }, sql)
        return { sql, done: true }
      } catch {
        return { sql, done: false } // printed for a DBA instead (an admin may grant reader and writer only)
      }
    },

    async revokeRoles(dbRole: string, role: 'reader' | 'writer' | 'admin') {
      // The role member add granted (an admin may revoke reader and writer; the admin role, only a DBA).
      const sql = `REVOKE ${escapeIdent(roles[role])} FROM ${escapeIdent(dbRole)}`
      try {
        await query({ io: 'revoke a role in', may: `revoke ${roles[role]}`, needs: `${roles[role]} WITH ADMIN OPTION` }, sql)
        return { sql, done: true }
      } catch {
        return { sql, done: false }
      }
    },

    async close() {
      if (!pool) return
      const p = pool
      pool = undefined
      await (await p).end()
    },

    async load(): Promise<VaultSnapshot | undefined> {
      // One statement, so one snapshot: the header and the records it describes, never a mix of two commits.
      const rows = await query<StateRow & { records: string }>(
        READ,
        `${stateSql(S)},
           (SELECT coalesce(json_agg(json_build_array(r.id, r.revision, r.mac, r.body) ORDER BY r.ord), '[]')::text FROM ${S}.records r) AS records
         FROM ${S}.head h`,
      )
      const row = rows[0]
      if (!row) return undefined
      const records = (JSON.parse(row.records) as [string, number, string, string][]).map(([id, revision, mac, body]) => ({ id, revision, mac, body }))
      return { header: headerOf(row, location), records }
    },

    transact<T>(fn: (tx: StoreTx) => Promise<T>, topts: TransactOptions = {}): Promise<T> {
      const timeoutMs = topts.lockTimeoutMs ?? lockMs()
      const run = () => runTransaction(fn, timeoutMs)
      const p = queue.then(run, run)
      queue = p.catch(() => {})
      return p
    },

    async exclusive<T>(_name: 'rotate', fn: () => Promise<T>, topts: TransactOptions = {}): Promise<T> {
      const timeoutMs = topts.lockTimeoutMs ?? lockMs()
      const c = await connect()
      try {
        await c.query(`SELECT set_config('lock_timeout', $1, false)`, [`${Math.max(1, Math.floor(timeoutMs))}ms`])
        await c.query('SELECT pg_advisory_lock($1, hashtext($2))', [ROTATE_LOCK, schema])
        await c.query(`SELECT set_config('lock_timeout', '0', false)`)
      } catch (e) {
        c.release(true)
        if (isLockTimeout(e)) throw new CredctlError('VAULT_LOCKED', `${location} is being rotated by another process`, { hint: 'wait for it to finish, or raise CREDCTL_LOCK_TIMEOUT_MS' })
        throw backendError(e, where, 'lock')
      }
      try {
        return await fn()
      } finally {
        // Unlocking failed: end the session instead, which releases every lock it held.
        await c.query('SELECT pg_advisory_unlock($1, hashtext($2))', [ROTATE_LOCK, schema]).then(
          () => c.release(),
          () => c.release(true),
        )
      }
    },

    values: {
      /**
       * Two calls in autocommit (D11, the comment in ddl.ts): request_fetch commits the history row
       * (action `fetch:<purpose>`) and returns a ticket; fetch_values(ticket) returns the sealed values.
       */
      async fetch(ids: readonly string[], purpose: FetchPurpose, detail?: string) {
        return withClient({ io: 'fetch values from', may: 'fetch values', needs: roles.reader }, async (c) => {
          const [t] = (await c.query<{ t: string }>(`SELECT ${S}.request_fetch($1::text[], $2, $3)::text AS t`, [[...new Set(ids)], purpose, detail ?? null])).rows
          return (await c.query<{ id: string; sealed: string }>(`SELECT id, sealed FROM ${S}.fetch_values($1::uuid)`, [t!.t])).rows.map((r) => ({ id: r.id, sealed: r.sealed }))
        })
      },
    },

    history: {
      location: `history of ${location}`,
      async append(entries: HistoryEntry[]) {
        if (entries.length === 0) return
        // actor and at are the database's (stamp trigger); the order of the array is kept.
        await query(
          { io: 'append history to', may: 'append history', needs: roles.reader },
          `INSERT INTO ${S}.history (client_time, action, outcome, detail, credentials)
           SELECT t, a, o, d, c::jsonb FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS x(t, a, o, d, c, n) ORDER BY n`,
          [entries.map((e) => e.time), entries.map((e) => e.action), entries.map((e) => e.outcome), entries.map((e) => e.detail ?? null), entries.map((e) => JSON.stringify(e.credentials))],
        )
      },
      async read() {
        const rows = await query<{ time: string; action: string; outcome: string; detail: string | null; credentials: unknown; actor: string }>(
          { io: 'read history of', may: 'read history', needs: roles.reader },
          // The time shown is the database's (`at`), like the actor: a client's own clock (client_time,
          // kept in the row) could say anything, e.g. backdate an entry.
          `SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS time, action, outcome, detail, credentials, actor::text AS actor FROM ${S}.history ORDER BY seq`,
        )
        // The file's reading rule (history-entry.ts): one shape for every adapter's entries, plus who.
        return rows.flatMap((r) => {
          const e = parseEntry({ ...r, detail: r.detail ?? undefined })
          return e ? [{ ...e, actor: r.actor }] : []
        })
      },
    },

    schemas: {
      async read(id) {
        const rows = await query<{ doc: string }>({ io: 'read a schema of', may: 'read schemas', needs: roles.reader }, `SELECT doc FROM ${S}.schemas WHERE id = $1`, [id])
        if (!rows[0]) return undefined
        try {
          return JSON.parse(rows[0].doc) as unknown
        } catch {
          throw new CredctlError('VAULT_DAMAGED', `the schema of ${id} in ${location} is not valid JSON`)
        }
      },
      async write(id, doc) {
        await query(
          { io: 'write a schema to', may: 'write schemas', needs: roles.writer },
          `INSERT INTO ${S}.schemas (id, doc) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET doc = EXCLUDED.doc`,
          [id, JSON.stringify(doc)],
        )
      },
      async remove(id) {
        await query({ io: 'remove a schema from', may: 'remove schemas', needs: roles.writer }, `DELETE FROM ${S}.schemas WHERE id = $1`, [id])
      },
    },
  }
}
