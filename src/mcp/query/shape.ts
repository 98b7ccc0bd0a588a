/**
 * What a query result may hold, whatever the engine: at most maxRows rows, each cell at most
 * CELL_MAX_CHARS characters, binary cells summarised as `<N bytes>` (never returned), and at most
 * RESULT_MAX_BYTES of rows in all (measured as their JSON, the form the MCP host receives). Anything cut
 * sets `truncated`. Engines hand over raw cells; this is the one place that decides what comes back.
 */
export const CELL_MAX_CHARS = 2000
export const RESULT_MAX_BYTES = 256 * 1024

/** A binary cell, summarised: its size, never its bytes (which may be anything, including a key file). */
export const bytesCell = (n: number) => `<${n} bytes>`

export interface Column {
  name: string
  type: string
}

/** Cut a text to the cell cap, on a code-point boundary, saying how long it was. */
export function capText(s: string, max = CELL_MAX_CHARS): { text: string; cut: boolean } {
  if (s.length <= max) return { text: s, cut: false }
  let end = max
  // Do not split a surrogate pair: half a character is not JSON-safe text.
  const c = s.charCodeAt(end - 1)
  if (c >= 0xd800 && c <= 0xdbff) end--
  return { text: `${s.slice(0, end)}…[truncated: ${s.length} characters]`, cut: true }
}

/**
 * One cell as JSON: null, booleans and finite numbers as they are; bigints, non-finite numbers and
 * everything else as text; buffers as their size; objects (mysql2's parsed JSON) re-serialised.
 */
export function cell(v: unknown): { value: unknown; cut: boolean } {
  if (v === null || v === undefined) return { value: null, cut: false }
  if (typeof v === 'boolean') return { value: v, cut: false }
  if (typeof v === 'number') return Number.isFinite(v) ? { value: v, cut: false } : { value: String(v), cut: false }
  if (typeof v === 'bigint') return { value: v.toString(), cut: false }
  if (Buffer.isBuffer(v)) return { value: bytesCell(v.length), cut: false }
  if (v instanceof Date) return { value: Number.isNaN(v.getTime()) ? String(v) : v.toISOString(), cut: false }
  const text = typeof v === 'string' ? v : JSON.stringify(v) ?? String(v)
  const c = capText(text)
  return { value: c.text, cut: c.cut }
}

/** Collects shaped rows up to the caps; `add` says whether to keep reading. */
export class Rows {
  readonly rows: unknown[][] = []
  truncated = false
  private bytes = 2 // the enclosing []
  private readonly maxRows: number
  constructor(maxRows: number) {
    this.maxRows = maxRows
  }

  /** Add one raw row. false: the result is full (the row was not kept), stop reading. */
  add(raw: readonly unknown[]): boolean {
    if (this.rows.length >= this.maxRows) {
      this.truncated = true
      return false
    }
    const row: unknown[] = []
    for (const v of raw) {
      const c = cell(v)
      if (c.cut) this.truncated = true
      row.push(c.value)
    }
    const size = Buffer.byteLength(JSON.stringify(row), 'utf8') + 1
    if (this.bytes + size > RESULT_MAX_BYTES) {
      this.truncated = true
      return false
    }
    this.bytes += size
    this.rows.push(row)
    return true
  }
}

/** A column name as the host sees it: capped like a cell (MySQL names an unaliased expression by its text). */
export const columnName = (s: string) => capText(s, 256).text
