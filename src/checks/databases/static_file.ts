import { promises as fsp } from 'node:fs'
import * as path from 'node:path'
import type { CheckContext, CheckInput, CheckResult, DiscoveredSchema } from '../types.js'
import { DriverTimeout, groupRows, loadDriver, refused, watchdog, type CatalogRow, type DiscoverCtx } from './common.js'

/**
 * Local data files (CSV/TSV, JSON/NDJSON, Parquet) read in place with DuckDB (@duckdb/node-api, an
 * optional dependency: a 70 MB native binary shipped inside the npm package, so nothing is downloaded
 * at install or run time). The value is a file, a directory (its data files, not recursive) or a glob.
 * Files have no catalog: each file is one table, described by DuckDB's reader (DESCRIBE), in process,
 * with no network round trip; Parquet nullability comes from its own schema (one parquet_schema() call
 * for all Parquet files), CSV and JSON columns are inferred and reported nullable.
 * DuckDB runs with extension autoloading off: a remote path (s3://, https://) would otherwise make it
 * download httpfs at run time, and static_file is for local files only.
 */
import { kindOf, NotRegularFile } from '../../lib/regular-file.js'
import { checkPath, formatOf, GLOB, type FileFormat } from './file-path.js'

type Conn = import('@duckdb/node-api').DuckDBConnection

export const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`

function reader(file: string, fmt: FileFormat): string {
  if (fmt === 'csv') return `read_csv(${sqlString(file)}, sample_size = 20480)`
  if (fmt === 'json') return `read_json_auto(${sqlString(file)})`
  return `read_parquet(${sqlString(file)})`
}

async function open(ctx: CheckContext): Promise<{ conn: Conn; close: () => void }> {
  const duck = await loadDriver('@duckdb/node-api', 'static_file', () => import('@duckdb/node-api'))
  const instance = await duck.DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false', threads: '2' })
  const conn = await instance.connect()
  const stop = watchdog(ctx.signal, () => conn.interrupt())
  return {
    conn,
    close: () => {
      stop()
      conn.closeSync()
      instance.closeSync()
    },
  }
}

async function rows<T>(conn: Conn, ctx: CheckContext, sql: string): Promise<T[]> {
  try {
    return (await conn.runAndReadAll(sql)).getRowObjectsJS() as T[]
  } catch (e) {
    if (ctx.signal.aborted) throw new DriverTimeout('reading the files', ctx.timeoutMs)
    throw e
  }
}

/**
 * The data files the value names, sorted; a glob is expanded by DuckDB (it understands **). Every file
 * must be a regular file (symlinks followed): DuckDB opening a FIFO would wait for a writer for ever,
 * past --timeout, so a FIFO, socket or device is refused before DuckDB sees it.
 */
export async function listFiles(value: string, conn: Conn | undefined, ctx: CheckContext): Promise<string[]> {
  const p = checkPath(value)
  let files: string[]
  if (GLOB.test(p)) {
    if (!conn) throw new Error('a glob needs DuckDB')
    const found = await rows<{ file: string }>(conn, ctx, `SELECT file FROM glob(${sqlString(p)}) ORDER BY file`)
    files = found.map((r) => r.file).filter((f) => formatOf(f))
  } else if ((await fsp.stat(p)).isDirectory()) {
    files = (await fsp.readdir(p))
      .filter((n) => formatOf(n))
      .sort()
      .map((n) => path.join(p, n))
  } else files = [p]
  for (const f of files) {
    const st = await fsp.stat(f)
    if (!st.isFile()) throw new NotRegularFile(f, kindOf(st))
  }
  return files
}

function problem(e: unknown): string | undefined {
  if (e instanceof NotRegularFile) return `not a regular file (${e.kind})`
  const code = (e as { code?: string }).code
  if (code === 'ENOENT') return 'no such file or directory'
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied'
  if (code === 'ENOTDIR') return 'not a directory'
  const m = e instanceof Error ? e.message : ''
  if (/No files found that match/i.test(m)) return 'no files match'
  return undefined
}

export async function validate(input: CheckInput, ctx: CheckContext): Promise<CheckResult> {
  const db = await open(ctx)
  try {
    let files: string[]
    try {
      files = await listFiles(input.value, db.conn, ctx)
    } catch (e) {
      const why = problem(e)
      if (why) return refused(`${why}: ${e instanceof NotRegularFile ? e.file : checkPath(input.value)}`)
      throw e
    }
    if (files.length === 0) return refused(`no CSV, JSON or Parquet files at ${checkPath(input.value)}`)
    const first = files[0]!
    const fmt = formatOf(first) ?? 'csv'
    try {
      await fsp.access(first)
      await rows(db.conn, ctx, `SELECT * FROM ${reader(first, fmt)} LIMIT 1`)
    } catch (e) {
      const why = problem(e)
      if (why) return refused(`${why}: ${first}`)
      throw e
    }
    const counts = new Map<string, number>()
    for (const f of files) counts.set(formatOf(f) ?? 'csv', (counts.get(formatOf(f) ?? 'csv') ?? 0) + 1)
    const summary = [...counts].map(([k, n]) => `${n} ${k}`).join(', ')
    return { status: 'valid', message: `${files.length} file${files.length === 1 ? '' : 's'} (${summary}); ${path.basename(first)} readable`, details: { files: files.length } }
  } finally {
    db.close()
  }
}

interface Described {
  column_name: string
  column_type: string
}
interface ParquetNode {
  file_name: string
  name: string
  repetition_type: string | null
  num_children: number | bigint | null
}

/** Top-level column -> nullable, from parquet_schema()'s flattened tree (root first, then depth-first). */
export function parquetNullability(nodes: ParquetNode[]): Map<string, Map<string, boolean>> {
  const out = new Map<string, Map<string, boolean>>()
  let i = 0
  while (i < nodes.length) {
    const root = nodes[i++]!
    const cols = new Map<string, boolean>()
    // Walk the subtree of each top-level child, counting how many nodes remain to skip.
    for (let k = 0; k < Number(root.num_children ?? 0) && i < nodes.length; k++) {
      const top = nodes[i++]!
      cols.set(top.name, top.repetition_type !== 'REQUIRED')
      let pending = Number(top.num_children ?? 0)
      while (pending > 0 && i < nodes.length) {
        pending += Number(nodes[i++]!.num_children ?? 0) - 1
      }
    }
    out.set(root.file_name, cols)
  }
  return out
}

export async function discoverSchema(input: CheckInput, ctx: DiscoverCtx): Promise<DiscoveredSchema> {
  const db = await open(ctx)
  try {
    let files = await listFiles(input.value, db.conn, ctx)
    if (files.length === 0) throw new Error(`no CSV, JSON or Parquet files at ${checkPath(input.value)}`)
    const max = ctx.options?.maxTables
    if (max !== undefined) files = files.slice(0, max)
    const parquet = files.filter((f) => formatOf(f) === 'parquet')
    let queries = 0
    let nullability = new Map<string, Map<string, boolean>>()
    if (parquet.length) {
      const list = `[${parquet.map(sqlString).join(', ')}]`
      nullability = parquetNullability(await rows<ParquetNode>(db.conn, ctx, `SELECT file_name, name, repetition_type, num_children FROM parquet_schema(${list})`))
      queries++
    }
    const out: CatalogRow[] = []
    for (const file of files) {
      const fmt = formatOf(file)!
      const cols = await rows<Described>(db.conn, ctx, `DESCRIBE SELECT * FROM ${reader(file, fmt)}`)
      queries++
      const nulls = nullability.get(file)
      cols.forEach((c, i) =>
        out.push({
          schema: path.dirname(path.resolve(file)),
          table: path.basename(file),
          kind: 'external',
          table_comment: `${fmt.toUpperCase()} file`,
          position: i + 1,
          column: c.column_name,
          data_type: c.column_type,
          nullable: nulls?.get(c.column_name) ?? true,
          default: null,
          comment: null,
        }),
      )
    }
    return { tables: groupRows(out, max), details: { files: files.length, queries } }
  } finally {
    db.close()
  }
}
