import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { BIN } from './cli.js'

/**
 * A real terminal of a chosen size for one credctl command: tmux runs the built CLI in a detached
 * session on a private socket, and the test reads the screen (capture-pane, with `-e` for colour) or
 * every byte written to the terminal (pipe-pane: carriage returns, line erases, colour codes). The
 * pane prints EXIT:<code> when the command ends. (test/e2e/prompts.test.ts has the same shape, at a
 * fixed 120x40, for typing into prompts.)
 */
export const hasTmux = spawnSync('tmux', ['-V']).status === 0

export class Screen {
  private readonly dir = mkdtempSync(path.join(tmpdir(), 'credctl-screen-'))
  private readonly sock = path.join(this.dir, 'sock')
  readonly raw = path.join(this.dir, 'raw')

  /** Starts `credctl ...args` in a cols x rows terminal with `env`; the bytes it writes go to `raw`. */
  constructor(args: string[], env: Record<string, string>, opts: { cols: number; rows?: number; shell?: string }) {
    const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`
    const script = path.join(this.dir, 'run.sh')
    const cmd = opts.shell ?? `${q(process.execPath)} ${q(BIN)} ${args.map(q).join(' ')}`
    // Waits for a key until pipe-pane is in place, so the raw file has the command's first byte.
    writeFileSync(script, ['#!/bin/sh', 'read _go', ...Object.entries({ TERM: 'xterm-256color', ...env }).map(([k, v]) => `export ${k}=${q(v)}`), cmd, 'echo "EXIT:$?"', 'sleep 600'].join('\n'), { mode: 0o700 })
    this.tmux(['new-session', '-d', '-s', 's', '-x', String(opts.cols), '-y', String(opts.rows ?? 40), script])
    this.tmux(['pipe-pane', '-t', 's', '-o', `cat >> ${q(this.raw)}`])
    this.tmux(['send-keys', '-t', 's', 'Enter'])
  }

  /** The screen as text (with scrollback); `colour` keeps SGR codes. */
  screen(colour = false): string {
    return this.tmux(['capture-pane', '-p', ...(colour ? ['-e'] : []), '-S', '-', '-t', 's'])
  }

  /** Every byte written to the terminal so far. */
  bytes(): string {
    try {
      return readFileSync(this.raw, 'utf8')
    } catch {
      return ''
    }
  }

  /** Waits for the command to end; returns its exit code. */
  async exit(timeoutMs = 20_000): Promise<number> {
    const end = Date.now() + timeoutMs
    for (;;) {
      const m = /EXIT:(\d+)/.exec(this.screen())
      if (m) return Number(m[1])
      if (Date.now() > end) throw new Error(`the command did not end; screen:\n${this.screen()}`)
      await new Promise((r) => setTimeout(r, 100))
    }
  }

  close(): void {
    this.tmux(['kill-server'], true)
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
