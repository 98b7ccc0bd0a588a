import { parseUri } from '../../lib/value-parts.js'
import { decode } from './common.js'

/**
 * postgresql://, postgres:// and redshift:// URIs, parsed here rather than by pg (see pgwire.ts). Pure:
 * the input check at create time uses it too. Errors never quote the value.
 */
export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full'
export const SSL_MODES: readonly SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']

export interface PgTarget {
  host: string
  port: number
  user: string
  password: string
  database: string
  sslmode: SslMode
  /** Files named in the URI for TLS (read at connect time, like libpq). */
  sslrootcert?: string
  sslcert?: string
  sslkey?: string
  options?: string
}

/**
 * libpq's default socket directory for a URI that names no host: Debian and Ubuntu build libpq with
 * /var/run/postgresql (upstream's default is /tmp). The environment (PGHOST) is never read: a stored
 * credential means the same thing in every shell. Name the directory with ?host= to be explicit.
 */
export const DEFAULT_SOCKET = '/var/run/postgresql'

/** A Unix-socket target: the host is a directory (libpq: a host starting with "/"). */
export const isSocket = (t: Pick<PgTarget, 'host'>) => t.host.startsWith('/')

/** Parse postgresql://, postgres:// and redshift:// URIs. Throws a message that never quotes the value. */
export function parsePgUri(value: string): PgTarget {
  // The one URI parse (src/lib/value-parts.ts): the mask and redaction read the value the same way.
  const u = parseUri(value.trim())
  const redshift = u.protocol === 'redshift:'
  if (!['postgresql:', 'postgres:', 'redshift:'].includes(u.protocol)) throw new Error('expected a postgresql://, postgres:// or redshift:// URI')
  const q = u.searchParams
  // ?host=/var/run/postgresql (a socket directory) replaces the URI host, as in libpq; so does a
  // percent-encoded directory in the authority (postgresql://%2Fvar%2Frun%2Fpostgresql/db). With neither
  // (postgresql:///db), libpq uses its default Unix socket directory: DEFAULT_SOCKET below.
  const host = q.get('host') || decode(u.hostname.replace(/^\[|\]$/g, '')) || DEFAULT_SOCKET
  if (host.includes(',')) throw new Error('several hosts (host1,host2) are not supported: name one host')
  if (!host.startsWith('/') && !/^[A-Za-z0-9._:-]+$/.test(host)) throw new Error('the host is neither a host name nor a socket directory (an absolute path)')
  const rawMode = (q.get('sslmode') ?? (q.get('ssl') === 'true' ? 'require' : q.get('ssl') === 'false' ? 'disable' : 'prefer')).toLowerCase()
  // pg's own spelling for "encrypt, don't verify".
  const sslmode = (rawMode === 'no-verify' ? 'require' : rawMode) as SslMode
  if (!SSL_MODES.includes(sslmode)) throw new Error(`unknown sslmode (one of ${SSL_MODES.join(', ')})`)
  // libpq reads a port as a decimal integer 1-65535 (strtol, whole string): "0x10", "1e3", " 5432" are errors.
  const rawPort = u.port || q.get('port') || String(redshift ? 5439 : 5432)
  const port = /^\d{1,5}$/.test(rawPort) ? Number(rawPort) : NaN
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error('invalid port')
  const t: PgTarget = {
    host,
    port,
    user: decode(u.username) || q.get('user') || '',
    password: decode(u.password) || q.get('password') || '',
    database: decode(u.pathname.replace(/^\//, '')) || q.get('dbname') || '',
    sslmode,
  }
  for (const k of ['sslrootcert', 'sslcert', 'sslkey', 'options'] as const) {
    const v = q.get(k)
    if (v) t[k] = v
  }
  // libpq 16+: sslrootcert=system (the system's CAs) defaults to verify-full and refuses weaker modes.
  if (t.sslrootcert === 'system') {
    if (!q.get('sslmode')) t.sslmode = 'verify-full'
    else if (t.sslmode !== 'verify-full') throw new Error('sslrootcert=system needs sslmode=verify-full (as in libpq)')
  }
  return t
}

