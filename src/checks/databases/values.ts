import { parseServiceAccount } from './bigquery-key.js'
import { parseClickhouseUrl } from './clickhouse-url.js'
import { checkPath } from './file-path.js'
import { parseMssql } from './mssql-config.js'
import { parseMysqlUri } from './mysql-uri.js'
import { parsePgUri } from './pg-uri.js'
import { parseSnowflakeUri } from './snowflake-uri.js'

/**
 * The input check of every warehouse value at create/update time, with the same parsers the checks
 * use, so a value accepted here is one the check can read. Returns why a value is wrong (never quoting
 * it), or undefined. Pure and driver-free: it is on the `create` path.
 */
const PARSERS: Record<string, (v: string) => unknown> = {
  postgres_uri: (v) => {
    if (!/^postgres(ql)?:\/\//i.test(v)) throw new Error('expected postgresql:// or postgres://')
    return parsePgUri(v)
  },
  redshift_uri: parsePgUri,
  mysql_uri: parseMysqlUri,
  mssql: parseMssql,
  clickhouse_uri: parseClickhouseUrl,
  snowflake_uri: parseSnowflakeUri,
  service_account_json: parseServiceAccount,
  path: checkPath,
}

export function dbValueProblem(kind: string, value: string): string | undefined {
  const parse = PARSERS[kind]
  if (!parse) return undefined
  if (kind !== 'service_account_json' && /[\r\n]/.test(value)) return 'a single line'
  try {
    parse(value)
    return undefined
  } catch (e) {
    return e instanceof Error ? e.message : 'unreadable value'
  }
}

export const DB_VALUE_KINDS = Object.keys(PARSERS)
