import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { assertNoLeak, BIN, runCli, tempVault } from '../helpers/cli.js'
import { hasTmux, TmuxTerminal } from '../helpers/tmux.js'

/**
 * Issue 12 (points 3, 4 and 9): what `credctl run` gives the command and what comes out of it: the base
 * URL next to the key, output masking as `op run` does it (piped output concealed, a terminal direct
 * unless --mask, --no-masking), binary output, exit codes and signals unchanged, one Ctrl-C reaching the
 * command once in a real terminal, the expired-credential warning, and a run before any vault exists.
 */
const KEY = 'sk-proj-CANARYrunout0123456789abcdefXYZ'
const PG_PW = 'CANARYpgSecret77'
const PG = `postgresql://app:${PG_PW}@db.internal:5432/warehouse`
const MARK = '<concealed by credctl>'

let t: ReturnType<typeof tempVault>
beforeEach(() => (t = tempVault('credctl-runout')))
afterEach(() => t.cleanup())

const create = async (args: string[], value: string) => expect((await runCli(['create', ...args, '--value-stdin'], { env: t.env, input: value })).code).toBe(0)
const node = (script: string) => [process.execPath, '-e', script]

/** credctl run with piped stdio, output as bytes. */
function runBytes(args: string[], env = t.env): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: Buffer; stderr: Buffer }> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [BIN, 'run', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    const err: Buffer[] = []
    c.stdout.on('data', (d: Buffer) => out.push(d))
    c.stderr.on('data', (d: Buffer) => err.push(d))
    c.on('error', reject)
    c.on('close', (code, signal) => resolve({ code, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err) }))
  })
}

describe('credctl run: the base URL travels with its key', () => {
  it("sets the SDK's base-URL variable from the credential, and --dry-run shows it", async () => {
    await create(['--name', 'gateway', '--type', 'openai', '--base-url', 'https://llm-gateway.example.com/openai/v1'], KEY)
    await create(['--name', 'claude', '--type', 'anthropic'], 'sk-ant-api03-CANARYnoBase0123456789abcdef')
    const r = await runCli(['run', '--no-masking', '--', ...node('console.log(JSON.stringify([process.env.OPENAI_BASE_URL, process.env.ANTHROPIC_BASE_URL ?? null, process.env.OPENAI_API_KEY === process.env.K]))')], {
      env: { ...t.env, K: KEY },
    })
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual(['https://llm-gateway.example.com/openai/v1', null, true])
    const dry = await runCli(['run', '--dry-run', '--json'], { env: t.env })
    expect(JSON.parse(dry.stdout).base_urls).toEqual([expect.objectContaining({ variable: 'OPENAI_BASE_URL', name: 'gateway', url: 'https://llm-gateway.example.com/openai/v1' })])
    const types = JSON.parse((await runCli(['types', '--json'], { env: t.env })).stdout) as { type: string; base_url_env: string[] }[]
    expect(types.find((x) => x.type === 'anthropic')?.base_url_env).toEqual(['ANTHROPIC_BASE_URL'])
    expect((await runCli(['types'], { env: t.env })).stdout).toMatch(/^openai\t.*\tOPENAI_API_KEY\tOPENAI_BASE_URL$/m)
  })
})

describe('credctl run: output masking', () => {
  beforeEach(async () => {
    await create(['--name', 'main', '--type', 'openai'], KEY)
    await create(['--name', 'wh', '--type', 'postgresql'], PG)
  })

  it('conceals every injected secret in piped stdout and stderr, also split across writes; the rest and the exit code pass', async () => {
    // The key is written one character per write, with pauses, on stdout; the URL on stderr.
    const script = `
      const k = process.env.OPENAI_API_KEY
      ;(async () => {
        process.stdout.write('key=')
        for (const ch of k) { process.stdout.write(ch); await new Promise((r) => setTimeout(r, 2)) }
        process.stdout.write('\\nend\\n')
        process.stderr.write('db=' + process.env.DATABASE_URL + '\\n')
        process.exitCode = 7
      })()`
    const r = await runBytes(['--', ...node(script)])
    expect(r.code).toBe(7)
    expect(r.stdout.toString()).toBe(`key=${MARK}\nend\n`)
    // The password goes; the host and database stay readable.
    expect(r.stderr.toString()).toBe(`db=postgresql://app:${MARK}@db.internal:5432/warehouse\n`)
    assertNoLeak([KEY, PG_PW], [r.stdout.toString(), r.stderr.toString()])
  })

  it('--no-masking passes the output as it is', async () => {
    const r = await runBytes(['--no-masking', '--', ...node('console.log(process.env.OPENAI_API_KEY)')])
    expect(r.stdout.toString()).toBe(`${KEY}\n`)
    expect((await runCli(['run', '--mask', '--no-masking', '--', 'true'], { env: t.env })).code).toBe(2)
  })

  it('binary output passes byte for byte (10 MB, with the secret concealed where it is)', async () => {
    const blob = randomBytes(10 * 1024 * 1024)
    const file = path.join(t.dir, 'blob.bin')
    writeFileSync(file, blob)
    const r = await runBytes(['--', 'cat', file])
    expect(r.code).toBe(0)
    expect(r.stdout.equals(blob)).toBe(true)
    const mixed = Buffer.concat([blob.subarray(0, 5000), Buffer.from(KEY), blob.subarray(5000, 9000)])
    writeFileSync(file, mixed)
    const m = await runBytes(['--', 'cat', file])
    expect(m.stdout.equals(Buffer.concat([blob.subarray(0, 5000), Buffer.from(MARK), blob.subarray(5000, 9000)]))).toBe(true)
  })

  it('passes signals through: a command ended by a signal gives 128+n; a closed pipe ends it as without credctl', async () => {
    expect((await runBytes(['--', ...node("process.kill(process.pid, 'SIGTERM')")])).code).toBe(143)
    // `credctl run -- yes | head -c 4`: yes meets the closed pipe (SIGPIPE), and credctl reports 141 as a shell would.
    const piped = await new Promise<{ code: number; out: string }>((resolve) => {
      const c = spawn('bash', ['-c', `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} run -- yes | head -c 4; exit \${PIPESTATUS[0]}`], { env: t.env })
      let out = ''
      c.stdout.on('data', (d) => (out += d))
      c.on('close', (code) => resolve({ code: code ?? -1, out }))
    })
    expect(piped).toEqual({ code: 141, out: 'y\ny\n' })
  })

  it('without a terminal, a SIGINT sent to credctl (a supervisor, a CI cancel) reaches the command once', async () => {
    const c = spawn(process.execPath, [BIN, 'run', '--', ...node(COUNT_SIGINTS)], { env: t.env, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    c.stdout.on('data', (d) => (out += d))
    await until(() => out.includes('ready'))
    c.kill('SIGINT')
    const code = await new Promise<number | null>((r) => c.on('close', r))
    expect(out).toContain('SIGINTS=1')
    expect(code).toBe(0)
  })
})

/** A command that shuts down gracefully on the first SIGINT and says how many it got. */
const COUNT_SIGINTS = `let n = 0
process.on('SIGINT', () => { if (++n === 1) setTimeout(() => { console.log('SIGINTS=' + n); process.exit(0) }, 800) })
console.log('ready'); setInterval(() => {}, 1000)`

async function until(ok: () => boolean, ms = 15_000) {
  const end = Date.now() + ms
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out')
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe('credctl run: warnings and a new CI job', () => {
  it('warns on stderr, once per credential and before the command runs, when it injects an expired one', async () => {
    await create(['--name', 'old', '--type', 'openai', '--expires', '2021-03-04'], KEY)
    const r = await runCli(['run', '--', ...node("console.error('command ran')")], { env: t.env })
    expect(r.code).toBe(0)
    expect(r.stderr).toBe('warning: "old" (openai), injected as OPENAI_API_KEY, expired on 2021-03-04; rotate it with: credctl update "old" --value-stdin\ncommand ran\n')
  })

  it('with no vault, no history, no key and no keychain, runs the command with a one-line notice and creates nothing', async () => {
    const env: Record<string, string> = { PATH: t.env.PATH!, HOME: t.dir, XDG_DATA_HOME: path.join(t.dir, 'data'), XDG_CONFIG_HOME: path.join(t.dir, 'config'), NO_COLOR: '1' }
    const r = await runCli(['run', '--', ...node('console.log("ran")')], { env })
    expect(r).toMatchObject({ code: 0, stdout: 'ran\n' })
    expect(r.stderr).toMatch(/^notice: no vault yet at \S+: node runs with nothing injected \(add credentials with `credctl create`\)\n$/)
    expect(existsSync(path.join(t.dir, 'data'))).toBe(false)
    expect(existsSync(path.join(t.dir, 'config'))).toBe(false)
  })
})

describe.skipIf(!hasTmux)('credctl run on a real terminal (tmux)', () => {
  let term: TmuxTerminal
  beforeEach(async () => {
    term = new TmuxTerminal()
    await create(['--name', 'main', '--type', 'openai'], KEY)
  })
  afterEach(() => term.close())
  const credctl = (args: string[]) => [process.execPath, BIN, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')

  it('one Ctrl-C reaches the command once (the terminal signals the whole group); credctl exits with its code', async () => {
    const script = path.join(t.dir, 'count.js')
    writeFileSync(script, COUNT_SIGINTS)
    // The pane's shell is in the group too: a trap keeps it alive to report the exit code (a handler,
    // unlike an ignored signal, is not inherited by credctl and the command).
    term.start(["trap 'echo shell-got-INT' INT", credctl(['run', '--', process.execPath, script])], t.env)
    await term.waitFor(/^ready$/m)
    term.keys('C-c')
    const screen = await term.waitFor(/EXIT:\d+/)
    expect(screen).toMatch(/SIGINTS=1/)
    expect(await term.exitCode()).toBe(0)
  })

  it('the terminal gets the command directly (it sees a TTY); --mask conceals there too', async () => {
    term.start([credctl(['run', '--', ...node('console.log("tty=" + !!process.stdout.isTTY)')])], t.env)
    expect(await term.waitFor(/EXIT:\d+/)).toMatch(/tty=true/)
    const out = path.join(t.dir, 'screen.txt')
    term.start([credctl(['run', '--mask', '--', ...node('console.log("tty=" + !!process.stdout.isTTY, process.env.OPENAI_API_KEY)')])], t.env)
    const screen = await term.waitFor(/EXIT:\d+/)
    writeFileSync(out, screen)
    expect(screen).toContain(`tty=false ${MARK}`)
    assertNoLeak([KEY], [readFileSync(out, 'utf8')])
  })
})

describe('credctl run: security review F3, F4, F6, F7, F10', () => {
  it('F3: conceals a Google-issued key file (\\u003d, \\/) read by the command, and a PEM api_key printed JSON-escaped', async () => {
    const key = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg+CANARYsa/key==\n-----END PRIVATE KEY-----\n'
    const sa = `{"type": "service_account", "project_id": "p", "private_key_id": "abc", "private_key": ${JSON.stringify(key).replace(/=/g, '\\u003d').replace(/\//g, '\\/')}, "client_email": "ci@p.iam.gserviceaccount.com", "client_id": "1", "token_uri": "https://oauth2.googleapis.com/token"}\n`
    await create(['--name', 'bq', '--type', 'bigquery'], sa)
    const r = await runBytes(['--only', 'bigquery', '--', 'sh', '-c', 'cat "$GOOGLE_APPLICATION_CREDENTIALS"'])
    expect(r.code).toBe(0)
    expect(r.stdout.toString()).toContain(MARK)
    assertNoLeak(['CANARYsa'], [r.stdout.toString(), r.stderr.toString()])
    const pem = '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE+CANARYpem/xyz=\n-----END EC PRIVATE KEY-----'
    await create(['--name', 'pemkey', '--type', 'api_key'], pem)
    const j = await runBytes(['--env', 'PEM_KEY=pemkey', '--', ...node('console.log(JSON.stringify(process.env))')])
    expect(j.code).toBe(0)
    assertNoLeak(['CANARYpem'], [j.stdout.toString(), j.stderr.toString()])
  })

  it('F4: an env file literal base URL for an injected key must be https (or loopback) without userinfo', async () => {
    await create(['--name', 'main', '--type', 'openai'], KEY)
    const bad = path.join(t.dir, 'bad.env')
    writeFileSync(bad, '# gateway\nOPENAI_BASE_URL=http://evil.example:8080/v1\n')
    for (const args of [['--dotenv', bad, '--', 'true'], ['--dotenv', bad, '--dry-run']]) {
      const r = await runCli(['run', ...args], { env: t.env })
      expect(r.code).toBe(2)
      expect(r.stderr).toContain(`${bad}:2:`)
      expect(r.stderr).toContain('OPENAI_BASE_URL')
    }
    writeFileSync(bad, 'OPENAI_BASE_URL=https://user:pw@gw.example/v1\n')
    expect((await runCli(['run', '--dotenv', bad, '--', 'true'], { env: t.env })).code).toBe(2)
    const good = path.join(t.dir, 'good.env')
    writeFileSync(good, 'OPENAI_BASE_URL=https://gw.example/v1\n')
    const dry = await runCli(['run', '--dotenv', good, '--dry-run', '--json'], { env: t.env })
    expect(dry.code).toBe(0)
    expect(JSON.parse(dry.stdout).base_urls).toEqual([expect.objectContaining({ variable: 'OPENAI_BASE_URL', name: 'main', url: 'https://gw.example/v1', source: `${good}:1` })])
    writeFileSync(good, 'OPENAI_BASE_URL=http://127.0.0.1:4000/v1\n')
    expect((await runCli(['run', '--no-masking', '--dotenv', good, '--', 'true'], { env: t.env })).code).toBe(0)
  })

  it('F6: --dry-run masks secret-looking literals as a key is and shows configuration as written', async () => {
    const f = path.join(t.dir, 'lit.env')
    const hook = 'https://hooks.slack.com/services/T0CANARY/B0CANARY/CANARYslackXYZ0123456789'
    const gh = 'https://ghp_CANARYgithubToken0123456789abcdef@github.com/org/repo.git'
    const dsn = 'https://CANARYsentry0123456789abcdef@o1.ingest.sentry.io/42'
    writeFileSync(f, `SLACK_WEBHOOK_URL=${hook}\nREPO_URL=${gh}\nSENTRY_DSN=${dsn}\nLOG_LEVEL=debug\n`)
    for (const json of [false, true]) {
      const r = await runCli(['run', '--no-defaults', '--dotenv', f, '--dry-run', ...(json ? ['--json'] : [])], { env: t.env })
      expect(r.code).toBe(0)
      assertNoLeak(['CANARY'], [r.stdout, r.stderr])
      expect(r.stdout).toContain('debug')
    }
  })

  it('F7: a background process holding the output pipe does not keep run waiting; the exit code is the child’s', async () => {
    await create(['--name', 'main', '--type', 'openai'], KEY)
    const started = Date.now()
    const r = await runBytes(['--', 'sh', '-c', 'echo "$OPENAI_API_KEY"; (sleep 20 &); exit 3'])
    expect(Date.now() - started).toBeLessThan(5000)
    expect(r.code).toBe(3)
    expect(r.stdout.toString()).toBe(`${MARK}\n`)
  })

  it('F10: a NUL in an env-file value is refused by line; a too large environment is one line, exit 2; no value echoed', async () => {
    const f = path.join(t.dir, 'nul.env')
    writeFileSync(f, 'OK=1\nAPI_SECRET=sk_live_CANARY\0x\n')
    const r = await runCli(['run', '--dotenv', f, '--', 'true'], { env: t.env })
    expect(r.code).toBe(2)
    expect(r.stderr).toContain(`${f}:2:`)
    expect(r.stderr).not.toMatch(/internal error/)
    assertNoLeak(['CANARY'], [r.stdout, r.stderr])
    writeFileSync(f, `BIG_VALUE=CANARY${'a'.repeat(200_000)}\n`)
    const big = await runCli(['run', '--dotenv', f, '--', 'true'], { env: t.env })
    expect(big.code).toBe(2)
    expect(big.stderr.trim().split('\n')).toHaveLength(1)
    expect(big.stderr).toMatch(/the environment and arguments are too large for the system \(\d+ bytes\)/)
    assertNoLeak(['CANARY'], [big.stdout, big.stderr])
  })
})
