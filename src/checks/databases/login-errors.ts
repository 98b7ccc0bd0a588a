import type { CheckResult, CheckStatus } from '../types.js'

/**
 * Each engine's own login and session error codes -> a verdict and what to do next. Data, not code:
 * one table per engine, each with the source its codes were read from. Rules:
 *   invalid     the server refused these credentials as stored (wrong password, unknown or locked
 *               account, expired password, a database name it does not have): fix or rotate them;
 *   restricted  the credentials are real but this place may not use them (a firewall refusal);
 *   unreachable the server is up but takes no session now (too many connections, starting up,
 *               Azure busy): says nothing about the credentials, try again later (exit 5).
 * Engines whose numbers overlap (MySQL and MariaDB reuse 4xxx differently) get separate tables: the
 * driver's code *name* is MySQL's and wrong for MariaDB (mysql2 calls MariaDB's 4151 "account locked"
 * ER_BULK_PARSER_INCOMPLETE_ESCAPE_SEQUENCE), so MySQL-family errors are matched by number and flavour.
 */
export interface LoginVerdict {
  status: Extract<CheckStatus, 'invalid' | 'restricted' | 'unreachable'>
  /** What happened, in words. */
  why: string
  /** What the user should do next. */
  next: string
}

const v = (status: LoginVerdict['status'], why: string, next: string): LoginVerdict => ({ status, why, next })
const ROTATE = 'check the user and password, or rotate the credential'

/** PostgreSQL SQLSTATEs. Source: https://www.postgresql.org/docs/current/errcodes-appendix.html */
export const POSTGRESQL: Record<string, LoginVerdict> = {
  // 28P01 invalid_password: also what a role past VALID UNTIL gets (PostgreSQL does not say "expired").
  '28P01': v('invalid', 'wrong password (or the role\'s password has expired: VALID UNTIL)', ROTATE),
  // 28000 invalid_authorization_specification: unknown role, role without LOGIN, no pg_hba.conf entry.
  '28000': v('invalid', 'role refused (unknown role, no LOGIN, or no pg_hba.conf entry for this host)', 'check the user name and that the role may log in from here'),
  // 3D000 invalid_catalog_name: reported after authentication; the URI names a database that is not there.
  '3D000': v('invalid', 'database does not exist', 'fix the database name in the URI'),
  // 42501 insufficient_privilege at connect: no CONNECT on the database.
  '42501': v('invalid', 'no CONNECT privilege on the database', 'GRANT CONNECT on the database to the role, or use another database'),
  // 53300 too_many_connections: the server's, the database's or the role's limit; not about the password.
  '53300': v('unreachable', 'the server accepts no more connections (server, database or role connection limit)', 'try again later, or raise the connection limit'),
  // 57P03 cannot_connect_now: starting up, shutting down, in recovery.
  '57P03': v('unreachable', 'the server is starting up or shutting down', 'try again later'),
}

/** Shared by MySQL and MariaDB. Sources: https://dev.mysql.com/doc/mysql-errors/8.0/en/server-error-reference.html, https://mariadb.com/kb/en/mariadb-error-code-reference/ */
const MYSQL_COMMON: Record<number, LoginVerdict> = {
  1045: v('invalid', 'access denied (wrong user or password)', ROTATE), // ER_ACCESS_DENIED_ERROR
  1698: v('invalid', 'access denied (no password accepted for this user)', ROTATE), // ER_ACCESS_DENIED_NO_PASSWORD_ERROR
  1044: v('invalid', 'no access to the database', 'GRANT the user access to the database, or fix its name in the URI'), // ER_DBACCESS_DENIED_ERROR
  1049: v('invalid', 'database does not exist', 'fix the database name in the URI'), // ER_BAD_DB_ERROR
  1130: v('restricted', 'this host may not connect to the server', "allow this host for the user (CREATE USER 'u'@'host') or connect from an allowed one"), // ER_HOST_NOT_PRIVILEGED
  1129: v('unreachable', 'this host is blocked after too many connection errors', 'ask the server admin to run FLUSH HOSTS'), // ER_HOST_IS_BLOCKED
  1862: v('invalid', 'password expired', 'set a new password for the user, then update the credential'), // ER_MUST_CHANGE_PASSWORD_LOGIN
  // 1820 ER_MUST_CHANGE_PASSWORD: logged in to the expired-password sandbox, every statement refused.
  1820: v('invalid', 'password expired (every statement is refused until it is changed)', 'set a new password for the user, then update the credential'),
  1040: v('unreachable', 'the server has too many connections', 'try again later'), // ER_CON_COUNT_ERROR
  1203: v('unreachable', 'the user has reached its connection limit (max_user_connections)', 'try again later, or raise the limit'), // ER_TOO_MANY_USER_CONNECTIONS
  1226: v('unreachable', 'the user has exceeded a resource limit (max_connections_per_hour or similar)', 'try again later, or raise the limit'), // ER_USER_LIMIT_REACHED
}
export const MYSQL: Record<number, LoginVerdict> = {
  ...MYSQL_COMMON,
  3118: v('invalid', 'account locked', 'unlock the account (ALTER USER … ACCOUNT UNLOCK) or use another one'), // ER_ACCOUNT_HAS_BEEN_LOCKED
  3955: v('invalid', 'account temporarily locked after failed logins', 'wait for the lock to expire, then check the password'), // ER_USER_ACCESS_DENIED_FOR_USER_ACCOUNT_BLOCKED_BY_PASSWORD_LOCK
}
export const MARIADB: Record<number, LoginVerdict> = {
  ...MYSQL_COMMON,
  4151: v('invalid', 'account locked', 'unlock the account (ALTER USER … ACCOUNT UNLOCK) or use another one'), // ER_ACCOUNT_HAS_BEEN_LOCKED (MariaDB 10.4.3+)
}

/**
 * SQL Server and Azure SQL error numbers. Sources: https://learn.microsoft.com/sql/relational-databases/errors-events/database-engine-events-and-errors
 * and https://learn.microsoft.com/azure/azure-sql/database/troubleshoot-common-errors-issues
 */
const FIREWALL = "allow this IP in the server's firewall (Azure portal: SQL server > Networking, or sp_set_firewall_rule)"
export const MSSQL: Record<number, LoginVerdict> = {
  18456: v('invalid', 'login failed', ROTATE),
  18486: v('invalid', 'account locked out', 'unlock the login (ALTER LOGIN … WITH PASSWORD … UNLOCK) or use another one'),
  18487: v('invalid', 'password expired', 'set a new password for the login, then update the credential'),
  18488: v('invalid', 'password must be changed', 'set a new password for the login, then update the credential'),
  18470: v('invalid', 'login disabled', 'enable the login (ALTER LOGIN … ENABLE) or use another one'),
  4060: v('invalid', 'cannot open the database', 'fix the database name, or grant the login a user in it'),
  40532: v('invalid', 'the gateway refused the server name or login format', 'check the server name and the user (Azure: user or user@server)'),
  40615: v('restricted', 'the server firewall refused this client IP address', FIREWALL),
  40914: v('restricted', 'no virtual network rule allows this client', 'add a virtual network rule for this subnet, or connect from an allowed network'),
  47073: v('restricted', 'public network access to the server is disabled', 'connect through a private endpoint, or enable public access'),
  42101: v('restricted', 'public network access to the server is disabled', 'connect through a private endpoint, or enable public access'),
  40613: v('unreachable', 'the database is not currently available', 'try again later'),
  40197: v('unreachable', 'the service had an error processing the request', 'try again later'),
  40501: v('unreachable', 'the service is busy', 'try again later'),
}

/** ClickHouse error codes. Source: https://github.com/ClickHouse/ClickHouse/blob/master/src/Common/ErrorCodes.cpp */
export const CLICKHOUSE: Record<string, LoginVerdict> = {
  '516': v('invalid', 'authentication failed', ROTATE), // AUTHENTICATION_FAILED (newer servers)
  '192': v('invalid', 'unknown user', ROTATE), // UNKNOWN_USER (18.x-20.x)
  '193': v('invalid', 'wrong password', ROTATE), // WRONG_PASSWORD
  '194': v('invalid', 'password required', ROTATE), // REQUIRED_PASSWORD
  '195': v('restricted', 'this IP address may not use the user', "allow this IP in the user's <networks> / HOST clause"), // IP_ADDRESS_NOT_ALLOWED
  '81': v('invalid', 'database does not exist', 'fix the database name in the URL'), // UNKNOWN_DATABASE
  '202': v('unreachable', 'too many simultaneous queries', 'try again later'), // TOO_MANY_SIMULTANEOUS_QUERIES
}

/** The verdict for an engine's error code, as a check result, or undefined when the code is not a login verdict. */
export function loginVerdict(table: Record<string | number, LoginVerdict>, code: string | number | undefined, label: string): CheckResult | undefined {
  if (code === undefined || code === '') return undefined
  const x = table[code]
  if (!x) return undefined
  const lead = x.status === 'invalid' ? 'server refused the credentials' : x.status === 'restricted' ? 'credentials accepted but not from here' : 'server unavailable'
  return { status: x.status, message: `${lead}: ${x.why} (${label}); ${x.next}`, details: { code: String(code) } }
}

/**
 * A verdict met on the discovery path, where results are thrown: unreachable ones carry a code the
 * classifier maps to `unreachable` (exit 5), the others stay plain errors (exit 1).
 */
export class VerdictError extends Error {
  readonly code: string | undefined
  constructor(r: CheckResult) {
    super(r.message)
    this.name = 'VerdictError'
    this.code = r.status === 'unreachable' ? 'ESERVERUNAVAILABLE' : undefined
  }
}
