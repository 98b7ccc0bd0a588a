import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createClient, CredctlError, type Client } from '../../src/index.js'
import { FIELD_MAX } from '../../src/vault/record-schema.js'
import { parseVaultText } from '../helpers/vault-file.js'

/**
 * Issue 10, kind 1: no write may produce a vault the reader refuses. Random sequences of SDK operations
 * put arbitrary strings (NUL, C0/C1 controls, bidi, lone surrogates, strings longer than any field) in
 * every field a user or a server controls: names, descriptions, base URLs, values, settings, provider
 * answers (status and body), refreshed OAuth tokens, bundle metadata (ids, names, messages, schemas).
 * Each operation either succeeds or fails with a CredctlError of exit 2 or 3 (the input was refused,
 * nothing written); afterwards the file parses strictly and every reading command succeeds.
 */

const nasty = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  { weight: 2, arbitrary: fc.constantFrom('\u0000', 'bad key\u0000', '\u001b]52;c;aGk=\u0007', '\ud800', 'x\udfff', '\u202eevil', '\u0085\u009b2J', 'ok') },
  { weight: 1, arbitrary: fc.integer({ min: 4000, max: 5200 }).map((n) => 'x'.repeat(n)) },
  { weight: 1, arbitrary: fc.tuple(fc.string({ unit: 'binary', maxLength: 8 }), fc.integer({ min: 3000, max: 4500 })).map(([s, n]) => s.repeat(Math.ceil(n / Math.max(1, s.length)))) },
)
const maybeNull = fc.option(nasty, { nil: null })

/** A provider answer: a status and a body that may or may not be the provider's JSON. */
const answer = fc.record({
  status: fc.constantFrom(200, 401, 403, 429, 500, 502),
  body: fc.oneof(nasty, nasty.map((m) => JSON.stringify({ error: { message: m } })), nasty.map((t) => JSON.stringify({ access_token: t }))),
})

type Op =
  | { op: 'create'; name: string; type: 'openai' | 'api_key' | 'postgresql' | 'oauth'; value: string; description: string | null; base_url: string | null; check_url: string | null }
  | { op: 'update'; target: number; name?: string; description?: string | null; base_url?: string | null; value?: string }
  | { op: 'validate'; target: number; answers: { status: number; body: string }[] }
  | { op: 'import'; items: { id: string; name: string; description: string | null; validation_message: string | null; schemaName: string }[] }
  | { op: 'delete' | 'restore' | 'purge'; target: number }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constant('create' as const),
    name: fc.oneof(nasty, fc.constantFrom('a', 'b', 'OpenAI Prod')),
    type: fc.constantFrom('openai' as const, 'api_key' as const, 'postgresql' as const, 'oauth' as const),
    value: nasty,
    description: maybeNull,
    base_url: fc.option(fc.oneof(nasty, nasty.map((s) => `http://127.0.0.1:9/${s}`)), { nil: null }),
    check_url: fc.option(nasty.map((s) => `https://check.example/${s}`), { nil: null }),
  }),
  fc.record(
    { op: fc.constant('update' as const), target: fc.nat(5), name: nasty, description: maybeNull, base_url: fc.option(nasty.map((s) => `https://gw.example/${s}`), { nil: null }), value: nasty },
    { requiredKeys: ['op', 'target'] },
  ),
  fc.record({ op: fc.constant('validate' as const), target: fc.nat(5), answers: fc.array(answer, { minLength: 1, maxLength: 3 }) }),
  fc.record({
    op: fc.constant('import' as const),
    items: fc.array(fc.record({ id: fc.oneof(nasty, fc.uuid()), name: fc.oneof(nasty, fc.constantFrom('a', 'b')), description: maybeNull, validation_message: maybeNull, schemaName: nasty }), { maxLength: 3 }),
  }),
  fc.record({ op: fc.constantFrom('delete' as const, 'restore' as const, 'purge' as const), target: fc.nat(5) }),
)

/** A value of each type built around an arbitrary string, so some pass the type's check. */
function valueFor(type: string, s: string): string {
  switch (type) {
    case 'postgresql':
      return `postgresql://u:p@db.example:5432/db?application_name=${encodeURIComponent((s as string & { toWellFormed(): string }).toWellFormed())}`
    case 'oauth':
      return JSON.stringify({ access_token: `at-${s}`, refresh_token: 'rt-0123456789', token_url: 'https://auth.example/token' })
    default:
      return `sk-${s}`
  }
}

async function apply(c: Client, op: Op, answers: { status: number; body: string }[]): Promise<void> {
  const ids = (await c.credentials.list({ includeDeleted: true })).map((x) => x.id)
  const target = (n: number) => ids[n % Math.max(1, ids.length)] ?? 'missing'
  switch (op.op) {
    case 'create':
      await c.credentials.create({
        name: op.name,
        type: op.type,
        value: valueFor(op.type, op.value),
        description: op.description,
        base_url: op.base_url,
        ...(op.check_url && (op.type === 'api_key' || op.type === 'oauth') ? { settings: { check_url: op.check_url } } : {}),
      })
      return
    case 'update': {
      const { op: _o, target: t, value, ...rest } = op
      await c.credentials.update(target(t), { ...rest, ...(value !== undefined ? { value: `sk-${value}` } : {}) })
      return
    }
    case 'validate':
      answers.push(...op.answers)
      await c.credentials.validate(target(op.target), { timeoutMs: 2000 })
      return
    case 'import':
      await c.credentials.importMany(
        op.items.map((it, i) => ({
          source: `item ${i}`,
          id: it.id,
          name: it.name,
          type: 'openai',
          value: `sk-imported-${i}-0123456789`,
          description: it.description,
          is_valid: true,
          validated_at: '2026-01-01T00:00:00.000Z',
          validation_message: it.validation_message,
          schema: { updated_at: '2026-01-01T00:00:00.000Z', tables: [{ schema: it.schemaName, name: it.schemaName, kind: 'table', comment: it.schemaName, columns: [{ name: it.schemaName, data_type: it.schemaName, nullable: true, default: it.schemaName, comment: null, position: 1 }] }] },
        })),
        { rename: true },
      )
      return
    default:
      await c.credentials[op.op](target(op.target))
  }
}

describe('whatever the SDK writes, every reader opens (issue 10 kind 1)', () => {
  it('random operation sequences with hostile strings in every field, local and remote', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 7 }), async (ops) => {
        const dir = mkdtempSync(path.join(tmpdir(), 'credctl-wr-'))
        const vault = path.join(dir, 'v.json')
        const answers: { status: number; body: string }[] = []
        const fakeFetch = (async () => {
          const a = answers.shift() ?? { status: 401, body: '{"error":{"message":"no"}}' }
          return new Response(a.body, { status: a.status, headers: { 'content-type': 'application/json' } })
        }) as unknown as typeof fetch
        const env = { CREDCTL_MASTER_KEY: randomBytes(32).toString('base64') }
        const c = createClient({ vault, env, fetch: fakeFetch })
        try {
          for (const op of ops) {
            try {
              await apply(c, op, answers)
            } catch (e) {
              // Refused input (2) or a missing target (3): fine. Anything else (4, an internal error,
              // a non-CredctlError) means a write or a read went wrong.
              if (!(e instanceof CredctlError) || (e.exitCode !== 2 && e.exitCode !== 3)) throw e
            }
          }
          let text: string | undefined
          try {
            text = readFileSync(vault, 'utf8')
          } catch {
            return // nothing was ever written
          }
          // Either format, strictly (format 2 after any write: header, one line per record).
          const v = parseVaultText(text)
          for (const r of v.credentials) {
            expect(r.masked_content.length).toBeLessThanOrEqual(FIELD_MAX.masked_content)
            expect((r.validation_message ?? '').includes('\u0000')).toBe(false)
          }
          // The writer's own client and a fresh one (nothing kept in memory from the writes: only the
          // file, the kept sequence and the key) both open every record.
          for (const r of [c, createClient({ vault, env, fetch: fakeFetch })]) {
            const all = await r.credentials.list({ includeDeleted: true })
            expect(all.map((x) => x.id).sort()).toEqual(v.credentials.map((x) => x.id).sort())
            for (const x of all) {
              await r.credentials.get(x.id)
              if (!x.deleted_at) await r.credentials.reveal(x.id)
              if (x.has_schema) await r.credentials.getSchema(x.id)
            }
            await r.credentials.history()
            const st = await r.status()
            expect(st.integrity?.status).toBe('ok')
          }
        } finally {
          rmSync(dir, { recursive: true, force: true })
        }
      }),
      { numRuns: 120 },
    )
  }, 120_000)
})
