import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createClient, CredctlError, type Credential } from '../../src/index.js'

/**
 * Issue 10, kind 4: no lookup may be ambiguous. Random sequences of create, delete, restore, purge,
 * rename and bundle-style imports (whose ids and names are drawn from a pool that includes the ids
 * already in the vault) must keep two invariants: no string is both one record's id and another's
 * name, and a command given a string acts on the one record it means or stops (AMBIGUOUS, exit 2,
 * naming every candidate's id; NOT_FOUND, exit 3). Never a silent pick.
 */
type Op = { op: 'create' | 'delete' | 'restore' | 'purge' | 'get' | 'rename' | 'import'; pick: number; pick2: number; fresh: boolean }

const opArb = fc.record({
  op: fc.constantFrom('create' as const, 'delete' as const, 'restore' as const, 'purge' as const, 'get' as const, 'rename' as const, 'import' as const),
  pick: fc.nat(20),
  pick2: fc.nat(20),
  fresh: fc.boolean(),
})

describe('lookups are never ambiguous (issue 10 kind 4)', () => {
  it('random sequences: ids and names never collide; a string acts on the one record it means, or stops', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 12 }), async (ops) => {
        const dir = mkdtempSync(path.join(tmpdir(), 'credctl-lookup-'))
        const c = createClient({ vault: path.join(dir, 'v.json'), env: { CREDCTL_MASTER_KEY: randomBytes(32).toString('base64') } })
        const names = ['a', 'b', 'prod-openai']
        try {
          for (const o of ops) {
            const all = await c.credentials.list({ includeDeleted: true })
            // The pool: a few names, and every id in the vault (the strings an attacker would pick).
            const pool = [...names, ...all.map((x) => x.id)]
            const s = pool[o.pick % pool.length]!
            const s2 = pool[o.pick2 % pool.length]!
            const meant = (deleted: boolean) => all.filter((x) => (x.id === s || x.name === s) && (deleted || !x.deleted_at))
            try {
              let acted: Credential | undefined
              switch (o.op) {
                case 'create':
                  acted = await c.credentials.create({ name: s, type: 'openai', value: `sk-${randomBytes(8).toString('hex')}` })
                  break
                case 'rename':
                  await c.credentials.update(s, { name: s2 })
                  break
                case 'import':
                  await c.credentials.importMany([{ source: 'bundle', id: o.fresh ? randomUUID() : s2, name: s, type: 'openai', value: 'sk-imported-0123456789' }], { rename: true })
                  break
                case 'get':
                  acted = await c.credentials.get(s)
                  expect(meant(true)).toHaveLength(1)
                  break
                default: {
                  const deleted = o.op !== 'delete'
                  acted = await c.credentials[o.op](s)
                  expect(meant(deleted).map((x) => x.id)).toEqual([acted.id])
                }
              }
              if (acted && o.op !== 'create') expect(acted.id === s || acted.name === s).toBe(true)
            } catch (e) {
              if (!(e instanceof CredctlError)) throw e
              if (e.code === 'AMBIGUOUS') {
                // Every candidate is named by id.
                const cands = meant(o.op === 'get' || o.op === 'restore' || o.op === 'purge')
                expect(cands.length).toBeGreaterThan(1)
                for (const x of cands) expect(e.message).toContain(x.id)
              } else expect([2, 3]).toContain(e.exitCode)
            }
            const now = await c.credentials.list({ includeDeleted: true })
            const ids = new Set(now.map((x) => x.id))
            for (const x of now) expect(ids.has(x.name), `name ${x.name} is also an id`).toBe(false)
          }
        } finally {
          rmSync(dir, { recursive: true, force: true })
        }
      }),
      { numRuns: 80 },
    )
  }, 120_000)
})
