import { describe, expect, it } from 'vitest'
import { renderTable } from '../../src/cli/render.js'
import type { Table } from '../../src/cli/output.js'
import { textWidth } from '../../src/lib/width.js'

/**
 * Issue 12 review (tables drop the columns users need most): the give-way rule in render.ts, table by
 * table, at 80 and 120 columns. Cells are what the commands produce (list.ts, history.ts, run.ts,
 * import.ts, types.ts); an all-empty column goes first, masks and free text are cut before identity and
 * outcome columns lose anything.
 */
const NOW = new Date('2026-06-01T12:00:00.000Z')
const tty = (cols: number) => ({ isStdoutTTY: true, colorEnabled: false, terminalWidth: () => cols })
const ID1 = '3f2b9c4e-1d2a-4b8c-9e7f-0a1b2c3d4e5f'
const ID2 = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d'
const DBMASK = 'postgresql://app_user:****@db.internal.example.com:5432/warehouse_production'

const heads = (out: string) => out.split('\n')[0]!.trim().split(/ {2,}/)
async function render(t: Table, cols: number) {
  const out = await renderTable(t, tty(cols), NOW)
  for (const l of out.trimEnd().split('\n')) expect(textWidth(l)).toBeLessThanOrEqual(cols)
  return out
}

const cases: { what: string; table: Table; must: string[]; gone?: string[]; check?: (out: string, cols: number) => void }[] = [
  {
    what: 'list with a database URL: ID and DEFAULT stay, VALUE is cut, the empty EXPIRES goes',
    table: {
      head: ['NAME', 'TYPE', 'CATEGORY', 'VALUE', 'DEFAULT', 'VALID', 'UPDATED', 'ID', 'EXPIRES'],
      rows: [
        ['OpenAI Prod', 'openai', 'llm', 'sk-pr...ABCD', 'default', 'valid', '2026-06-01T10:00:00.000Z', ID1, ''],
        ['warehouse', 'postgresql', 'database', DBMASK, 'default', 'unknown', '2026-05-01T10:00:00.000Z', ID2, ''],
      ],
    },
    must: ['NAME', 'TYPE', 'VALUE', 'DEFAULT', 'VALID', 'ID'],
    check: (out, cols) => {
      expect(out).toContain(ID1.slice(0, 8))
      expect(out).toContain(ID2.slice(0, 8))
      expect(out).toContain('postgresql:…'.slice(0, 5))
      expect(out).not.toContain(DBMASK)
      if (cols === 80) expect(heads(out)).not.toContain('EXPIRES')
    },
  },
  {
    what: 'history: CREDENTIALS and OUTCOME always, DETAIL cut before it goes',
    table: {
      head: ['TIME', 'ACTION', 'CREDENTIALS', 'OUTCOME', 'DETAIL'],
      rows: [
        ['2026-06-01T11:00:00.000Z', 'validate', 'OpenAI Prod, warehouse, 日本語のキー, anthropic-staging, groq-dev', 'ok', 'validated 5 credentials: 3 valid, 1 invalid (401 from api.openai.com), 1 unreachable (timeout after 10 s)'],
        ['2026-06-01T10:00:00.000Z', 'add', 'warehouse', 'ok', ''],
      ],
    },
    must: ['TIME', 'ACTION', 'CREDENTIALS', 'OUTCOME', 'DETAIL'],
    check: (out) => {
      expect(out).toContain('OpenAI Prod, ')
      expect(out).toContain('validated')
    },
  },
  {
    what: 'run --dry-run: VARIABLE, NAME, SOURCE kept, VALUE cut first',
    table: {
      head: ['VARIABLE', 'NAME', 'TYPE', 'VALUE', 'SOURCE'],
      rows: [
        ['DATABASE_URL', 'warehouse-production-primary', 'postgresql', DBMASK, '.env.credctl:6'],
        ['OPENAI_API_KEY', 'OpenAI Prod', 'openai', 'sk-pr...ABCD', 'default'],
      ],
    },
    must: ['VARIABLE', 'NAME', 'TYPE', 'VALUE', 'SOURCE'],
    check: (out) => {
      expect(out).toContain('.env.credctl:6')
      expect(out).toMatch(/default$/m)
      expect(out).toContain('DATABASE_URL')
    },
  },
  {
    what: 'import: RESULT kept (VALUE cut first)',
    table: {
      head: ['SOURCE', 'NAME', 'TYPE', 'VALUE', 'RESULT'],
      rows: [
        ['.env.production:12', 'DATABASE_URL (from .env.production)', 'postgresql', DBMASK, 'imported'],
        ['.env.production:13', 'OPENAI_API_KEY', 'openai', 'sk-pr...ABCD', 'skipped: exists'],
      ],
    },
    must: ['SOURCE', 'NAME', 'TYPE', 'VALUE', 'RESULT'],
    check: (out) => {
      expect(out).toContain('imported')
      expect(out).toMatch(/skipped: ex/)
    },
  },
  {
    what: 'types: ENV outranks BASE URL ENV and DESCRIPTION',
    table: {
      head: ['TYPE', 'CATEGORY', 'NAME', 'DESCRIPTION', 'ENV', 'BASE URL ENV'],
      rows: [
        ['openai', 'llm', 'OpenAI', 'OpenAI API key (sk-...) for GPT models, embeddings and images', 'OPENAI_API_KEY', 'OPENAI_BASE_URL'],
        ['aws', 'cloud', 'Amazon Web Services', 'AWS access key pair; the region is optional', 'AWS_ACCESS_KEY_ID,AWS_SECRET_ACCESS_KEY', 'AWS_ENDPOINT_URL'],
      ],
    },
    must: ['TYPE', 'NAME', 'ENV'],
    check: (out) => {
      expect(out).toContain('OPENAI_API_KEY')
    },
  },
]

describe('the give-way rule, table by table (render.ts)', () => {
  for (const c of cases)
    for (const cols of [80, 120])
      it(`${c.what} at ${cols} columns`, async () => {
        const out = await render(c.table, cols)
        const h = heads(out)
        for (const m of c.must) expect(h).toContain(m)
        c.check?.(out, cols)
      })

  it('an all-empty column is dropped before anything else gives way', async () => {
    const t: Table = { head: ['NAME', 'CATEGORY', 'EXPIRES'], rows: [['a'.repeat(30), 'database', '']] }
    // 30 + 2 + 8 + 2 + 7 = 49: one cell short, so EXPIRES goes and nothing is cut.
    const out = await render(t, 48)
    expect(heads(out)).toEqual(['NAME', 'CATEGORY'])
    expect(out).toContain('a'.repeat(30))
  })

  it('types at 80: ENV gives way after BASE URL ENV and DESCRIPTION (cut later, to a wider min)', async () => {
    const out = await render(cases[4]!.table, 80)
    expect(out).toContain('AWS_ACCESS_KE')
    expect(out).not.toContain('AWS_ENDPOINT_URL')
  })
})
