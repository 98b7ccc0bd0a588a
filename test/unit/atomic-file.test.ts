import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { writeFileAtomic } from '../../src/lib/atomic-file.js'

/** The atomic write encodes large texts in pieces (1 MiB of UTF-16 units): the bytes must be those of the whole text. */
describe('writeFileAtomic writes any text byte for byte, in pieces', () => {
  const PIECE = 1 << 20
  it('a surrogate pair across a piece boundary, astral and multi-byte characters, a 3-piece text', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'credctl-atomic-'))
    try {
      const f = path.join(dir, 'out')
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: -3, max: 3 }), fc.constantFrom('😀', 'é', '中', '\u2028', 'x'), async (shift, ch) => {
          const text = 'a'.repeat(PIECE - 1 + shift) + ch + 'b'.repeat(PIECE) + ch + 'c'.repeat(10)
          await writeFileAtomic(f, text, 0o600)
          expect(readFileSync(f).equals(Buffer.from(text, 'utf8'))).toBe(true)
        }),
        { numRuns: 20 },
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
