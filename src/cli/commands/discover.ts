import { CredctlError } from '../../errors.js'
import type { SchemaDoc } from '../../credentials/client.js'
import type { Factory } from '../factory.js'
import type { Output } from '../output.js'
import { timeoutMs } from '../timeout.js'
import { startProgress } from '../progress.js'
import { wholeNumber } from '../../lib/strict.js'

export async function runDiscover(f: Factory, name: string, o: { schemas?: string; maxTables?: string; timeout?: string }): Promise<Output> {
  let maxTables: number | undefined
  if (o.maxTables !== undefined) {
    maxTables = wholeNumber(o.maxTables, { min: 1 })
    if (maxTables === undefined) throw new CredctlError('USAGE', '--max-tables must be a positive integer')
  }
  const timeout = timeoutMs(o.timeout, 30)
  const schemas = o.schemas?.split(',').map((s) => s.trim()).filter(Boolean)
  // Drivers report no count: the line says what is running and for how long (progress.ts).
  const started = Date.now()
  const progress = startProgress(f.io, `discovering the schema of ${name}`, { detail: () => `${Math.floor((Date.now() - started) / 1000)} s` })
  progress.update()
  const c = await (await f.client()).credentials
    .discoverSchema(name, {
      ...(schemas?.length ? { schemas } : {}),
      ...(maxTables ? { maxTables } : {}),
      timeoutMs: timeout,
    })
    .finally(() => progress.stop())
  // The same `tables` as `schema --json` (the stored list): one meaning for the word.
  const notes = [`Discovered ${tablesWord(c.discovered)} for ${c.name}; see: credctl schema ${JSON.stringify(c.name)}`]
  for (const p of c.partial ?? []) notes.push(`partial: ${p}`)
  const unreadable = c.tables.filter((t) => t.readable === false).length
  if (unreadable) notes.push(`${tablesWord(unreadable)} listed but not readable by this role (marked "readable": false)`)
  return { json: c, notes }
}

const tablesWord = (n: number) => `${n} ${n === 1 ? 'table' : 'tables'}`

function globRe(pattern: string): RegExp {
  const re = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')
  return new RegExp(`^${re}$`, 'i')
}

export async function runSchema(f: Factory, name: string, o: { table?: string }): Promise<Output> {
  const doc = await (await f.client()).credentials.getSchema(name)
  const re = o.table ? globRe(o.table) : undefined
  const tables = re ? doc.tables.filter((t) => re.test(t.name) || re.test(`${t.schema}.${t.name}`)) : doc.tables
  const out: SchemaDoc = { updated_at: doc.updated_at, tables, ...(doc.partial?.length ? { partial: doc.partial } : {}), ...(doc.stale_since ? { stale_since: doc.stale_since } : {}) }
  const lines: string[] = [`# schema discovered ${doc.updated_at}: ${tablesWord(tables.length)}`]
  if (doc.stale_since) lines.push(`# stale: the value, base URL or settings changed at ${doc.stale_since}, after this discovery; refresh with: credctl discover ${JSON.stringify(name)}`)
  for (const p of doc.partial ?? []) lines.push(`# partial: ${p}`)
  for (const t of tables) {
    lines.push(`${t.schema}.${t.name} (${t.kind}${t.readable === false ? ', not readable' : ''})${t.comment ? ` -- ${t.comment}` : ''}`)
    t.columns.forEach((c, i) => {
      const branch = i === t.columns.length - 1 && !t.foreign_keys?.length ? '└─' : '├─'
      const extra = [c.primary_key ? 'primary key' : '', c.identity ? 'identity' : '', c.nullable ? '' : 'not null', c.default !== null ? `default ${c.default}` : '', c.comment ? `-- ${c.comment}` : ''].filter(Boolean).join(' ')
      lines.push(`  ${branch} ${c.name} ${c.data_type}${extra ? ` ${extra}` : ''}`)
    })
    t.foreign_keys?.forEach((k, i) => {
      const branch = i === t.foreign_keys!.length - 1 ? '└─' : '├─'
      lines.push(`  ${branch} foreign key (${k.columns.join(', ')}) -> ${k.references.schema}.${k.references.table} (${k.references.columns.join(', ')})`)
    })
  }
  // The writer escapes each line (comments and defaults come from the database).
  return { json: out, text: lines.join('\n') + '\n' }
}
