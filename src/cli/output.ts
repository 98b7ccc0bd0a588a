import type { Terminal } from './terminal.js'

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
  /** Text for stdout (schema trees, an export bundle), escaped line by line like everything else. */
  text?: string
  /**
   * Bytes for stdout that are NOT escaped; only the exemptions terminal.ts names (reveal's value, inject's
   * template, completion scripts). Anything else belongs in `text`.
   */
  exempt?: { text: string; why: Parameters<Terminal['exempt']>[1] }
  /** Lines for stderr (confirmations like "Created ..."), shown when stdout is not --json. */
  notes?: string[]
  exitCode?: number
}
