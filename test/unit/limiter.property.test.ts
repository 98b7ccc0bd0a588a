import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { runLimited, type Task } from '../../src/lib/limiter.js'
import { hostKey, targetOf, urlKey, validateLimits, VALIDATE_LIMITS } from '../../src/checks/target.js'
import { loadCheck } from '../../src/checks/registry.js'
import type { CheckInput } from '../../src/checks/types.js'
import { CredctlError } from '../../src/errors.js'

/**
 * Issue 13, point 7: validation runs under a global cap and a per-host cap (src/lib/limiter.ts), keyed
 * by the host:port each check contacts (src/checks/target.ts).
 */

/** Tasks that record what was in flight when each started, and finish after `ms` (a real timer). */
function recorder(specs: readonly { key: string | undefined; ms: number }[]) {
  const inFlight = new Map<string, number>()
  const starts: number[] = []
  let total = 0
  let maxTotal = 0
  const maxPerKey = new Map<string, number>()
  const tasks: Task<number>[] = specs.map((s, i) => ({
    key: s.key,
    run: async () => {
      starts.push(i)
      const k = s.key ?? `own:${i}`
      total++
      maxTotal = Math.max(maxTotal, total)
      inFlight.set(k, (inFlight.get(k) ?? 0) + 1)
      maxPerKey.set(k, Math.max(maxPerKey.get(k) ?? 0, inFlight.get(k)!))
      await new Promise((r) => setTimeout(r, s.ms))
      total--
      inFlight.set(k, inFlight.get(k)! - 1)
      return i * 10
    },
  }))
  return { tasks, starts, maxPerKey, get maxTotal() { return maxTotal } }
}

describe('runLimited', () => {
  it('property: never more than G in flight, never more than H per key, each task once, results in input order', async () => {
    const spec = fc.record({
      limit: fc.integer({ min: 1, max: 12 }),
      perKey: fc.integer({ min: 1, max: 6 }),
      tasks: fc.array(fc.record({ key: fc.option(fc.constantFrom('a:443', 'b:443', 'c:5432', 'd:80'), { nil: undefined }), ms: fc.integer({ min: 0, max: 3 }) }), { maxLength: 40 }),
    })
    await fc.assert(
      fc.asyncProperty(spec, async ({ limit, perKey, tasks: specs }) => {
        const r = recorder(specs)
        const results = await runLimited(r.tasks, { limit, perKey })
        expect(results).toEqual(specs.map((_, i) => i * 10))
        expect([...r.starts].sort((a, b) => a - b)).toEqual(specs.map((_, i) => i))
        expect(r.maxTotal).toBeLessThanOrEqual(limit)
        for (const [k, m] of r.maxPerKey) expect(m, k).toBeLessThanOrEqual(perKey)
        // Within one key, tasks start in input order (the FIFO that keeps `validate` output predictable).
        for (const key of new Set(specs.map((s) => s.key).filter((k) => k !== undefined))) {
          const mine = r.starts.filter((i) => specs[i]!.key === key)
          expect(mine).toEqual([...mine].sort((a, b) => a - b))
        }
      }),
      { numRuns: 120 },
    )
  })

  it('fills both caps: 10 keys x 10 tasks at G=32, H=8 keep 32 in flight; one key alone keeps 8', async () => {
    const spread = recorder(Array.from({ length: 100 }, (_, i) => ({ key: `h${Math.floor(i / 10)}:443`, ms: 5 })))
    await runLimited(spread.tasks, { limit: 32, perKey: 8 })
    expect(spread.maxTotal).toBe(32)
    expect(Math.max(...spread.maxPerKey.values())).toBe(8)
    const one = recorder(Array.from({ length: 30 }, () => ({ key: 'api.openai.com:443', ms: 5 })))
    await runLimited(one.tasks, { limit: 32, perKey: 8 })
    expect(one.maxTotal).toBe(8)
  })

  it('a saturated key does not hold back the tasks behind it, and unknown keys are each their own', async () => {
    const r = recorder([...Array.from({ length: 6 }, () => ({ key: 'slow:443', ms: 20 })), { key: 'other:443', ms: 1 }, { key: undefined, ms: 1 }, { key: undefined, ms: 1 }])
    await runLimited(r.tasks, { limit: 10, perKey: 2 })
    // Started at once: the first two of slow, then other and both keyless ones; slow's others wait.
    expect(r.starts.slice(0, 5)).toEqual([0, 1, 6, 7, 8])
  })

  it('the first failure stops new starts and rejects with its error', async () => {
    const started: number[] = []
    const tasks: Task<void>[] = Array.from({ length: 10 }, (_, i) => ({
      key: 'k:1',
      run: async () => {
        started.push(i)
        await new Promise((r) => setTimeout(r, 2))
        if (i === 1) throw new Error('boom')
      },
    }))
    await expect(runLimited(tasks, { limit: 2, perKey: 2 })).rejects.toThrow('boom')
    await new Promise((r) => setTimeout(r, 30))
    expect(started).toEqual([0, 1, 2])
  })

  it('a task that throws synchronously is a failure like any other; no tasks is []; bad caps are a RangeError', async () => {
    await expect(runLimited([{ key: undefined, run: () => { throw new Error('sync') } }], { limit: 1, perKey: 1 })).rejects.toThrow('sync')
    expect(await runLimited([], { limit: 1, perKey: 1 })).toEqual([])
    expect(() => runLimited([], { limit: 0, perKey: 1 })).toThrow(RangeError)
    expect(() => runLimited([], { limit: 1, perKey: 1.5 })).toThrow(RangeError)
  })
})

describe('check targets (host:port keys)', () => {
  const input = (type: string, value: string, extra: Partial<CheckInput> = {}): CheckInput => ({ type, value, settings: {}, ...extra })
  const target = async (i: CheckInput) => targetOf((await loadCheck(i.type))!, i)

  it('hostKey and urlKey: lower case, no brackets, the port always written', () => {
    expect(urlKey('https://API.OpenAI.com/v1')).toBe('api.openai.com:443')
    expect(urlKey('https://api.openai.com:443/v1')).toBe('api.openai.com:443')
    expect(urlKey('http://127.0.0.1:8080/x')).toBe('127.0.0.1:8080')
    expect(urlKey('http://[::1]/')).toBe('::1:80')
    expect(hostKey('DB.example.com', 5432)).toBe('db.example.com:5432')
    expect(hostKey('', 5432)).toBeUndefined()
  })

  it('each kind of check names the host it contacts', async () => {
    expect(await target(input('openai', 'sk-x'))).toBe('api.openai.com:443')
    // openai_audio and openai_image call the same API: one host, one cap.
    expect(await target(input('openai_image', 'sk-x'))).toBe('api.openai.com:443')
    expect(await target(input('anthropic', 'sk-x', { base_url: 'http://127.0.0.1:4010/gw' }))).toBe('127.0.0.1:4010')
    expect(await target(input('api_key', 'k', { settings: { check_url: 'https://api.example.com/me' } }))).toBe('api.example.com:443')
    expect(await target(input('api_key', 'k'))).toBeUndefined()
    expect(await target(input('oauth', 'tok', { settings: { check_url: 'https://id.example.com:8443/userinfo' } }))).toBe('id.example.com:8443')
    expect(await target(input('smtp', 'smtps://u:p@Mail.example.com'))).toBe('mail.example.com:465')
    expect(await target(input('postgresql', 'postgresql://u:p@db.example.com/app'))).toBe('db.example.com:5432')
    expect(await target(input('redshift', 'redshift://u:p@rs.example.com/dev'))).toBe('rs.example.com:5439')
    expect(await target(input('mysql', 'mysql://u:p@my.example.com:3307/app'))).toBe('my.example.com:3307')
    expect(await target(input('mssql', 'Server=sql.example.com;User Id=u;Password=p'))).toBe('sql.example.com:1433')
    expect(await target(input('clickhouse', 'clickhouse://u:p@ch.example.com/db'))).toBe('ch.example.com:8123')
    expect(await target(input('snowflake', 'snowflake://u:p@my_acct/db'))).toBe('my-acct.snowflakecomputing.com:443')
    expect(await target(input('bigquery', '{}'))).toBe('bigquery.googleapis.com:443')
  })

  it('a value the check cannot read has a key of its own (undefined), never an exception', async () => {
    expect(await target(input('postgresql', 'not a uri'))).toBeUndefined()
    expect(await target(input('mysql', 'mysql://'))).toBeUndefined()
    expect(await target(input('openai', 'sk-x', { base_url: '::bad' }))).toBeUndefined()
    expect(await target(input('static_file', '/data/*.csv'))).toBeUndefined()
  })
})

describe('validateLimits (SDK options)', () => {
  it('defaults 32 and 8; whole numbers 1 to 256, otherwise INVALID_INPUT', () => {
    expect(validateLimits({})).toEqual({ limit: 32, perKey: 8 })
    expect(VALIDATE_LIMITS).toEqual({ concurrency: 32, perHost: 8, max: 256 })
    expect(validateLimits({ concurrency: 1, perHost: 256 })).toEqual({ limit: 1, perKey: 256 })
    for (const bad of [0, -1, 1.5, 257, Number.NaN]) {
      for (const o of [{ concurrency: bad }, { perHost: bad }]) {
        let code = 'none'
        try {
          validateLimits(o)
        } catch (e) {
          code = e instanceof CredctlError ? e.code : 'other'
        }
        expect(code, JSON.stringify(o)).toBe('INVALID_INPUT')
      }
    }
  })
})
