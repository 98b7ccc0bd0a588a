import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs'
import * as path from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { assertNoLeak, runCli, tempVault } from '../helpers/cli.js'
import { mustRun } from '../helpers/keyring.js'

/**
 * `reveal --copy` against a real X server (Xvfb) and the real xclip and xsel: the value lands on the
 * CLIPBOARD selection, a detached clearer empties it after --clear-after unless something else was
 * copied meanwhile, and the value is in no process's argv or environment, nor in credctl's output.
 */
const hasXvfb = spawnSync('Xvfb', ['-help']).error === undefined
if (mustRun && !hasXvfb) throw new Error('Xvfb is required in CI for the clipboard tests (.ci/run installs xvfb, xclip and xsel)')
if (!hasXvfb) console.warn('clipboard tests skipped: Xvfb is not installed (apt install xvfb xclip xsel)')

const SECRET = 'sk-proj-ClipCANARY7q9Zr2Xw4Vt6Ys8Ub0'
let xvfb: ChildProcess
let display = ''
let t: ReturnType<typeof tempVault>
/** PATH directories holding only xclip, only xsel, or nothing (node runs from process.execPath). */
const bins: Record<'xclip' | 'xsel' | 'none', string> = { xclip: '', xsel: '', none: '' }

const xenv = () => ({ ...t.env, DISPLAY: display })
const clip = (): string | undefined => {
  const r = spawnSync('xclip', ['-selection', 'clipboard', '-o', '-t', 'UTF8_STRING'], { env: { ...process.env, DISPLAY: display }, encoding: 'utf8', timeout: 5000 })
  return r.status === 0 ? r.stdout : undefined
}
const copyOther = (text: string) => execFileSync('xclip', ['-selection', 'clipboard', '-i'], { env: { ...process.env, DISPLAY: display }, input: text, stdio: ['pipe', 'ignore', 'ignore'] })
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The clearers of this test's display (their argv names them; DISPLAY is in their environment). */
function clearers(): number[] {
  const out: number[] = []
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('__clipboard-clear')) continue
      if (readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`DISPLAY=${display}`)) out.push(Number(pid))
    } catch {
      /* gone meanwhile */
    }
  }
  return out
}
async function clearersDone(timeoutMs = 15000) {
  for (const end = Date.now() + timeoutMs; Date.now() < end; await sleep(100)) if (clearers().length === 0) return
  throw new Error('the clipboard clearer did not finish in time')
}

/** Every process's argv and (where readable: ours) environment, for the canary. */
function processTexts(): string[] {
  const out: string[] = []
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    for (const f of ['cmdline', 'environ']) {
      try {
        out.push(readFileSync(`/proc/${pid}/${f}`, 'utf8'))
      } catch {
        /* another user's, or gone */
      }
    }
  }
  return out
}

beforeAll(async () => {
  if (!hasXvfb) return
  t = tempVault('credctl-clip')
  for (const k of Object.keys(bins) as (keyof typeof bins)[]) {
    bins[k] = path.join(t.dir, `bin-${k}`)
    mkdirSync(bins[k])
    if (k !== 'none') symlinkSync(execFileSync('sh', ['-c', `command -v ${k}`], { encoding: 'utf8' }).trim(), path.join(bins[k], k))
  }
  // -displayfd: Xvfb picks a free display and writes its number once it accepts connections.
  xvfb = spawn('Xvfb', ['-displayfd', '1', '-nolisten', 'tcp', '-screen', '0', '640x480x24'], { stdio: ['ignore', 'pipe', 'ignore'] })
  display = await new Promise<string>((resolve, reject) => {
    let buf = ''
    xvfb.stdout!.on('data', (d) => {
      buf += d
      if (buf.includes('\n')) resolve(`:${buf.trim()}`)
    })
    xvfb.on('exit', () => reject(new Error('Xvfb exited')))
    setTimeout(() => reject(new Error('Xvfb did not start')), 10000)
  })
  const r = await runCli(['create', '--name', 'OpenAI Prod', '--type', 'openai', '--value-stdin'], { env: t.env, input: SECRET })
  expect(r.code).toBe(0)
})
afterAll(async () => {
  if (!hasXvfb) return
  // Clearers still waiting (a failed test) end with the X server; then the server itself.
  for (const pid of clearers()) process.kill(pid, 'SIGTERM')
  xvfb.kill('SIGTERM')
  t.cleanup()
})

describe.skipIf(!hasXvfb)('reveal --copy (Xvfb, real xclip and xsel)', () => {
  it('puts the value on the clipboard with xclip, prints nothing of it, records "clipboard" in history, clears after --clear-after', async () => {
    const r = await runCli(['reveal', 'OpenAI Prod', '--copy', '--clear-after', '2'], { env: { ...xenv(), PATH: bins.xclip } })
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: 'copied OpenAI Prod to the clipboard; clears in 2 s\n' })
    expect(clip()).toBe(SECRET)
    // While the clearer waits: the value is in no process's argv or environment.
    expect(clearers()).toHaveLength(1)
    assertNoLeak([SECRET], [r.stdout, r.stderr, ...processTexts()])
    await clearersDone()
    expect(clip() ?? '').toBe('')
    const h = await runCli(['history', '--json', '--limit', '1'], { env: t.env })
    expect(JSON.parse(h.stdout)).toMatchObject([{ action: 'reveal', detail: 'clipboard', credentials: [{ name: 'OpenAI Prod' }] }])
    assertNoLeak([SECRET], [h.stdout], t.dir)
  })

  it('leaves the clipboard alone when something else was copied meanwhile', async () => {
    const r = await runCli(['reveal', 'OpenAI Prod', '--copy', '--clear-after', '2'], { env: { ...xenv(), PATH: bins.xclip } })
    expect(r.code).toBe(0)
    expect(clip()).toBe(SECRET)
    copyOther('copied by the user meanwhile')
    await clearersDone()
    expect(clip()).toBe('copied by the user meanwhile')
  })

  it('works with xsel when it is the only tool, and --clear-after 0 never clears', async () => {
    const r = await runCli(['reveal', 'OpenAI Prod', '--copy', '--clear-after', '0'], { env: { ...xenv(), PATH: bins.xsel } })
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: 'copied OpenAI Prod to the clipboard; not cleared (--clear-after 0)\n' })
    expect(clip()).toBe(SECRET)
    expect(clearers()).toHaveLength(0)
    const r2 = await runCli(['reveal', 'OpenAI Prod', '--copy', '--clear-after', '1'], { env: { ...xenv(), PATH: bins.xsel } })
    expect(r2.code).toBe(0)
    await clearersDone()
    expect(clip() ?? '').toBe('')
  })

  it('no clipboard is exit 2 with one line saying what to install; nothing is revealed or recorded', async () => {
    const before = (await runCli(['history', '--json'], { env: t.env })).stdout
    const noTool = await runCli(['reveal', 'OpenAI Prod', '--copy'], { env: { ...xenv(), PATH: bins.none } })
    expect(noTool).toMatchObject({ code: 2, stdout: '' })
    expect(noTool.stderr).toBe(`credctl: no clipboard tool found on PATH for X11 (DISPLAY=${display}) (install xclip or xsel (Debian/Ubuntu: sudo apt install xclip))\n`)
    const noDisplay = await runCli(['reveal', 'OpenAI Prod', '--copy'], { env: { ...t.env, PATH: bins.xclip } })
    expect(noDisplay.code).toBe(2)
    expect(noDisplay.stderr).toMatch(/^credctl: no clipboard: neither WAYLAND_DISPLAY nor DISPLAY is set .*\n$/)
    expect(noDisplay.stderr.split('\n')).toHaveLength(2)
    // A display that does not answer: the tool's own reason, exit 2.
    const dead = await runCli(['reveal', 'OpenAI Prod', '--copy'], { env: { ...t.env, DISPLAY: ':999', PATH: bins.xclip } })
    expect(dead.code).toBe(2)
    expect(dead.stderr).toMatch(/^credctl: could not copy to the clipboard: xclip failed: .*display.*\n$/i)
    assertNoLeak([SECRET], [noTool.stdout, noTool.stderr, noDisplay.stderr, dead.stderr])
    // The two refused before the vault was opened: no entry. The dead display failed after the entry.
    const after = JSON.parse((await runCli(['history', '--json'], { env: t.env })).stdout) as unknown[]
    expect(after).toHaveLength((JSON.parse(before) as unknown[]).length + 1)
  })

  it('refuses a bad --clear-after, and --clear-after without --copy, with exit 2', async () => {
    for (const bad of ['-1', '1.5', '86401', 'soon', '']) {
      const r = await runCli(['reveal', 'OpenAI Prod', '--copy', '--clear-after', bad], { env: { ...xenv(), PATH: bins.xclip } })
      expect(r.code, bad).toBe(2)
      expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1)
    }
    const r = await runCli(['reveal', 'OpenAI Prod', '--clear-after', '10'], { env: xenv() })
    expect(r).toMatchObject({ code: 2, stdout: '' })
    expect(r.stderr).toContain('--clear-after goes with --copy')
  })

  it('any value round-trips byte for byte: shell syntax, quotes, multi-line JSON, non-ASCII', async () => {
    const v = tempVault('credctl-clip-prop')
    const copyAndRead = async (type: string, value: string) => {
      expect((await runCli(['create', '--name', 'k', '--type', type, '--value-stdin'], { env: v.env, input: value })).code).toBe(0)
      const stored = (await runCli(['reveal', 'k'], { env: v.env })).stdout
      const r = await runCli(['reveal', 'k', '--copy', '--clear-after', '0'], { env: { ...v.env, DISPLAY: display, PATH: bins.xclip } })
      expect(r.code).toBe(0)
      expect(clip()).toBe(stored)
      assertNoLeak([stored], [r.stdout, r.stderr])
      expect((await runCli(['purge', 'k', '--yes'], { env: v.env })).code).toBe(0)
    }
    try {
      // Keys are printable ASCII (the api_key rule): every character a shell or a quote could trip on.
      await fc.assert(
        fc.asyncProperty(fc.stringMatching(/^[A-Za-z0-9][\x21-\x7e]{9,40}$/), (key) => copyAndRead('api_key', key)),
        { numRuns: 10 },
      )
      const sa = { type: 'service_account', project_id: 'p', client_email: 'bot@p.iam.gserviceaccount.com', private_key: '-----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----\n', note: 'caf\u00e9 \u2192 \u4e2d \u{1f511}' }
      await copyAndRead('bigquery', `${JSON.stringify(sa, null, 2)}\n`)
      await copyAndRead('static_file', '/data/caf\u00e9 \u4e2d/x.csv')
    } finally {
      v.cleanup()
    }
  })
})
