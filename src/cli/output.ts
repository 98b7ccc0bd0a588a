import type { Terminal } from './terminal.js'

/**
 * What a command returns (STYLE 3): data, never printed by the command itself. main.ts alone prints:
 * `json` with --json, else `table` (a table on a TTY, tab-separated lines when piped), else `text`.
 */
export interface Table {
  head: string[]
  rows: (string | number | boolean | null | undefined)[][]
  /**
   * How columns show on a terminal and which give way when it is narrow, by heading; merged over the
   * defaults in render.ts (COLUMN_DEFAULTS), so most tables name none.
   */
  columns?: Record<string, Column>
}

/**
 * One column's rendering. Piped output shows every cell as given (full ids, ISO times, no colour),
 * except `expiry` (see render.ts); a terminal shows the `kind`'s form and fits the width.
 */
export interface Column {
  /**
   * `id`: the first 8 characters (more when two ids in the column share them); `time`: an ISO time
   * shown relative ("2 hours ago"); `expiry`: an ISO expiry shown "in 3 days" / "expired 2 days ago",
   * coloured; `state`: a verdict word, coloured; `text`: as is.
   */
  kind?: 'text' | 'id' | 'time' | 'expiry' | 'state'
  /** Never dropped when the terminal is narrow (NAME, TYPE). */
  essential?: boolean
  /** Give-way order on a narrow terminal, within its role (render.ts): lower is cut first and dropped first. */
  priority?: number
  /** Cut order within its role, if not `priority`. Every cut comes before every drop (render.ts). */
  cutPriority?: number
  /** The narrowest (in cells) this column is truncated to with "…" before it is dropped; Infinity: never cut. */
  min?: number
  /**
   * `key`: identity or outcome (NAME, ID, TYPE, VARIABLE, SOURCE, RESULT, OUTCOME, CREDENTIALS, ENV):
   * cut last and dropped after every other column; `text`: long free text or a mask (VALUE, DESCRIPTION,
   * DETAIL, MESSAGE, URL): cut first. See render.ts for the whole rule.
   */
  role?: 'key' | 'text'
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
