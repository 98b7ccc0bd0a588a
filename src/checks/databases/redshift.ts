/**
 * Redshift: PostgreSQL's wire protocol (redshift://, postgresql:// or postgres://, port 5439 by default),
 * so the same connect/validate path as postgresql. Discovery detects the engine with version() and reads
 * svv_columns (local, late-binding and external tables) in one query (redshift-catalog.ts); a redshift://
 * credential that turns out to be plain PostgreSQL gets the pg_catalog query.
 */
export { validate, discoverSchema, target } from './pgwire.js'
export { redshiftCatalogQuery, redshiftRow, redshiftType } from './redshift-catalog.js'
