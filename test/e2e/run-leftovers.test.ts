import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { assertNoLeak, BIN, runCli, tempVault } from '../helpers/cli.js'

// Issue 10, kind 6: `credctl run` leaves no key file behind, whatever signals arrive and when; it never
// hands the child a CREDCTL_* variable; with no vault yet it runs the command with a one-line notice.
const SA = JSON.stringify({ type: 'service_account', client_email: 'ci@proj.iam.gserviceaccount.com', private_key: '-----BEGIN PRIVATE KEY-----\nCANARYleftover\n-----END PRIVATE KEY-----\n' })
const KEY = 'sk-CANARYmasterKEYlookalike0123456789'

let t: ReturnType<typeof tempVault>
const spawned: ChildProcess[] = []
const orphans: number[] = []
beforeEach(() => (t = tempVault('credctl-leftover')))
afterEach(() => {
  for (const c of spawned.splice(0)) c.kill('SIGKILL')
  for (const pid of orphans.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      /* already gone */
    }
  }
  t.cleanup()
})

const addBigquery = async () => expect((await runCli(['create', '--name', 'bq', '--type', 'bigquery', '--value-stdin'], { env: t.env, input: SA })).code).toBe(0)

/** `credctl run -- node -e SCRIPT`; the script prints {gac, pid} as its first line, then "ready". */
function start(handler: string) {
  const script = `${handler}; console.log(JSON.stringify({ gac: process.env.GOOGLE_APPLICATION_CREDENTIALS, pid: process.pid })); console.log('ready'); setInterval(() => {}, 1000)`
  const child = spawn(process.execPath, [BIN, 'run', '--', process.execPath, '-e', script], { env: t.env, stdio: ['ignore', 'pipe', 'pipe'] })
  spawned.push(child)
  let stdout = ''
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => (stderr += d))
  const ready = new Promise<{ gac: string; pid: number }>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      stdout += d
      if (stdout.includes('ready')) {
        const info = JSON.parse(stdout.split('\n')[0]!) as { gac: string; pid: number }
        orphans.push(info.pid)
        resolve(info)
      }
    })
    child.on('close', () => reject(new Error(`credctl ended before the command was ready: ${stderr}`)))
  })
  // 'exit', not 'close': after a SIGKILL of credctl the orphaned command still holds the pipes open.
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })))
  return { child, ready, exited, out: () => ({ stdout, stderr }) }
}

const runDirsOf = (pid: number) => readdirSync(tmpdir()).filter((n) => n.startsWith(`credctl-run-${pid}-`))
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe('credctl run: no key file outlives the command', () => {
  it('SIGQUIT (Ctrl-\\) is forwarded, and the key file is removed before credctl exits', async () => {
    await addBigquery()
    const run = start('')
    const { gac } = await run.ready
    expect(statSync(gac).mode & 0o777).toBe(0o600)
    run.child.kill('SIGQUIT')
    const r = await run.exited
    expect(r).toEqual({ code: 131, signal: null })
    expect(existsSync(path.dirname(gac))).toBe(false)
  })

  it('SIGKILL of credctl cannot be caught: the next `credctl run` sweeps the dead run\'s directory, never a live one', async () => {
    await addBigquery()
    const killed = start('')
    const { gac } = await killed.ready
    const live = start('')
    const { gac: liveGac } = await live.ready
    killed.child.kill('SIGKILL')
    await killed.exited
    expect(existsSync(gac)).toBe(true) // nothing can remove it at the moment of a SIGKILL
    // The next run, with nothing to inject even, sweeps it; the other credctl is alive: its file stays.
    const next = await runCli(['run', '--only', 'bigquery', '--', 'true'], { env: t.env })
    expect(next.code).toBe(0)
    expect(existsSync(path.dirname(gac))).toBe(false)
    expect(existsSync(liveGac)).toBe(true)
    live.child.kill('SIGTERM')
    expect((await live.exited).code).toBe(143)
    expect(existsSync(path.dirname(liveGac))).toBe(false)
    expect(runDirsOf(killed.child.pid!)).toEqual([])
  })

  it('generated: any burst of SIGINT/SIGTERM/SIGHUP/SIGQUIT, at any pace, leaves no key file (signals during cleanup included)', async () => {
    await addBigquery()
    const sig = fc.constantFrom<NodeJS.Signals>('SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT')
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('', "for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(s, () => process.exit(42))"),
        fc.array(fc.tuple(sig, fc.integer({ min: 0, max: 6 })), { minLength: 2, maxLength: 12 }),
        async (handler, burst) => {
          const run = start(handler)
          const { gac } = await run.ready
          let done = false
          void run.exited.then(() => (done = true))
          // Keep signalling until credctl is gone: the later ones land while it cleans up, or after.
          for (let i = 0; !done && i < 200; i++) {
            const [s, gap] = burst[i % burst.length]!
            try {
              run.child.kill(s)
            } catch {
              break
            }
            await sleep(gap)
          }
          const r = await run.exited
          expect(existsSync(path.dirname(gac)), `${JSON.stringify(r)} ${run.out().stderr}`).toBe(false)
          expect(r.code === null ? r.signal : r.code).toBeTruthy()
        },
      ),
      { numRuns: 6 },
    )
  }, 60_000)
})

describe('credctl run: what the command receives', () => {
  it('a credential whose derived name is CREDCTL_MASTER_KEY is not injected, and says why', async () => {
    expect((await runCli(['create', '--name', 'credctl master key', '--type', 'api_key', '--value-stdin'], { env: t.env, input: KEY })).code).toBe(0)
    const r = await runCli(['run', '--', process.execPath, '-e', 'console.log(JSON.stringify(Object.keys(process.env).filter((k) => /credctl/i.test(k))))'], { env: t.env })
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual([])
    expect(r.stderr).toMatch(/the default api_key "credctl master key" is not injected: its variable CREDCTL_MASTER_KEY is a credctl setting/)
    assertNoLeak([KEY], [r.stdout, r.stderr])
  })

  it('with no vault yet (a new CI job) the command runs with nothing injected and a one-line notice; nothing is created', async () => {
    const r = await runCli(['run', '--', process.execPath, '-e', 'console.log("ran", Object.keys(process.env).filter((k) => /^CREDCTL_/.test(k)).length)'], { env: t.env })
    expect(r).toMatchObject({ code: 0, stdout: 'ran 0\n' })
    expect(r.stderr).toMatch(/^notice: no vault yet at \S+vault\.json: node runs with nothing injected \(add credentials with `credctl create`\)\n$/)
    expect(existsSync(path.dirname(t.vault))).toBe(false)
    expect((await runCli(['run', '--', 'sh', '-c', 'exit 3'], { env: t.env })).code).toBe(3)
  })
})
