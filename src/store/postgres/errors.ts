import { CredctlError } from '../../errors.js'
import { parseUri, ValueShapeError } from '../../lib/value-parts.js'
import { schemaOf } from './ddl.js'

/**
 * Where a team vault lives, said without its password, and every database failure turned into a
 * CredctlError naming that place. The connection string itself never reaches a message: messages are
 * built from our words, the location, an error's code and the server's own text (which cannot know the
 * client's password), and a defensive scrub removes the password should it appear anyway.
 */

/** `team vault NAME on host:port/db` from a postgres(ql):// URL; throws INVALID_INPUT without quoting it. */
export function locationOf(connectionString: string, vault: string): { location: string; password: string; user: string } {
  schemaOf(vault) // INVALID_INPUT on a malformed name (TEAM_VAULT_NAME)
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
  // The login role as libpq would pick it (URL, then PGUSER, then the OS user): for GRANT hints only.
  const user = safeDecode(u.username) || q.get('user') || process.env.PGUSER || process.env.USER || 'your database role'
  return { location: `team vault ${vault} on ${host}:${port}/${db}`, password: safeDecode(u.password) || q.get('password') || '', user }
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

/**
 * True when `e` says the connection itself is gone (the server terminated or restarted it, the network
 * dropped it): a pooled connection that sat idle may be dead before it is used.
 */
export const isConnectionLost = (e: unknown): boolean => {
  const err = (e ?? {}) as PgLikeError
  return CONNECTION_LOST.test(typeof err.code === 'string' ? err.code : '') || /Connection terminated|ECONNRESET|EPIPE/i.test(`${err.code ?? ''} ${err.message ?? ''}`)
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
    why = 'the database has no schema for this team vault'
    hint = 'ask the database admin to run the SQL that `credctl vault init-sql NAME` prints (or create the vault with a role that may)'
  } else if (/^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH)$/.test(code) || /^(28|3D)/.test(code)) {
    hint = 'check the backend URL, the network and your database role (a password comes from PGPASSWORD or the PGPASSFILE / ~/.pgpass file)'
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

/**
 * A permission failure (42501) as VAULT_FORBIDDEN (exit 4): which login role may not do what, and the
 * role of the vault it needs (ddl.ts rolesOf), as a GRANT an admin can run.
 */
export function forbidden(where: { location: string; user: string }, doing: string, needs: string): CredctlError {
  // Quoted as SQL needs it, so the hint runs as printed (a login named `Alice` or `ci-deploy`).
  const grantee = /^[a-z_][a-z0-9_$]*$/.test(where.user) ? where.user : `"${where.user.replace(/"/g, '""')}"`
  return new CredctlError('VAULT_FORBIDDEN', `database role ${where.user} may not ${doing} in ${where.location}`, {
    hint: `ask an admin of the vault to run: GRANT ${needs} TO ${grantee};`,
  })
}

/** True when `e` is a permission failure of the database (42501). */
export const isForbidden = (e: unknown): boolean => (e as PgLikeError)?.code === '42501'

/** `text` without the password in it (a password of fewer than 4 characters would blank ordinary words). */
export function scrub(text: string, password: string): string {
  return password.length >= 4 ? text.split(password).join('****') : text
}
