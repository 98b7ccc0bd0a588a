import { CredctlError, type ErrorCode } from '../../errors.js'
import { redact, redactError } from '../../checks/redact.js'

/**
 * How a query fails, in words an agent (and the person reading its transcript) can act on. Every
 * message passes through the one redaction function seeded with the credential's value: drivers quote
 * connection details, and a server error may quote anything the statement touched.
 *
 *   INVALID_INPUT  the statement itself: the server refused it (syntax, a write in the read-only
 *                  transaction, two statements), or the input is out of bounds
 *   USAGE          the credential's role reaches past a read-only transaction: server files, programs,
 *                  server settings, dblink (refused unless the user allowed it for the credential)
 *   NO_CHECK       the engine has no read-only guard yet: "not supported"
 *   CHECK_FAILED   the server refused the login (wrong password, no such database …)
 *   UNREACHABLE    no server, or the query ran past its time limit
 */
export function fail(code: ErrorCode, message: string, secrets: readonly string[], hint?: string): CredctlError {
  return new CredctlError(code, redact(message, secrets), hint === undefined ? {} : { hint: redact(hint, secrets) })
}

export const timeoutFailure = (secs: number, secrets: readonly string[]) =>
  fail('UNREACHABLE', `the query ran past its limit of ${secs} s and was cancelled`, secrets, 'narrow it (WHERE, LIMIT, fewer joins) or give a larger timeout_s')

export const writeRefused = (detail: string, secrets: readonly string[]) =>
  fail('INVALID_INPUT', `the database refused to change anything: query runs in a read-only transaction (${detail})`, secrets, 'query is for reading: SELECT, WITH, SHOW, EXPLAIN')

export const stackedRefused = (detail: string, secrets: readonly string[]) =>
  fail('INVALID_INPUT', `the database refused more than one statement: query runs exactly one statement per call (${detail})`, secrets, 'send each statement in its own call')

export const privileged = (engine: string, why: string[], secrets: readonly string[]) =>
  fail(
    'USAGE',
    `query refuses this credential: its ${engine} login ${why.join('; ')}; such a login reaches past a read-only transaction (server files, programs, server settings or other connections)`,
    secrets,
    'give the credential a dedicated role with SELECT on the tables the agent needs, or allow privileged queries for this credential',
  )

/** Anything else a driver threw, redacted, with its code: a connection that never came is UNREACHABLE. */
export function driverFailure(e: unknown, secrets: readonly string[]): CredctlError {
  if (e instanceof CredctlError) return e
  const code = (e as { code?: unknown }).code
  const net = typeof code === 'string' && /^(E[A-Z]+|ETIMEDOUT|PROTOCOL_CONNECTION_LOST|HANDSHAKE_\w+)$/.test(code)
  return new CredctlError(net ? 'UNREACHABLE' : 'INTERNAL', `query failed: ${redactError(e, secrets)}`)
}
