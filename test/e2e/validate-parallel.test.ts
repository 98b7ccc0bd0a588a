import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClient } from '../../src/index.js'
import { assertNoLeak, runCli, tempVault } from '../helpers/cli.js'
import { startServer, type TestServer } from '../helpers/http-server.js'

/**
 * `validate --all` over 100 credentials whose service answers after 200 ms: the checks run in parallel,
 * `--concurrency` at a time (the server counts them), so the wall time is about ceil(100 / concurrency)
 * answers, not 100. The times are printed for information; bench/run.mjs measures them.
 */
const COUNT = 100
const DELAY = 200
const TYPES = ['openai', 'anthropic', 'groq', 'mistral', 'deepseek']

describe(`validate --all over ${COUNT} credentials answering after ${DELAY} ms`, () => {
  const v = tempVault('credctl-bench')
  const keys: string[] = []
  const outputs: string[] = []
  let server: TestServer

  beforeAll(async () => {
    // A model list every one of the five providers documents as its success body ({object:'list',data} or {data}).
    server = await startServer({ status: 200, body: { object: 'list', data: [] }, delayMs: DELAY })
    // Created through the SDK (same vault, same env key): 100 CLI spawns would only measure spawning.
    const client = createClient({ vault: v.vault, env: { CREDCTL_MASTER_KEY: v.key } })
    for (let i = 0; i < COUNT; i++) {
      const key = `sk-bench-${randomBytes(16).toString('hex')}`
      keys.push(key)
      const type = TYPES[i % TYPES.length]!
      await client.credentials.create({ name: `bench-${i}`, type, value: key, base_url: type === 'openai' ? `${server.url}/v1` : server.url })
    }
  })
  afterAll(async () => {
    assertNoLeak(keys, outputs, v.dir)
    await server.close()
    v.cleanup()
  })

  it.each([
    ['8 (the default)', undefined, 8],
    ['32', '32', 32],
    ['100', '100', 100],
  ] as const)('--concurrency %s', async (_label, flag, concurrency) => {
    server.reset()
    const started = performance.now()
    const r = await runCli(['validate', '--all', '--json', ...(flag ? ['--concurrency', flag] : [])], { env: v.env, timeoutMs: 60_000 })
    const ms = performance.now() - started
    outputs.push(r.stdout, r.stderr)
    expect(r.code, r.stderr).toBe(0)
    const results = JSON.parse(r.stdout) as { status: string }[]
    expect(results).toHaveLength(COUNT)
    expect(results.every((x) => x.status === 'valid')).toBe(true)
    expect(server.requests).toHaveLength(COUNT)
    const rounds = Math.ceil(COUNT / concurrency)
    console.log(`validate --all, ${COUNT} credentials, ${DELAY} ms answers, concurrency ${concurrency}: ${Math.round(ms)} ms wall (floor ${rounds} x ${DELAY} ms = ${rounds * DELAY} ms; sequential would be ${COUNT * DELAY} ms)`)
    // Parallelism proven by the server, not by a clock (timings belong to bench/): exactly
    // `concurrency` checks were waiting on it at once.
    expect(server.maxInFlight).toBe(Math.min(concurrency, COUNT))
  })
})
