/**
 * PostgreSQL: connect with pg (explicit TLS and timeouts, a watchdog that destroys the socket), SELECT 1,
 * and discover the schema with one pg_catalog query for the whole database. A postgresql:// credential
 * that points at Redshift is detected by version() and read through svv_columns instead.
 * The wire code is shared with redshift in pgwire.ts; the catalog query lives in pg-catalog.ts.
 */
export { validate, discoverSchema, target, clientConfig } from './pgwire.js'
export { parsePgUri } from './pg-uri.js'
export { pgCatalogQuery, pgRow } from './pg-catalog.js'
