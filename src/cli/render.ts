import { terminalSafe } from '../lib/text.js'
import type { Credential } from '../credentials/view.js'
import type { IOStreams } from './io.js'
import type { Table } from './output.js'

/**
 * Each cell is escaped before layout (terminal.ts escapes the whole table again, keeping only the
 * heading colour): a newline in a cell would otherwise become two table rows, and an escape sequence
 * would be counted as width.
 */
const cell = (v: Table['rows'][number][number]) => (v === null || v === undefined ? '' : terminalSafe(String(v)))

export async function renderTable(t: Table, io: IOStreams): Promise<string> {
  if (!io.isStdoutTTY) {
    // Piped: no header, one record per line, tab-separated, ISO times: stable for cut/awk.
    return t.rows.map((r) => r.map(cell).join('\t')).join('\n') + (t.rows.length ? '\n' : '')
  }
  const [{ default: Table3 }, { Chalk }] = await Promise.all([import('cli-table3'), import('chalk')])
  const chalk = new Chalk({ level: io.colorEnabled ? 1 : 0 })
  const table = new Table3({
    head: t.head.map((h) => chalk.bold(terminalSafe(h))),
    style: { head: [], border: [], compact: true },
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  })
  for (const r of t.rows) table.push(r.map(cell))
  return `${table.toString()}\n`
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

/** One credential as field/value lines. */
export function credentialDetail(c: Credential): Table {
  return { head: ['FIELD', 'VALUE'], rows: Object.entries(c).map(([k, v]) => [k, v === null ? '' : String(v)]) }
}
