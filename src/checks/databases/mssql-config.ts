import { tokenizeKeyValues } from '../../lib/keyvalues.js'
import { mssqlForm, parseUri } from '../../lib/value-parts.js'
import { decode } from './common.js'

/**
 * SQL Server connection strings, normalised into one config before the driver sees them. mssql 12 only
 * parses ADO.NET strings ("Server=…;Database=…;User Id=…;Password=…"); mssql:// and sqlserver:// URIs
 * and JDBC strings fail inside the pool with an unhelpful message. Pure (no driver), so the input
 * check at create time uses it too. Errors never quote the value.
 */
export interface MssqlTarget {
  server: string
  port?: number
  instanceName?: string
  database?: string
  user: string
  password: string
  encrypt: boolean
  trustServerCertificate: boolean
}

const TRUE = /^(true|yes|1|strict|mandatory)$/i
const FALSE = /^(false|no|0|optional)$/i

function bool(v: string | undefined, dflt: boolean): boolean {
  if (v === undefined || v === '') return dflt
  if (TRUE.test(v.trim())) return true
  if (FALSE.test(v.trim())) return false
  throw new Error('Encrypt and TrustServerCertificate take true or false')
}

/** Split `k=v;k2={v;with;semicolons};k3="quoted"` (ADO rules: {…}, '…' and "…" may hold ';'). */
export function splitKeyValues(s: string): Map<string, string> {
  return new Map(tokenizeKeyValues(s).map((t) => [t.key, t.value]))
}

const pick = (m: Map<string, string>, ...keys: string[]) => {
  for (const k of keys) if (m.has(k)) return m.get(k)
  return undefined
}

/** "tcp:host,1433", "host\instance", "host:1433" -> server, port, instance. */
function serverPart(raw: string): Pick<MssqlTarget, 'server' | 'port' | 'instanceName'> {
  let s = raw.trim().replace(/^tcp:/i, '')
  let port: number | undefined
  const comma = /,(\d+)$/.exec(s) ?? /:(\d+)$/.exec(s)
  if (comma) {
    port = Number(comma[1])
    s = s.slice(0, comma.index)
  }
  let instanceName: string | undefined
  const bs = s.indexOf('\\')
  if (bs >= 0) {
    instanceName = s.slice(bs + 1)
    s = s.slice(0, bs)
  }
  if (s === '.' || s === '(local)') s = 'localhost'
  if (!s) throw new Error('no server')
  if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) throw new Error('invalid port')
  return { server: s, ...(port !== undefined ? { port } : {}), ...(instanceName ? { instanceName } : {}) }
}

function fromPairs(m: Map<string, string>): MssqlTarget {
  const server = pick(m, 'server', 'data source', 'address', 'addr', 'network address', 'serverName'.toLowerCase())
  if (!server) throw new Error('no Server= (or Data Source=)')
  const t: MssqlTarget = {
    ...serverPart(server),
    user: pick(m, 'user id', 'uid', 'user', 'username') ?? '',
    password: pick(m, 'password', 'pwd') ?? '',
    // tedious encrypts and verifies by default; keep that unless the string says otherwise.
    encrypt: bool(pick(m, 'encrypt'), true),
    trustServerCertificate: bool(pick(m, 'trustservercertificate', 'trust server certificate'), false),
  }
  const db = pick(m, 'database', 'initial catalog', 'databasename')
  if (db) t.database = db
  const port = pick(m, 'port', 'portnumber')
  if (port && t.port === undefined) t.port = serverPart(`x,${port}`).port!
  const inst = pick(m, 'instancename')
  if (inst && !t.instanceName) t.instanceName = inst
  if (/^(true|yes|sspi)$/i.test(pick(m, 'integrated security', 'trusted_connection') ?? '') && !t.user) {
    throw new Error('Integrated Security (Windows authentication) is not supported: give User Id and Password')
  }
  return t
}

/** mssql://user:pass@host:1433/db?encrypt=true&trustServerCertificate=true (sqlserver:// alike). */
function fromUri(value: string): MssqlTarget {
  const u = parseUri(value)
  // sqlserver://host:1433;databaseName=db;user=u (JDBC style after the authority) is accepted too.
  const [path = '', ...rest] = decode(u.pathname).replace(/^\//, '').split(';')
  const m = splitKeyValues(rest.join(';'))
  for (const [k, v] of u.searchParams) m.set(k.toLowerCase(), v)
  const host = decode(u.hostname.replace(/^\[|\]$/g, ''))
  const t = fromPairs(new Map([...m, ['server', `${host}${u.port ? `,${u.port}` : ''}`]]))
  if (u.username) t.user = decode(u.username)
  if (u.password) t.password = decode(u.password)
  // A path segment is the database, or "instance/db" with a named instance.
  const parts = path.split('/').filter(Boolean)
  if (parts.length === 2) {
    t.instanceName = parts[0]!
    t.database = parts[1]!
  } else if (parts.length === 1) t.database = parts[0]!
  return t
}

/** jdbc:sqlserver://host:1433;databaseName=db;user=u;password=p */
function fromJdbc(value: string): MssqlTarget {
  const body = value.replace(/^jdbc:sqlserver:\/\//i, '')
  const semi = body.indexOf(';')
  const authority = semi < 0 ? body : body.slice(0, semi)
  const m = splitKeyValues(semi < 0 ? '' : body.slice(semi + 1))
  m.set('server', authority.replace(/:(\d+)$/, ',$1'))
  return fromPairs(m)
}

export function parseMssql(value: string): MssqlTarget {
  const v = value.trim()
  // The same dispatch as the masking parse (value-parts.ts): both read a value as the same form.
  const form = mssqlForm(v)
  if (form === 'jdbc') return fromJdbc(v.replace(/^(jdbc:)?\w+:\/\//i, 'jdbc:sqlserver://'))
  if (form === 'uri') return fromUri(v)
  if (form === 'ado') return fromPairs(splitKeyValues(v))
  throw new Error('expected mssql://, sqlserver://, jdbc:sqlserver:// or an ADO string')
}
