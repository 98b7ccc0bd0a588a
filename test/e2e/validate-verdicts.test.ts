import { randomBytes } from 'node:crypto'
import { spawn, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertNoLeak, BIN, runCli, tempVault } from '../helpers/cli.js'
import { startServer, type TestServer } from '../helpers/http-server.js'
import { CAPTIVE_PORTAL, cloudflarePage, ERROR, refusal, SUCCESS } from '../helpers/provider-answers.js'

/**
 * Issue 11 from the built CLI: the exit code and stored verdict of an exhausted account (1), an edge's HTML
 * answer (5, the earlier verdict kept), a captive portal (1, error, kept), `--expect` on an api_key, and
 * `validate --all`'s progress line: on a terminal only (a real pseudo-terminal from util-linux `script`).
 */
const hasScript = spawnSync('script', ['--version']).status === 0

describe('credctl validate: verdicts from the provider\'s own answer (built CLI)', () => {
  const v = tempVault('credctl-verdicts')
  const keys: string[] = []
  const outputs: string[] = []
  let server: TestServer
  /** What the server answers next, per route (first path segment). */
  const answer = new Map<string, () => { status: number; body?: unknown; headers?: Record<string, string>; delayMs?: number } | 'hang'>()

  const cli = async (args: string[], input?: string) => {
    const r = await runCli(args, { env: v.env, ...(input !== undefined ? { input } : {}) })
    outputs.push(r.stdout, r.stderr)
    return r
  }
  const create = async (name: string, type: string, route: string, extra: string[] = []) => {
    const key = `sk-canary-${randomBytes(16).toString('hex')}`
    keys.push(key)
    const r = await cli(['create', '--name', name, '--type', type, '--base-url', `${server.url}/${route}/v1`, '--value-stdin', ...extra], key)
    expect(r.code, r.stderr).toBe(0)
    return key
  }
  const json = (r: { stdout: string }) => JSON.parse(r.stdout) as { status: string; is_valid: boolean | null; message: string }

  beforeAll(async () => {
    server = await startServer((req) => (answer.get(req.path.split('/')[1] ?? '') ?? (() => ({ status: 404 })))())
  })
  afterAll(async () => {
    assertNoLeak(keys, outputs, v.dir)
    await server.close()
    v.cleanup()
  })

  it('OpenAI 429 insufficient_quota is exhausted: exit 1, is_valid false, and the message says to top up', async () => {
    await create('quota', 'openai', 'quota')
    answer.set('quota', () => ({ status: 429, body: ERROR.openai!('You exceeded your current quota, please check your plan and billing details.', 'insufficient_quota') }))
    const r = await cli(['validate', 'quota', '--json'])
    expect(r.code).toBe(1)
    expect(json(r)).toMatchObject({ status: 'exhausted', is_valid: false, message: expect.stringMatching(/insufficient_quota.*Next: top up the account.*do not rotate/) })
  })

  it('an edge\'s HTML 429 does not turn a refused key valid: exit 5, is_valid stays false', async () => {
    const key = await create('edge', 'openai', 'edge')
    answer.set('edge', () => ({ status: 401, body: refusal('openai', 401, key) }))
    expect((await cli(['validate', 'edge'])).code).toBe(1)
    answer.set('edge', () => ({ status: 429, body: cloudflarePage(429), headers: { server: 'cloudflare' } }))
    const r = await cli(['validate', 'edge', '--json'])
    expect(r.code).toBe(5)
    expect(json(r)).toMatchObject({ status: 'unreachable', is_valid: false, message: expect.stringMatching(/not OpenAI's answer: an HTML page \(server: cloudflare\)/) })
  })

  it('a captive portal\'s 200 page is not valid: exit 1, error, the stored verdict unchanged', async () => {
    await create('portal', 'anthropic', 'portal')
    answer.set('portal', () => ({ status: 200, body: CAPTIVE_PORTAL }))
    const r = await cli(['validate', 'portal', '--json'])
    expect(r.code).toBe(1)
    expect(json(r)).toMatchObject({ status: 'error', is_valid: null, message: expect.stringMatching(/captive portal.*sign in to the network/) })
  })

  it('Anthropic 529 overloaded_error is unreachable: exit 5', async () => {
    await create('busy', 'anthropic', 'busy')
    answer.set('busy', () => ({ status: 529, body: ERROR.anthropic!('Overloaded', 'overloaded_error') }))
    const r = await cli(['validate', 'busy', '--json'])
    expect(r.code).toBe(5)
    expect(json(r)).toMatchObject({ status: 'unreachable', is_valid: null })
  })

  it('api_key --expect FIELD=VALUE: the 200 body must meet it; update --expect \'\' clears it', async () => {
    const key = `ak-${randomBytes(12).toString('hex')}`
    keys.push(key)
    answer.set('svc', () => ({ status: 200, body: { ok: true, account: { state: 'suspended' } } }))
    const made = await cli(['create', '--name', 'svc', '--type', 'api_key', '--check-url', `${server.url}/svc/me`, '--expect', 'account.state=active', '--value-stdin'], key)
    expect(made.code, made.stderr).toBe(0)
    const r = await cli(['validate', 'svc', '--json'])
    expect(r.code).toBe(1)
    expect(json(r)).toMatchObject({ status: 'invalid', message: expect.stringMatching(/does not meet the expectation account\.state=active/) })
    expect((await cli(['update', 'svc', '--expect', ''])).code).toBe(0)
    expect((await cli(['validate', 'svc'])).code).toBe(0)
    const bad = await cli(['update', 'svc', '--expect', 'no-equals'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/invalid --expect: expected FIELD=VALUE/)
  })

  describe('validate --all progress (a vault of its own: three valid credentials, one slow)', () => {
    const pv = tempVault('credctl-progress')
    const pcli = async (args: string[], input?: string) => {
      const r = await runCli(args, { env: pv.env, ...(input !== undefined ? { input } : {}) })
      outputs.push(r.stdout, r.stderr)
      return r
    }
    beforeAll(async () => {
      for (const t of ['openai', 'groq', 'mistral']) {
        const key = `sk-canary-${randomBytes(16).toString('hex')}`
        keys.push(key)
        const r = await pcli(['create', '--name', `p-${t}`, '--type', t, '--base-url', `${server.url}/p${t}/v1`, '--value-stdin'], key)
        expect(r.code, r.stderr).toBe(0)
        answer.set(`p${t}`, () => ({ status: 200, body: SUCCESS[t], delayMs: t === 'groq' ? 2500 : 50 }))
      }
    })
    afterAll(() => {
      assertNoLeak(keys, outputs, pv.dir)
      pv.cleanup()
    })

    it('without a terminal: nothing on stderr, only the results on stdout', async () => {
      const all = await pcli(['validate', '--all', '--json'])
      expect(all.code, all.stderr).toBe(0)
      expect(all.stderr).toBe('')
      expect(JSON.parse(all.stdout)).toHaveLength(3)
    })

    it.skipIf(!hasScript)('on a terminal: done/total and the slowest still running, on stderr, then cleared', async () => {
      const out = path.join(pv.dir, 'results.json')
      const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`
      // `script` gives the CLI a real pseudo-terminal; stdout goes to a file, so the terminal shows stderr only.
      const cmd = `${q(process.execPath)} ${q(BIN)} validate --all --concurrency 1 --json > ${q(out)}`
      // Asynchronously: the local server in this process must keep answering while the CLI runs.
      const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn('script', ['-qfec', cmd, '/dev/null'], { env: { ...process.env, ...pv.env, TERM: 'xterm' } })
        let stdout = ''
        let stderr = ''
        child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')))
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')))
        const kill = setTimeout(() => child.kill('SIGKILL'), 30_000)
        child.on('close', (status) => {
          clearTimeout(kill)
          resolve({ status, stdout, stderr })
        })
      })
      outputs.push(r.stdout, r.stderr)
      expect(r.status, r.stdout + r.stderr).toBe(0)
      const screen = r.stdout
      expect(screen).toMatch(/validating 0\/3… slowest: p-\w+ \(0\.0 s\)/)
      // The groq check answers after 2.5 s: the line redraws every second with it as the slowest.
      expect(screen).toMatch(/validating 1\/3… slowest: p-groq \([12]\.\d s\)/)
      expect(screen).toMatch(/validating 3\/3/)
      expect(screen.endsWith('\r\x1b[K')).toBe(true)
      expect(JSON.parse(readFileSync(out, 'utf8'))).toHaveLength(3)
    })
  })
})
