import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseEnvFile } from '../../src/credentials/envfile.js'
import { parseReference } from '../../src/credentials/references.js'
import { createClient } from '../../src/index.js'

/**
 * Issue 12, point 2, as a property: for random .env files (random names, secret and configuration
 * values with quotes, newlines, `#`, blanks and backslashes, every quoting, `export`, comments,
 * duplicates, LF or CRLF), `importEnv` with a template through a real vault either refuses as a whole
 * (a secret it cannot store: nothing imported) or gives a template that (1) holds none of the secret
 * values and (2) parsed, with each reference replaced by the stored credential's value, gives exactly
 * the variables of the original.
 */
const B62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
/** A canary secret: random base62 with letters and digits, so the secret rule sees it whatever the name. */
const secretArb = fc.array(fc.constantFrom(...B62), { minLength: 20, maxLength: 40 }).map((cs) => `Kq7${cs.join('')}z9`)
const SECRET_SHAPES = [(s: string) => s, (s: string) => `redis://:${s}@cache:6379/0`, (s: string) => `-----BEGIN PRIVATE KEY-----\nMIIEv${s}\nQIBADANBg\n-----END PRIVATE KEY-----\n`, (s: string) => `sk_live_${s}`]
/**
 * A human password (no random-looking token, so only the setting around it makes it a secret: F2), and
 * the values that carry one: ADO.NET, libpq conninfo, a secret-named flag and its argument.
 */
const passwordArb = fc.tuple(fc.constantFrom('Winter', 'Summer', 'Autumn', 'Spring'), fc.integer({ min: 1000, max: 9999 }), fc.constantFrom('!', '#1', '"x', '\\q', '$')).map(([w, n, t]) => `${w}${n}${t}`)
const SETTING_SHAPES = [
  (p: string) => `Server=sql;Database=app;User Id=sa;Password=${p.includes(';') ? `{${p}}` : p}`,
  (p: string) => `host=db user=app password=${p}`,
  (p: string) => `--requirepass ${p}`,
  (p: string) => `-Xmx1g --db-password=${p} --verbose`,
]
/** Comments holding a secret (F2): a URL with a password, a commented-out assignment in prose, a secret value copied as written. */
const COMMENT_SHAPES = [
  (p: string) => `# staging db: postgres://admin:${encodeURIComponent(p)}@staging-db.internal/app`,
  (p: string) => `# legacy: export DB_PASS=${p.replace(/\s/g, '')} ; keep`,
  (p: string) => `# redis: --requirepass ${p} (old)`,
]
/** Configuration: words, numbers, flags, URLs, and text with every character that moves dotenv's edges. */
const configArb = fc.oneof(
  fc.constantFrom('production', '3000', 'info', 'true', 'https://api.example.com/v1', 'db.internal', '', 'a b', '#not-a-comment'),
  fc.array(fc.constantFrom('a', 'B', '1', ' ', '#', "'", '"', '`', '\\', '$', '=', '\n', '\t', 'x y', ' #'), { maxLength: 12 }).map((cs) => cs.join('')),
)
const nameArb = fc.tuple(fc.stringMatching(/^[A-Z][A-Z0-9]{0,6}$/), fc.constantFrom('', '_TOKEN', '_SECRET_KEY', '_PASSWORD', '_URL', '_PORT', '_MODE')).map(([a, b]) => a + b)

/** Every way of writing `value` that parseEnvFile reads back exactly; one is picked. */
function quotings(value: string): string[] {
  const out: string[] = []
  if (value === value.trim() && !/[\n\r]/.test(value) && !/\s#/.test(value) && !/^["'`]/.test(value) && !/^=+$/.test(value)) out.push(value)
  if (!value.includes("'")) out.push(`'${value}'`)
  if (!value.includes('`') && !value.endsWith('\\')) out.push(`\`${value}\``) // a closing \` would be escaped
  out.push(`"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t')}"`)
  if (!value.includes('\\')) out.push(`"${value.replace(/"/g, '\\"')}"`) // raw newlines inside
  return out
}

const lineArb = fc.record({
  name: nameArb,
  secret: fc.boolean(),
  secretValue: secretArb,
  shape: fc.nat(SECRET_SHAPES.length - 1),
  config: configArb,
  quoting: fc.nat(10),
  exported: fc.boolean(),
  comment: fc.constantFrom('', ' # note', '   # was it', ' #'),
  before: fc.constantFrom('', '# a comment', '', '#OLD_TOKEN=Kq7oldOLDold0123456789z9'),
  /** F2: the secret is a human password inside a setting (a connection string, a flag), not a token. */
  setting: fc.option(fc.tuple(passwordArb, fc.nat(SETTING_SHAPES.length - 1)), { freq: 3 }),
  /** F2: a comment line holding a secret of its own, or (copy) the line's secret as written. */
  secretComment: fc.option(fc.tuple(passwordArb, fc.nat(COMMENT_SHAPES.length)), { freq: 3 }),
})
const fileArb = fc.record({ lines: fc.array(lineArb, { minLength: 1, maxLength: 10 }), crlf: fc.boolean(), dupes: fc.array(fc.tuple(fc.nat(9), fc.nat(9)), { maxLength: 3 }) })

describe('import --template round trip (issue 12 point 2)', () => {
  it('random .env files: the template holds no secret and resolves to exactly the original values', async () => {
    let rendered = 0
    await fc.assert(
      fc.asyncProperty(fileArb, async ({ lines, crlf, dupes }) => {
        // Duplicates: a later line reuses an earlier name (later wins) or an earlier secret value (imported once).
        for (const [a, b] of dupes) {
          if (a < lines.length && b < lines.length && a < b) lines[b] = { ...lines[b]!, ...(b % 2 ? { name: lines[a]!.name } : { secretValue: lines[a]!.secretValue, shape: lines[a]!.shape }) }
        }
        const secrets: string[] = ['Kq7oldOLDold0123456789z9']
        const text = lines
          .map((l) => {
            const value = l.secret ? (l.setting ? SETTING_SHAPES[l.setting[1]]!(l.setting[0]) : SECRET_SHAPES[l.shape]!(l.secretValue)) : l.config
            if (l.secret) secrets.push(l.setting ? l.setting[0] : l.secretValue)
            const qs = quotings(value)
            const written = qs[l.quoting % qs.length]!
            let extra = ''
            if (l.secretComment) {
              const [pw, k] = l.secretComment
              // k = COMMENT_SHAPES.length: copy the secret as written (quotes and escapes included), F2's last case
              if (k < COMMENT_SHAPES.length) {
                extra = `${COMMENT_SHAPES[k]!(pw)}\n`
                secrets.push(pw.replace(/\s/g, ''))
              } else if (l.secret && !written.includes('\n')) {
                extra = `# copy: ${written}\n`
                if (written.length >= 8) secrets.push(written)
              }
            }
            return `${l.before ? `${l.before}\n` : ''}${extra}${l.exported ? 'export ' : ''}${l.name}=${written}${l.comment}`
          })
          .join('\n')
          .replace(/\n/g, crlf ? '\r\n' : '\n')
        const original = parseEnvFile(text)
        const dir = mkdtempSync(path.join(tmpdir(), 'credctl-tpl-'))
        const client = createClient({ vault: path.join(dir, 'v.json'), env: { CREDCTL_MASTER_KEY: randomBytes(32).toString('base64') } })
        try {
          const r = await client.credentials.importEnv(text, { label: '.env', template: true, readFile: () => Promise.reject(new Error('no file')) })
          if (r.blocked) {
            // All or nothing: a secret it could not store, named in the report, and an untouched vault.
            expect(r.skipped.some((s) => s.secret)).toBe(true)
            expect(r.template).toBeUndefined()
            expect(await client.credentials.list().catch(() => [])).toEqual([])
            return
          }
          rendered++
          const tpl = r.template!.text
          for (const s of secrets) expect(tpl).not.toContain(s)
          expect(tpl.includes('\r\n')).toBe(crlf && tpl.includes('\n'))
          const parsed = parseEnvFile(tpl)
          const names = parsed.map((e) => parseReference(e.value)).filter((n): n is string => n !== undefined)
          const values = new Map((await client.credentials.resolveMany([...new Set(names)], { action: 'test', detail: () => 'property' })).map((x) => [x.credential.name, x.value]))
          const resolved = parsed.map((e) => {
            const ref = parseReference(e.value)
            return [e.name, ref === undefined ? e.value : values.get(ref)]
          })
          expect(resolved).toEqual(original.map((e) => [e.name, e.value]))
        } finally {
          rmSync(dir, { recursive: true, force: true })
        }
      }),
      { numRuns: 60 },
    )
    // The interesting branch must be the common one, or the property proves little.
    expect(rendered).toBeGreaterThan(30)
  }, 120_000)
})
