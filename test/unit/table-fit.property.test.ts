import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fitColumns, renderTable, type Fit } from '../../src/cli/render.js'
import type { Table } from '../../src/cli/output.js'
import { isWellFormed, terminalSafe } from '../../src/lib/text.js'
import { ELLIPSIS, textWidth, truncateText, units } from '../../src/lib/width.js'
import { relativeTime } from '../../src/lib/when.js'

/**
 * Issue 12, point 5: tables fit the terminal. The kinds of input here are text of any script (wide CJK,
 * emoji sequences, combining marks, the escapes terminalSafe writes) and tables of any shape at any width.
 */
// eslint-disable-next-line no-control-regex
const SGR = /\x1b\[[0-9;]*m/g
const plain = (s: string) => s.replace(SGR, '')

/** Pieces whose width a terminal agrees on: ASCII, wide CJK/Hangul/fullwidth, emoji (also ZWJ and flags), combining marks. */
const piece = fc.oneof(
  fc.constantFrom('a', 'Z', ' ', '-', '…', 'é', 'e\u0301', 'a\u0301\u0302', '\u0301', '日', '本', '한', 'ｶ', 'Ａ', '👍', '👍🏽', '👨\u200d👩\u200d👧', '🇫🇷', '❤️', '❤', '\u200b', '\\x1b', '\\u202e'),
  fc.string({ unit: 'binary', maxLength: 3 }).map((s) => terminalSafe(s)),
)
const text = fc.array(piece, { maxLength: 30 }).map((a) => a.join(''))

describe('cell width and truncation (src/lib/width.ts)', () => {
  it('measures terminal cells: ASCII 1, wide and emoji 2, combining 0', () => {
    expect(textWidth('abc')).toBe(3)
    expect(textWidth('日本語')).toBe(6)
    expect(textWidth('e\u0301')).toBe(1)
    expect(textWidth('👍')).toBe(2)
    expect(textWidth('👨\u200d👩\u200d👧')).toBe(2)
    expect(textWidth('🇫🇷')).toBe(2)
    expect(textWidth('❤️')).toBe(2)
    expect(textWidth('❤')).toBe(1)
    expect(textWidth('Ａ')).toBe(2)
    expect(textWidth('ｶ')).toBe(1)
    expect(truncateText('日本語のキー', 5)).toBe('日本…')
    expect(truncateText('abcdef', 4)).toBe('abc…')
    expect(truncateText('abc', 3)).toBe('abc')
    // An escape terminalSafe wrote is one unit: never `\x1…`.
    expect(truncateText('ab\\x1bcd', 5)).toBe('ab…')
  })

  it('property: a cut fits the limit, is well-formed UTF-16, ends with … when cut, and falls between units', () => {
    fc.assert(
      fc.property(text, fc.integer({ min: 0, max: 40 }), (s, max) => {
        const t = truncateText(s, max)
        expect(textWidth(t)).toBeLessThanOrEqual(max)
        expect(isWellFormed(t)).toBe(true)
        if (textWidth(s) <= max) {
          expect(t).toBe(s)
          return
        }
        if (max === 0) {
          expect(t).toBe('')
          return
        }
        expect(t.endsWith(ELLIPSIS)).toBe(true)
        // What is kept is whole units of s, from its start: no half cluster, pair or escape.
        const kept = t.slice(0, -ELLIPSIS.length)
        const u = units(s)
        let joined = ''
        for (const x of u) {
          if (joined.length >= kept.length) break
          joined += x
        }
        expect(joined).toBe(kept)
      }),
      { numRuns: 2000 },
    )
  })

  it('property: width is the sum of the widths of the units, and units rejoin to the text', () => {
    fc.assert(
      fc.property(text, (s) => {
        expect(units(s).join('')).toBe(s)
        expect(units(s).reduce((w, x) => w + textWidth(x), 0)).toBe(textWidth(s))
      }),
      { numRuns: 1000 },
    )
  })
})

describe('fitting columns (src/cli/render.ts fitColumns)', () => {
  const spec = fc.record({
    natural: fc.integer({ min: 1, max: 60 }),
    priority: fc.integer({ min: 0, max: 100 }),
    cutPriority: fc.integer({ min: 0, max: 100 }),
    min: fc.integer({ min: 1, max: 60 }),
    essential: fc.boolean(),
    squeeze: fc.boolean(),
    empty: fc.boolean(),
  })
  it('property: essential columns stay; nothing grows; a cut column keeps its min; the rest fits when it can', () => {
    fc.assert(
      fc.property(fc.array(spec, { minLength: 1, maxLength: 10 }), fc.integer({ min: 10, max: 200 }), (cols, avail) => {
        const natural = cols.map((c) => c.natural)
        const specs: Fit[] = cols.map((c) => ({ ...c, min: Math.min(c.min, c.natural) }))
        const { keep, widths } = fitColumns(natural, specs, avail)
        cols.forEach((c, i) => {
          if (c.essential) expect(keep).toContain(i)
        })
        for (const i of keep) {
          expect(widths[i]).toBeLessThanOrEqual(natural[i]!)
          expect(widths[i]).toBeGreaterThanOrEqual(specs[i]!.squeeze ? Math.min(4, specs[i]!.min) : specs[i]!.min)
        }
        const total = keep.reduce((s, i) => s + widths[i]!, 0) + 2 * (keep.length - 1)
        // Too wide only when what is left cannot give way any more: essentials at their floor.
        if (total > avail) for (const i of keep) expect(specs[i]!.essential && widths[i] === (specs[i]!.squeeze ? Math.min(4, widths[i]!) : specs[i]!.min)).toBe(true)
      }),
      { numRuns: 2000 },
    )
  })

  it('property: empty columns go before anything is cut; a column is dropped only when, with every other column cut to its min, it would not fit', () => {
    fc.assert(
      fc.property(fc.array(spec, { minLength: 1, maxLength: 10 }), fc.integer({ min: 10, max: 200 }), (cols, avail) => {
        const natural = cols.map((c) => c.natural)
        const specs: Fit[] = cols.map((c) => ({ ...c, min: Math.min(c.min, c.natural) }))
        const { keep, widths } = fitColumns(natural, specs, avail)
        const dropped = natural.map((_, i) => i).filter((i) => !keep.includes(i))
        // Something was cut: every empty column that may go is gone.
        if (keep.some((i) => widths[i]! < natural[i]!)) specs.forEach((f, i) => f.empty && !f.essential && expect(keep).not.toContain(i))
        // The last non-empty column dropped (highest priority; lowest index on a tie) did not fit even with all kept ones at their min.
        const full = dropped.filter((i) => !specs[i]!.empty)
        if (full.length) {
          const j = full.reduce((a, b) => (specs[b]!.priority > specs[a]!.priority || (specs[b]!.priority === specs[a]!.priority && b < a) ? b : a))
          const set = [...keep, j]
          expect(set.reduce((s, i) => s + specs[i]!.min, 0) + 2 * (set.length - 1)).toBeGreaterThan(avail)
        }
      }),
      { numRuns: 2000 },
    )
  })
})

const NOW = new Date('2026-06-01T12:00:00.000Z')
const ID1 = '3f2b9c4e-1d2a-4b8c-9e7f-0a1b2c3d4e5f'
const ID2 = '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d'
const table = (): Table => ({
  head: ['NAME', 'TYPE', 'CATEGORY', 'VALUE', 'VALID', 'UPDATED', 'ID', 'EXPIRES'],
  rows: [
    ['OpenAI Prod', 'openai', 'llm', 'sk-pr...ABCD', 'valid', '2026-06-01T10:00:00.000Z', ID1, '2026-06-04T00:00:00.000Z'],
    ['日本語のキー 👍', 'anthropic', 'llm', 'sk-an...efAA', 'invalid', '2026-05-29T12:00:00.000Z', ID2, ''],
    ['warehouse', 'postgresql', 'database', 'postgr...db/x', 'restricted', '2025-01-01T00:00:00.000Z', 'ab', '2026-05-01T00:00:00.000Z'],
    ['unchecked one', 'groq', 'llm', 'gsk_a...QRST', 'unknown', '2026-06-01T11:59:30.000Z', 'cd', ''],
  ],
})
const tty = (cols: number, colorEnabled = false) => ({ isStdoutTTY: true, colorEnabled, terminalWidth: () => cols })

describe('tables (src/cli/render.ts renderTable)', () => {
  it('piped: unchanged TSV: full ids, ISO times, the dated expiry label, no colour', async () => {
    const out = await renderTable(table(), { isStdoutTTY: false, colorEnabled: true, terminalWidth: () => 40 }, NOW)
    const lines = out.trimEnd().split('\n')
    expect(lines[0]).toBe(['OpenAI Prod', 'openai', 'llm', 'sk-pr...ABCD', 'valid', '2026-06-01T10:00:00.000Z', ID1, 'in 3 days (2026-06-04)'].join('\t'))
    expect(lines[2]!.split('\t')[7]).toBe('EXPIRED 2026-05-01')
    expect(out).not.toMatch(SGR)
  })

  for (const cols of [80, 120]) {
    it(`on a ${cols}-column terminal: every line fits, short ids, relative times, NAME and TYPE kept`, async () => {
      const out = plain(await renderTable(table(), tty(cols, true), NOW))
      const lines = out.trimEnd().split('\n')
      expect(lines).toHaveLength(5)
      for (const l of lines) expect(textWidth(l)).toBeLessThanOrEqual(cols)
      expect(lines[0]).toMatch(/^NAME +TYPE /)
      expect(out).toContain('日本語のキー 👍')
      expect(out).not.toContain(ID1)
      if (cols === 120) {
        expect(lines[1]).toContain(ID1.slice(0, 8))
        expect(lines[1]).toContain('2 hours ago')
        expect(lines[1]).toContain('in 3 days')
        expect(lines[3]).toContain('expired 1 month ago')
        expect(lines[4]).toContain('just now')
      }
    })
  }

  it('at 80 columns the low-priority columns go first (CATEGORY, UPDATED), at 120 all fit', async () => {
    const h80 = plain(await renderTable(table(), tty(80), NOW)).split('\n')[0]!
    const h120 = plain(await renderTable(table(), tty(120), NOW)).split('\n')[0]!
    expect(h120.split(/ +/)).toEqual(['NAME', 'TYPE', 'CATEGORY', 'VALUE', 'VALID', 'UPDATED', 'ID', 'EXPIRES'])
    expect(h80).not.toMatch(/CATEGORY|UPDATED/)
    expect(h80).toMatch(/VALID/)
  })

  it('colours verdicts when colour is on (valid green, invalid/expired red, restricted yellow, unknown dim), none when off', async () => {
    const on = await renderTable(table(), tty(120, true), NOW)
    expect(on).toContain('\x1b[32mvalid\x1b[39m')
    expect(on).toContain('\x1b[31minvalid\x1b[39m')
    expect(on).toContain('\x1b[33mrestricted\x1b[39m')
    expect(on).toMatch(/\x1b\[2munknown\x1b\[22m/)
    expect(on).toMatch(/\x1b\[31mexpired 1 month ago/)
    expect(on).toMatch(/\x1b\[33min 3 days/)
    expect(await renderTable(table(), tty(120, false), NOW)).not.toMatch(/\x1b/)
  })

  it('ids are as long as needed to tell the shown ones apart (git-style), at least 8', async () => {
    const t: Table = { head: ['NAME', 'ID'], rows: [['a', 'abcdef01-1111-4111-8111-111111111111'], ['b', 'abcdef01-2222-4222-8222-222222222222']] }
    const out = plain(await renderTable(t, tty(80), NOW))
    expect(out).toMatch(/^a +abcdef01-1$/m)
    expect(out).toContain('abcdef01-2')
  })

  it('property: any table at any width from 20 columns: every line fits, rows stay rows', async () => {
    const cellArb = fc.oneof(text, fc.constant(ID1), fc.constant('2026-01-01T00:00:00.000Z'))
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(cellArb, { minLength: 6, maxLength: 6 }), { maxLength: 5 }), fc.integer({ min: 20, max: 200 }), async (rows, cols) => {
        const t: Table = { head: ['NAME', 'TYPE', 'VALUE', 'DESCRIPTION', 'ID', 'UPDATED'], rows }
        const out = plain(await renderTable(t, tty(cols, true), NOW))
        if (rows.length === 0) {
          expect(out).toBe('') // no lone header
          return
        }
        const lines = out.split('\n').slice(0, -1)
        expect(lines).toHaveLength(rows.length + 1)
        for (const l of lines) expect(textWidth(l)).toBeLessThanOrEqual(cols)
        expect(lines[0]).toMatch(/^NAME +TYPE/)
      }),
      { numRuns: 300 },
    )
  })
})

describe('relative times (src/lib/when.ts)', () => {
  it('reads like gh: just now, minutes, hours, days, months, years; the future with "in"', () => {
    const now = Date.parse('2026-06-01T12:00:00Z')
    expect(relativeTime(now - 30_000, now)).toBe('just now')
    expect(relativeTime(now - 60_000, now)).toBe('1 minute ago')
    expect(relativeTime(now - 2 * 3_600_000 - 5, now)).toBe('2 hours ago')
    expect(relativeTime(now - 3 * 86_400_000, now)).toBe('3 days ago')
    expect(relativeTime(now + 3 * 86_400_000, now)).toBe('in 3 days')
    expect(relativeTime(now - 65 * 86_400_000, now)).toBe('2 months ago')
    expect(relativeTime(now - 800 * 86_400_000, now)).toBe('2 years ago')
    expect(relativeTime(now + 10_000, now)).toBe('in less than a minute')
  })
})
