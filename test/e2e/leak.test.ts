import { spawn } from 'node:child_process'
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, filesUnder, runCli, tempVault, type CliResult } from '../helpers/cli.js'
import { closedPort, startServer, type TestServer } from '../helpers/http-server.js'

// Issue 6 / security.md 8.4 (24-27): canary secrets run through every command, success and error paths,
// with and without --debug. None may appear (raw, base64, hex, URL- or JSON-encoded) in stdout, stderr,
// history, error messages or any file but the vault, which holds ciphertext only. The vault key itself
// is a canary too. Only `reveal`'s stdout (and a `run` child, by design) get a value.
const PG_PASSWORD = 'LEAKpw-Zq7#x%2Fy'
const PG_PASSWORD_ENC = encodeURIComponent(PG_PASSWORD)
const C = {
  openai: 'sk-proj-LEAKcanaryOpenAI0123456789abcdefABCDEFxyz',
  anthropic: 'sk-ant-api03-LEAKcanaryAnthropic0123456789abcdefg',
  tool: 'tool_LEAKcanaryToolKey_0123456789abcdef',
  pem1: 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCLEAK1',
  pem2: 'w8Ck3NOV2hQ6KdXlAq4XleakcanaryLine2ZZZ0123456789abcdefgh',
}
const PG_URI = (port: number) => `postgresql://leakuser:${PG_PASSWORD_ENC}@127.0.0.1:${port}/analytics`
const SA = JSON.stringify({
  type: 'service_account',
  project_id: 'leak-project',
  client_email: 'leak-svc@leak-project.iam.gserviceaccount.com',
  private_key: `-----BEGIN PRIVATE KEY-----\n${C.pem1}\n${C.pem2}\n-----END PRIVATE KEY-----\n`,
})

let t: ReturnType<typeof tempVault>
let echo: TestServer
let deadPort: number
const outputs: { label: string; text: string }[] = []

const secretsAll = () => [...Object.values(C), PG_PASSWORD, PG_PASSWORD_ENC, t.key]

/** Every encoding of a canary that a careless log line or file could carry. */
function forms(s: string): string[] {
  return [s, Buffer.from(s).toString('base64'), Buffer.from(s).toString('hex'), encodeURIComponent(s), JSON.stringify(s).slice(1, -1)].filter((f) => f.length >= 8)
}

function expectClean(label: string, text: string, allow: string[] = []) {
  for (const s of secretsAll()) {
    if (allow.includes(s)) continue
    for (const f of forms(s)) if (text.includes(f)) throw new Error(`canary ${s.slice(0, 12)}... leaked (${f === s ? 'raw' : 'encoded'}) into ${label}`)
  }
}

async function cli(label: string, args: string[], opts: { input?: string; env?: Record<string, string | undefined> } = {}): Promise<CliResult> {
  const r = await runCli(args, { env: { ...t.env, ...opts.env }, ...(opts.input !== undefined ? { input: opts.input } : {}) })
  outputs.push({ label: `${label} stdout`, text: r.stdout }, { label: `${label} stderr`, text: r.stderr })
  expect(r.stderr, `${label}: a stack trace`).not.toMatch(/\n\s+at .+:\d+:\d+/)
  return r
}

beforeAll(async () => {
  t = tempVault('credctl-leak')
  deadPort = await closedPort()
  // A provider that echoes everything back in its error: the key, the auth header, the URL.
  echo = await startServer((req) => ({
    status: 401,
    // Shaped like both OpenAI's and Anthropic's errors, so each reads it as its own refusal.
    body: { type: 'error', error: { type: 'authentication_error', message: `Incorrect API key provided: ${req.headers.authorization ?? req.headers['x-api-key'] ?? ''}; you sent ${JSON.stringify(req.headers)} to ${req.path}` } },
  }))
})
afterAll(async () => {
  await echo.close()
  t.cleanup()
})

describe('canary sweep over every command', () => {
  it('create, list, get, update, validate, discover, reveal, history, status, run, export: no canary anywhere', async () => {
    const valueFile = path.join(t.dir, 'sa.json')
    writeFileSync(valueFile, SA, { mode: 0o600 })
    const ok = (r: CliResult, code = 0) => expect(r.code, r.stderr).toBe(code)
    ok(await cli('create openai', ['create', '--name', 'openai', '--type', 'openai', '--value-stdin', '--base-url', echo.url], { input: C.openai }))
    ok(await cli('create anthropic', ['create', '--name', 'claude', '--type', 'anthropic', '--value-stdin', '--base-url', echo.url, '--json'], { input: `${C.anthropic}\n` }))
    ok(await cli('create tool', ['create', '--name', 'tool', '--type', 'api_key', '--value-stdin', '--check-url', `${echo.url}/me?x=1`, '--auth-header', 'X-Api-Key: {value}'], { input: C.tool }))
    ok(await cli('create pg', ['create', '--name', 'pg', '--type', 'postgresql', '--value-stdin'], { input: PG_URI(deadPort) }))
    ok(await cli('create bigquery', ['create', '--name', 'bq', '--type', 'bigquery', '--value-file', valueFile]))

    for (const args of [['list'], ['list', '--json'], ['list', '--deleted', '--json'], ['get', 'pg'], ['get', 'bq', '--json'], ['get', 'tool', '--json'], ['types', '--category', 'llm']]) {
      ok(await cli(args.join(' '), args))
    }
    // validate: the provider echoes the key in its refusal; the message we print and store is redacted.
    ok(await cli('validate openai', ['validate', 'openai']), 1)
    ok(await cli('validate claude --json', ['validate', 'claude', '--json']), 1)
    ok(await cli('validate tool --debug', ['--debug', 'validate', 'tool', '--json']), 1)
    expect(echo.requests.length).toBe(3)
    // A database that is down: the driver's error names the URI.
    const pgv = await cli('validate pg --debug', ['--debug', 'validate', 'pg', '--json', '--timeout', '3'])
    expect([1, 5]).toContain(pgv.code)
    const disc = await cli('discover pg --debug', ['--debug', 'discover', 'pg', '--timeout', '3'])
    expect(disc.code).not.toBe(0)
    expect(disc.stderr).toMatch(/schema discovery of "pg" failed/)
    ok(await cli('validate --all', ['validate', '--all', '--category', 'llm', '--json']), 1)

    // update: a new value (stdin and file), a rename, a failed update with a bad value
    ok(await cli('update openai', ['update', 'openai', '--value-stdin'], { input: `${C.openai}\n` }))
    const badValue = `postgresql://leakuser:${PG_PASSWORD_ENC}@ bad host/analytics`
    const bad = await cli('update pg bad value --debug', ['--debug', 'update', 'pg', '--value-stdin'], { input: badValue })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/invalid value for type postgresql/)
    ok(await cli('update pg rename', ['update', 'pg', '--name', 'warehouse', '--description', 'dw']))

    // reveal, piped: stdout is the value by design; stderr stays clean
    const rev = await cli('reveal (stdout excluded)', ['reveal', 'claude'])
    expect(rev.stdout).toBe(C.anthropic)
    outputs.pop()
    outputs.pop()
    outputs.push({ label: 'reveal stderr', text: rev.stderr })

    ok(await cli('history', ['history']))
    ok(await cli('history --json', ['history', '--json']))
    ok(await cli('history one', ['history', 'warehouse', '--json']))
    ok(await cli('status', ['status']))
    ok(await cli('status --json', ['status', '--json']))
    ok(await cli('run --dry-run', ['run', '--dry-run']))
    ok(await cli('run --dry-run --json', ['run', '--dry-run', '--json']))
    ok(await cli('__names', ['__names']))
    ok(await cli('completion', ['completion', 'bash']))
    ok(await cli('export', ['export', '--output', path.join(t.dir, 'bundle.credctl')], { env: { CREDCTL_EXPORT_PASSPHRASE: 'leak-test export passphrase' } }))

    // Error paths, with --debug: wrong key, missing key, unknown credential, bad input, locked vault.
    const wrongKey = { CREDCTL_MASTER_KEY: Buffer.alloc(32, 9).toString('base64') }
    ok(await cli('reveal wrong key --debug', ['--debug', 'reveal', 'claude'], { env: wrongKey }), 4)
    ok(await cli('validate wrong key --debug', ['--debug', 'validate', 'openai'], { env: wrongKey }), 4)
    ok(await cli('reveal no key --debug', ['--debug', 'reveal', 'claude'], { env: { CREDCTL_MASTER_KEY: undefined } }), 4)
    ok(await cli('reveal missing --debug', ['--debug', 'reveal', 'nope']), 3)
    ok(await cli('create invalid --debug', ['--debug', 'create', '--name', 'x', '--type', 'postgresql', '--value-stdin'], { input: `${C.openai}` }), 2)
    ok(await cli('create taken --debug', ['--debug', 'create', '--name', 'claude', '--type', 'anthropic', '--value-stdin'], { input: C.anthropic }), 2)
    ok(await cli('create --value (argv)', ['--debug', 'create', '--name', 'argv', '--type', 'openai', '--value', 'sk-proj-notacanary0123456789abcdef']))
    writeFileSync(`${t.vault}.lock`, `${process.pid} ${Date.now()} held`)
    ok(await cli('update locked --debug', ['--debug', 'update', 'claude', '--value-stdin'], { input: C.anthropic, env: { CREDCTL_LOCK_TIMEOUT_MS: '200' } }), 4)
    rmSync(`${t.vault}.lock`)

    // The sweep is only worth something if it can fail: the echo server did send the key back, and the
    // checker catches a raw or an encoded canary.
    expect(outputs.find((o) => o.label === 'validate claude --json stdout')!.text).toMatch(/Incorrect API key provided: .*\*\*\*\*/)
    expect(() => expectClean('self-test', `x ${C.tool} y`)).toThrow(/leaked \(raw\)/)
    expect(() => expectClean('self-test', Buffer.from(t.key).toString('hex'))).toThrow(/leaked \(encoded\)/)
    for (const o of outputs) expectClean(o.label, o.text)
    // Files: history, schemas, bundle, anything beside the vault. The vault: ciphertext only.
    const files = filesUnder(t.dir).filter((f) => f.file !== valueFile)
    expect(files.map((f) => path.basename(f.file))).toContain('vault.history.jsonl')
    for (const f of files) expectClean(f.file, f.text)
    expect(existsSync(path.join(t.dir, 'bundle.credctl'))).toBe(true)
  }, 120_000)

  it('a run child gets its variables but never the vault key or any CREDCTL_* variable', async () => {
    const probe = `const e=process.env;process.stdout.write(JSON.stringify({credctl:Object.keys(e).filter(k=>k.startsWith('CREDCTL')),hasKey:Object.values(e).includes(${JSON.stringify(t.key)}),openai:e.OPENAI_API_KEY===${JSON.stringify(C.openai)}}))`
    const r = await runCli(['run', '--', process.execPath, '-e', probe], { env: t.env })
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual({ credctl: [], hasKey: false, openai: true })
    expectClean('run stderr', r.stderr)
    // The service-account file `run` writes for GOOGLE_APPLICATION_CREDENTIALS is gone afterwards.
    const gac = await runCli(['run', '--only', 'bigquery', '--', process.execPath, '-e', 'process.stdout.write(process.env.GOOGLE_APPLICATION_CREDENTIALS||"")'], { env: t.env })
    expect(gac.code, gac.stderr).toBe(0)
    if (gac.stdout) expect(existsSync(gac.stdout)).toBe(false)
  })
})

/** /proc/<pid>/cmdline as the kernel shows it to every user on the machine. */
const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ')

describe('secrets never in a process command line', () => {
  const linux = process.platform === 'linux'

  it.skipIf(!linux)('--value-stdin: while credctl waits on stdin, /proc/<pid>/cmdline has no secret', async () => {
    const secret = 'sk-proj-CMDLINEcanary0123456789abcdefghijk'
    const child = spawn(process.execPath, [BIN, 'create', '--name', 'stdin-case', '--type', 'openai', '--value-stdin'], { env: t.env, stdio: ['pipe', 'pipe', 'pipe'] })
    let stderr = ''
    child.stderr.on('data', (d) => (stderr += d))
    // It blocks reading stdin: look at it while it waits.
    await new Promise((r) => setTimeout(r, 400))
    expect(child.exitCode).toBeNull()
    const seen = cmdline(child.pid!)
    expect(seen).toContain('--value-stdin')
    expect(seen).not.toContain(secret)
    child.stdin.end(secret)
    const code = await new Promise((r) => child.on('close', r))
    expect(code, stderr).toBe(0)
    expect((await runCli(['reveal', 'stdin-case'], { env: t.env })).stdout).toBe(secret)
  })

  it.skipIf(!linux)('--value-file: the command line holds the path, never the value', async () => {
    const secret = 'sk-proj-FILEcanary0123456789abcdefghijklmn'
    const f = path.join(t.dir, 'value.txt')
    writeFileSync(f, secret, { mode: 0o600 })
    const r = await runCli(['create', '--name', 'file-case', '--type', 'openai', '--value-file', f], { env: t.env })
    expect(r.code, r.stderr).toBe(0)
    expectClean('value-file output', r.stdout + r.stderr)
    expect(r.stdout + r.stderr).not.toContain(secret)
  })

  it.skipIf(!linux || !existsSync('/usr/bin/script'))('hidden prompt on a terminal: no echo of the value, nothing in /proc/<pid>/cmdline', async () => {
    const secret = 'sk-proj-PROMPTcanary0123456789abcdefghijk'
    // script(1) gives credctl a pseudo-terminal, so it prompts (stdin and stdout are TTYs).
    const env = { ...t.env, TERM: 'dumb' }
    const cmd = `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} create --name prompt-case --type openai`
    const child = spawn('script', ['-qfec', cmd, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] })
    let screen = ''
    child.stdout.on('data', (d) => (screen += d))
    const deadline = Date.now() + 15_000
    while (!/Value for prompt-case/.test(screen) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    expect(screen).toMatch(/Value for prompt-case/)
    // Find the credctl process under script and read its command line while it waits at the prompt.
    const pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p))
    const mine = pids.filter((p) => {
      try {
        return cmdline(Number(p)).includes('prompt-case')
      } catch {
        return false
      }
    })
    expect(mine.length).toBeGreaterThan(0)
    for (const p of mine) expect(cmdline(Number(p))).not.toContain(secret)
    child.stdin.write(`${secret}\r`)
    const code = await new Promise((r) => child.on('close', r))
    expect(code, screen).toBe(0)
    expect(screen).not.toContain(secret) // never drawn, not even as '*'
    expect((await runCli(['reveal', 'prompt-case'], { env: t.env })).stdout).toBe(secret)
  }, 30_000)
})
