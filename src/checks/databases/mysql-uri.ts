import { parseUri } from '../../lib/value-parts.js'
import { decode } from './common.js'

/**
 * mysql:// and mariadb:// URIs, with ssl-mode (mysql2 ignores it, so it is mapped in mysql.ts). Pure:
 * the input check at create time uses it too. Errors never quote the value.
 */
export type MysqlSslMode = 'DISABLED' | 'PREFERRED' | 'REQUIRED' | 'VERIFY_CA' | 'VERIFY_IDENTITY'
const MODES: readonly MysqlSslMode[] = ['DISABLED', 'PREFERRED', 'REQUIRED', 'VERIFY_CA', 'VERIFY_IDENTITY']
/** libpq spellings, for users who write sslmode= out of habit. */
const PG_SPELLING: Record<string, MysqlSslMode> = {
  disable: 'DISABLED',
  prefer: 'PREFERRED',
  require: 'REQUIRED',
  'verify-ca': 'VERIFY_CA',
  'verify-full': 'VERIFY_IDENTITY',
}

export interface MysqlTarget {
  host: string
  port: number
  user: string
  password: string
  database: string
  sslMode: MysqlSslMode
  sslCa?: string
}

/** Parse mysql:// and mariadb:// URIs (ssl-mode, sslmode or ssl=true). Errors never quote the value. */
export function parseMysqlUri(value: string): MysqlTarget {
  // The one URI parse (src/lib/value-parts.ts): the mask and redaction read the value the same way.
  const u = parseUri(value.trim())
  if (u.protocol !== 'mysql:' && u.protocol !== 'mariadb:') throw new Error('expected a mysql:// or mariadb:// URI')
  if (!u.hostname) throw new Error('the URI has no host')
  const q = u.searchParams
  const raw = q.get('ssl-mode') ?? q.get('ssl_mode') ?? q.get('sslmode') ?? (q.get('ssl') === 'true' ? 'REQUIRED' : q.get('ssl') === 'false' ? 'DISABLED' : null)
  let sslMode: MysqlSslMode = 'PREFERRED'
  if (raw !== null) {
    const m = PG_SPELLING[raw.toLowerCase()] ?? (raw.toUpperCase().replace(/-/g, '_') as MysqlSslMode)
    if (!MODES.includes(m)) throw new Error(`unknown ssl-mode (one of ${MODES.join(', ')})`)
    sslMode = m
  }
  const port = u.port ? Number(u.port) : 3306
  const t: MysqlTarget = {
    host: decode(u.hostname.replace(/^\[|\]$/g, '')),
    port,
    user: decode(u.username),
    password: decode(u.password),
    database: decode(u.pathname.replace(/^\//, '')),
    sslMode,
  }
  const ca = q.get('ssl-ca') ?? q.get('sslrootcert')
  if (ca) t.sslCa = ca
  return t
}

