import { CredctlError } from '../../errors.js'
import { parseUri, ValueShapeError } from '../../lib/value-parts.js'

/**
 * Where a team vault lives, said without its password, and every database failure turned into a
 * CredctlError naming that place. The connection string itself never reaches a message: messages are
 * built from our words, the location, an error's code and the server's own text (which cannot know the
 * client's password), and a defensive scrub removes the password should it appear anyway.
 */

/** A team vault's name: shown in messages and kept in every row, so a plain word. */
export const VAULT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

/** `team vault NAME on host:port/db` from a postgres(ql):// URL; throws INVALID_INPUT without quoting it. */
export function locationOf(connectionString: string, vault: string): { location: string; password: string } {
  if (typeof vault !== 'string' || !VAULT_NAME.test(vault)) {
    throw new CredctlError('INVALID_INPUT', 'a team vault name is 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit')
  }
  let u: URL
  try {
    u = parseUri(connectionString)
  } catch (e) {
    if (!(e instanceof ValueShapeError)) throw e
    throw new CredctlError('INVALID_INPUT', `the backend of team vault ${vault} is not a usable postgresql:// URL: ${e.message}`, e.hint ? { hint: e.hint } : {})
  }
  if (u.protocol !== 'postgresql:' && u.protocol !== 'postgres:') {
    throw new CredctlError('INVALID_INPUT', `the backend of team vault ${vault} is not a postgresql:// URL`)
  }
  const q = u.searchParams
  const host = q.get('host') || safeDecode(u.hostname) || 'localhost'
  const port = u.port || q.get('port') || '5432'
  const db = safeDecode(u.pathname.replace(/^\//, '')) || q.get('dbname') || '(default database)'
  return { location: `team vault ${vault} on ${host}:${port}/${db}`, password: safeDecode(u.password) || q.get('password') || '' }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

/** SQLSTATEs that mean "the connection is gone": what a transaction then did depends on when. */
const CONNECTION_LOST = /^(57P01|57P02|57P03|08\d\d\d)$/

interface PgLikeError {
  code?: string
  message?: string
}

/** True when `e` is pg's lock_timeout (55P03): another writer holds the vault. */
export const isLockTimeout = (e: unknown): boolean => (e as PgLikeError)?.code === '55P03'

/**
 * A database failure as a CredctlError (VAULT_IO, exit 4) naming `location`. `doing` says what was
 * under way ("reading", "committing a transaction to"); `committing` marks a failure whose outcome is
 * unknown (the connection died after COMMIT was sent).
 */
export function backendError(e: unknown, where: { location: string; password: string }, doing: string, opts: { committing?: boolean } = {}): CredctlError {
  if (e instanceof CredctlError) return e
  const err = (e ?? {}) as PgLikeError
  const code = typeof err.code === 'string' ? err.code : ''
  // A server error (pg's DatabaseError has a five-character SQLSTATE) carries the server's text; a
  // client-side one (ECONNREFUSED, a parse error) only its code: its message may quote the config.
  const server = /^[0-9A-Z]{5}$/.test(code) && typeof err.message === 'string'
  let why = server ? `${err.message} (SQLSTATE ${code})` : code || (/timeout/i.test(err.message ?? '') ? 'timed out' : /terminated|ended/i.test(err.message ?? '') ? 'connection ended' : 'error')
  let hint: string | undefined
  if (code === '3F000' || code === '42P01') {
    why = 'the database has no credctl schema'
    hint = 'ask the database admin to run the SQL that `credctl vault init-sql` prints (or create the vault with a role that may)'
  } else if (/^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH)$/.test(code) || /^(28|3D)/.test(code)) {
    hint = 'check the backend URL, the network and your database role (libpq sources: PGPASSFILE, PGSERVICE)'
  }
  if (opts.committing && (CONNECTION_LOST.test(code) || !server)) {
    why += '; the connection was lost while committing, so the change may or may not have been applied (load the vault again to see)'
  } else if (opts.committing === false && (CONNECTION_LOST.test(code) || !server)) {
    why += '; nothing of this transaction was applied'
  }
  const out = new CredctlError('VAULT_IO', scrub(`cannot ${doing} ${where.location}: ${why}`, where.password), hint ? { hint } : {})
  // The database could not be reached at all (no answer, refused, timed out): the offline cache may serve reads.
  if (!server && (/^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|ECONNRESET|EPIPE)$/.test(code) || /timeout|terminated|ended/i.test(err.message ?? ''))) unreachable.add(out)
  return out
}

const unreachable = new WeakSet<CredctlError>()

/** Whether `e` says the database could not be reached (team-cache.ts then reads from the offline cache). */
export const isUnreachable = (e: unknown): boolean => e instanceof CredctlError && unreachable.has(e)

/** `text` without the password in it (a password of fewer than 4 characters would blank ordinary words). */
export function scrub(text: string, password: string): string {
  return password.length >= 4 ? text.split(password).join('****') : text
}
