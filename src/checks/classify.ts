import type { CheckStatus } from './types.js'

/** Network error codes that mean "could not reach the service" rather than "the service said no". */
const UNREACHABLE = new Set([
  'ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE',
  'CERT_HAS_EXPIRED', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'EPROTO',
  // Database drivers: tedious (socket, instance lookup), mysql2 (server gone, TLS required but absent).
  'ESOCKET', 'EINSTLOOKUP', 'ECONNABORTED', 'PROTOCOL_CONNECTION_LOST', 'HANDSHAKE_NO_SSL_SUPPORT',
  // A database that answered but takes no session now (databases/login-errors.ts, VerdictError).
  'ESERVERUNAVAILABLE',
])

/**
 * Driver codes for "no answer in time": tedious ETIMEOUT, mysql2's client-side query timeout, the
 * server-side statement timeouts (PostgreSQL/Redshift SQLSTATE 57014, MariaDB, MySQL).
 */
const TIMEOUT = new Set(['ETIMEDOUT', 'UND_ERR_HEADERS_TIMEOUT', 'ETIMEOUT', 'PROTOCOL_SEQUENCE_TIMEOUT', '57014', 'ER_STATEMENT_TIMEOUT', 'ER_QUERY_TIMEOUT'])

/** Map a thrown error (fetch, driver) to a status. The signal tells a timeout from anything else. */
export function statusOfError(err: unknown, signal?: AbortSignal): CheckStatus {
  if (signal?.aborted) return 'timeout'
  let e: unknown = err
  for (let depth = 0; e && depth < 4; depth++) {
    const x = e as { name?: string; code?: string; cause?: unknown; errors?: unknown[] }
    if (x.name === 'TimeoutError' || x.name === 'AbortError' || (x.code !== undefined && TIMEOUT.has(x.code))) {
      return 'timeout'
    }
    if (x.code && UNREACHABLE.has(x.code)) return 'unreachable'
    if (Array.isArray(x.errors) && x.errors.length) e = x.errors[0]
    else e = x.cause
  }
  return 'error'
}
