import * as path from 'node:path'

/** static_file values: local files, directories and globs. Pure: the input check at create time uses it too. */
export type FileFormat = 'csv' | 'json' | 'parquet'

export function formatOf(file: string): FileFormat | undefined {
  const f = file.toLowerCase().replace(/\.(gz|zst)$/, '')
  if (/\.(csv|tsv|txt)$/.test(f)) return 'csv'
  if (/\.(json|jsonl|ndjson)$/.test(f)) return 'json'
  if (/\.parquet$/.test(f)) return 'parquet'
  return undefined
}

export const GLOB = /[*?[]/

/** Only local paths: a URL scheme (s3://, https://, file://) is refused. */
export function checkPath(value: string): string {
  const v = value.trim()
  if (!v) throw new Error('empty path')
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v)) throw new Error('expected a local path, directory or glob (remote URLs are not read)')
  return v.startsWith('~/') ? path.join(process.env.HOME ?? '~', v.slice(2)) : v
}

