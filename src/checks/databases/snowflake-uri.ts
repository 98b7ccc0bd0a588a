import { parseUri } from '../../lib/value-parts.js'
import { decode } from './common.js'

/** snowflake:// URIs. Pure: the input check at create time uses it too. Errors never quote the value. */
export interface SnowflakeTarget {
  account: string
  user: string
  password: string
  database?: string
  schema?: string
  warehouse?: string
  role?: string
}

/** snowflake://user:pass@account/db/schema?warehouse=…&role=… (account may be a full host name). */
export function parseSnowflakeUri(value: string): SnowflakeTarget {
  // The one URI parse (src/lib/value-parts.ts): the mask and redaction read the value the same way.
  const u = parseUri(value.trim())
  if (u.protocol !== 'snowflake:') throw new Error('expected a snowflake:// URI')
  let account = decode(u.hostname).replace(/\.snowflakecomputing\.com$/i, '')
  if (!account) throw new Error('the URI has no account')
  if (!/^[A-Za-z0-9_.-]+$/.test(account)) throw new Error('invalid account identifier')
  account = account.toLowerCase()
  const user = decode(u.username)
  if (!user) throw new Error('the URI has no user')
  const [database, schema] = u.pathname.split('/').filter(Boolean).map(decode)
  const q = u.searchParams
  return {
    account,
    user,
    password: decode(u.password),
    ...(database ? { database } : {}),
    ...(schema ? { schema } : {}),
    ...(q.get('warehouse') ? { warehouse: q.get('warehouse')! } : {}),
    ...(q.get('role') ? { role: q.get('role')! } : {}),
  }
}

/** Host names use '-' where account identifiers may have '_' (Snowflake's account identifier docs). */
export const accountHost = (account: string) => `https://${account.replace(/_/g, '-')}.snowflakecomputing.com`

