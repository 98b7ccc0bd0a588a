import { CredctlError } from '../errors.js'
import { parseEntry } from './history-entry.js'
import { POSTGRES_DDL } from './postgres/ddl.js'
import { backendError, isLockTimeout, locationOf } from './postgres/errors.js'
import { assertStorable, assertWritableHeader } from './storable.js'
import type { HistoryEntry, StoredRecord, StoreTx, TransactOptions, VaultHeader, VaultSnapshot, VaultStore } from './types.js'

type Pool = import('pg').Pool
type PoolClient = import('pg').PoolClient

export { POSTGRES_DDL }

export interface PostgresStoreOptions {
  /** postgres:// or postgresql:// URL; a missing password comes from libpq's usual sources (PGPASSWORD, ~/.pgpass). */
  connectionString: string
  /** The team vault's name (VAULT_NAME: 1-64 letters, digits, ".", "_", "-"); one database holds many. */
  vault: string
  /** How long a transaction or exclusive() waits for another writer (default 10 s); TransactOptions overrides it. */
  lockTimeoutMs?: number | (() => number)
  /** How long to wait for a connection (default 5 s), then VAULT_IO. */
  connectTimeoutMs?: number
  /** Connections kept open at most (default 4). */
  maxConnections?: number
}

export interface PostgresStore extends VaultStore {
  /** Run POSTGRES_DDL (idempotent); needs the rights to create the schema. VAULT_IO when refused. */
  install(): Promise<void>
  /** Close every connection (the process may exit without it: idle connections do not keep it alive). */
  close(): Promise<void>
}

// Advisory lock namespaces (the first key of pg_advisory_lock(int, int)): a credctl constant, so the
// second key (hashtext of the vault name) never collides with another application's locks.
const CREATE_LOCK = 0x63726331 // a first transaction that creates the head row
const ROTATE_LOCK = 0x63726332 // exclusive('rotate')

const HEAD_COLUMNS = 'vault_id, format, created_at, key_header, sequence::text AS sequence, head_mac'

interface HeadRow {
  vault_id: string
  format: number
  created_at: string
  key_header: string
  sequence: string
  head_mac: string
}

const headerOf = (r: HeadRow): VaultHeader => ({
  format: 2,
  vault_id: r.vault_id,
  created_at: r.created_at,
  key: JSON.parse(r.key_header) as VaultHeader['key'],
  sequence: Number(r.sequence),
  mac: r.head_mac,
})

const sameHeader = (a: VaultHeader, b: VaultHeader): boolean =>
  a.vault_id === b.vault_id && a.created_at === b.created_at && a.sequence === b.sequence && a.mac === b.mac && JSON.stringify(a.key) === JSON.stringify(b.key)

/**
 * A team vault kept in PostgreSQL (issue 14; the layout in postgres/ddl.ts), implementing the storage
 * interface of types.ts. `pg` is imported on first use, never at start-up.
 *
 * - `location`: `team vault NAME on host:port/db`, never the password.
 * - `load()`: one statement (one snapshot) returning the head row and every record's exact body, in
 *   stored order; undefined when the vault has no head row yet.
 * - `transact(fn)`: one database transaction: `SELECT … FOR UPDATE` on the head row (lock_timeout =
 *   lockTimeoutMs; a vault not created yet is serialised by a transaction-level advisory lock on its
 *   name), then the records are read (after the lock: a fresh snapshot), fn runs over them, and what it
 *   changed is written (head, deletes, one upsert) and committed. fn throwing, or changing nothing,
 *   rolls back. Transactions of one store object also queue in-process, so one process holds at most
 *   one connection in a transaction.
 * - `exclusive('rotate', fn)`: a session-level advisory lock on one dedicated connection, keyed by the
 *   vault's name, held while fn runs (beside transactions, which take their own connections).
 * - `history`: rows of credctl.history (actor and server time stamped by the database); `schemas`: rows
 *   of credctl.schemas.
 * Errors: VAULT_LOCKED (exit 4) after lockTimeoutMs; VAULT_IO (exit 4) for a connection or database
 * failure, naming the location (postgres/errors.ts); INVALID_INPUT for a malformed name or URL.
 * // Offline cache (issue 14): a load() that cannot connect would fall back to it here, above the pool.
 */
export function postgresStore(opts: PostgresStoreOptions): PostgresStore {
  const where = locationOf(opts.connectionString, opts.vault)
  const { location } = where
  const name = opts.vault
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

  /** One statement on a pooled connection. */
  const query = async <R extends object>(doing: string, text: string, values: unknown[]): Promise<R[]> => {
    const c = await connect()
    try {
      const rows = (await c.query<R>(text, values)).rows
      c.release()
      return rows
    } catch (e) {
      c.release(true)
      throw backendError(e, where, doing)
    }
  }

  const locked = (): CredctlError =>
    new CredctlError('VAULT_LOCKED', `${location} is locked by another writer`, {
      hint: 'wait for it to finish, or raise CREDCTL_LOCK_TIMEOUT_MS',
    })

  let queue: Promise<unknown> = Promise.resolve()

  const runTransaction = async <T>(fn: (tx: StoreTx) => Promise<T>, timeoutMs: number): Promise<T> => {
    const c = await connect()
    let broken = false
    // Errors of the database are mapped; fn's own errors (and the caller's bugs) pass through as thrown.
    const sql = async <R extends object>(text: string, values: unknown[] = []): Promise<R[]> => {
      try {
        return (await c.query<R>(text, values)).rows
      } catch (e) {
        broken = true
        if (isLockTimeout(e)) throw locked()
        throw backendError(e, where, 'write to', { committing: false })
      }
    }
    let open = false
    try {
      await sql('BEGIN')
      open = true
      await sql(`SELECT set_config('lock_timeout', $1, true)`, [`${Math.max(1, Math.floor(timeoutMs))}ms`])
      const lockHead = () => sql<HeadRow>(`SELECT ${HEAD_COLUMNS} FROM credctl.vault_head WHERE name = $1 FOR UPDATE`, [name])
      let rows = await lockHead()
      if (rows.length === 0) {
        // No head row to lock yet: creators of this vault queue on an advisory lock on its name, then
        // look again (READ COMMITTED: the next statement sees a row the previous holder committed).
        await sql('SELECT pg_advisory_xact_lock($1, hashtext($2))', [CREATE_LOCK, name])
        rows = await lockHead()
      }
      const before = rows[0] ? headerOf(rows[0]) : undefined
      // Read after the lock, in a new statement: a snapshot taken before it could miss the last writer's records.
      const stored = before
        ? await sql<{ id: string; ord: string; revision: string; mac: string; body: string }>(
            'SELECT id, ord::text AS ord, revision::text AS revision, mac, body FROM credctl.records WHERE vault_id = $1 ORDER BY ord',
            [before.vault_id],
          )
        : []
      const old = new Map(stored.map((r) => [r.id, { rec: { id: r.id, revision: Number(r.revision), mac: r.mac, body: r.body }, ord: Number(r.ord) }]))
      let maxOrd = stored.reduce((m, r) => Math.max(m, Number(r.ord)), 0)

      let header = before && structuredClone(before)
      const recs = new Map<string, StoredRecord>([...old].map(([id, o]) => [id, o.rec]))
      const removedOnce = new Set<string>()
      const tx: StoreTx = {
        header: () => header && structuredClone(header),
        setHeader: (h) => {
          assertWritableHeader(h)
          header = structuredClone(h)
        },
        records: () => [...recs.values()].map((r) => ({ ...r })),
        put: (r) => {
          assertStorable(r)
          recs.set(r.id, { id: r.id, revision: r.revision, mac: r.mac, body: r.body })
        },
        remove: (id) => {
          if (recs.delete(id)) removedOnce.add(id)
        },
      }
      const out = await fn(tx)

      // What changed, against what was read. A Map keeps a replaced key in place and puts a new (or
      // removed and re-put) key last, so kept records keep their `ord` and the rest follow in order.
      const removes = [...old.keys()].filter((id) => !recs.has(id))
      const puts: { r: StoredRecord; ord: number }[] = []
      for (const r of recs.values()) {
        const was = old.get(r.id)
        const kept = was && !removedOnce.has(r.id)
        const ord = kept ? was.ord : ++maxOrd
        if (kept && was.rec.revision === r.revision && was.rec.mac === r.mac && was.rec.body === r.body) continue
        puts.push({ r, ord })
      }
      const headChanged = !!header && (!before || !sameHeader(before, header))
      if (!headChanged && removes.length === 0 && puts.length === 0) {
        await sql('ROLLBACK')
        open = false
        return out
      }
      if (!header) throw new Error('postgres store: a transaction wrote records without a vault header (a bug in the caller)')
      if (headChanged) {
        const v = [header.vault_id, header.created_at, JSON.stringify(header.key), String(header.sequence), header.mac, name]
        if (before) {
          // A new vault_id moves the records with it (ON UPDATE CASCADE).
          await sql('UPDATE credctl.vault_head SET vault_id = $1, format = 2, created_at = $2, key_header = $3, sequence = $4, head_mac = $5 WHERE name = $6', v)
        } else {
          await sql('INSERT INTO credctl.vault_head (vault_id, format, created_at, key_header, sequence, head_mac, name) VALUES ($1, 2, $2, $3, $4, $5, $6)', v)
        }
      }
      if (removes.length > 0) await sql('DELETE FROM credctl.records WHERE vault_id = $1 AND id = ANY($2::text[])', [header.vault_id, removes])
      if (puts.length > 0) {
        await sql(
          `INSERT INTO credctl.records (vault_id, id, ord, revision, mac, body)
           SELECT $1, * FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::text[], $6::text[])
           ON CONFLICT (vault_id, id) DO UPDATE SET ord = EXCLUDED.ord, revision = EXCLUDED.revision, mac = EXCLUDED.mac, body = EXCLUDED.body`,
          [header.vault_id, puts.map((p) => p.r.id), puts.map((p) => String(p.ord)), puts.map((p) => String(p.r.revision)), puts.map((p) => p.r.mac), puts.map((p) => p.r.body)],
        )
      }
      open = false
      try {
        await c.query('COMMIT')
      } catch (e) {
        broken = true
        throw backendError(e, where, 'commit to', { committing: true })
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
        await c.query(POSTGRES_DDL)
        await c.query('COMMIT')
        c.release()
      } catch (e) {
        c.release(true)
        throw backendError(e, where, 'install the credctl schema for')
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
      const rows = await query<HeadRow & { records: string }>(
        'reading',
        `SELECT ${HEAD_COLUMNS},
           (SELECT coalesce(json_agg(json_build_array(r.id, r.revision, r.mac, r.body) ORDER BY r.ord), '[]')::text
              FROM credctl.records r WHERE r.vault_id = h.vault_id) AS records
         FROM credctl.vault_head h WHERE h.name = $1`,
        [name],
      )
      const row = rows[0]
      if (!row) return undefined
      const records = (JSON.parse(row.records) as [string, number, string, string][]).map(([id, revision, mac, body]) => ({ id, revision, mac, body }))
      return { header: headerOf(row), records }
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
        await c.query('SELECT pg_advisory_lock($1, hashtext($2))', [ROTATE_LOCK, name])
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
        await c.query('SELECT pg_advisory_unlock($1, hashtext($2))', [ROTATE_LOCK, name]).then(
          () => c.release(),
          () => c.release(true),
        )
      }
    },

    history: {
      location: `history of ${location}`,
      async append(entries: HistoryEntry[]) {
        if (entries.length === 0) return
        // actor and at are left to the database (history_stamp trigger); the order of the array is kept.
        await query(
          'append history to',
          `INSERT INTO credctl.history (vault, client_time, action, outcome, detail, credentials)
           SELECT $1, t, a, o, d, c::jsonb FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) WITH ORDINALITY AS x(t, a, o, d, c, n) ORDER BY n`,
          [name, entries.map((e) => e.time), entries.map((e) => e.action), entries.map((e) => e.outcome), entries.map((e) => e.detail ?? null), entries.map((e) => JSON.stringify(e.credentials))],
        )
      },
      async read() {
        const rows = await query<{ time: string; action: string; outcome: string; detail: string | null; credentials: unknown }>(
          'read history of',
          'SELECT client_time AS time, action, outcome, detail, credentials FROM credctl.history WHERE vault = $1 ORDER BY seq',
          [name],
        )
        // The file's reading rule (history-entry.ts): one shape for every adapter's entries.
        return rows.flatMap((r) => parseEntry({ ...r, detail: r.detail ?? undefined }) ?? [])
      },
    },

    schemas: {
      async read(id) {
        const rows = await query<{ doc: string }>('read a schema of', 'SELECT doc FROM credctl.schemas WHERE vault = $1 AND id = $2', [name, id])
        if (!rows[0]) return undefined
        try {
          return JSON.parse(rows[0].doc) as unknown
        } catch {
          throw new CredctlError('VAULT_DAMAGED', `the schema of ${id} in ${location} is not valid JSON`)
        }
      },
      async write(id, doc) {
        await query(
          'write a schema to',
          'INSERT INTO credctl.schemas (vault, id, doc) VALUES ($1, $2, $3) ON CONFLICT (vault, id) DO UPDATE SET doc = EXCLUDED.doc',
          [name, id, JSON.stringify(doc)],
        )
      },
      async remove(id) {
        await query('remove a schema from', 'DELETE FROM credctl.schemas WHERE vault = $1 AND id = $2', [name, id])
      },
    },
  }
}

/** The DDL and grants a DBA runs for team vault `name` (`credctl vault init-sql`). */
export const initSql = (_name: string): string => POSTGRES_DDL
