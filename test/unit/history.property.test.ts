import { mkdtempSync, readFileSync, rmSync, writeFileSync, statSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import { appendHistory, entryFor, filterHistory, groupEntries, parseEntry, readHistory, rotatedFile, trimmedOf, type HistoryEntry } from '../../src/credentials/history.js'

/**
 * Issue 12, point 8: the history file's format (old per-credential lines and new per-action lines mixed),
 * its filters and its rotation into `<file>.1`. The property: for any sequence of appends with a tiny
 * rotation size, every entry is readable exactly once across both files, in order, unless a rotation
 * dropped it, and then a `history-trimmed` entry counts it: nothing leaves silently.
 */

const dirs: string[] = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})
const tempFile = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'credctl-hist-'))
  dirs.push(d)
  return path.join(d, 'vault.history.jsonl')
}
const ref = (i: number) => ({ id: `id-${i}`, name: `name ${i}`, type: 'openai' })
const trimmedCount = (es: HistoryEntry[]) => es.filter((e) => e.action === 'history-trimmed').reduce((n, e) => n + trimmedOf(e)!.count, 0)

describe('history format', () => {
  it('reads old per-credential lines and new per-action lines into one shape', () => {
    expect(parseEntry({ time: 't', action: 'reveal', credential_id: 'a', name: 'A', type: 'openai', outcome: 'ok', detail: 'x' })).toEqual({
      time: 't',
      action: 'reveal',
      outcome: 'ok',
      detail: 'x',
      credentials: [{ id: 'a', name: 'A', type: 'openai' }],
    })
    // An old vault-wide entry (rotate-key) had nulls: no credential.
    expect(parseEntry({ time: 't', action: 'rotate-key', credential_id: null, name: null, type: null, outcome: 'ok' })).toEqual({ time: 't', action: 'rotate-key', outcome: 'ok', credentials: [] })
    expect(parseEntry({ time: 't', action: 'run', outcome: 'ok', credentials: [ref(1), ref(2), 'junk'] })!.credentials).toEqual([ref(1), ref(2)])
    for (const bad of [null, 1, 'x', [], { action: 'run' }, { time: 't' }, { time: 1, action: 'run' }]) expect(parseEntry(bad)).toBeUndefined()
  })

  it('entryFor: one entry for one or many credentials; groupEntries merges by outcome', () => {
    expect(entryFor([ref(1), ref(2)], 'run', 'ok', 't', 'app: A, B')).toEqual({ time: 't', action: 'run', outcome: 'ok', detail: 'app: A, B', credentials: [ref(1), ref(2)] })
    expect(entryFor(undefined, 'rotate-key', 'ok', 't').credentials).toEqual([])
    const g = groupEntries([entryFor(ref(1), 'validate', 'valid', 't'), entryFor(ref(2), 'validate', 'invalid', 't'), entryFor(ref(3), 'validate', 'valid', 't')])
    expect(g.map((e) => [e.outcome, e.credentials.map((c) => c.id)])).toEqual([
      ['valid', ['id-1', 'id-3']],
      ['invalid', ['id-2']],
    ])
  })

  it('old and new lines in one file; filters by credential, since, action and limit work on both', async () => {
    const file = tempFile()
    const old = [
      { time: '2026-01-01T00:00:00.000Z', action: 'create', credential_id: 'id-1', name: 'name 1', type: 'openai', outcome: 'ok' },
      { time: '2026-01-02T00:00:00.000Z', action: 'run', credential_id: 'id-1', name: 'name 1', type: 'openai', outcome: 'ok', detail: 'OPENAI_API_KEY for app' },
    ]
    writeFileSync(file, old.map((o) => JSON.stringify(o)).join('\n') + '\n{"torn', { mode: 0o600 })
    await appendHistory(file, [entryFor([ref(1), ref(2)], 'run', 'ok', '2026-02-01T00:00:00.000Z', 'app: A, B')])
    const all = await readHistory(file)
    expect(all.map((e) => e.action)).toEqual(['create', 'run', 'run'])
    expect(filterHistory(all, { credential: (c) => c.id === 'id-2' })).toHaveLength(1)
    expect(filterHistory(all, { credential: (c) => c.name === 'name 1' })).toHaveLength(3)
    expect(filterHistory(all, { since: new Date('2026-01-02T00:00:00.000Z') }).map((e) => e.time)).toEqual(['2026-01-02T00:00:00.000Z', '2026-02-01T00:00:00.000Z'])
    expect(filterHistory(all, { actions: ['create'] })).toHaveLength(1)
    expect(filterHistory(all, { actions: ['run'], limit: 1 })[0]!.credentials).toHaveLength(2)
  })

  it('the rotated file is 0600 and never written through a link', async () => {
    const file = tempFile()
    await appendHistory(file, [entryFor(ref(1), 'create', 'ok', 't1')], { maxBytes: 10 })
    expect(statSync(rotatedFile(file)).mode & 0o777).toBe(0o600)
    const target = path.join(path.dirname(file), 'target')
    writeFileSync(target, '')
    rmSync(file, { force: true })
    symlinkSync(target, file)
    await expect(appendHistory(file, [entryFor(ref(2), 'create', 'ok', 't2')])).rejects.toThrow(/symbolic link/)
    expect(readFileSync(target, 'utf8')).toBe('')
  })
})

describe('history rotation (property)', () => {
  it('random appends with a tiny max size: every entry read exactly once, in order, or counted as dropped', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 900 }),
        async (batches, maxBytes) => {
          const file = tempFile()
          let seq = 0
          for (const size of batches) {
            const batch = Array.from({ length: size }, () => {
              const i = seq++
              return entryFor(ref(i), 'reveal', 'ok', new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(), `n${i}`)
            })
            await appendHistory(file, batch, { maxBytes })
          }
          const all = await readHistory(file)
          const seen = all.filter((e) => e.action === 'reveal').map((e) => Number(e.detail!.slice(1)))
          // In order, no duplicates, and a suffix of everything written (only the oldest ever go) ...
          expect(seen).toEqual([...seen].sort((a, b) => a - b))
          expect(new Set(seen).size).toBe(seen.length)
          if (seen.length) expect(seen.at(-1)).toBe(seq - 1)
          // ... and what is missing is exactly what the trimmed entries count.
          expect(seen.length + trimmedCount(all)).toBe(seq)
        },
      ),
      { numRuns: 60 },
    )
  })

  it('parallel appends in one process while rotating: no entry lost, none twice', async () => {
    const file = tempFile()
    const n = 60
    await Promise.all(Array.from({ length: n }, (_, i) => appendHistory(file, [entryFor(ref(i), 'reveal', 'ok', `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}.000Z`, `n${i}`)], { maxBytes: 2000 })))
    const all = await readHistory(file)
    const seen = all.filter((e) => e.action === 'reveal').map((e) => e.detail)
    expect(new Set(seen).size).toBe(seen.length)
    expect(seen.length + trimmedCount(all)).toBe(n)
  })
})
