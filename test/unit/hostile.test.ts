import { readdirSync, readFileSync } from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { FormatError, parseVault } from '../../src/vault/format.js'

// The fixed corpus of hostile vault files (test/fixtures/hostile, made by generate.mjs there): each is a
// FormatError with a message, quickly, and none of them touches Object.prototype. test/e2e/hostile-cli
// runs the same corpus through the CLI (exit 4, file byte-identical).
const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/hostile')
const FIXTURES = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort()

describe('hostile vault corpus', () => {
  it('has the classes the threat model names', () => {
    expect(FIXTURES.length).toBeGreaterThanOrEqual(80)
    for (const cls of ['proto', 'nul', 'huge', 'duplicate', 'missing', 'noncanonical', 'truncated', 'version', 'scrypt', 'number', 'string']) {
      expect(FIXTURES.some((f) => f.includes(cls)), cls).toBe(true)
    }
  })

  it.each(FIXTURES)('%s is a FormatError, never a crash or a pollution', (name) => {
    const text = readFileSync(path.join(DIR, name), name === 'binary.json' ? 'latin1' : 'utf8')
    const started = performance.now()
    let err: unknown
    try {
      parseVault(text)
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(FormatError)
    expect((err as Error).message.length).toBeGreaterThan(5)
    expect((err as Error).message.length).toBeLessThan(300) // bounded: never echoes a huge field
    expect(performance.now() - started).toBeLessThan(500)
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'is_default')).toBe(false)
  })
})
