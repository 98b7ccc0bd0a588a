import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { capText, cell, CELL_MAX_CHARS, RESULT_MAX_BYTES, Rows } from '../../src/mcp/query/shape.js'

/** The result caps of the MCP `query` engine (issue 15), for any cell an engine may hand over. */
describe('query result shape', () => {
  it('a cell is JSON-safe, at most CELL_MAX_CHARS of its text plus a marker, and says when it was cut', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 3000 }), fc.integer({ min: 1, max: 2500 }), (s, max) => {
        const c = capText(s, max)
        expect(c.cut).toBe(s.length > max)
        if (!c.cut) expect(c.text).toBe(s)
        else {
          expect(c.text).toMatch(new RegExp(`…\\[truncated: ${s.length} characters\\]$`))
          expect(c.text.length).toBeLessThanOrEqual(max + 40)
          expect(s.startsWith(c.text.slice(0, c.text.lastIndexOf('…[truncated')))).toBe(true)
          // No lone surrogate: cutting never splits a character.
          expect(c.text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/)
        }
      }),
    )
  })
  it('binary is its size, never its bytes; numbers stay numbers when JSON can hold them', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 5000 }), (b) => {
        expect(cell(Buffer.from(b))).toEqual({ value: `<${b.length} bytes>`, cut: false })
      }),
    )
    expect(cell(Number.NaN).value).toBe('NaN')
    expect(cell(12n).value).toBe('12')
    expect(cell({ a: 1 }).value).toBe('{"a":1}')
    expect(cell('x'.repeat(CELL_MAX_CHARS + 1)).cut).toBe(true)
  })
  it('rows stop at maxRows or RESULT_MAX_BYTES, whichever comes first, and say truncated', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 0, max: 400 }), fc.integer({ min: 0, max: 3000 }), (maxRows, n, width) => {
        const r = new Rows(maxRows)
        let i = 0
        for (; i < n; i++) if (!r.add([i, 'z'.repeat(width)])) break
        expect(r.rows.length).toBeLessThanOrEqual(maxRows)
        expect(Buffer.byteLength(JSON.stringify(r.rows))).toBeLessThanOrEqual(RESULT_MAX_BYTES)
        expect(r.truncated).toBe(r.rows.length < n || (n > 0 && width > CELL_MAX_CHARS))
      }),
      { numRuns: 60 },
    )
  })
})
