import { CredctlError } from '../../errors.js'
import type { SchemaDoc } from '../../credentials/client.js'
import type { Factory } from '../factory.js'
import type { Output } from '../output.js'

export async function runDiscover(f: Factory, name: string, o: { schemas?: string; maxTables?: string; timeout?: string }): Promise<Output> {
  let maxTables: number | undefined
  if (o.maxTables !== undefined) {
    maxTables = Number(o.maxTables)
    if (!Number.isInteger(maxTables) || maxTables < 1) throw new CredctlError('USAGE', '--max-tables must be a positive integer')
  }
  const timeout = Number(o.timeout ?? 30)
  if (!Number.isFinite(timeout) || timeout <= 0) throw new CredctlError('USAGE', '--timeout must be a positive number of seconds')
  const schemas = o.schemas?.split(',').map((s) => s.trim()).filter(Boolean)
  if (f.io.isStderrTTY) f.io.term.progress(`discovering the schema of ${name}...`)
  const c = await (await f.client()).credentials
    .discoverSchema(name, {
      ...(schemas?.length ? { schemas } : {}),
      ...(maxTables ? { maxTables } : {}),
      timeoutMs: timeout * 1000,
    })
    .finally(() => f.io.term.progress(null))
  const capped = maxTables !== undefined && c.tables >= maxTables ? ` (stopped at --max-tables ${maxTables})` : ''
  return { json: c, notes: [`Discovered ${tablesWord(c.tables)} for ${c.name}${capped}; see: credctl schema ${JSON.stringify(c.name)}`] }
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
  const out: SchemaDoc = { updated_at: doc.updated_at, tables }
  const lines: string[] = [`# schema discovered ${doc.updated_at}: ${tablesWord(tables.length)}`]
  for (const t of tables) {
    lines.push(`${t.schema}.${t.name} (${t.kind})${t.comment ? ` -- ${t.comment}` : ''}`)
    t.columns.forEach((c, i) => {
      const branch = i === t.columns.length - 1 ? '└─' : '├─'
      const extra = [c.nullable ? '' : 'not null', c.default !== null ? `default ${c.default}` : '', c.comment ? `-- ${c.comment}` : ''].filter(Boolean).join(' ')
      lines.push(`  ${branch} ${c.name} ${c.data_type}${extra ? ` ${extra}` : ''}`)
    })
  }
  // The writer escapes each line (comments and defaults come from the database).
  return { json: out, text: lines.join('\n') + '\n' }
}
