import { CredctlError } from '../errors.js'
import { absolutePath } from '../lib/absolute-path.js'
import { checkServiceUrl } from '../lib/url-safety.js'
import { dbValueProblem } from '../checks/databases/values.js'
import { parseUri, valueParts, ValueShapeError } from '../lib/value-parts.js'
import { typeInfo, WAREHOUSE_TYPES, type ValueKind } from './catalogue.js'
import { checkKeyChars } from './key-chars.js'
import { shapeOf } from './mask.js'

/** Any value is at most 64 KiB: far above any key or service-account JSON, far below a mistake. */
export const MAX_VALUE_BYTES = 64 * 1024

const fail = (type: string, expected: string, hint = 'pass the value with --value-stdin or --value-file'): never => {
  throw new CredctlError('INVALID_INPUT', `invalid value for type ${type}: expected ${expected}`, { hint })
}

/** The one URI parse (src/lib/value-parts.ts), which also refuses URIs with two readings. */
function uri(value: string, protocols: string[]): URL | undefined {
  if (/\s/.test(value)) return undefined
  let u: URL
  try {
    u = parseUri(value)
  } catch {
    return undefined
  }
  if (!protocols.includes(u.protocol)) return undefined
  return u
}

/** RFC 6749 appendix A.12 and A.17: access-token and refresh-token = 1*VSCHAR (%x20-7E). */
const VSCHAR = /^[\x20-\x7e]+$/

/**
 * A PEM block (RFC 7468 section 2: label, base64 lines, RFC 1421 `Proc-Type:`/`DEK-Info:` headers of an
 * encrypted key), one trailing line end at most. Private keys (a GitHub App's, a JWT signing key, an APNs
 * .p8) live in .env files as such blocks and reach programs as they are, never in a header; so the
 * generic tools/api_key type takes them (issue 12: `import --from-env` stores a multi-line PRIVATE_KEY
 * as an api_key), while provider keys (openai, ...) and any other whitespace stay refused as paste errors.
 */
const PEM = /^-----BEGIN ([A-Z0-9 ]+)-----\r?\n(?:[A-Za-z0-9+/=:,. -]*\r?\n)+-----END \1-----(?:\r?\n)?$/

const CHECKS: Record<Exclude<ValueKind, 'database'>, { expected: string; ok: (v: string) => boolean }> = {
  api_key: { expected: 'a non-empty key without whitespace', ok: (v) => v.length > 0 && !/\s/.test(v) },
  // libpq URIs may leave the authority empty (postgresql:///db?host=/var/run/postgresql: a Unix socket,
  // or libpq's default socket): the host is then read from the query by parsePgUri, like libpq does.
  postgres_uri: {
    expected: 'a postgresql:// or postgres:// URI (postgresql://user:password@host:5432/db, or postgresql:///db?host=/var/run/postgresql&user=app for a Unix socket)',
    ok: (v) => !!uri(v, ['postgresql:', 'postgres:']),
  },
  redshift_uri: {
    expected: 'a redshift://, postgresql:// or postgres:// URI (redshift://user:password@cluster:5439/db)',
    ok: (v) => !!uri(v, ['redshift:', 'postgresql:', 'postgres:']),
  },
  mysql_uri: {
    expected: 'a mysql:// or mariadb:// URI (mysql://user:password@host:3306/db?ssl-mode=REQUIRED)',
    ok: (v) => !!uri(v, ['mysql:', 'mariadb:'])?.hostname,
  },
  mssql: {
    expected: 'a mssql:// or sqlserver:// URI, or Server=host;Database=db;User Id=user;Password=...',
    ok: (v) => !!uri(v, ['mssql:', 'sqlserver:'])?.hostname || /^(jdbc:)?sqlserver:\/\/[^/?@]*;/i.test(v) || /(^|;)\s*(server|data source|address)\s*=\s*[^;\s]/i.test(v),
  },
  clickhouse_uri: {
    expected: 'an http(s):// or clickhouse:// URL (https://user:password@host:8443/db)',
    ok: (v) => !!uri(v, ['http:', 'https:', 'clickhouse:'])?.hostname,
  },
  snowflake_uri: {
    expected: 'snowflake://user:password@account/database/schema?warehouse=...&role=...',
    ok: (v) => {
      const u = uri(v, ['snowflake:'])
      return !!u?.hostname && !!u.username
    },
  },
  service_account_json: {
    expected: 'a service-account JSON key with client_email and private_key',
    ok: (v) => {
      try {
        const o = JSON.parse(v) as Record<string, unknown>
        return (
          typeof o === 'object' && o !== null && typeof o.client_email === 'string' && typeof o.private_key === 'string'
        )
      } catch {
        return false
      }
    },
  },
  path: { expected: 'a local file path, directory or glob of CSV, JSON/NDJSON or Parquet files', ok: (v) => v.length > 0 && !v.includes('\n') },
  oauth: {
    expected: 'an access token, or a JSON object with access_token (and optionally refresh_token, token_url, client_id, client_secret)',
    ok: (v) => {
      if (!v.startsWith('{')) return v.length > 0 && !/\s/.test(v) && VSCHAR.test(v)
      try {
        const o = JSON.parse(v) as Record<string, unknown>
        if (typeof o !== 'object' || o === null || typeof o.access_token !== 'string' || !VSCHAR.test(o.access_token)) return false
        if (o.refresh_token !== undefined && (typeof o.refresh_token !== 'string' || !VSCHAR.test(o.refresh_token))) return false
        // The refresh grant sends the refresh token and client secret there: https (or this machine) only.
        if (o.token_url !== undefined) checkServiceUrl(String(o.token_url), 'token_url in the oauth value', { partOfSecret: true })
        return true
      } catch (e) {
        if (e instanceof CredctlError) throw e
        return false
      }
    },
  },
  smtp_url: {
    expected: 'an smtp:// or smtps:// URL (smtp://user:password@host:587)',
    ok: (v) => !!uri(v, ['smtp:', 'smtps:'])?.hostname,
  },
}

/**
 * Normalise and check a value for its type. Returns the value to store: one trailing newline (from
 * `echo` or a file) is dropped, nothing else is changed. With `exact` (a .env imported with a template,
 * whose references must give back the very bytes) nothing is dropped or trimmed: a value the type would
 * change is refused instead.
 */
export function checkValue(type: string, raw: string, schemaType?: string, opts: { exact?: boolean } = {}): string {
  const value = opts.exact ? raw : raw.replace(/\r?\n$/, '')
  if (Buffer.byteLength(value, 'utf8') > MAX_VALUE_BYTES) {
    throw new CredctlError('INVALID_INPUT', `value too large: at most ${MAX_VALUE_BYTES} bytes (64 KiB)`)
  }
  if (value.trim().length === 0) throw new CredctlError('INVALID_INPUT', 'value is empty', { hint: 'pass a non-empty value' })
  if (value.includes('\0')) throw new CredctlError('INVALID_INPUT', `value contains a NUL byte (character ${[...value].indexOf('\0') + 1})`)
  const info = typeInfo(type)
  if (!info) throw new CredctlError('INVALID_INPUT', `unknown type: ${type}`)
  let kind = info.value
  let label = type
  if (kind === 'database') {
    if (!schemaType || !WAREHOUSE_TYPES.includes(schemaType)) {
      throw new CredctlError('INVALID_INPUT', `type database needs --schema-type, one of: ${WAREHOUSE_TYPES.join(', ')}`)
    }
    kind = typeInfo(schemaType)!.value
    label = `database (schema_type ${schemaType})`
  }
  const base = CHECKS[kind as Exclude<ValueKind, 'database'>]
  // Blanks in a key are refused as paste errors; a .env value imported with a template (`exact`) is no
  // paste, and a secret setting with blanks in it (`host=db password=…`, `--requirepass X`) must be
  // stored as written, or the import is refused as a whole and the .env cannot be migrated.
  const check = type === 'api_key' ? { expected: `${base.expected}, or a PEM block`, ok: (v: string) => base.ok(v) || PEM.test(v) || !!opts.exact } : base
  const trimmed = kind === 'service_account_json' || kind === 'oauth' ? value.trim() : value
  if (opts.exact && trimmed !== value) throw new CredctlError('INVALID_INPUT', `invalid value for type ${label}: leading or trailing blanks, which a ${label} value does not keep`)
  // A key goes into an HTTP header (ASCII only); a generic secret imported from a .env (`exact`) is a
  // password as often as a key ("pässwörd", "correct horse battery staple"): stored as written.
  if (!(opts.exact && type === 'api_key')) checkKeyChars(kind, trimmed, label)
  // The parse the mask and redaction use (DESIGN section 2): a value it cannot cut into public and
  // secret parts one way only is refused here, with how to write it, rather than masked by a guess.
  let shapeProblem: ValueShapeError | undefined
  try {
    valueParts(shapeOf(typeInfo(info.value === 'database' ? schemaType! : type)!.mask, trimmed), trimmed)
  } catch (e) {
    if (!(e instanceof ValueShapeError)) throw e
    shapeProblem = e
  }
  // A problem the parse can explain (an ambiguous URI, an unquoted ";") says so; else the expected form.
  if (!check.ok(trimmed) && !shapeProblem?.hint) fail(label, check.expected)
  if (shapeProblem) {
    throw new CredctlError('INVALID_INPUT', `invalid value for type ${label}: ${shapeProblem.message}`, { hint: shapeProblem.hint ?? `expected ${check.expected}` })
  }
  // Warehouse values: the check's own parser (ssl-mode values, ADO keys, account names...).
  const why = dbValueProblem(kind, trimmed)
  if (why) fail(label, `${check.expected}; ${why}`)
  return kind === 'path' ? absolutePath(trimmed) : trimmed
}

export { absolutePath } from '../lib/absolute-path.js'
