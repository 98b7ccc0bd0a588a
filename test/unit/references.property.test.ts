import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { planTemplate, readEnvFiles, renderTemplate } from '../../src/credentials/env-resolve.js'
import { planRun } from '../../src/credentials/inject.js'
import { checkName } from '../../src/credentials/records.js'
import { formatReference } from '../../src/credentials/references.js'
import type { Credential } from '../../src/credentials/view.js'

/**
 * Any valid credential name, written by formatReference (or raw, where raw is allowed: in quotes or
 * between the braces), put in an env file or a template among other names, resolves to exactly that
 * credential.
 */
const nameArb = fc
  .oneof(
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
    fc.string({ unit: fc.constantFrom('a', 'B', ' ', '%', '"', "'", '2', '0', '{', '}', '#', '=', '\\', '$', '/', ':', 'é', '☕', '中', '\u0301'), minLength: 1, maxLength: 16 }),
  )
  .map((s) => {
    try {
      return checkName(s)
    } catch {
      return undefined
    }
  })
  .filter((s): s is string => s !== undefined)

const cred = (name: string, i: number): Credential => ({
  id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  name,
  type: 'api_key',
  category: 'tools',
  description: null,
  masked_content: '****',
  is_default: false,
  is_valid: null,
  has_schema: false,
  schema_updated_at: null,
  created_at: '2025-01-01T00:00:00.000Z',
  updated_at: '2025-01-01T00:00:00.000Z',
})

// Raw names are readable only when every character is one a reference holds (and no '%' is read as an escape).
const RAW_OK = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/ ]+$/

describe('references: random names round-trip through env files and templates', () => {
  it('formatReference -> env file (bare, quoted, raw in quotes) -> planRun picks the right credential', () => {
    fc.assert(
      fc.property(fc.uniqueArray(nameArb, { minLength: 1, maxLength: 6, selector: (s) => s.normalize('NFC') }), fc.nat(), (names, pick) => {
        const all = names.map(cred)
        const lines = names.flatMap((name, i) => {
          const out = [`V${i}=${formatReference(name)}`, `export Q${i}="${formatReference(name)}" # comment`]
          if (RAW_OK.test(name) && !name.includes('"')) out.push(`R${i}="credctl://${name}"`)
          return out
        })
        const crlf = pick % 2 === 0
        const plan = planRun(all, { files: readEnvFiles([{ file: 'p.env', text: lines.join(crlf ? '\r\n' : '\n') }]), noDefaults: true })
        for (const v of plan.vars) expect(v.credential.name).toBe(names[Number(v.variable.slice(1))]!)
        expect(plan.vars.length).toBe(lines.length)
        expect(plan.literals).toEqual([])
      }),
      { numRuns: 400 },
    )
  })

  it('formatReference -> template placeholder (encoded or raw) -> renderTemplate puts the right value there', () => {
    fc.assert(
      fc.property(fc.uniqueArray(nameArb, { minLength: 1, maxLength: 6, selector: (s) => s.normalize('NFC') }), fc.string({ maxLength: 20 }), (names, filler) => {
        // Filler that cannot itself open a placeholder.
        const text0 = filler.replace(/[{}]/g, '')
        const all = names.map(cred)
        const parts: string[] = []
        const expected: string[] = []
        names.forEach((name, i) => {
          parts.push(`${text0}{{ ${formatReference(name)} }}`)
          expected.push(`${text0}value-${i}`)
          if (RAW_OK.test(name)) {
            parts.push(`{{credctl://${name}}}\n`)
            expected.push(`value-${i}\n`)
          }
        })
        const text = parts.join('')
        const slots = planTemplate(all, { file: 't', text })
        const out = renderTemplate(text, slots, new Map(all.map((c, i) => [c.id, `value-${i}`])))
        expect(out).toBe(expected.join(''))
      }),
      { numRuns: 400 },
    )
  })
})
