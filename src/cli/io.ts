import { createTerminal, type Terminal } from './terminal.js'

/**
 * Terminal facts, decided once (STYLE 6): whether stdout is a TTY (tables vs tab-separated lines),
 * whether colour is on (NO_COLOR, FORCE_COLOR, CLICOLOR), and whether we may prompt (both stdin and
 * stdout are TTYs and CREDCTL_NO_PROMPT is unset), and the one writer every byte of output goes through.
 */
export interface IOStreams {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean }
  /** Output goes through this writer only (terminal.ts): it escapes what may not reach a terminal. */
  term: Terminal
  isStdoutTTY: boolean
  isStderrTTY: boolean
  colorEnabled: boolean
  canPrompt: boolean
  /** Columns of the terminal stdout is (read at each call: it may be resized); 80 when unknown. */
  terminalWidth(): number
}

export function systemIO(env: NodeJS.ProcessEnv = process.env): IOStreams {
  const isStdoutTTY = !!process.stdout.isTTY
  const isStderrTTY = !!process.stderr.isTTY
  let colorEnabled = isStdoutTTY
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') colorEnabled = false
  else if (env.CLICOLOR === '0') colorEnabled = false
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false') colorEnabled = true
  else if (env.FORCE_COLOR === '0' || env.FORCE_COLOR === 'false') colorEnabled = false
  const term = createTerminal()
  const neverPrompt = !!env.CREDCTL_NO_PROMPT && env.CREDCTL_NO_PROMPT !== '0'
  return {
    stdin: process.stdin,
    term,
    isStdoutTTY,
    isStderrTTY,
    colorEnabled,
    canPrompt: !neverPrompt && !!process.stdin.isTTY && isStdoutTTY,
    terminalWidth: () => term.columns(),
  }
}
