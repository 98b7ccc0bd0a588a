import { parseUri } from '../../lib/value-parts.js'
import { decode } from './common.js'

/** ClickHouse URLs (http(s)://, clickhouse://). Pure: the input check at create time uses it too. */
export interface ClickhouseTarget {
  url: string
  username: string
  password: string
  database: string
}

/** http(s)://user:pass@host:8123/db, or clickhouse://… (native ports mapped to the HTTP ones). */
export function parseClickhouseUrl(value: string): ClickhouseTarget {
  // The one URI parse (src/lib/value-parts.ts): the mask and redaction read the value the same way.
  const u = parseUri(value.trim())
  if (!['http:', 'https:', 'clickhouse:', 'clickhouses:'].includes(u.protocol)) throw new Error('expected an http(s):// or clickhouse:// URL')
  if (!u.hostname) throw new Error('the URL has no host')
  const q = u.searchParams
  let secure = u.protocol === 'https:' || u.protocol === 'clickhouses:'
  let port = u.port ? Number(u.port) : NaN
  if (u.protocol === 'clickhouse:' || u.protocol === 'clickhouses:') {
    if (q.get('secure') === 'true' || port === 9440 || port === 8443) secure = true
    // The native protocol's ports answer HTTP with an error page: use the HTTP interface's.
    if (Number.isNaN(port) || port === 9000 || port === 9440) port = secure ? 8443 : 8123
  }
  if (Number.isNaN(port)) port = secure ? 8443 : 8123
  const host = u.hostname.includes(':') && !u.hostname.startsWith('[') ? `[${u.hostname}]` : u.hostname
  return {
    url: `${secure ? 'https' : 'http'}://${host}:${port}`,
    username: decode(u.username) || q.get('user') || 'default',
    password: decode(u.password) || q.get('password') || '',
    database: decode(u.pathname.replace(/^\/+|\/+$/g, '')) || q.get('database') || '',
  }
}

