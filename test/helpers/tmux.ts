import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'

/**
 * A real terminal for e2e tests: tmux runs a shell script in a detached 120x40 session on a private
 * socket; the test types with send-keys and reads the screen (with scrollback) with capture-pane. The
 * script runs in the pane's foreground process group, so Ctrl-C sent with send-keys is the terminal's
 * own SIGINT to the whole group, as a user's key press is. (The prompt tests in prompts.test.ts drive
 * credctl the same way with their own copy of this class.)
 */
export const hasTmux = spawnSync('tmux', ['-V']).status === 0

export class TmuxTerminal {
  private readonly dir = mkdtempSync(path.join(tmpdir(), 'credctl-tmux-'))
  private sock = ''
  private starts = 0
  private readonly socks: string[] = []
  private readonly session = 'credctl'

  /** Run `lines` (sh) with `env` exported; the pane prints EXIT:<code of the last line> when they end. */
  start(lines: string[], env: Record<string, string>): void {
    const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`
    const script = path.join(this.dir, `term-${++this.starts}.sh`)
    writeFileSync(script, ['#!/bin/sh', ...Object.entries({ TERM: 'xterm-256color', ...env }).map(([k, v]) => `export ${k}=${q(v)}`), ...lines, 'echo "EXIT:$?"', 'sleep 600'].join('\n'), { mode: 0o700 })
    if (this.sock) this.tmux(['kill-server'], true)
    this.sock = path.join(this.dir, `s${this.starts}`)
    this.socks.push(this.sock)
    this.tmux(['new-session', '-d', '-s', this.session, '-x', '120', '-y', '40', script])
  }

  keys(...keys: string[]): void {
    this.tmux(['send-keys', '-t', this.session, ...keys])
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
