import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { BIN } from './cli.js'

/**
 * A real terminal for e2e tests: tmux runs a shell script in a detached session of a chosen size on a
 * private socket; the test types with send-keys and reads the screen (capture-pane, with scrollback;
 * `colour` keeps SGR codes) or, with `capture`, every byte written to the terminal (pipe-pane: carriage
 * returns, line erases, colour codes). The script runs in the pane's foreground process group, so
 * Ctrl-C sent with send-keys is the terminal's own SIGINT to the whole group, as a user's key press is.
 * The pane prints EXIT:<code of the last line> when the script ends.
 */
export const hasTmux = spawnSync('tmux', ['-V']).status === 0

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`

export class TmuxTerminal {
  private readonly dir = mkdtempSync(path.join(tmpdir(), 'credctl-tmux-'))
  private sock = ''
  private starts = 0
  private readonly socks: string[] = []
  private readonly session = 'credctl'
  readonly raw = path.join(this.dir, 'raw')

  /** Run `lines` (sh) with `env` exported in a cols x rows terminal (default 120x40). */
  /** `capture`: every byte also goes to `raw` (true) or to the file named. */
  start(lines: string[], env: Record<string, string>, opts: { cols?: number; rows?: number; capture?: boolean | string } = {}): void {
    const script = path.join(this.dir, `term-${++this.starts}.sh`)
    // With capture, the script waits for a key until pipe-pane is in place, so `raw` has the first byte.
    const body = [...(opts.capture ? ['read _go'] : []), ...Object.entries({ TERM: 'xterm-256color', ...env }).map(([k, v]) => `export ${k}=${q(v)}`), ...lines]
    writeFileSync(script, ['#!/bin/sh', ...body, 'echo "EXIT:$?"', 'sleep 600'].join('\n'), { mode: 0o700 })
    if (this.sock) this.tmux(['kill-server'], true)
    this.sock = path.join(this.dir, `s${this.starts}`)
    this.socks.push(this.sock)
    this.tmux(['new-session', '-d', '-s', this.session, '-x', String(opts.cols ?? 120), '-y', String(opts.rows ?? 40), script])
    if (opts.capture) {
      this.tmux(['pipe-pane', '-t', this.session, '-o', `cat >> ${q(typeof opts.capture === 'string' ? opts.capture : this.raw)}`])
      this.keys('Enter')
    }
  }

  keys(...keys: string[]): void {
    this.tmux(['send-keys', '-t', this.session, ...keys])
  }

  /** Type `text` literally ('--': text may start with '-'). */
  type(text: string): void {
    this.tmux(['send-keys', '-t', this.session, '-l', '--', text])
  }

  /** The screen as text (with scrollback); `colour` keeps SGR codes. */
  screen(colour = false): string {
    return this.tmux(['capture-pane', '-p', '-J', ...(colour ? ['-e'] : []), '-S', '-', '-t', this.session])
  }

  /** Every byte written to the terminal so far (with `capture`). */
  bytes(): string {
    try {
      return readFileSync(this.raw, 'utf8')
    } catch {
      return ''
    }
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

  async exitCode(timeoutMs = 20_000): Promise<number> {
    const s = await this.waitFor(/EXIT:\d+/, timeoutMs)
    return Number(/EXIT:(\d+)/.exec(s)![1])
  }

  close(): void {
    for (const sock of this.socks) {
      this.sock = sock
      this.tmux(['kill-server'], true)
    }
    rmSync(this.dir, { recursive: true, force: true })
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

/** One credctl command (or a `shell` line) in a cols x rows terminal, every byte captured. */
export class Screen extends TmuxTerminal {
  constructor(args: string[], env: Record<string, string>, opts: { cols: number; rows?: number; shell?: string }) {
    super()
    this.start([opts.shell ?? `${q(process.execPath)} ${q(BIN)} ${args.map(q).join(' ')}`], env, { cols: opts.cols, ...(opts.rows ? { rows: opts.rows } : {}), capture: true })
  }

  /** Waits for the command to end; returns its exit code. */
  exit(timeoutMs = 20_000): Promise<number> {
    return this.exitCode(timeoutMs)
  }
}
