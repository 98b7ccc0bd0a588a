import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { assertNoLeak, BIN, runCli, tempVault } from '../helpers/cli.js'

const OPENAI = 'sk-proj-CANARYrunE2E0123456789abcdefghijkl'
const AUDIO = 'sk-proj-CANARYaudioE2E0123456789abcdefghi'
const ANTHROPIC = 'sk-ant-CANARYrunE2E0123456789abcdefghijklm'
const PG = 'postgresql://app:CANARYpgpass@db.internal:5432/app'
const SA = JSON.stringify({ type: 'service_account', client_email: 'ci@proj.iam.gserviceaccount.com', private_key: '-----BEGIN PRIVATE KEY-----\nCANARYsa\n-----END PRIVATE KEY-----\n' })
const SECRETS = [OPENAI, AUDIO, ANTHROPIC, 'CANARYpgpass', 'CANARYsa']
const sha = (s: string) => createHash('sha256').update(s).digest('hex')

let t: ReturnType<typeof tempVault>
beforeEach(() => (t = tempVault('credctl-run')))
afterEach(() => t.cleanup())

const outputs: string[] = []
const cli = async (args: string[], input?: string, extra: Record<string, string> = {}) => {
  const r = await runCli(args, { env: { ...t.env, ...extra }, ...(input !== undefined ? { input } : {}) })
  outputs.push(r.stdout, r.stderr)
  return r
}
const create = async (name: string, type: string, value: string) => expect((await cli(['create', '--name', name, '--type', type, '--value-stdin'], value)).code).toBe(0)

/** A node script as CMD: prints a JSON report of what it received (hashes, never values). */
const REPORT = `
const crypto = require('node:crypto'), fs = require('node:fs')
const h = (s) => s === undefined ? null : crypto.createHash('sha256').update(s).digest('hex')
const gac = process.env.GOOGLE_APPLICATION_CREDENTIALS
console.log(JSON.stringify({
  OPENAI_API_KEY: h(process.env.OPENAI_API_KEY), ANTHROPIC_API_KEY: h(process.env.ANTHROPIC_API_KEY),
  DATABASE_URL: h(process.env.DATABASE_URL), POSTGRES_URL: h(process.env.POSTGRES_URL), MYKEY: h(process.env.MYKEY),
  credctl: Object.keys(process.env).filter((k) => /^credctl_/i.test(k)), HOME: process.env.HOME,
  gac: gac ? { path: gac, mode: (fs.statSync(gac).mode & 0o777).toString(8), dirMode: (fs.statSync(require('node:path').dirname(gac)).mode & 0o777).toString(8), sha: h(fs.readFileSync(gac, 'utf8')) } : null,
  args: process.argv.slice(1),
}))`

describe('credctl run (built CLI, no TTY)', () => {
  afterEach(() => {
    assertNoLeak(SECRETS, outputs.splice(0), t.dir)
  })

  it('injects each default under its conventional variables, scrubs CREDCTL_*, passes args and exit code', async () => {
    await create('OpenAI Prod', 'openai', OPENAI)
    await create('OpenAI Audio', 'openai_audio', AUDIO)
    await create('Claude', 'anthropic', ANTHROPIC)
    await create('warehouse', 'postgresql', PG)
    await create('bq', 'bigquery', SA)
    const r = await cli(['run', '--', process.execPath, '-e', REPORT, 'a b', '--json'], undefined, { CREDCTL_PASSPHRASE: 'x', CREDCTL_EXPORT_PASSPHRASE: 'y' })
    expect(r.code).toBe(0)
    const rep = JSON.parse(r.stdout) as Record<string, unknown> & { gac: { path: string; mode: string; dirMode: string; sha: string }; args: string[] }
    expect(rep).toMatchObject({
      OPENAI_API_KEY: sha(OPENAI), // openai beats openai_audio
      ANTHROPIC_API_KEY: sha(ANTHROPIC),
      DATABASE_URL: sha(PG),
      POSTGRES_URL: sha(PG),
      MYKEY: null,
      credctl: [],
      HOME: t.dir,
      args: ['a b', '--json'],
    })
    expect(rep.gac).toMatchObject({ mode: '600', dirMode: '700', sha: sha(SA) })
    expect(existsSync(rep.gac.path)).toBe(false) // removed when the command ended

    // --env picks another credential for a variable; --only narrows the defaults.
    const r2 = await cli(['run', '--only', 'anthropic', '--env', 'OPENAI_API_KEY=OpenAI Audio', '--env', 'MYKEY=Claude', '--', process.execPath, '-e', REPORT])
    expect(JSON.parse(r2.stdout)).toMatchObject({ OPENAI_API_KEY: sha(AUDIO), ANTHROPIC_API_KEY: sha(ANTHROPIC), MYKEY: sha(ANTHROPIC), DATABASE_URL: null, gac: null })

    expect((await cli(['run', '--', process.execPath, '-e', 'process.exit(7)'])).code).toBe(7)
    const missing = await cli(['run', '--', 'credctl-no-such-command'])
    expect(missing).toMatchObject({ code: 127, stderr: 'credctl: command not found: credctl-no-such-command\n' })
  })

  it('passes stdin and stdout through', async () => {
    await create('OpenAI Prod', 'openai', OPENAI)
    const r = await cli(['run', '--', process.execPath, '-e', 'process.stdin.pipe(process.stdout)'], 'line 1\nline 2\n')
    expect(r).toMatchObject({ code: 0, stdout: 'line 1\nline 2\n', stderr: '' })
  })

  it('never injects a soft-deleted credential', async () => {
    await create('Claude', 'anthropic', ANTHROPIC)
    expect((await cli(['delete', 'Claude'])).code).toBe(0)
    const r = await cli(['run', '--', process.execPath, '-e', REPORT])
    expect(JSON.parse(r.stdout)).toMatchObject({ ANTHROPIC_API_KEY: null })
    expect(r.stderr).toContain('no credential was injected')
    const byEnv = await cli(['run', '--env', 'X=Claude', '--', 'true'])
    expect(byEnv.code).toBe(3)
    expect(byEnv.stderr).toMatch(/deleted credentials are never injected/)
    expect((await cli(['run', '--only', 'anthropic', '--', 'true'])).code).toBe(3)
  })

  it('--dry-run lists variables with masked values only and runs nothing', async () => {
    await create('OpenAI Prod', 'openai', OPENAI)
    await create('OpenAI Audio', 'openai_audio', AUDIO)
    await create('bq', 'bigquery', SA)
    const r = await cli(['run', '--dry-run', '--json', '--', 'touch', `${t.dir}/ran`])
    expect(r.code).toBe(0)
    const out = JSON.parse(r.stdout) as { variables: Record<string, unknown>[]; shadowed: Record<string, unknown>[] }
    expect(out.variables.map((v) => [v.variable, v.name, v.masked_content])).toEqual([
      ['OPENAI_API_KEY', 'OpenAI Prod', 'sk-pr...ijkl'],
      ['GOOGLE_APPLICATION_CREDENTIALS', 'bq', 'service account ci@proj.iam.gserviceaccount.com'],
    ])
    expect(out.shadowed).toEqual([expect.objectContaining({ variable: 'OPENAI_API_KEY', name: 'OpenAI Audio', set_by: 'OpenAI Prod' })])
    expect(existsSync(`${t.dir}/ran`)).toBe(false)
    const tsv = await cli(['run', '--dry-run'])
    expect(tsv.stdout.split('\n')[0]).toBe('OPENAI_API_KEY\tOpenAI Prod\topenai\tsk-pr...ijkl\tdefault')
    expect(tsv.stderr).toContain('OPENAI_API_KEY: not from the default openai_audio "OpenAI Audio"')
  })

  it('records every run in history (variables and program, never a value)', async () => {
    await create('OpenAI Prod', 'openai', OPENAI)
    await cli(['run', '--', 'true'])
    const hist = JSON.parse((await cli(['history', '--json'])).stdout) as Record<string, unknown>[]
    expect(hist.at(-1)).toMatchObject({ action: 'run', credentials: [{ name: 'OpenAI Prod', type: 'openai' }], outcome: 'ok', detail: 'true: OPENAI_API_KEY' })
    expect(readFileSync(t.vault.replace(/vault\.json$/, 'vault.history.jsonl'), 'utf8')).not.toContain(OPENAI)
  })

  it('refuses bad input with one line and exit 2, before running anything', async () => {
    await create('OpenAI Prod', 'openai', OPENAI)
    const cases: [string[], RegExp][] = [
      [['run'], /missing the command to run/],
      [['run', '--env', 'NOEQUALS', '--', 'true'], /invalid --env "NOEQUALS"/],
      [['run', '--env', 'CREDCTL_MASTER_KEY=OpenAI Prod', '--', 'true'], /never passed to the command/],
      [['run', '--env', 'PATH=OpenAI Prod', '--', 'true'], /--env PATH: PATH changes how programs are loaded or found/],
      [['run', '--env', 'LD_PRELOAD=OpenAI Prod', '--', 'true'], /--env LD_PRELOAD: .*loaded or found/],
      [['run', '--env', 'NODE_OPTIONS=OpenAI Prod', '--', 'true'], /--env NODE_OPTIONS: .*loaded or found/],
      [['run', '--only', 'nope', '--', 'true'], /Allowed choices/],
    ]
    for (const [args, re] of cases) {
      const r = await cli(args)
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stderr).toMatch(re)
      expect(r.stdout).toBe('')
    }
  })
})

describe('credctl run: signals', () => {
  /** Start `credctl run -- node -e script`, wait for "ready", send `signal` to credctl itself. */
  const signalled = (script: string, signal: NodeJS.Signals) =>
    new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, 'run', '--', process.execPath, '-e', script], { env: t.env, stdio: ['ignore', 'pipe', 'pipe'] })
      let stdout = ''
      let sent = false
      const timer = setTimeout(() => {
        child.kill('SIGKILL')
        reject(new Error(`no exit; stdout: ${stdout}`))
      }, 20_000)
      child.stdout.on('data', (d: Buffer) => {
        stdout += d
        // Once: this used to signal again on every later chunk ("got SIGTERM" included), and a second
        // signal landing after credctl had dropped its handlers killed it (the flake, and the bug that
        // left key files behind; see run-leftovers.test.ts).
        if (!sent && stdout.includes('ready')) {
          sent = true
          child.kill(signal)
        }
      })
      child.on('close', (code) => {
        clearTimeout(timer)
        resolve({ code, stdout })
      })
    })

  it('forwards SIGTERM and SIGINT to the command and exits with its code', async () => {
    await runCli(['create', '--name', 'k', '--type', 'openai', '--value-stdin'], { env: t.env, input: OPENAI })
    for (const sig of ['SIGTERM', 'SIGINT'] as const) {
      const r = await signalled(`process.on('${sig}', () => { console.log('got ${sig}'); process.exit(42) }); console.log('ready'); setInterval(() => {}, 1000)`, sig)
      expect(r.stdout).toContain(`got ${sig}`)
      expect(r.code).toBe(42)
    }
  })

  it('exits 128+n when the command dies of the forwarded signal, and removes its temporary files', async () => {
    await runCli(['create', '--name', 'bq', '--type', 'bigquery', '--value-stdin'], { env: t.env, input: SA })
    const r = await signalled(`console.log(process.env.GOOGLE_APPLICATION_CREDENTIALS); console.log('ready'); setInterval(() => {}, 1000)`, 'SIGTERM')
    expect(r.code).toBe(143)
    const file = r.stdout.split('\n')[0]!
    expect(file).toMatch(/credctl-run-/)
    expect(existsSync(file)).toBe(false)
  })
})
