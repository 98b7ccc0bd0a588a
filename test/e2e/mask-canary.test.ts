import { readFileSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { filesUnder, runCli, tempVault, type CliResult } from '../helpers/cli.js'
import { startServer } from '../helpers/http-server.js'
import { CASES, pieces, VALUES, valuesOf } from '../helpers/canary-values.js'

// Issue 10, section 2, through the built CLI: credentials of every type are created with a canary
// secret in each syntactic position (test/helpers/canary-values.ts). Each one is refused (exit 2, one
// line, no canary) or created; then no 8-character piece of a canary may appear in the stdout or stderr
// of create, list, get, run --dry-run (table and --json), nor in any file under the vault's directory,
// read as bytes: the vault's masked_content is stored in the clear.
const CANARIES = [
  // every character that moves the edge of a URI's userinfo, a query or an ADO value
  'Kq2024/Spring-Rain@x:y%z?w#v;u&t=s{r}q"p',
  // only characters that are legal unencoded in a password, so most positions are accepted
  'Kq7Zt:Wv3@Xy5;Lm!Np$Rs',
]

let t: ReturnType<typeof tempVault>
const outputs: { label: string; text: string }[] = []
const created: string[] = []

async function cli(label: string, args: string[], input?: string): Promise<CliResult> {
  const r = await runCli(args, { env: t.env, ...(input !== undefined ? { input } : {}) })
  outputs.push({ label: `${label} stdout`, text: r.stdout }, { label: `${label} stderr`, text: r.stderr })
  expect(r.stderr, `${label}: a stack trace`).not.toMatch(/\n\s+at .+:\d+:\d+/)
  return r
}

function expectClean(where: string, text: string) {
  for (const c of CANARIES) for (const p of pieces(c)) if (text.includes(p)) throw new Error(`a piece of canary ${c.slice(0, 6)}… (${p}) leaked into ${where}`)
}

beforeAll(() => {
  t = tempVault('credctl-mask')
})
afterAll(() => t.cleanup())

describe('no secret reaches the masked form, through the CLI (issue 10, section 2)', () => {
  it('create, list, get, run --dry-run (and --json) and the vault file show no piece of any canary', { timeout: 300_000 }, async () => {
    let n = 0
    for (const [type, schemaType, shape] of CASES) {
      for (const [ci, c] of CANARIES.entries()) {
        // Every position with the first canary; with the second, the first position of each structured
        // type. tools/database takes two positions per schema type (its values are those types' values).
        // Bare keys have one position. (Each value is one process: the sweep is kept to ~150 of them.)
        const all = valuesOf(shape, c)
        const values = !(shape in VALUES) ? (ci === 0 ? all.slice(0, 1) : []) : type === 'database' ? all.slice(0, 2 - ci) : ci === 0 ? all : all.slice(0, 1)
        for (const value of values) {
          const name = `c${n++}`
          const args = ['create', '--name', name, '--type', type, ...(schemaType ? ['--schema-type', schemaType] : []), '--value-stdin', ...(n % 2 ? ['--json'] : [])]
          const r = await cli(`create ${name} (${type}${schemaType ? `/${schemaType}` : ''})`, args, value)
          if (r.code === 2) {
            expect(r.stderr.trim().split('\n'), `${name}: refusal in one line`).toHaveLength(1)
            expect(r.stderr).toMatch(/^credctl: invalid (value for type |token_url)/)
          } else {
            expect(r.code, `${name}: ${r.stderr}`).toBe(0)
            created.push(name)
          }
        }
      }
    }
    // The sweep means something only if much was accepted: every type has at least one credential.
    expect(created.length).toBeGreaterThan(CASES.length)
    await cli('list', ['list'])
    await cli('list --json', ['list', '--json'])
    const listed = JSON.parse((await cli('list --json', ['list', '--json'])).stdout) as { name: string; masked_content: string }[]
    expect(listed.map((x) => x.name).sort()).toEqual([...created].sort())
    for (const [i, name] of created.entries()) if (i % 5 === 0) await cli(`get ${name}`, ['get', name, ...(i % 2 ? ['--json'] : [])])
    const env = created.flatMap((name, i) => ['--env', `V${i}=${name}`])
    expect((await cli('run --dry-run', ['run', '--dry-run', ...env])).code).toBe(0)
    expect((await cli('run --dry-run --json', ['run', '--dry-run', '--json', ...env])).code).toBe(0)

    // The checker catches a leak (so a clean sweep is worth something).
    expect(() => expectClean('self-test', `x${CANARIES[1]!.slice(3, 11)}y`)).toThrow(/leaked/)
    for (const o of outputs) expectClean(o.label, o.text)
    // Every file under the vault's home, as bytes (latin1 keeps every byte as one character).
    for (const f of filesUnder(t.dir)) expectClean(f.file, readFileSync(f.file).toString('latin1'))
    expect(readFileSync(t.vault).toString('latin1')).toContain('masked_content')
  })
})

describe('the examples of issue 10, section 2, through the CLI', () => {
  it('an unencoded "/" after a digits-only prefix is refused with the encoding hint; nothing is written', async () => {
    const v = tempVault('credctl-mask-ex')
    try {
      const r = await runCli(['create', '--name', 'dw', '--type', 'postgresql', '--value-stdin'], { env: v.env, input: 'postgresql://analytics:2024/Spring-Rain@db.internal:5432/warehouse' })
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(/ambiguous URI/)
      expect(r.stderr).toMatch(/%2F for \//)
      expect(r.stderr + r.stdout).not.toContain('Spring-Rain')
      const ok = await runCli(['create', '--name', 'dw', '--type', 'postgresql', '--value-stdin', '--json'], { env: v.env, input: 'postgresql://analytics:2024%2FSpring-Rain@db.internal:5432/warehouse' })
      expect(ok.code, ok.stderr).toBe(0)
      expect(JSON.parse(ok.stdout).masked_content).toBe('postgresql://analytics:****@db.internal:5432/warehouse')
      const ms = await runCli(['create', '--name', 'ms', '--type', 'mssql', '--value-stdin', '--json'], { env: v.env, input: 'sqlserver://db.internal:1433;databaseName=sales;user=sa;password=Hunter2-Secret' })
      expect(ms.code, ms.stderr).toBe(0)
      expect(JSON.parse(ms.stdout).masked_content).toBe('sqlserver://db.internal:1433;databaseName=sales;user=sa;password=****')
      const run = await runCli(['run', '--dry-run'], { env: v.env })
      expect(run.stdout).not.toMatch(/Spring-Rain|Hunter2/)
      expect(readFileSync(v.vault).toString('latin1')).not.toMatch(/Spring-Rain|Hunter2/)
    } finally {
      v.cleanup()
    }
  })

  it('import --from-env never quotes a value in a skip reason (a token in GOOGLE_APPLICATION_CREDENTIALS)', async () => {
    const v = tempVault('credctl-mask-env')
    try {
      const token = 'ya29.a0AfH6SMBxTokenNotAPath0123456789'
      const envFile = path.join(v.dir, 'app.env')
      writeFileSync(envFile, `GOOGLE_APPLICATION_CREDENTIALS=${token}\nDATABASE_URL=postgresql://analytics:2024/Spring-Rain@db.internal:5432/warehouse\n`)
      for (const args of [['import', '--from-env', envFile], ['import', '--from-env', envFile, '--json'], ['import', '--from-env', envFile, '--dry-run']]) {
        const r = await runCli(args, { env: v.env })
        expect(r.stdout).toMatch(/GOOGLE_APPLICATION_CREDENTIALS/)
        for (const p of [...pieces(token), ...pieces('2024/Spring-Rain')]) expect(r.stdout + r.stderr, args.join(' ')).not.toContain(p)
      }
    } finally {
      v.cleanup()
    }
  })

  it('a provider that echoes the key minus its last characters: validate prints and stores none of it', async () => {
    const v = tempVault('credctl-mask-echo')
    // Dots keep every run short of the 24-character "token-shaped" rule of the HTTP checker, so only
    // the partial-echo rule of redact() stands between this echo and the terminal.
    const key = 'sk-proj.Kq7Zt.9Wv3X.y5Lm1.Np8Rs.4Tu6V'
    const server = await startServer((req) => {
      const sent = String(req.headers.authorization ?? '').replace(/^Bearer /, '')
      return { status: 401, body: { error: { message: `Incorrect API key provided: ${sent.slice(0, -5)}; and again ${sent.slice(3, -3)}`, type: 'invalid_request_error', code: 'invalid_api_key' } } }
    })
    try {
      const c = await runCli(['create', '--name', 'oa', '--type', 'openai', '--value-stdin', '--base-url', server.url], { env: v.env, input: key })
      expect(c.code, c.stderr).toBe(0)
      const r = await runCli(['validate', 'oa', '--json'], { env: v.env })
      expect(server.requests.length).toBe(1)
      const g = await runCli(['get', 'oa', '--json'], { env: v.env })
      const h = await runCli(['history', '--json'], { env: v.env })
      const half = key.slice(0, Math.ceil(key.length / 2))
      for (const text of [r.stdout, r.stderr, g.stdout, h.stdout, ...filesUnder(v.dir).map((f) => readFileSync(f.file).toString('latin1'))]) {
        expect(text).not.toContain(half)
        expect(text).not.toContain(key.slice(-Math.ceil(key.length / 2) - 3, -3))
      }
      expect(r.stdout).toMatch(/Incorrect API key provided: \*{4}/)
    } finally {
      await server.close()
      v.cleanup()
    }
  })
})
