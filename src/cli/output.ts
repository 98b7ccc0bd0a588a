/**
 * What a command returns (STYLE 3): data, never printed by the command itself. main.ts alone prints:
 * `json` with --json, else `table` (a table on a TTY, tab-separated lines when piped), else `text`.
 */
export interface Table {
  head: string[]
  rows: (string | number | boolean | null | undefined)[][]
}

export interface Output {
  json?: unknown
  table?: Table
  /** Raw stdout (reveal, completion scripts, schema trees). */
  text?: string
  /** Lines for stderr (confirmations like "Created ..."), shown when stdout is not --json. */
  notes?: string[]
  exitCode?: number
}
