import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checkValue } from '../../src/credentials/input.js'
import { CredctlError } from '../../src/errors.js'
import { valueProblem } from '../../src/cli/value.js'
import { canaryArb, CASES, pieces, valuesOf } from '../helpers/canary-values.js'

/**
 * Issue 12, point 6: a value of the wrong shape is refused at the prompt with the reason, and the
 * reason is shown on the screen, so it must never hold the value. The kind of input is "a value of
 * every type, damaged in the ways a paste damages it": each damaged value either passes the one value
 * rule (credentials/input.ts checkValue) or is refused with a message (and hint) in which no 8-character
 * piece of the canary secret appears. Checked on the rule itself, not only on the prompt's redacted
 * reason (valueProblem), so a message that quotes a value is found at its source.
 */
const damage: ((v: string) => string)[] = [
  (v) => `${v.slice(0, Math.floor(v.length / 2))} ${v.slice(Math.floor(v.length / 2))}`, // a space in the middle
  (v) => `bogus://${v}`, // another scheme in front
  (v) => v.replace(/^[a-z]+:\/\//, 'bogus://'), // the scheme replaced
  (v) => `${v.slice(0, 5)}\u0430${v.slice(5)}`, // a Cyrillic look-alike
  (v) => `${v}\u200b`, // an invisible character from a chat
  (v) => `"${v}"`, // pasted with its quotes
  (v) => v.slice(0, Math.max(1, v.length - 3)), // cut short
  (v) => `${v}\n${v}`, // pasted twice
  (v) => v.replace(/@/g, ''), // the @ lost
  (v) => `{${v}`, // half a JSON object
]

describe('the reason a value is refused never holds the value', () => {
  it('for every type and every damage', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...CASES), canaryArb, fc.nat(), fc.constantFrom(...damage), async ([type, schemaType, valuesType], canary, pick, hurt) => {
        const values = valuesOf(valuesType, canary)
        const value = hurt(values[pick % values.length]!)
        let message: string | undefined
        try {
          checkValue(type, value, schemaType)
        } catch (e) {
          if (!(e instanceof CredctlError)) throw e
          message = `${e.message} ${e.hint ?? ''}`
        }
        const reason = await valueProblem({ name: 'n', type, schemaType }, value)
        expect(reason === true).toBe(message === undefined)
        for (const text of [message ?? '', reason === true ? '' : reason]) {
          for (const piece of pieces(canary)) expect(text, `${type}/${schemaType}: ${text}`).not.toContain(piece)
        }
      }),
      { numRuns: 600 },
    )
  })
})
