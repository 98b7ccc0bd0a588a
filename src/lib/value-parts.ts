import { KV_HINT, tokenizeKeyValues } from './keyvalues.js'

/**
 * The one structural parse of a credential value: it cuts a value into parts and says which parts are
 * secret. Three readers need exactly the same cut, and used to have three (a WHATWG URL for the input
 * check, a last-"@" regex for the mask, a third set of regexes for redaction), which disagreed on
 * `postgresql://analytics:2024/Spring-Rain@db.internal:5432/warehouse` and on JDBC `;password=`:
 *
 * - the input check (src/credentials/input.ts) refuses what this parse cannot cut unambiguously;
 * - the mask (src/credentials/mask.ts) shows the public parts and `****` for every other one;
 * - redaction (src/checks/redact.ts) hunts for the secret parts in messages.
 *
 * The rule is to fail closed: a part is public only when the parse has placed it (scheme, user, host,
 * port, path, a query parameter or connection-string key on the public list); anything it cannot place
 * is secret. A value the parse finds ambiguous is an error with a hint, never a guess.
 */
export interface Part {
  text: string
  secret: boolean
  /** The part as a driver sees it (percent-decoded, unquoted), when that differs: what it would echo. */
  plain?: string
}

/** A value whose structure cannot be read one way only. `hint` says how to write it unambiguously. */
export class ValueShapeError extends Error {
  readonly hint: string | undefined
  constructor(message: string, hint?: string) {
    super(message)
    this.name = 'ValueShapeError'
    this.hint = hint
  }
}

export const ENCODE_HINT = 'percent-encode the password: %2F for /, %3F for ?, %23 for #, %40 for @, %25 for %'

const pub = (text: string): Part => ({ text, secret: false })
const sec = (text: string): Part => ({ text, secret: true })

/** WHATWG "special" schemes, where "\" also ends the authority. */
const SPECIAL = new Set(['http:', 'https:', 'ws:', 'wss:', 'ftp:', 'file:'])
const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i

/**
 * Parse a URI with WHATWG `URL` (what every driver check uses), and refuse it when the reading of the
 * userinfo is not the only one. WHATWG ends the authority at the first "/", "?" or "#", so in
 * `pg://analytics:2024/Spring-Rain@db:5432/wh` it sees host "analytics", port 2024 and a path holding
 * the password; a human, and a last-"@" split, see user "analytics" and password "2024/Spring-Rain".
 * Any "@" after the authority means the two readings differ: the value is refused with a hint instead.
 * Errors never quote the value.
 */
export function parseUri(value: string): URL {
  const scheme = SCHEME.exec(value)
  if (!scheme) throw new ValueShapeError('not a scheme:// URI')
  let u: URL
  try {
    u = new URL(value)
  } catch {
    // libpq reads postgresql://app@/db and postgresql://:5433/db (no host: the default socket); WHATWG
    // refuses a user or port without a host, and so does this parse, saying where they go instead.
    const authority = value.slice(scheme[0].length).split(/[/?#]/)[0]!
    if (authority && /^(?:[^@]*@)?(?::\d*)?$/.test(authority)) {
      throw new ValueShapeError('a user or port with no host', 'name the host; a PostgreSQL URI for a Unix socket takes user and port in the query: postgresql:///db?host=/var/run/postgresql&user=app&port=5433')
    }
    throw new ValueShapeError('not a valid URI', ENCODE_HINT)
  }
  const after = value.slice(scheme[0].length)
  const end = after.search(SPECIAL.has(u.protocol) ? /[/?#\\]/ : /[/?#]/)
  if (end >= 0 && after.slice(end).includes('@')) {
    throw new ValueShapeError('ambiguous URI: an "@" after the host (a password with an unencoded / ? or #?)', ENCODE_HINT)
  }
  // Opaque hosts (non-special schemes) accept ; , = & ! and more: none belongs in a host name, and a
  // host is shown in the clear, so anything but a host name's characters is refused.
  if (u.hostname && !/^[A-Za-z0-9._~%-]+$|^\[[0-9A-Fa-f:.]+\]$/.test(u.hostname)) throw new ValueShapeError('unexpected characters in the host name', ENCODE_HINT)
  return u
}

/**
 * Query parameters whose values are shown, each with the grammar its value must match to be shown.
 * Names are compared lower-cased, `_` and `-` alike. A listed name says only that the parameter is
 * public in principle; the value itself must be harmless too, or it is masked (name shown, value
 * `****`): mysql2 reads `ssl` as JSON that can carry a passphrase, libpq's `options` can set
 * `password=`, and a PEM can be pasted where a path is expected. Secret parameters (below) show their
 * name and hide the value; any other parameter is hidden whole: it may be the tail of a secret that
 * held an unencoded "&".
 */
const FLAG = /^(?:true|false|0|1|yes|no|on|off)$/i
const NUMBER = /^\d{1,10}$/
/** Host names, database/user/role names, paths, time zones, lists: as written, no encoding, no quotes, braces, "=", "+" or spaces. */
const NAME = /^[A-Za-z0-9_.\-/:,~$]{1,255}$/
const oneOf = (...words: string[]) => new RegExp(`^(?:${words.join('|')})$`, 'i')
const SSL_MODES = oneOf('disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify', 'disabled', 'preferred', 'required', 'verify_ca', 'verify_identity')
const PUBLIC_PARAMS = new Map<string, RegExp | ((raw: string) => boolean)>([
  // libpq / pg
  ...['host', 'hostaddr', 'user', 'dbname', 'sslrootcert', 'sslcert', 'sslkey', 'sslcrl', 'application_name', 'client_encoding', 'search_path', 'schema', 'currentschema'].map((n): [string, RegExp] => [n, NAME]),
  ['port', NUMBER], ['connect_timeout', NUMBER], ['keepalives', FLAG],
  ['sslmode', SSL_MODES],
  // pg's ssl=true; mysql2's ssl={"…"} (JSON, never shown) or its one profile name
  ['ssl', (v) => FLAG.test(v) || SSL_MODES.test(v) || /^Amazon(?:%20|\+)RDS$/i.test(v)],
  ['sslnegotiation', oneOf('postgres', 'direct')],
  ['gssencmode', oneOf('disable', 'prefer', 'require')],
  ['channel_binding', oneOf('disable', 'prefer', 'require')],
  ['target_session_attrs', oneOf('any', 'read-write', 'read-only', 'primary', 'standby', 'prefer-standby')],
  ['replication', (v) => FLAG.test(v) || /^database$/i.test(v)],
  ['options', safeOptions],
  // mysql, mariadb
  ['ssl_mode', SSL_MODES],
  ...['ssl_ca', 'ssl_cert', 'ssl_key', 'charset', 'timezone', 'database', 'db'].map((n): [string, RegExp] => [n, NAME]),
  // clickhouse, snowflake, mssql
  ...['secure', 'encrypt', 'trustservercertificate'].map((n): [string, RegExp] => [n, FLAG]),
  ...['warehouse', 'role', 'account', 'region', 'databasename', 'instancename', 'applicationname'].map((n): [string, RegExp] => [n, NAME]),
  ['authenticator', oneOf('snowflake', 'externalbrowser', 'oauth', 'snowflake_jwt', 'username_password_mfa', 'programmatic_access_token')],
  ['logintimeout', NUMBER],
  ['compression', (v) => FLAG.test(v) || oneOf('none', 'lz4', 'zstd', 'gzip', 'deflate', 'br').test(v)],
])

/**
 * libpq `options` (command-line options for the server): shown only when it is a list of
 * `-c name=value` / `--name=value` settings, none of whose names looks secret and whose values are
 * names. Anything else (`-c password=…`, free text) is masked.
 */
function safeOptions(raw: string): boolean {
  const v = pctDecode(raw.replace(/\+/g, ' ')).trim()
  if (!v) return true
  const words = v.split(/\s+/)
  for (let i = 0; i < words.length; i++) {
    const w = words[i] === '-c' ? words[++i] : /^-c./.test(words[i]!) ? words[i]!.slice(2) : /^--./.test(words[i]!) ? words[i]!.slice(2) : undefined
    const m = w === undefined ? null : /^([a-z_.]+)=(.*)$/i.exec(w)
    if (!m || SECRET_PARAM.test(m[1]!) || !NAME.test(m[2]!)) return false
  }
  return true
}

function shownParam(name: string, value: string): boolean {
  const rule = PUBLIC_PARAMS.get(name)
  if (!rule) return false
  return typeof rule === 'function' ? rule(value) : rule.test(value)
}
/** Query parameter (and libpq setting) names that carry a secret; also read by the .env secret rule (src/credentials/secret-rule.ts). */
export const SECRET_PARAM = /pass|pwd|secret|token|key|auth|cred|sig/i
const norm = (name: string) => name.toLowerCase().replace(/-/g, '_')

/**
 * Where a free text (a .env value that is no URL, a comment) sets a secret: the value spans
 * [start, end) (UTF-16 offsets), with the key or flag name (dashes dropped), of every `key=value` whose key is a SECRET_PARAM name — ADO.NET and
 * JDBC `;Password=…`, libpq conninfo `host=db password=…`, `--password=…` — and of the argument after
 * a secret-named flag (`--requirepass X`, `-auth X`). Tokens end at blanks, `;`, `&` and `,`; a value
 * opened by a quote or brace runs to its closing one. The .env secret rule (src/credentials/secret-rule.ts)
 * reads values and comments through this, so both see the same pairs. Throws nothing.
 */
export function secretSettings(text: string): { key: string; start: number; end: number }[] {
  const out: { key: string; start: number; end: number }[] = []
  const tokens = [...text.matchAll(/[^\s;&,]+/g)]
  const valueEnd = (start: number, fallback: number): number => {
    const close = ({ '"': '"', "'": "'", '{': '}' } as Record<string, string>)[text[start]!]
    const end = close === undefined ? -1 : text.indexOf(close, start + 1)
    return end < 0 ? fallback : Math.max(fallback, end + 1)
  }
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!
    const tok = t[0]
    const at = t.index
    const eq = tok.indexOf('=')
    if (eq > 0) {
      const key = tok.slice(0, eq).replace(/^-+/, '')
      const start = at + eq + 1
      if (/^[A-Za-z][\w.-]*$/.test(key) && SECRET_PARAM.test(key) && start < at + tok.length) out.push({ key, start, end: valueEnd(start, at + tok.length) })
      continue
    }
    const next = tokens[i + 1]
    if (/^--?[A-Za-z][\w-]*$/.test(tok) && SECRET_PARAM.test(tok) && next && !next[0].startsWith('-')) {
      out.push({ key: tok.replace(/^-+/, ''), start: next.index, end: valueEnd(next.index, next.index + next[0].length) })
      i++
    }
  }
  return out
}

function pctDecode(raw: string): string {
  try {
    return decodeURIComponent(raw)
  } catch {
    return raw
  }
}

function paramName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '))
  } catch {
    return raw
  }
}

function queryParts(search: string): Part[] {
  if (!search) return []
  const out: Part[] = [pub('?')]
  search
    .slice(1)
    .split('&')
    .forEach((param, i) => {
      if (i > 0) out.push(pub('&'))
      if (!param) return
      const eq = param.indexOf('=')
      const name = norm(paramName(eq < 0 ? param : param.slice(0, eq)))
      if (eq >= 0 && PUBLIC_PARAMS.has(name)) {
        const value = param.slice(eq + 1)
        if (shownParam(name, value)) out.push(pub(param))
        // A public name with a value that is not plainly harmless: the name stays, the value goes.
        else out.push(pub(param.slice(0, eq + 1)), { ...sec(value), plain: paramName(value) })
      }
      else if (eq >= 0 && SECRET_PARAM.test(name) && /^[a-z0-9_.]+$/.test(name)) out.push(pub(param.slice(0, eq + 1)), { ...sec(param.slice(eq + 1)), plain: paramName(param.slice(eq + 1)) })
      else out.push({ ...sec(param), plain: paramName(param) })
    })
  return out
}

/** scheme://user:****@host:port/path?public=shown&secret=****#**** from the WHATWG components. */
function uriParts(u: URL, pathParts: (path: string) => Part[] = (p) => [pub(p)]): Part[] {
  const parts: Part[] = [pub(`${u.protocol}//`)]
  if (u.username || u.password) {
    parts.push(pub(u.username))
    if (u.password) parts.push(pub(':'), { ...sec(u.password), plain: pctDecode(u.password) })
    parts.push(pub('@'))
  }
  parts.push(pub(u.host), ...pathParts(u.pathname), ...queryParts(u.search))
  // No driver reads a fragment; whatever is there was not meant to be shown.
  if (u.hash) parts.push(pub('#'), { ...sec(u.hash.slice(1)), plain: pctDecode(u.hash.slice(1)) })
  return parts
}

/**
 * SQL Server connection-string keywords (ADO.NET and JDBC), lower-cased. Values of PUBLIC_KEYS are
 * shown, of SECRET_KEYS hidden. Any other keyword is refused at input: ADO.NET refuses unknown keywords
 * too, and an unknown "keyword" is most often the tail of a password with an unquoted ";".
 */
const SECRET_KEYS = new Set(['password', 'pwd', 'truststorepassword', 'keystoresecret', 'clientkeypassword', 'accesstoken', 'aadsecureprincipalsecret', 'keystorepassword'])
const PUBLIC_KEYS = new Set([
  'server', 'data source', 'address', 'addr', 'network address', 'servername', 'database', 'initial catalog', 'databasename',
  'user id', 'uid', 'user', 'username', 'encrypt', 'trustservercertificate', 'trust server certificate', 'port', 'portnumber',
  'instancename', 'integrated security', 'integratedsecurity', 'trusted_connection', 'connect timeout', 'connection timeout',
  'timeout', 'logintimeout', 'application name', 'applicationname', 'app', 'application intent', 'applicationintent',
  'multipleactiveresultsets', 'multisubnetfailover', 'packet size', 'packetsize', 'persist security info', 'persistsecurityinfo',
  'pooling', 'min pool size', 'max pool size', 'workstation id', 'wsid', 'workstationid', 'current language', 'language',
  'hostnameincertificate', 'host name in certificate', 'server certificate', 'authentication', 'authenticationscheme',
  'column encryption setting', 'columnencryptionsetting', 'connect retry count', 'connectretrycount', 'connect retry interval',
  'connectretryinterval', 'command timeout', 'failover partner', 'failoverpartner', 'load balance timeout', 'connection lifetime',
  'network library', 'network', 'net', 'enlist', 'replication', 'transaction binding', 'type system version', 'user instance',
  'attachdbfilename', 'ip address preference', 'pool blocking period', 'transparentnetworkipresolution', 'sendstringparametersasunicode',
  'sockettimeout', 'locktimeout', 'selectmethod', 'responsebuffering', 'truststore', 'truststoretype', 'keystorelocation',
  'keystoreauthentication', 'keystoreprincipalid', 'msiclientid', 'serverspn', 'trustmanagerclass', 'clientcertificate', 'clientkey',
  'asynchronous processing', 'async', 'tdsversion', 'tds version',
  // ODBC and OLE DB spellings
  'driver', 'dsn', 'provider', 'mars_connection', 'trusted connection',
  // more JDBC properties
  'sslprotocol', 'disablestatementpooling', 'cancelquerytimeout', 'querytimeout', 'sendtimeasdatetime', 'lastupdatecount',
  'xopenstates', 'preparemethod', 'usebulkcopyforbatchinsert', 'enableprepareonfirstpreparedstatementcall',
  'serverpreparedstatementdiscardthreshold', 'statementpoolingcachesize', 'maxresultbuffer', 'delayloadinglobs',
  'datetimeparametertype', 'usefmtonly', 'realm', 'jaasconfigurationname', 'ipaddresspreference', 'replication',
])

export function adoParts(s: string): Part[] {
  let tokens
  try {
    tokens = tokenizeKeyValues(s)
  } catch (e) {
    throw new ValueShapeError(`${(e as Error).message} in the connection string`, KV_HINT)
  }
  const out: Part[] = []
  let at = 0
  for (const t of tokens) {
    const secret = SECRET_KEYS.has(t.key)
    if (!secret && !PUBLIC_KEYS.has(t.key)) {
      throw new ValueShapeError('an unknown keyword in the connection string (not shown: it may be part of a password)', KV_HINT)
    }
    out.push(pub(s.slice(at, t.valueStart)), { text: s.slice(t.valueStart, t.valueEnd), secret, plain: t.value })
    at = t.valueEnd
  }
  if (at < s.length) out.push(pub(s.slice(at)))
  return out
}

/** How parseMssql (src/checks/databases/mssql-config.ts) reads a value: the masking parse reads it alike. */
export function mssqlForm(v: string): 'jdbc' | 'uri' | 'ado' | 'other' {
  if (/^jdbc:sqlserver:\/\//i.test(v)) return 'jdbc'
  // sqlserver://host:1433;databaseName=db;… is the JDBC form without its jdbc: prefix.
  if (/^(mssql|sqlserver):\/\/[^/?@;]*;/i.test(v)) return 'jdbc'
  if (/^(mssql|sqlserver):\/\//i.test(v)) return 'uri'
  if (SCHEME.test(v)) return 'other'
  return 'ado'
}

function mssqlParts(v: string): Part[] {
  const form = mssqlForm(v)
  if (form === 'ado') return adoParts(v)
  if (form === 'jdbc') {
    const prefix = /^(jdbc:)?\w+:\/\//i.exec(v)![0]
    const body = v.slice(prefix.length)
    const semi = body.indexOf(';')
    const authority = semi < 0 ? body : body.slice(0, semi)
    // host, host:port, host\instance, [v6]:port: nothing else may sit before the first ";".
    if (!/^[A-Za-z0-9._\-\\[\]:,]+$/.test(authority)) throw new ValueShapeError('unexpected characters in the server name (user and password go after ";")', KV_HINT)
    return [pub(prefix + authority), ...(semi < 0 ? [] : adoParts(body.slice(semi)))]
  }
  if (form === 'uri') {
    // mssql://u:p@host/db;key=value…: the driver reads ";k=v" pairs in the (decoded) path, so do we.
    return uriParts(parseUri(v), (path) => {
      let decoded = path
      try {
        decoded = decodeURIComponent(path)
      } catch {
        /* the driver keeps it raw too */
      }
      const semi = decoded.indexOf(';')
      return semi < 0 ? [pub(path)] : [pub(decoded.slice(0, semi)), ...adoParts(decoded.slice(semi))]
    })
  }
  throw new ValueShapeError('expected mssql://, sqlserver://, jdbc:sqlserver:// or an ADO string')
}

/**
 * JSON values (service-account keys, oauth token sets): every string value is secret unless its key
 * is one of these, at any depth. Keys are shown nowhere; only the mask decides what to print.
 */
const PUBLIC_JSON_KEYS = new Set([
  'type', 'project_id', 'client_email', 'client_id', 'auth_uri', 'token_uri', 'token_url', 'auth_provider_x509_cert_url',
  'client_x509_cert_url', 'universe_domain', 'private_key_id', 'scope', 'token_type', 'expires_at', 'expires_in',
])

function jsonParts(v: string): Part[] {
  let o: unknown
  try {
    o = JSON.parse(v)
  } catch {
    throw new ValueShapeError('not valid JSON')
  }
  if (typeof o !== 'object' || o === null) throw new ValueShapeError('not a JSON object')
  const out: Part[] = []
  const walk = (x: unknown, key: string | undefined) => {
    if (typeof x === 'string') {
      if (key !== undefined && PUBLIC_JSON_KEYS.has(key)) {
        out.push(pub(x))
        // token_url and the like are URLs: their userinfo password is still a secret.
        if (SCHEME.test(x)) {
          try {
            out.push(...uriParts(parseUri(x)).filter((p) => p.secret))
          } catch {
            out.push(sec(x))
          }
        }
      } else out.push(sec(x))
    } else if (Array.isArray(x)) x.forEach((y) => walk(y, key))
    else if (typeof x === 'object' && x !== null) for (const [k, y] of Object.entries(x)) walk(y, k)
  }
  walk(o, undefined)
  return out
}

/** The shapes a value can have. Each value kind of the catalogue reads as exactly one. */
export type Shape = 'uri' | 'mssql' | 'json' | 'token' | 'path'

/** Cut a value into parts. Throws ValueShapeError (message never quoting the value) when it cannot. */
export function valueParts(shape: Shape, value: string): Part[] {
  const v = value.trim()
  switch (shape) {
    case 'uri':
      return uriParts(parseUri(v))
    case 'mssql':
      return mssqlParts(v)
    case 'json':
      return jsonParts(v)
    case 'token':
      return [sec(v)]
    case 'path':
      return [pub(v)]
  }
}

/** The shape a value of unknown kind (tools/database without schema type, redaction) looks like. */
export function guessShape(value: string): Shape {
  const v = value.trim()
  if (v.startsWith('{')) return 'json'
  if (mssqlForm(v) !== 'ado' && mssqlForm(v) !== 'other') return 'mssql'
  if (SCHEME.test(v)) return 'uri'
  if (v.includes('=') && v.includes(';')) return 'mssql'
  return 'token'
}

/** The parts shown: public text as is, each secret part as `****`. */
export function showParts(parts: readonly Part[]): string {
  return parts.map((p) => (p.secret ? (p.text ? '****' : '') : p.text)).join('')
}

/**
 * Where a value with a scheme is shown when it cannot be parsed (a value stored before the parse was
 * strict): its scheme and the host after the last "@", nothing else.
 */
export function schemeAndHost(value: string): string | undefined {
  const v = value.trim()
  const scheme = SCHEME.exec(v)?.[0]
  if (!scheme) return undefined
  const tail = v.slice(scheme.length)
  const host = /^[A-Za-z0-9.-]+(?::\d+)?(?=$|[/?#;])/.exec(tail.slice(tail.lastIndexOf('@') + 1))?.[0]
  return host ? `${scheme}****@${host}/****` : `${scheme}****`
}
