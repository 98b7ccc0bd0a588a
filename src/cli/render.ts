import { terminalSafe } from '../lib/text.js'
import { textWidth, truncateText } from '../lib/width.js'
import { parseIsoTime, relativeTime } from '../lib/when.js'
import { expiryLabel, expiryOf } from '../credentials/expiry.js'
import type { Credential } from '../credentials/view.js'
import type { IOStreams } from './io.js'
import type { Column, Table } from './output.js'

/**
 * The one table printer (STYLE 5; the model is gh's internal/tableprinter):
 * - piped: no header, one record per line, tab-separated, every cell as the command gave it (full ids,
 *   ISO times, no colour): stable for cut/awk;
 * - on a terminal: a header and columns two spaces apart, fitted to the terminal's width. Ids are short,
 *   times relative, verdicts coloured (when colour is on: NO_COLOR, FORCE_COLOR, see io.ts).
 *
 * The give-way rule, when the rows are wider than the terminal (issue 12 review: the columns a user came
 * for must be the last to go), in this order, each step only while the table is still too wide:
 * 1. a column whose cells are all empty is dropped (an empty EXPIRES says nothing);
 * 2. long free-text and mask columns (`role: 'text'`: VALUE, DESCRIPTION, DETAIL, MESSAGE, URL) are
 *    truncated with "…" down to their `min`, lowest priority first (a cut mask is still a mask);
 * 3. the other cuttable columns, then the identity and outcome columns (`role: 'key'`: NAME, ID, TYPE,
 *    VARIABLE, SOURCE, RESULT, OUTCOME, CREDENTIALS, ENV) are truncated down to their `min`;
 * 4. only then are columns dropped, lowest priority first, every non-key column before any key one;
 *    `essential` columns (NAME, TYPE, VARIABLE) are never dropped.
 * Room a drop frees goes back to the cut columns, key columns first. So in `list` a database URL's VALUE
 * is cut to 12 cells long before ID goes, `history` keeps CREDENTIALS, `run --dry-run` keeps SOURCE,
 * `import` keeps RESULT, `types` keeps ENV.
 *
 * Each cell is escaped (terminalSafe) before it is measured, cut or coloured: a newline in a cell would
 * otherwise become two rows, an escape sequence would be counted as width, and the colour codes the
 * terminal writer keeps (terminal.ts safeTable) can only be the ones added here, after escaping.
 */

type Value = Table['rows'][number][number]

const raw = (v: Value) => (v === null || v === undefined ? '' : String(v))
const cell = (v: Value) => terminalSafe(raw(v))

/**
 * Defaults by heading; a table's own `columns` override them. Unlisted headings: text, priority 50.
 * Priorities order steps within one phase of the give-way rule above, not across phases.
 */
const COLUMN_DEFAULTS: Record<string, Column> = {
  // Key/value tables (status: blank headings; get: FIELD/VALUE): nothing dropped or cut, a long value wraps.
  '': { essential: true, min: Infinity },
  FIELD: { essential: true, min: Infinity },
  // Identity and outcome: what a row is and what happened to it.
  // NAME is cut first of these (a long name still reads), to 20 cells.
  NAME: { role: 'key', essential: true, priority: 100, cutPriority: 50, min: 20 },
  VARIABLE: { role: 'key', essential: true, priority: 98, min: 12 },
  TYPE: { role: 'key', essential: true, priority: 95, min: 10 },
  ID: { role: 'key', kind: 'id', priority: 90 },
  CREDENTIALS: { role: 'key', priority: 88, min: 16 },
  SOURCE: { role: 'key', priority: 85, min: 12 },
  RESULT: { role: 'key', priority: 85, min: 12 },
  OUTCOME: { role: 'key', kind: 'state', priority: 85 },
  ENV: { role: 'key', priority: 80, min: 14 },
  // Free text and masks: cut first.
  VALUE: { role: 'text', priority: 80, min: 12 },
  MESSAGE: { role: 'text', priority: 55, min: 20 },
  URL: { role: 'text', priority: 30, min: 16 },
  DETAIL: { role: 'text', priority: 15, min: 16 },
  DESCRIPTION: { role: 'text', priority: 10, min: 16 },
  'BASE URL ENV': { role: 'text', priority: 12, min: 12 },
  // The rest.
  VALID: { kind: 'state', priority: 85 },
  STATUS: { kind: 'state', priority: 85 },
  TIME: { kind: 'time', priority: 90 },
  ACTION: { priority: 88 },
  EXPIRES: { kind: 'expiry', priority: 70 },
  DELETED: { kind: 'time', priority: 65 },
  DEFAULT: { priority: 40 },
  CATEGORY: { priority: 30 },
  UPDATED: { kind: 'time', priority: 20 },
  CREATED: { kind: 'time', priority: 20 },
}

/** Verdict words and their colours (issue 12): green is good, red is broken, yellow is partly usable. */
const STATE_COLOUR: Record<string, 'green' | 'red' | 'yellow' | 'dim'> = {
  valid: 'green',
  ok: 'green',
  invalid: 'red',
  expired: 'red',
  error: 'red',
  failed: 'red',
  restricted: 'yellow',
  exhausted: 'yellow',
  unreachable: 'yellow',
  timeout: 'yellow',
  unknown: 'dim',
  unchecked: 'dim',
}

const SEP = '  '
const SHORT_ID = 8

/** Short ids: the first 8 characters, or as many as make the ids in this column distinct (as git does). */
function idLength(ids: string[]): number {
  const distinct = new Set(ids).size
  let n = SHORT_ID
  while (n < 64 && new Set(ids.map((i) => i.slice(0, n))).size < distinct) n++
  return n
}

interface Shown {
  text: string
  colour?: 'green' | 'red' | 'yellow' | 'dim' | undefined
}

function expiryCell(iso: string, now: Date): Shown {
  const at = parseIsoTime(iso)
  if (at === undefined) return { text: terminalSafe(iso) }
  const e = expiryOf({ expires_at: iso }, now)
  if (e.state === 'expired') return { text: `expired ${relativeTime(at, now.getTime())}`.replace('expired just now', 'expired today'), colour: 'red' }
  // Whole days as the piped label and the warnings count them (expiry.ts); larger spans in months/years.
  const text = e.days !== null && e.days < 30 ? `in ${e.days} day${e.days === 1 ? '' : 's'}` : relativeTime(at, now.getTime())
  return { text, colour: e.state === 'expiring' ? 'yellow' : undefined }
}

/** The terminal form of one column's cells. */
function showColumn(kind: Column['kind'], values: Value[], now: Date): Shown[] {
  switch (kind) {
    case 'id': {
      const n = idLength(values.map(raw).filter(Boolean))
      return values.map((v) => ({ text: cell(raw(v).slice(0, n)) }))
    }
    case 'time':
      return values.map((v) => {
        const at = parseIsoTime(raw(v))
        return { text: at === undefined ? cell(v) : relativeTime(at, now.getTime()) }
      })
    case 'expiry':
      return values.map((v) => (raw(v) ? expiryCell(raw(v), now) : { text: '' }))
    case 'state':
      return values.map((v) => ({ text: cell(v), colour: STATE_COLOUR[raw(v)] }))
    default:
      return values.map((v) => ({ text: cell(v) }))
  }
}

export interface Fit {
  /** Drop order (lowest first) and give-back order (highest first). */
  priority: number
  /** Cut order among the cuts (lowest first); every cut comes before every drop (but an empty column's). */
  cutPriority: number
  /** Every cell is empty: dropped before anything is cut. */
  empty?: boolean
  /** Narrowest width before the column is dropped (its natural width when it may not be cut). */
  min: number
  essential: boolean
  /** May be cut below `min` when only essential columns are left (false: the terminal wraps it). */
  squeeze: boolean
}

/**
 * Which columns stay and how wide each is, for `avail` cells (`natural`: each column's widest cell).
 * Columns give way one step at a time (the rule in the header): all-empty columns are dropped, then
 * columns are truncated (down to their min, in cutPriority order), then dropped (in priority order; never
 * an essential one). Room a drop frees goes back to the columns cut before it, highest priority first.
 * When only essential columns are left and still too wide, those that may be squeezed are cut further
 * (never below 4 cells); the terminal wraps the rest. Pure; throws nothing.
 */
export function fitColumns(natural: number[], specs: Fit[], avail: number): { keep: number[]; widths: number[] } {
  const widths = natural.slice()
  const keep = new Set(natural.map((_, i) => i))
  const total = () => [...keep].reduce((s, i) => s + widths[i]!, 0) + SEP.length * Math.max(0, keep.size - 1)
  // phase 0: drop an empty column; 1: cut; 2: drop.
  const steps: { i: number; phase: number; at: number; drop: boolean }[] = []
  specs.forEach((f, i) => {
    if (f.empty && !f.essential) steps.push({ i, phase: 0, at: f.priority, drop: true })
    if (f.min < natural[i]!) steps.push({ i, phase: 1, at: f.cutPriority, drop: false })
    if (!f.essential) steps.push({ i, phase: 2, at: f.priority, drop: true })
  })
  steps.sort((a, b) => a.phase - b.phase || a.at - b.at || b.i - a.i)
  for (const { i, drop } of steps) {
    if (total() <= avail) break
    if (!keep.has(i)) continue
    if (drop) keep.delete(i)
    else widths[i] = Math.max(specs[i]!.min, widths[i]! - (total() - avail))
  }
  const byPriority = [...keep].sort((a, b) => specs[b]!.priority - specs[a]!.priority)
  for (const i of byPriority) widths[i] = Math.min(natural[i]!, widths[i]! + Math.max(0, avail - total()))
  for (const i of byPriority.reverse()) {
    if (total() <= avail) break
    if (specs[i]!.squeeze) widths[i] = Math.min(widths[i]!, Math.max(4, widths[i]! - (total() - avail)))
  }
  return { keep: [...keep].sort((a, b) => a - b), widths }
}

/**
 * The table as text for the terminal writer (terminal.ts `table`). `now` is for relative times.
 * Throws nothing: unknown headings are plain text columns.
 */
export async function renderTable(t: Table, io: Pick<IOStreams, 'isStdoutTTY' | 'colorEnabled' | 'terminalWidth'>, now: Date = new Date()): Promise<string> {
  const spec = (h: string): Column => ({ ...COLUMN_DEFAULTS[h], ...t.columns?.[h] })
  if (!io.isStdoutTTY) {
    const kinds = t.head.map((h) => spec(h).kind)
    // Piped: cells as given; an expiry is the dated label the warnings use ("in 5 days (2025-06-06)").
    const piped = (v: Value, i: number) => (kinds[i] === 'expiry' && raw(v) ? cell(expiryLabel({ expires_at: raw(v) }, now)) : cell(v))
    return t.rows.map((r) => r.map(piped).join('\t')).join('\n') + (t.rows.length ? '\n' : '')
  }
  // Nothing to show: no lone header (the command's note says why, as gh says "no secrets found").
  if (t.rows.length === 0) return ''
  const { Chalk } = await import('chalk')
  const chalk = new Chalk({ level: io.colorEnabled ? 1 : 0 })
  const heads = t.head.map((h) => terminalSafe(h))
  const specs = t.head.map(spec)
  const shown = t.head.map((_, c) =>
    showColumn(
      specs[c]!.kind,
      t.rows.map((r) => r[c]),
      now,
    ),
  )
  const natural = heads.map((h, c) => Math.max(textWidth(h), ...shown[c]!.map((s) => textWidth(s.text))))
  // Roles as offsets: text is cut before the rest, key after; key columns dropped after all the rest.
  const CUT_AT = { text: 0, key: 200 }
  const fit: Fit[] = specs.map((s, c) => ({
    priority: (s.priority ?? 50) + (s.role === 'key' ? 100 : 0),
    cutPriority: (s.cutPriority ?? s.priority ?? 50) + (s.role ? CUT_AT[s.role] : 100),
    empty: shown[c]!.every((x) => x.text === ''),
    min: Math.min(natural[c]!, Math.max(s.min ?? Infinity, textWidth(heads[c]!))),
    essential: !!s.essential,
    squeeze: s.min !== undefined && s.min !== Infinity,
  }))
  const { keep, widths } = fitColumns(natural, fit, io.terminalWidth())
  const paint = (s: Shown) => (s.colour ? chalk[s.colour](s.text) : s.text)
  const line = (cells: Shown[]) =>
    keep
      .map((c, k) => {
        const text = truncateText(cells[c]!.text, widths[c]!)
        const painted = paint({ text, colour: cells[c]!.colour })
        // No trailing spaces after the last column.
        return k === keep.length - 1 ? painted : painted + ' '.repeat(Math.max(0, widths[c]! - textWidth(text)))
      })
      .join(SEP)
      .trimEnd()
  const out: string[] = []
  // Key/value tables (status) have blank headings: no header line then.
  if (heads.some(Boolean)) out.push(line(heads.map((h) => ({ text: h }))).replace(/\S.*/, (s) => chalk.bold(s)))
  for (let r = 0; r < t.rows.length; r++) out.push(line(shown.map((col) => col[r]!)))
  return out.length ? `${out.join('\n')}\n` : ''
}

const validity = (v: boolean | null) => (v === null ? 'unknown' : v ? 'valid' : 'invalid')

export function credentialTable(items: Credential[], opts: { deleted?: boolean } = {}): Table {
  const head = ['NAME', 'TYPE', 'CATEGORY', 'VALUE', 'DEFAULT', 'VALID', 'UPDATED', 'ID']
  if (opts.deleted) head.push('DELETED')
  return {
    head,
    rows: items.map((c) => {
      const r: Table['rows'][number] = [c.name, c.type, c.category, c.masked_content, c.is_default ? 'default' : '', validity(c.is_valid), c.updated_at, c.id]
      if (opts.deleted) r.push(c.deleted_at ?? '')
      return r
    }),
  }
}

/** One credential as field/value lines; a value is never cut (the terminal wraps a long one). */
export function credentialDetail(c: Credential): Table {
  return { head: ['FIELD', 'VALUE'], rows: Object.entries(c).map(([k, v]) => [k, v === null ? '' : String(v)]), columns: { VALUE: { essential: true, min: Infinity } } }
}
