import { copyFileSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, tempVault, type CliResult } from '../helpers/cli.js'

// Issue 6, hostile input. (1) The fixed corpus of hostile vault files through the CLI: each a clean exit 4
// naming the file, never a crash, never a rewrite. (2) Hostile arguments and values: exit 2 with a clear
// message, no stack trace, and the value never echoed.
const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/hostile')
const CORPUS = readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).sort()

let t: ReturnType<typeof tempVault>
beforeAll(() => (t = tempVault('credctl-hostile')))
afterAll(() => t.cleanup())

const noStack = (r: CliResult) => expect(r.stderr).not.toMatch(/\n\s+at .+[:(]\d+/)

/** Run jobs with a small concurrency: ~400 short processes on two cores. */
async function pool<T>(items: T[], n: number, fn: (x: T) => Promise<void>) {
  let i = 0
  await Promise.all(Array.from({ length: n }, async () => {
    while (i < items.length) await fn(items[i++]!)
  }))
}

describe('hostile vault files through the CLI', () => {
  it(`${CORPUS.length} hostile vaults: list, create and status (and get, reveal, rotate-key on a sample) exit 4, file byte-identical`, async () => {
    const failures: string[] = []
    // list (read path), create (write path, under the lock) and status run on every file; the other
    // commands share those code paths and run on every fifth, to keep the suite fast on two cores.
    await pool(CORPUS.map((name, i) => [name, i % 5 === 0] as const), 4, async ([name, all]) => {
      const dir = path.join(t.dir, 'corpus', name)
      mkdirSync(dir, { recursive: true })
      const vault = path.join(dir, 'vault.json')
      copyFileSync(path.join(FIXTURES, name), vault)
      const before = readFileSync(vault)
      const env = { ...t.env, CREDCTL_VAULT: vault, CREDCTL_NEW_MASTER_KEY: Buffer.alloc(32, 3).toString('base64') }
      const cmds: [string[], string?][] = [
        [['list']],
        [['create', '--name', 'new', '--type', 'groq', '--value-stdin'], 'gsk_0123456789abcdefghij'],
        [['status']],
        ...(all ? ([[['get', 'OpenAI Prod']], [['reveal', 'OpenAI Prod']], [['rotate-key']]] as [string[], string?][]) : []),
      ]
      for (const [args, input] of cmds) {
        const r = await runCli(args, { env, ...(input !== undefined ? { input } : {}) })
        const label = `${name}: ${args[0]}`
        if (r.code !== 4) failures.push(`${label}: exit ${r.code}: ${r.stderr.slice(0, 200)}`)
        if (args[0] === 'status') {
          if (!/problem\s+VAULT_(DAMAGED|VERSION): vault .* is unreadable/.test(r.stdout)) failures.push(`${label}: status does not explain: ${r.stdout.slice(-300)}`)
        } else {
          if (!r.stderr.includes(vault)) failures.push(`${label}: message does not name the file: ${r.stderr.slice(0, 200)}`)
          if (r.stderr.trim().split('\n').length !== 1) failures.push(`${label}: not one line: ${r.stderr.slice(0, 300)}`)
        }
        if (/\n\s+at .+[:(]\d+/.test(r.stderr) || /internal error/.test(r.stderr)) failures.push(`${label}: crashed: ${r.stderr.slice(0, 300)}`)
      }
      if (!readFileSync(vault).equals(before)) failures.push(`${name}: the file was changed`)
      if (readdirSync(dir).join(',') !== 'vault.json') failures.push(`${name}: files appeared: ${readdirSync(dir).join(',')}`)
    })
    expect(failures).toEqual([])
  }, 180_000)
})

describe('hostile arguments and values', () => {
  const BIG = 'k'.repeat(64 * 1024 + 10)
  let bigFile: string
  let pristine: string

  beforeAll(async () => {
    const r = await runCli(['create', '--name', 'existing', '--type', 'openai', '--value-stdin'], { env: t.env, input: 'sk-proj-HOSTILEexisting0123456789abcdef' })
    expect(r.code, r.stderr).toBe(0)
    bigFile = path.join(t.dir, 'big.txt')
    writeFileSync(bigFile, BIG)
    pristine = readFileSync(t.vault, 'utf8')
  })

  const CASES: [string, string[], string | undefined, RegExp][] = [
    ['name with a newline', ['create', '--name', 'evil\nname', '--type', 'openai', '--value-stdin'], 'sk-proj-x0123456789abcdef', /control characters/],
    ['name with a carriage return', ['create', '--name', 'evil\rname', '--type', 'openai', '--value-stdin'], 'sk-proj-x0123456789abcdef', /control characters/],
    ['name with a tab', ['create', '--name', 'a\tb', '--type', 'openai', '--value-stdin'], 'sk-proj-x0123456789abcdef', /control characters/],
    ['name with an ANSI escape', ['create', '--name', '\u001b[31mred', '--type', 'openai', '--value-stdin'], 'sk-proj-x0123456789abcdef', /control characters/],
    ['name with DEL', ['create', '--name', 'a\u007fb', '--type', 'openai', '--value-stdin'], 'sk-proj-x0123456789abcdef', /control characters/],
    ['name with a C1 control', ['create', '--name', 'a\u0085b', '--type', 'openai', '--value-stdin'], 'sk-proj-x0123456789abcdef', /control characters/],
    ['name with surrounding spaces', ['create', '--name', ' padded ', '--type', 'openai', '--value-stdin'], 'sk-proj-x0123456789abcdef', /whitespace/],
    ['empty name', ['create', '--name', '', '--type', 'openai', '--value-stdin'], 'sk-proj-x0123456789abcdef', /name/],
    ['name of 201 characters', ['create', '--name', 'n'.repeat(201), '--type', 'openai', '--value-stdin'], 'sk-proj-x0123456789abcdef', /too long/],
    ['rename to a newline name', ['update', 'existing', '--name', 'x\ny'], undefined, /control characters/],
    ['value over 64 KiB on stdin', ['create', '--name', 'big', '--type', 'openai', '--value-stdin'], BIG, /too large.*64 KiB/],
    ['value over 64 KiB in a file', ['create', '--name', 'big', '--type', 'openai', '--value-file', '<big>'], undefined, /64 KiB/],
    ['value over 64 KiB in argv', ['create', '--name', 'big', '--type', 'openai', '--value', BIG], undefined, /too large/],
    ['update with a value over 64 KiB', ['update', 'existing', '--value-stdin'], BIG, /too large/],
    ['empty value', ['create', '--name', 'e', '--type', 'openai', '--value-stdin'], '\n', /empty/],
    ['value with a NUL byte', ['create', '--name', 'nul', '--type', 'openai', '--value-stdin'], 'sk-\u0000abc0123456789', /NUL|invalid value/],
    ['API key with whitespace', ['create', '--name', 'ws', '--type', 'openai', '--value-stdin'], 'sk-proj abc 0123456789', /invalid value for type openai/],
    ['postgres URI without host', ['create', '--name', 'pg', '--type', 'postgresql', '--value-stdin'], 'postgresql://u:HOSTILEpw@/db', /invalid value for type postgresql/],
    ['postgres URI with a space', ['create', '--name', 'pg', '--type', 'postgresql', '--value-stdin'], 'postgresql://u:HOSTILEpw@db host:5432/x', /invalid value for type postgresql/],
    ['mysql URI for postgresql', ['create', '--name', 'pg', '--type', 'postgresql', '--value-stdin'], 'mysql://u:HOSTILEpw@h/x', /invalid value for type postgresql/],
    ['not a URI at all', ['create', '--name', 'pg', '--type', 'postgresql', '--value-stdin'], 'HOSTILEpw', /invalid value for type postgresql/],
    ['smtp URL with a bad scheme', ['create', '--name', 's', '--type', 'smtp', '--value-stdin'], 'smtp:/HOSTILEpw', /invalid value for type smtp/],
    ['database without --schema-type', ['create', '--name', 'd', '--type', 'database', '--value-stdin'], 'postgresql://u:HOSTILEpw@h/x', /schema-type/],
    ['truncated service-account JSON', ['create', '--name', 'bq', '--type', 'bigquery', '--value-stdin'], '{"client_email": "a@b", "private_key": "HOSTILEpw', /invalid value for type bigquery/],
    ['service-account JSON of the wrong shape', ['create', '--name', 'bq', '--type', 'bigquery', '--value-stdin'], '{"client_email": 1, "private_key": "HOSTILEpw"}', /invalid value for type bigquery/],
    ['a JSON array for bigquery', ['create', '--name', 'bq', '--type', 'bigquery', '--value-stdin'], '["HOSTILEpw"]', /invalid value for type bigquery/],
    ['oauth JSON without access_token', ['create', '--name', 'o', '--type', 'oauth', '--value-stdin'], '{"refresh_token": "HOSTILEpw"}', /invalid value for type oauth/],
    ['base URL with a javascript: scheme', ['create', '--name', 'b', '--type', 'openai', '--value-stdin', '--base-url', 'javascript:alert(1)'], 'sk-proj-x0123456789abcdef', /base-url/],
    ['base URL with credentials in it', ['create', '--name', 'b', '--type', 'openai', '--value-stdin', '--base-url', 'https://u:HOSTILEpw@proxy.example'], 'sk-proj-x0123456789abcdef', /must not contain a user or password/],
    ['base URL that is not a URL', ['update', 'existing', '--base-url', 'not a url'], undefined, /base-url/],
    ['bad expiry date', ['create', '--name', 'x', '--type', 'openai', '--value-stdin', '--expires', '2026-13-45'], 'sk-proj-x0123456789abcdef', /expiry/],
    ['unknown type', ['create', '--name', 'x', '--type', 'opnai', '--value-stdin'], 'sk-proj-x0123456789abcdef', /invalid|Allowed choices/],
    ['type and category mismatch', ['create', '--name', 'x', '--type', 'openai', '--category', 'speech', '--value-stdin'], 'sk-proj-x0123456789abcdef', /belongs to category llm/],
    ['two value sources', ['create', '--name', 'x', '--type', 'openai', '--value-stdin', '--value', 'sk-proj-x0123456789abcdef'], 'sk-proj-y0123456789abcdef', /only one of/],
    ['unknown flag', ['create', '--bogus'], undefined, /unknown option '--bogus'/],
    ['misspelt flag', ['create', '--name', 'x', '--type', 'openai', '--valu-stdin'], undefined, /unknown option/],
    ['unknown global flag', ['--vualt', 'x', 'list'], undefined, /unknown option/],
    ['unknown command', ['crete'], undefined, /unknown command/],
    ['too many arguments', ['get', 'a', 'b'], undefined, /too many arguments/],
    ['missing argument', ['reveal'], undefined, /missing required argument/],
    ['flag without its value', ['create', '--name'], undefined, /argument missing/],
    ['bad --limit', ['history', '--limit', 'abc'], undefined, /--limit must be a positive integer/],
    ['bad --timeout', ['validate', 'existing', '--timeout', '-5'], undefined, /--timeout/],
    ['update with nothing to change', ['update', 'existing'], undefined, /nothing to update/],
    ['bad key source', ['--key-source', 'kernel', 'list'], undefined, /Allowed choices/],
  ]

  it.each(CASES)('%s: exit 2, a clear message, no stack trace, nothing echoed, vault untouched', async (_label, rawArgs, input, msg) => {
    const args = rawArgs.map((a) => (a === '<big>' ? bigFile : a))
    const r = await runCli(args, { env: t.env, ...(input !== undefined ? { input } : {}) })
    expect(r.code, r.stderr).toBe(2)
    expect(r.stderr).toMatch(msg)
    noStack(r)
    const lines = r.stderr.trim().split('\n').filter((l) => !/^warning: --value puts the secret in argv/.test(l))
    // One line from credctl; commander adds "(run with --help for usage)" after its own.
    expect(lines.length, r.stderr).toBeLessThanOrEqual(2)
    if (lines.length === 2) expect(lines[1]).toMatch(/--help|Did you mean/)
    expect(r.stderr.length).toBeLessThan(1000) // never the 64 KiB value, never a dump
    expect(r.stdout).toBe('')
    expect(r.stderr + r.stdout).not.toContain('HOSTILEpw')
    expect(readFileSync(t.vault, 'utf8')).toBe(pristine)
  })
})
