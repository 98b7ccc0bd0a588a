import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { assertNoLeak, BIN, runCli, tempVault } from '../helpers/cli.js'
import { mustRun } from '../helpers/keyring.js'

/**
 * Interactive prompts in a REAL pseudo-terminal: tmux runs the built CLI in a detached session on a
 * private socket; the test types with send-keys and reads the screen (with scrollback) with
 * capture-pane. This is what a user sees, so "the secret never appears on the screen" is checked on
 * the actual terminal contents, not on a mocked prompt.
 */
const hasTmux = spawnSync('tmux', ['-V']).status === 0
if (!hasTmux && mustRun) throw new Error('tmux is required in CI for the prompt tests (.ci/run installs it)')

const SECRET = 'sk-proj-CANARYprompt0123456789abcdefghijk'

class Term {
  private readonly sockDir = mkdtempSync(path.join(tmpdir(), 'credctl-tmux-'))
  // One tmux server per start: reusing a socket right after kill-server races with the old server.
  private sock = ''
  private starts = 0
  private readonly socks: string[] = []
  private readonly session = 'credctl'
  private readonly t: ReturnType<typeof tempVault>
  constructor(t: ReturnType<typeof tempVault>) {
    this.t = t
  }

  /**
   * Run `credctl ...args` in a fresh 120x40 terminal; the pane prints EXIT:<code> when it ends. With
   * `rawFile`, every byte the program writes to the terminal is also appended there (tmux pipe-pane),
   * from its first byte: the script waits for a key until the pipe is in place.
   */
  start(args: string[], extraEnv: Record<string, string> = {}, rawFile?: string): void {
    const script = path.join(this.t.dir, `term-${Date.now()}.sh`)
    const env = { ...this.t.env, TERM: 'xterm-256color', ...extraEnv }
    const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`
    writeFileSync(
      script,
      [
        '#!/bin/sh',
        ...(rawFile ? ['read _go'] : []),
        ...Object.entries(env).map(([k, v]) => `export ${k}=${q(v)}`),
        `${q(process.execPath)} ${q(BIN)} ${args.map(q).join(' ')}`,
        'echo "EXIT:$?"',
        'sleep 600',
      ].join('\n'),
      { mode: 0o700 },
    )
    if (this.sock) this.tmux(['kill-server'], true)
    this.sock = path.join(this.sockDir, `s${++this.starts}`)
    this.socks.push(this.sock)
    this.tmux(['new-session', '-d', '-s', this.session, '-x', '120', '-y', '40', script])
    if (rawFile) {
      this.tmux(['pipe-pane', '-t', this.session, '-o', `cat >> ${q(rawFile)}`])
      this.keys('Enter')
    }
  }

  keys(...keys: string[]): void {
    this.tmux(['send-keys', '-t', this.session, ...keys])
  }

  type(text: string): void {
    this.tmux(['send-keys', '-t', this.session, '-l', text])
  }

  screen(): string {
    return this.tmux(['capture-pane', '-p', '-J', '-S', '-', '-t', this.session])
  }

  async waitFor(re: RegExp, timeoutMs = 15_000): Promise<string> {
    const end = Date.now() + timeoutMs
    for (;;) {
      const s = this.screen()
      if (re.test(s)) return s
      if (Date.now() > end) throw new Error(`timed out waiting for ${re}; screen:\n${s}`)
      await new Promise((r) => setTimeout(r, 100))
    }
  }

  async exitCode(): Promise<number> {
    const s = await this.waitFor(/EXIT:\d+/)
    return Number(/EXIT:(\d+)/.exec(s)![1])
  }

  close(): void {
    for (const sock of this.socks) {
      this.sock = sock
      this.tmux(['kill-server'], true)
    }
    rmSync(this.sockDir, { recursive: true, force: true })
  }

  private tmux(args: string[], quiet = false): string {
    try {
      return execFileSync('tmux', ['-S', this.sock, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', quiet ? 'ignore' : 'pipe'] })
    } catch (e) {
      if (quiet) return ''
      throw e
    }
  }
}

let t: ReturnType<typeof tempVault>
let term: Term
beforeEach(() => {
  t = tempVault('credctl-tty')
  term = new Term(t)
})
afterEach(() => {
  term.close()
  t.cleanup()
})

const noStackTrace = (screen: string) => {
  expect(screen).not.toMatch(/^\s+at .+\(.+:\d+:\d+\)$/m)
  expect(screen).not.toMatch(/internal error|ExitPromptError|Unhandled/)
}

describe.skipIf(!hasTmux)('interactive prompts in a real terminal (tmux)', () => {
  it('create asks for category, type, name and a hidden value; the secret is stored and never on screen', async () => {
    term.start(['create'])
    await term.waitFor(/Category/)
    term.keys('Enter') // llm
    await term.waitFor(/Type/)
    expect(term.screen()).toContain('GPT-4, GPT-4o') // the type list shows descriptions
    term.keys('Enter') // openai
    await term.waitFor(/Name/)
    term.type('Prompted Key')
    term.keys('Enter')
    await term.waitFor(/Value for Prompted Key/)
    term.type(SECRET)
    await term.waitFor(/\*{10,}/) // masked echo
    term.keys('Enter')
    await term.waitFor(/Description \(optional\)/)
    term.type('typed at a prompt')
    term.keys('Enter')
    // The first openai credential becomes the default anyway: no question about it.
    await term.waitFor(/Validate it now/)
    expect(term.screen()).not.toContain('Make it the default')
    term.type('n')
    term.keys('Enter')
    expect(await term.exitCode()).toBe(0)
    const screen = term.screen()
    expect(screen).toContain('Created Prompted Key (openai, sk-pr...hijk), default for its type')
    const got = JSON.parse((await runCli(['get', 'Prompted Key', '--json'], { env: t.env })).stdout)
    expect(got).toMatchObject({ description: 'typed at a prompt', is_default: true, is_valid: null })
    noStackTrace(screen)
    assertNoLeak([SECRET], [screen])
    const reveal = await runCli(['reveal', 'Prompted Key'], { env: t.env })
    expect(reveal).toMatchObject({ code: 0, stdout: SECRET })
    // And the value is stored only as ciphertext.
    assertNoLeak([SECRET], [], t.dir)
  })

  it('Ctrl-C at a prompt cancels: exit 130, nothing written, no stack trace', async () => {
    term.start(['create', '--type', 'openai', '--name', 'Half Typed'])
    await term.waitFor(/Value for Half Typed/)
    term.type(SECRET.slice(0, 20))
    await term.waitFor(/\*{10,}/)
    term.keys('C-c')
    expect(await term.exitCode()).toBe(130)
    const screen = term.screen()
    noStackTrace(screen)
    expect(screen).toContain('cancelled')
    assertNoLeak([SECRET.slice(0, 20)], [screen])
    expect(existsSync(t.vault)).toBe(false)
    expect(existsSync(path.dirname(t.vault))).toBe(false)

    term.start(['create'])
    await term.waitFor(/Category/)
    term.keys('C-c')
    expect(await term.exitCode()).toBe(130)
    noStackTrace(term.screen())
    expect(existsSync(t.vault)).toBe(false)
  })

  it('purge asks for confirmation; "no" keeps the credential (exit 130), "yes" removes it', async () => {
    expect((await runCli(['create', '--name', 'Old Key', '--type', 'openai', '--value-stdin'], { env: t.env, input: SECRET })).code).toBe(0)
    term.start(['purge', 'Old Key'])
    await term.waitFor(/Remove Old Key \(openai, active, sk-pr\.\.\.\w+\) and its encrypted value for good\?/)
    term.type('n')
    term.keys('Enter')
    expect(await term.exitCode()).toBe(130)
    expect(term.screen()).toContain('not purged')
    expect((await runCli(['get', 'Old Key'], { env: t.env })).code).toBe(0)

    term.start(['purge', 'Old Key'])
    await term.waitFor(/for good\?/)
    term.type('y')
    term.keys('Enter')
    expect(await term.exitCode()).toBe(0)
    expect(term.screen()).toContain('Purged Old Key')
    expect((await runCli(['get', 'Old Key'], { env: t.env })).code).toBe(3)
  })

  it('delete without a NAME offers a selectable list', async () => {
    for (const name of ['First', 'Second']) {
      expect((await runCli(['create', '--name', name, '--type', 'anthropic', '--value-stdin'], { env: t.env, input: `sk-ant-${name}-0123456789abcdef` })).code).toBe(0)
    }
    term.start(['delete'])
    await term.waitFor(/Credential to delete/)
    term.keys('Down')
    term.keys('Enter')
    expect(await term.exitCode()).toBe(0)
    expect(term.screen()).toContain('Deleted Second')
    const list = JSON.parse((await runCli(['list', '--json'], { env: t.env })).stdout) as { name: string }[]
    expect(list.map((c) => c.name)).toEqual(['First'])
  })

  it('export asks for the bundle passphrase twice, hidden; import --bundle asks once', async () => {
    expect((await runCli(['create', '--name', 'k', '--type', 'openai', '--value-stdin'], { env: t.env, input: SECRET })).code).toBe(0)
    const PASS = 'tmux-CANARY-passphrase'
    const bundle = path.join(t.dir, 'team.credctl')
    term.start(['export', '--output', bundle])
    await term.waitFor(/Passphrase for the bundle/)
    term.type('short')
    term.keys('Enter')
    await term.waitFor(/at least 8 characters/)
    term.keys('C-u')
    for (let i = 0; i < 10; i++) term.keys('BSpace')
    term.type(PASS)
    term.keys('Enter')
    await term.waitFor(/Repeat the passphrase/)
    term.type(PASS)
    term.keys('Enter')
    expect(await term.exitCode()).toBe(0)
    const screen = term.screen()
    expect(screen).toContain('Exported 1 credential')
    assertNoLeak([PASS, SECRET], [screen])
    expect(existsSync(bundle)).toBe(true)

    const other = tempVault('credctl-tty-other')
    try {
      term.start(['--vault', other.vault, 'import', '--bundle', bundle], { CREDCTL_MASTER_KEY: other.key })
      await term.waitFor(/Bundle passphrase/)
      term.type(PASS)
      term.keys('Enter')
      expect(await term.exitCode()).toBe(0)
      assertNoLeak([PASS, SECRET], [term.screen()])
      const r = await runCli(['reveal', 'k'], { env: { ...other.env } })
      expect(r.stdout).toBe(SECRET)
    } finally {
      other.cleanup()
    }
  })

  it("a provider's message after \"validate now\" and names in a picker reach the terminal escaped", async () => {
    // The raw bytes on the terminal, not the rendered screen: an OSC 52 clipboard write is invisible
    // on the screen and would only show in the bytes.
    const OSC52 = '\u001b]52;c;cHduZWQ=\u0007'
    const server = createServer((_req, res) => res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `bad key${OSC52}\r\u001b[2Kall good` } })))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`
      const raw = path.join(t.dir, 'create.raw')
      term.start(['create', '--type', 'openai', '--base-url', base], {}, raw)
      await term.waitFor(/Name/)
      term.type('o')
      term.keys('Enter')
      await term.waitFor(/Value for o/)
      term.type(SECRET)
      term.keys('Enter')
      await term.waitFor(/Description \(optional\)/)
      term.keys('Enter')
      await term.waitFor(/Validate it now/)
      term.keys('Enter') // yes
      expect(await term.exitCode()).toBe(0)
      expect(term.screen()).toContain('Validation: invalid: ')
      const bytes = readFileSync(raw, 'latin1')
      // (the provider check folds the \r into a space; the prompt library's own line erases are its UI)
      expect(bytes).toContain('bad key\\x1b]52;c;cHduZWQ=\\x07 \\x1b[2Kall good')
      expect(bytes).not.toContain('\u001b]52')
      expect(bytes).not.toContain('\u001b[2Kall good')

      // A picker lists names: a bidi override in one must not reorder the line it is shown on.
      // Such a name is refused at input now (exit 2); a vault written by an older credctl may still hold
      // one, so it is planted in the file (list and the picker read names without the key).
      const evil = 'gpj\u202Eexe.txt'
      expect((await runCli(['create', '--name', evil, '--type', 'anthropic', '--value-stdin'], { env: t.env, input: 'sk-ant-0123456789abcdefghij' })).code).toBe(2)
      expect((await runCli(['create', '--name', 'plain-name', '--type', 'anthropic', '--value-stdin'], { env: t.env, input: 'sk-ant-0123456789abcdefghij' })).code).toBe(0)
      writeFileSync(t.vault, readFileSync(t.vault, 'utf8').replace('"plain-name"', JSON.stringify(evil)))
      const rawPick = path.join(t.dir, 'pick.raw')
      term.start(['delete'], {}, rawPick)
      await term.waitFor(/gpj\\u202eexe\.txt/)
      term.keys('C-c')
      expect(await term.exitCode()).toBe(130)
      const pick = readFileSync(rawPick, 'utf8')
      expect(pick).toContain('gpj\\u202eexe.txt')
      expect(pick).not.toContain('\u202e')
    } finally {
      await new Promise<void>((r) => server.close(() => r()))
    }
  })
})

describe.skipIf(!hasTmux)('a past --expires on a terminal (issue 12, point 9)', () => {
  it('asks before anything is read or written: "no" is a cancel (exit 130, no vault), "yes" stores it', async () => {
    const file = path.join(t.dir, 'key.txt')
    writeFileSync(file, SECRET, { mode: 0o600 })
    const args = ['create', '--name', 'Late Key', '--type', 'openai', '--value-file', file, '--expires', '2020-01-01']
    term.start(args)
    await term.waitFor(/--expires 2020-01-01 is in the past: Late Key would show as expired at once\. Store it anyway\?/)
    term.type('n')
    term.keys('Enter')
    expect(await term.exitCode()).toBe(130)
    expect(term.screen()).toContain('not stored: --expires 2020-01-01 is in the past; nothing was written')
    expect(existsSync(t.vault)).toBe(false)
    noStackTrace(term.screen())

    term.start(args)
    await term.waitFor(/Store it anyway\?/)
    term.type('y')
    term.keys('Enter')
    expect(await term.exitCode()).toBe(0)
    const got = JSON.parse((await runCli(['get', 'Late Key', '--json'], { env: t.env })).stdout) as { expires_at: string }
    expect(got.expires_at).toBe('2020-01-01T00:00:00.000Z')
    expect(term.screen()).not.toContain(SECRET)
  })
})
