import { readRegularFileSync } from '../../lib/regular-file.js'
import type { CheckContext, CheckInput, CheckResult, DiscoveredSchema } from '../types.js'
import { hostKey } from '../target.js'
import { DriverTimeout, groupRows, schemaFilter, tableKey, watchdog, type DiscoverCtx } from './common.js'
import { loginVerdict, POSTGRESQL, VerdictError } from './login-errors.js'
import { isSocket, parsePgUri, type PgTarget, type SslMode } from './pg-uri.js'
import { pgCatalogQuery, pgRow, pgTables as pgJsonTables, type PgCatalogRow, type PgTableRow } from './pg-catalog.js'
import { redshiftCatalogQuery, redshiftRow, type RedshiftRow } from './redshift-catalog.js'

/**
 * The PostgreSQL wire protocol, shared by postgresql and redshift (Redshift is a PostgreSQL 8.0 fork
 * that speaks the same protocol). The URI is parsed here, not by pg, for three reasons:
 *  - TLS is decided explicitly with libpq's sslmode semantics (pg 8 treats `require` as `verify-full`
 *    and reads PGSSLMODE from the environment when the URI says nothing: the user's shell would change
 *    what a stored credential means);
 *  - pg ignores `connect_timeout` in the URI: the budget comes from --timeout, always;
 *  - a parse error must never quote the URI (it holds the password).
 */
type PgClient = import('pg').Client
type PgConfig = import('pg').ClientConfig

/**
 * libpq semantics: require = encrypted, unverified; verify-ca = chain only; verify-full = chain + host.
 * And, as in libpq, a root CA file makes every TLS attempt verify the chain: "if a root CA file
 * exists, the behavior of sslmode=require will be the same as that of verify-ca"
 * (https://www.postgresql.org/docs/current/libpq-ssl.html). Only the URI's sslrootcert counts, not
 * ~/.postgresql/root.crt: the user's home must not change what a stored credential means.
 * sslrootcert=system means the system's CAs (no file) and verify-full (pg-uri.ts enforces the mode).
 */
function tlsFor(t: PgTarget, requested: SslMode): PgConfig['ssl'] {
  if (requested === 'disable' || requested === 'allow') return false
  const mode: SslMode = requested === 'require' && t.sslrootcert ? 'verify-ca' : requested
  const files = {
    ...(t.sslrootcert && t.sslrootcert !== 'system' ? { ca: readRegularFileSync(t.sslrootcert) } : {}),
    ...(t.sslcert ? { cert: readRegularFileSync(t.sslcert) } : {}),
    ...(t.sslkey ? { key: readRegularFileSync(t.sslkey) } : {}),
  }
  if (mode === 'verify-full') return { rejectUnauthorized: true, ...files }
  if (mode === 'verify-ca') return { rejectUnauthorized: true, checkServerIdentity: () => undefined, ...files }
  return { rejectUnauthorized: false, ...files }
}

export function clientConfig(t: PgTarget, timeoutMs: number, mode: SslMode = t.sslmode): PgConfig {
  return {
    host: t.host,
    port: t.port,
    user: t.user,
    // A function, always: pg treats a missing or empty string password as "look elsewhere" and would
    // send PGPASSWORD or ~/.pgpass to this credential's host, proving (and leaking) someone else's
    // password. A function is used as is, even when it returns ''.
    password: () => t.password,
    database: t.database || t.user,
    ssl: tlsFor(t, mode),
    ...(t.options ? { options: t.options } : {}),
    connectionTimeoutMillis: timeoutMs,
    statement_timeout: timeoutMs,
    query_timeout: timeoutMs,
    application_name: 'credctl',
    keepAlive: false,
  }
}

const CERT_REFUSED = /^(SELF_SIGNED_CERT_IN_CHAIN|DEPTH_ZERO_SELF_SIGNED_CERT|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|ERR_TLS_CERT_ALTNAME_INVALID)$/

/** A refused server certificate, said in words with what to check (the code stays: it classifies as unreachable). */
function certRefused(e: unknown, t: PgTarget): unknown {
  const code = (e as { code?: string }).code ?? ''
  if (!CERT_REFUSED.test(code)) return e
  const which = t.sslrootcert && t.sslrootcert !== 'system' ? 'the CA file in sslrootcert' : "the system's CAs"
  const err = new Error(`the server's TLS certificate was refused (${code}): it does not verify against ${which}${code === 'ERR_TLS_CERT_ALTNAME_INVALID' ? ' for this host name' : ''}; check sslrootcert and the host`)
  ;(err as { code?: string }).code = code
  return err
}

/**
 * No server behind a socket directory: said as psql says it, and unreachable (a missing socket file is
 * ENOENT, which would otherwise read as a plain error): the credential may be fine, the server is not there.
 */
function noSocket(e: unknown, t: PgTarget): unknown {
  const code = (e as { code?: string }).code
  if (!isSocket(t) || (code !== 'ENOENT' && code !== 'ECONNREFUSED')) return e
  const err = new Error(`no PostgreSQL server on socket ${t.host.replace(/\/+$/, '')}/.s.PGSQL.${t.port}: is the server running locally and accepting connections on that socket? Check ?host= and ?port=`)
  ;(err as { code?: string }).code = 'ECONNREFUSED'
  return err
}

/** pg's own connect timeout says only "timeout expired" / "connection timeout": name it a timeout. */
function asTimeout(e: unknown, ms: number): unknown {
  const m = e instanceof Error ? e.message : ''
  if (!(e as { code?: string }).code && /timeout expired|connection timeout|Query read timeout/i.test(m)) return new DriverTimeout('the server did not answer', ms)
  return e
}

async function connectOnce(t: PgTarget, ctx: CheckContext, mode: SslMode): Promise<PgClient> {
  const { default: pg } = await import('pg')
  const client = new pg.Client(clientConfig(t, ctx.timeoutMs, mode))
  // An error event after connect (server gone) must not crash the process.
  client.on('error', () => {})
  // The server announces its version at startup (ParameterStatus): no query needed to pick the variant.
  const conn = (client as unknown as { connection?: { on(e: string, f: (m: { parameterName?: string; parameterValue?: string }) => void): void } }).connection
  conn?.on('parameterStatus', (m) => {
    if (m.parameterName === 'server_version') (client as unknown as { __credctlVersion?: string }).__credctlVersion = m.parameterValue
  })
  // end() waits for the server; a silent one never answers. Destroy the socket instead.
  const stop = watchdog(ctx.signal, () => (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy())
  try {
    await client.connect()
  } catch (e) {
    stop()
    await client.end().catch(() => {})
    throw noSocket(certRefused(asTimeout(e, ctx.timeoutMs), t), t)
  }
  // Keep the watchdog for the queries; the caller's close() disposes it.
  ;(client as unknown as { __credctlStop?: () => void }).__credctlStop = stop
  return client
}

/** Connect, with libpq's fallbacks: prefer tries TLS then plain, allow tries plain then TLS. */
export async function connect(t: PgTarget, ctx: CheckContext): Promise<PgClient> {
  // "sslmode is ignored for Unix domain socket communication" (libpq docs, libpq-connect.html#LIBPQ-CONNECT-SSLMODE):
  // the server never offers TLS there, and pg (which connects to `${host}/.s.PGSQL.${port}`) would fail on its "N".
  if (isSocket(t)) return connectOnce(t, ctx, 'disable')
  if (t.sslmode !== 'prefer' && t.sslmode !== 'allow') return connectOnce(t, ctx, t.sslmode)
  const [first, second]: [SslMode, SslMode] = t.sslmode === 'prefer' ? ['require', 'disable'] : ['disable', 'require']
  try {
    return await connectOnce(t, ctx, first)
  } catch (e) {
    const m = e instanceof Error ? e.message : ''
    const tlsRefused = /does not support SSL|SSL off|no pg_hba\.conf entry.*no encryption|requires SSL|SSL connection is required/i.test(m)
    if (!tlsRefused || ctx.signal.aborted) throw e
    return connectOnce(t, ctx, second)
  }
}

export async function close(client: PgClient): Promise<void> {
  ;(client as unknown as { __credctlStop?: () => void }).__credctlStop?.()
  await client.end().catch(() => {})
}

export async function connectOrRefuse(input: CheckInput, ctx: CheckContext): Promise<PgClient | CheckResult> {
  const t = parsePgUri(input.value)
  try {
    return await connect(t, ctx)
  } catch (e) {
    const code = (e as { code?: string }).code
    const verdict = loginVerdict(POSTGRESQL, code, `SQLSTATE ${code}`)
    if (verdict) return verdict
    throw e
  }
}

interface ServerInfo {
  engine: 'postgresql' | 'redshift'
  version: string
  version_num: number
}

/** "15.20 (Debian …)" -> 150020, "9.6.24" -> 90624 (server_version_num's encoding). */
export function versionNum(v: string): number {
  const m = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(v)
  if (!m) return 0
  const [a, b, c] = [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)]
  return a >= 10 ? a * 10000 + b : a * 10000 + b * 100 + c
}

/**
 * PostgreSQL or Redshift, and which version. The startup ParameterStatus gives the version for free;
 * Redshift announces itself as 8.0.2 there, so only such a server (or one that said nothing, or a
 * redshift credential) is asked version(), which on Redshift reads "PostgreSQL 8.0.2 … Redshift 1.0.x".
 */
export async function serverInfo(client: PgClient, probe = false): Promise<ServerInfo & { queries: number }> {
  const announced = (client as unknown as { __credctlVersion?: string }).__credctlVersion
  if (announced && !announced.startsWith('8.') && !probe) {
    return { engine: 'postgresql', version: `PostgreSQL ${announced}`, version_num: versionNum(announced), queries: 0 }
  }
  const r = await client.query<{ v: string }>('SELECT version() AS v')
  const v = String(r.rows[0]?.v ?? '')
  const redshift = /redshift/i.test(v)
  const version = redshift ? `Redshift ${/Redshift ([\d.]+)/i.exec(v)?.[1] ?? ''}`.trim() : (v.split(' on ')[0] ?? v)
  return { engine: redshift ? 'redshift' : 'postgresql', version, version_num: versionNum(v.replace(/^PostgreSQL /, '')), queries: 1 }
}

export async function validate(input: CheckInput, ctx: CheckContext): Promise<CheckResult> {
  const c = await connectOrRefuse(input, ctx)
  if ('status' in c) return c
  try {
    await c.query('SELECT 1')
    const { queries: _q, ...info } = await serverInfo(c, input.type === 'redshift')
    return { status: 'valid', message: `connected; SELECT 1 ok (${info.version})`, details: { ...info } }
  } catch (e) {
    throw asTimeout(e, ctx.timeoutMs)
  } finally {
    await close(c)
  }
}

/**
 * One catalog query for the whole database; the variant (PostgreSQL by version, or Redshift's
 * svv_columns) is picked from the version the server announced, with a version() probe only for
 * servers that look like Redshift: one or two queries whatever the number of tables.
 */
async function pgTables(c: PgClient, versionNum: number, schemas: string[] | null, maxTables?: number) {
  const q = pgCatalogQuery(versionNum, schemas, maxTables)
  if (q.json) return pgJsonTables((await c.query<PgTableRow>(q)).rows)
  const rows = (await c.query<PgCatalogRow>(q)).rows
  const facts = new Map(rows.map((r) => [tableKey(r.table_schema, r.table_name), { readable: r.readable }]))
  return groupRows(rows.map(pgRow), maxTables, facts)
}

export async function discoverSchema(input: CheckInput, ctx: DiscoverCtx): Promise<DiscoveredSchema> {
  const c = await connectOrRefuse(input, ctx)
  if ('status' in c) throw new VerdictError(c)
  try {
    // A redshift credential is always asked version(): Redshift proxies may announce another version.
    const info = await serverInfo(c, input.type === 'redshift')
    const schemas = schemaFilter(ctx.options)
    const tables =
      info.engine === 'redshift'
        ? groupRows((await c.query<RedshiftRow>(redshiftCatalogQuery(schemas))).rows.map(redshiftRow), ctx.options?.maxTables)
        : await pgTables(c, info.version_num, schemas, ctx.options?.maxTables)
    return { tables, details: { queries: info.queries + 1, engine: info.engine, version: info.version } }
  } catch (e) {
    throw asTimeout(e, ctx.timeoutMs)
  } finally {
    await close(c)
  }
}

/** Where the check goes (per-host cap, target.ts): the server's host (or socket directory) and port. */
export function target(input: CheckInput): string | undefined {
  const t = parsePgUri(input.value)
  return hostKey(t.host, t.port)
}
