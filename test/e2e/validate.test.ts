import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SUCCESS } from '../helpers/provider-answers.js'
import { ref } from '../helpers/reference.js'
import { assertNoLeak, runCli, tempVault } from '../helpers/cli.js'
import { closedPort, shapeMismatches, startServer, type RecordedRequest, type TestServer } from '../helpers/http-server.js'

/**
 * `credctl validate` from the built CLI (run `npm run build` first) against a real local server standing
 * in for several providers: exit codes 0/1/5/2, the table and --json, stored verdicts, --all with
 * --concurrency, and no key anywhere in any output or file.
 */

/** The route (first path segment of the base URL) decides the answer; the rest is the provider's path. */
const ANSWERS: Record<string, (req: RecordedRequest, type: string) => { status: number; body?: unknown } | 'hang'> = {
  // Each provider's own documented success body (test/helpers/provider-answers.ts).
  ok: (_req, type) => ({ status: 200, body: SUCCESS[type] }),
  // OpenAI echoes the key it refuses.
  bad: (req) => ({ status: 401, body: { error: { message: `Incorrect API key provided: ${(req.headers.authorization ?? req.headers['x-api-key'] ?? '').replace(/^\w+ /, '')}.`, code: 'invalid_api_key' } } }),
  scope: () => ({ status: 401, body: { error: { message: 'You have insufficient permissions for this operation. Missing scopes: api.model.read.', code: 'missing_scope' } } }),
  // Deepgram's and Mistral's own error shapes.
  limited: () => ({ status: 429, body: { err_code: 'TOO_MANY_REQUESTS', err_msg: 'Rate limit reached', request_id: 'r1' } }),
  boom: () => ({ status: 500, body: { message: 'internal', request_id: 'r2' } }),
  slow: () => 'hang',
}

describe('credctl validate (built CLI)', () => {
  const v = tempVault('credctl-validate')
  const keys = new Map<string, { type: string; key: string; route: string }>()
  const outputs: string[] = []
  const purged: string[] = []
  let server: TestServer
  let deadPort: number

  const cli = async (args: string[], input?: string) => {
    const r = await runCli(args, { env: v.env, ...(input !== undefined ? { input } : {}) })
    outputs.push(r.stdout, r.stderr)
    return r
  }
  const create = async (name: string, type: string, route: string, extra: string[] = []) => {
    const key = `sk-canary-${randomBytes(16).toString('hex')}`
    keys.set(name, { type, key, route })
    const base = route === 'dead' ? `http://127.0.0.1:${deadPort}` : `${server.url}/${route}${new URL(ref(type).base_url).pathname.replace(/\/+$/, '')}`
    const r = await cli(['create', '--name', name, '--type', type, '--base-url', base, '--value-stdin', ...extra], key)
    expect(r.code, r.stderr).toBe(0)
  }

  beforeAll(async () => {
    server = await startServer((req) => {
      const route = req.path.split('/')[1] ?? ''
      const type = [...keys.values()].find((k) => Object.values(req.headers).some((h) => h.endsWith(k.key)))?.type ?? ''
      return (ANSWERS[route] ?? (() => ({ status: 404 })))(req, type)
    })
    deadPort = await closedPort()
    await create('openai-ok', 'openai', 'ok')
    await create('openai-bad', 'openai', 'bad')
    await create('openai-scoped', 'openai', 'scope')
    await create('anthropic-ok', 'anthropic', 'ok')
    await create('cohere-ok', 'cohere', 'ok')
    await create('deepgram-limited', 'deepgram', 'limited')
    await create('fal-ok', 'fal', 'ok')
    await create('pika-ok', 'pika', 'ok')
    await create('mistral-boom', 'mistral', 'boom')
    await create('groq-slow', 'groq', 'slow')
    await create('xai-dead', 'xai', 'dead')
  })

  afterAll(async () => {
    // Every request had the reference shape for its type (found by its unique key).
    for (const req of server.requests) {
      const hit = [...keys.values()].find((k) => Object.values(req.headers).some((h) => h.endsWith(k.key)))
      expect(hit).toBeDefined()
      const r = ref(hit!.type)
      const want = {
        method: r.method,
        path: `/${hit!.route}${new URL(r.base_url).pathname.replace(/\/+$/, '')}${r.path}`,
        query: r.query ?? {},
        headers: { [r.auth.header]: `${r.auth.scheme_prefix}${hit!.key}`, ...(r.extra_headers ?? {}) },
      }
      expect(shapeMismatches(req, want)).toEqual([])
    }
    assertNoLeak([...[...keys.values()].map((k) => k.key), ...purged], outputs, v.dir)
    await server.close()
    v.cleanup()
  })

  it('exit 0 for a valid key; the table row names the verdict', async () => {
    const r = await cli(['validate', 'openai-ok'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^openai-ok\topenai\tvalid\taccepted by 127\.0\.0\.1:\d+ \(HTTP 200\)\t\d+\.\d\ds$/m)
  })

  it('--json prints the safe representation plus status, message and time', async () => {
    const r = await cli(['validate', 'anthropic-ok', '--json'])
    expect(r.code, r.stderr).toBe(0)
    const j = JSON.parse(r.stdout) as Record<string, unknown>
    expect(j).toMatchObject({ name: 'anthropic-ok', type: 'anthropic', category: 'llm', is_valid: true, status: 'valid' })
    expect(j.validated_at).toMatch(/Z$/)
    expect(j.validation_message).toMatch(/^valid: accepted/)
    expect(typeof j.duration_ms).toBe('number')
    expect(j).not.toHaveProperty('value')
  })

  it('exit 1 for a refused key, with the echoed key redacted in output and storage', async () => {
    const r = await cli(['validate', 'openai-bad', '--json'])
    expect(r.code).toBe(1)
    const j = JSON.parse(r.stdout) as { status: string; is_valid: boolean; message: string }
    expect(j).toMatchObject({ status: 'invalid', is_valid: false })
    expect(j.message).toMatch(/^key refused \(HTTP 401 from 127\.0\.0\.1:\d+\): Incorrect API key provided: \*\*\*\*\. Next: rotate it/)
    const got = await cli(['get', 'openai-bad', '--json'])
    expect((JSON.parse(got.stdout) as { validation_message: string }).validation_message).toMatch(/^invalid: key refused/)
  })

  it('a restricted key is exit 0, is_valid true, with the reason', async () => {
    const r = await cli(['validate', 'openai-scoped', '--json'])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'restricted', is_valid: true, message: expect.stringMatching(/lacks a scope.*Missing scopes: api\.model\.read/) })
  })

  it('429 is a real key: exit 0', async () => {
    const r = await cli(['validate', 'deepgram-limited', '--json'])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'valid', message: expect.stringMatching(/rate limited/) })
  })

  it('exit 5 when the service never answers (--timeout 1) or the port is closed', async () => {
    const started = Date.now()
    const slow = await cli(['validate', 'groq-slow', '--timeout', '1', '--json'])
    expect(slow.code).toBe(5)
    expect(JSON.parse(slow.stdout)).toMatchObject({ status: 'timeout', message: 'no answer within 1 s. Next: try again, or allow more time with --timeout', is_valid: null })
    expect(Date.now() - started).toBeLessThan(5000)
    const dead = await cli(['validate', 'xai-dead', '--json'])
    expect(dead.code).toBe(5)
    expect(JSON.parse(dead.stdout)).toMatchObject({ status: 'unreachable', message: expect.stringMatching(/ECONNREFUSED/) })
  })

  it('a 500 is an error (exit 1) that leaves is_valid as it was', async () => {
    const r = await cli(['validate', 'mistral-boom', '--json'])
    expect(r.code).toBe(1)
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'error', is_valid: null, message: expect.stringMatching(/HTTP 500/) })
  })

  it('exit 2 when there is nothing to check: an api_key without a check URL, or --all matching nothing', async () => {
    const key = `plain-${randomBytes(12).toString('hex')}`
    keys.set('generic', { type: 'api_key', key, route: 'none' })
    expect((await cli(['create', '--name', 'generic', '--type', 'api_key', '--value-stdin'], key)).code).toBe(0)
    const r = await cli(['validate', 'generic'])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/nothing to check.*no check URL.*"generic"/)
    expect(r.stdout).toBe('')
    expect(JSON.parse((await cli(['get', 'generic', '--json'])).stdout)).toMatchObject({ is_valid: null })
    expect((await cli(['validate', '--all', '--type', 'luma'])).code).toBe(2)
    expect((await cli(['purge', 'generic', '--yes'])).code).toBe(0)
    keys.delete('generic')
    purged.push(key)
  })

  it('validate --all --category --concurrency checks everything in parallel and stores every verdict', async () => {
    const llm = await cli(['validate', '--all', '--type', 'openai', '--concurrency', '2', '--json'])
    expect(llm.code).toBe(1)
    expect((JSON.parse(llm.stdout) as { name: string; status: string }[]).map((x) => `${x.name}:${x.status}`).sort()).toEqual([
      'openai-bad:invalid',
      'openai-ok:valid',
      'openai-scoped:restricted',
    ])
    const images = await cli(['validate', '--all', '--category', 'image', '--concurrency', '3', '--json'])
    expect(images.code).toBe(0)
    const video = await cli(['validate', '--all', '--category', 'video', '--json'])
    expect(video.code).toBe(0)
    expect(JSON.parse(video.stdout)).toMatchObject([{ name: 'pika-ok', status: 'valid' }])
    expect((await cli(['validate', '--all', '--type', 'groq', '--timeout', '1'])).code).toBe(5)
    const all = await cli(['validate', '--all', '--concurrency', '16', '--timeout', '1', '--json'])
    expect(all.code).toBe(1)
    const results = JSON.parse(all.stdout) as { name: string; status: string }[]
    expect(results).toHaveLength(keys.size)
    const list = await cli(['list', '--json'])
    const byName = new Map((JSON.parse(list.stdout) as { name: string; is_valid: boolean | null; validated_at: string | null }[]).map((c) => [c.name, c]))
    expect(byName.get('openai-ok')).toMatchObject({ is_valid: true })
    expect(byName.get('openai-bad')).toMatchObject({ is_valid: false })
    expect(byName.get('groq-slow')).toMatchObject({ is_valid: null })
    for (const c of byName.values()) expect(c.validated_at).not.toBeNull()
  })

  it('--category and --type imply --all; with names they are a usage error; one history entry per verdict', async () => {
    const video = await cli(['validate', '--category', 'video', '--json'])
    expect(video.code, video.stderr).toBe(0)
    expect(JSON.parse(video.stdout)).toMatchObject([{ name: 'pika-ok', status: 'valid' }])
    const openai = await cli(['validate', '--type', 'openai', '--json'])
    expect(openai.code).toBe(1)
    expect(JSON.parse(openai.stdout)).toHaveLength(3)
    for (const args of [['validate', 'openai-ok', '--category', 'llm'], ['validate', 'openai-ok', '--type', 'openai'], ['validate']]) {
      const r = await cli(args)
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stderr.trim().split('\n')[0]).toMatch(/not both|name the credentials to validate/)
    }
    // The last validate (three openai credentials, three verdicts) is three entries, one per verdict.
    const hist = JSON.parse((await cli(['history', '--json', '--action', 'validate', '--limit', '3'])).stdout) as { outcome: string; credentials: { name: string }[] }[]
    expect(hist.map((e) => [e.outcome, e.credentials.map((c) => c.name)]).sort()).toEqual([
      ['invalid', ['openai-bad']],
      ['restricted', ['openai-scoped']],
      ['valid', ['openai-ok']],
    ])
  })
})
