import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createClient } from '../../src/index.js'
import { assertNoLeak, runCli, tempVault } from '../helpers/cli.js'
import { startServer, type TestServer } from '../helpers/http-server.js'

/**
 * `validate --all` over 100 credentials whose service answers after 200 ms: the checks run in parallel,
 * at most `--concurrency` in all (default 32) and at most `--per-host` against one host:port (default 8;
 * issue 13, point 7). The servers count what they hold at once, so the caps are proven by the servers,
 * not by a clock. Times are printed for information; bench/run.mjs measures them.
 *
 * 127.0.0.1 on ten ports is ten hosts: the key is host:port (src/checks/target.ts), as an origin is.
 */
const COUNT = 100
const DELAY = 200
const TYPES = ['openai', 'anthropic', 'groq', 'mistral', 'deepseek']
/** A model list every one of the five providers documents as its success body ({object:'list',data} or {data}). */
const OK = { status: 200, body: { object: 'list', data: [] }, delayMs: DELAY } as const

/** Names sort in creation order (`--all` lists by name), so credential i is the i-th checked. */
async function fill(vault: string, key: string, keys: string[], urlOf: (i: number) => string, prefix: string) {
  // Created through the SDK (same vault, same env key): 100 CLI spawns would only measure spawning.
  const client = createClient({ vault, env: { CREDCTL_MASTER_KEY: key } })
  for (let i = 0; i < COUNT; i++) {
    const value = `sk-bench-${randomBytes(16).toString('hex')}`
    keys.push(value)
    const type = TYPES[i % TYPES.length]!
    await client.credentials.create({ name: `${prefix}-${String(i).padStart(3, '0')}`, type, value, base_url: type === 'openai' ? `${urlOf(i)}/v1` : urlOf(i) })
  }
}

describe(`validate --all over ${COUNT} credentials on one host answering after ${DELAY} ms`, () => {
  const v = tempVault('credctl-bench')
  const keys: string[] = []
  const outputs: string[] = []
  let server: TestServer

  beforeAll(async () => {
    server = await startServer(OK)
    await fill(v.vault, v.key, keys, () => server.url, 'bench')
  })
  afterAll(async () => {
    assertNoLeak(keys, outputs, v.dir)
    await server.close()
    v.cleanup()
  })

  it.each([
    ['the defaults: the per-host cap (8) binds', [], 8],
    ['--per-host 32', ['--per-host', '32'], 32],
    ['--concurrency 100 --per-host 100', ['--concurrency', '100', '--per-host', '100'], 100],
  ] as const)('%s', async (_label, flags, inFlight) => {
    server.reset()
    const started = performance.now()
    const r = await runCli(['validate', '--all', '--json', ...flags], { env: v.env, timeoutMs: 60_000 })
    const ms = performance.now() - started
    outputs.push(r.stdout, r.stderr)
    expect(r.code, r.stderr).toBe(0)
    const results = JSON.parse(r.stdout) as { name: string; status: string }[]
    // Every verdict, in the order of the list (by name here): the caps change when, not what.
    expect(results.map((x) => x.status)).toEqual(Array(COUNT).fill('valid'))
    expect(server.requests).toHaveLength(COUNT)
    const rounds = Math.ceil(COUNT / inFlight)
    console.log(`validate --all, ${COUNT} credentials on 1 host, ${DELAY} ms answers, ${flags.join(' ') || 'defaults'}: ${Math.round(ms)} ms wall (floor ${rounds} x ${DELAY} ms = ${rounds * DELAY} ms)`)
    expect(server.maxInFlight).toBe(inFlight)
  })
})

describe(`validate --all over ${COUNT} credentials on 10 hosts (127.0.0.1, 10 ports) answering after ${DELAY} ms`, () => {
  const v = tempVault('credctl-hosts')
  const keys: string[] = []
  const outputs: string[] = []
  const servers: TestServer[] = []
  // Held by all ten servers together: +1 when a request arrives, -1 when its answer is due.
  let held = 0
  let maxHeld = 0
  const timers = new Set<NodeJS.Timeout>()

  beforeAll(async () => {
    for (let s = 0; s < 10; s++) {
      servers.push(
        await startServer(() => {
          held++
          maxHeld = Math.max(maxHeld, held)
          // Set before the server's own answer timer of the same delay, so it fires first: never over-counted.
          const t = setTimeout(() => {
            timers.delete(t)
            held--
          }, DELAY)
          timers.add(t)
          return OK
        }),
      )
    }
    // Grouped (credentials 0-9 on the first server, …), the order that tests a per-host cap: the first
    // 32 in list order would all go to 4 servers, 10 at a time each, without it.
    await fill(v.vault, v.key, keys, (i) => servers[Math.floor(i / 10)]!.url, 'spread')
  })
  afterAll(async () => {
    assertNoLeak(keys, outputs, v.dir)
    for (const t of timers) clearTimeout(t)
    await Promise.all(servers.map((s) => s.close()))
    v.cleanup()
  })

  it.each([
    ['the defaults: 32 in all, 8 per host', [], 32, 8],
    ['--concurrency 10 --per-host 3', ['--concurrency', '10', '--per-host', '3'], 10, 3],
    ['--per-host 1', ['--per-host', '1'], 10, 1],
  ] as const)('%s', async (_label, flags, total, perHost) => {
    for (const s of servers) s.reset()
    maxHeld = 0
    const started = performance.now()
    const r = await runCli(['validate', '--all', '--json', ...flags], { env: v.env, timeoutMs: 60_000 })
    const ms = performance.now() - started
    outputs.push(r.stdout, r.stderr)
    expect(r.code, r.stderr).toBe(0)
    const results = JSON.parse(r.stdout) as { status: string }[]
    expect(results.map((x) => x.status)).toEqual(Array(COUNT).fill('valid'))
    console.log(`validate --all, ${COUNT} credentials on 10 hosts, ${DELAY} ms answers, ${flags.join(' ') || 'defaults'}: ${Math.round(ms)} ms wall`)
    for (const s of servers) {
      expect(s.requests).toHaveLength(COUNT / 10)
      expect(s.maxInFlight, s.url).toBeLessThanOrEqual(perHost)
    }
    // Both caps are reached, not only respected: some host held exactly `perHost`, all together `total`.
    expect(Math.max(...servers.map((s) => s.maxInFlight))).toBe(perHost)
    expect(maxHeld).toBe(total)
  })
})

describe('validate --concurrency/--per-host: bad values', () => {
  const v = tempVault('credctl-limits')
  afterAll(() => v.cleanup())

  it.each([
    ['--concurrency', '0'],
    ['--concurrency', '257'],
    ['--per-host', '0'],
    ['--per-host', '2.5'],
    ['--per-host', 'eight'],
    // Only decimal digits (src/lib/strict.ts wholeNumber): Number() would have read these as 10 and 16.
    ['--concurrency', '1e1'],
    ['--per-host', '0x10'],
  ])('%s %s: exit 2, one line naming the flag and the range', async (flag, value) => {
    const r = await runCli(['validate', '--all', flag, value], { env: v.env })
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr.trim().split('\n')).toEqual([`credctl: ${flag} must be a positive whole number of at most 256`])
  })
})
