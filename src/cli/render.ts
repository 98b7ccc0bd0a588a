import type { Credential } from '../credentials/view.js'
import type { IOStreams } from './io.js'
import type { Table } from './output.js'

/** Control characters never reach the terminal raw: a hostile description cannot forge lines or colours. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g
export const clean = (s: string) => s.replace(CONTROL, (c) => (c === '\t' ? ' ' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`))

const cell = (v: Table['rows'][number][number]) => (v === null || v === undefined ? '' : clean(String(v)))

export async function renderTable(t: Table, io: IOStreams): Promise<string> {
  if (!io.isStdoutTTY) {
    // Piped: no header, one record per line, tab-separated, ISO times: stable for cut/awk.
    return t.rows.map((r) => r.map(cell).join('\t')).join('\n') + (t.rows.length ? '\n' : '')
  }
  const [{ default: Table3 }, { Chalk }] = await Promise.all([import('cli-table3'), import('chalk')])
  const chalk = new Chalk({ level: io.colorEnabled ? 1 : 0 })
  const table = new Table3({
    head: t.head.map((h) => chalk.bold(h)),
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
