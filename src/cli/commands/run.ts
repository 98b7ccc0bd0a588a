import { readFileSync } from 'node:fs'
import { constants as osConstants } from 'node:os'
import * as path from 'node:path'
import { CredctlError } from '../../errors.js'
import { parseEnvRefs } from '../../credentials/inject.js'
import type { MaterializedRun, RunPlanView } from '../../credentials/types.js'
import type { Factory } from '../factory.js'
import type { IOStreams } from '../io.js'
import { relayChildOutput } from '../terminal.js'
import type { Output } from '../output.js'
import { readInput } from '../read-input.js'

export interface RunOptions {
  only?: string[]
  env?: string[]
  dotenv?: string[]
  /** false with --no-defaults */
  defaults?: boolean
  dryRun?: boolean
  json?: boolean
  /** --mask: conceal injected values in the child's output on a terminal too. */
  mask?: boolean
  /** false with --no-masking: never conceal (commander's negated option). */
  masking?: boolean
}

/** An env file is configuration: 1 MiB is far beyond any real one and keeps a runaway pipe bounded. */
const MAX_ENV_FILE_BYTES = 1024 * 1024

/** What happened to the child: an exit code, a signal, or a spawn error code (ENOENT, EACCES). */
export interface ExecResult {
  exitCode?: number | undefined
  signal?: string | undefined
  code?: string | undefined
}

/** Which of the child's outputs go through the filter of src/lib/conceal.ts, and what it conceals. */
export interface Concealment {
  stdout: boolean
  stderr: boolean
  secrets: string[]
}

/** Starts CMD (stdin inherited); `kill` forwards a signal. Injected so tests never spawn. */
export type Exec = (
  file: string,
  args: string[],
  env: Record<string, string>,
  conceal: Concealment,
) => { kill(signal: NodeJS.Signals): void; done: Promise<ExecResult> }

/**
 * node:child_process, not execa: execa loads about 150 modules for what is one spawn here (bench/: `run
 * -- true` before and after). The env is the whole env (the scrubbed one of childEnv). An output that is
 * not concealed is inherited, so CMD talks to the terminal or the pipe directly (interactive programs
 * work) and credctl never sees it; a concealed one is a pipe relayed through the filter
 * (terminal.ts relayChildOutput). The result waits for the relays, so every byte is out before exit.
 */
export const nodeExec: Exec = (file, args, env, conceal) => {
  let child: { kill(signal: NodeJS.Signals): boolean } | undefined
  const pending: NodeJS.Signals[] = []
  const done = (async () => {
    const { spawn } = await import('node:child_process')
    const concealStream = conceal.stdout || conceal.stderr ? (await import('../../lib/conceal.js')).concealStream : undefined
    return new Promise<ExecResult>((resolve) => {
      let sub: ReturnType<typeof spawn>
      try {
        sub = spawn(file, args, { env, stdio: ['inherit', conceal.stdout ? 'pipe' : 'inherit', conceal.stderr ? 'pipe' : 'inherit'], windowsHide: false })
      } catch (e) {
        // A synchronous spawn failure (E2BIG, a NUL in an argument: ERR_INVALID_ARG_VALUE) carries the
        // offending value in its message: only its code leaves here.
        resolve({ code: String((e as NodeJS.ErrnoException).code ?? 'EINVAL') })
        return
      }
      child = sub
      const relays: Promise<void>[] = []
      const readerGone = () => void (process.platform === 'win32' || sub.kill('SIGPIPE'))
      // Once the child is gone, the relays end when its pipes go quiet (terminal.ts), not when every
      // process that inherited them (a background job it started) has closed them.
      const exited = new Promise<void>((r) => {
        sub.once('exit', () => r())
        sub.once('error', () => r())
      })
      if (sub.stdout) relays.push(relayChildOutput(sub.stdout, 'stdout', concealStream!(conceal.secrets), readerGone, exited))
      if (sub.stderr) relays.push(relayChildOutput(sub.stderr, 'stderr', concealStream!(conceal.secrets), readerGone, exited))
      // A spawn failure (ENOENT, EACCES) is an 'error' without an 'exit'.
      sub.on('error', (e) => void Promise.all(relays).then(() => resolve({ code: (e as NodeJS.ErrnoException).code })))
      sub.once('exit', (exitCode, signal) => void Promise.all(relays).then(() => resolve({ exitCode: exitCode ?? undefined, signal: signal ?? undefined })))
      for (const s of pending.splice(0)) sub.kill(s)
    })
  })()
  return {
    kill: (s) => {
      if (child) child.kill(s)
      else pending.push(s)
    },
    done,
  }
}

// SIGHUP and SIGQUIT (Ctrl-\) are held too: their default action would end credctl before it removes
// its temporary files. (Windows has no SIGQUIT, and listening for a signal libuv does not know there throws.)
const FORWARDED: NodeJS.Signals[] = process.platform === 'win32' ? ['SIGINT', 'SIGTERM', 'SIGHUP'] : ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT']
/** The signals a terminal sends to its whole foreground process group (Ctrl-C, Ctrl-\). */
const FROM_TERMINAL = new Set<NodeJS.Signals>(['SIGINT', 'SIGQUIT'])

/**
 * Whether a SIGINT or SIGQUIT now may have come from the terminal, which sends it to the whole
 * foreground process group, CMD included (CMD is in credctl's group: it is not started detached).
 * Forwarding it as well would give CMD two, and a program that shuts down gracefully on the first is
 * forced by the second. So: credctl has a terminal on stdin, stdout or stderr, and (on Linux, where
 * /proc/self/stat tells the process group and the terminal's foreground group) it is in the
 * foreground. Elsewhere the first condition alone decides. Without a terminal a SIGINT can only come
 * from `kill` (a supervisor, a CI runner's cancel) and is forwarded: nothing else would deliver it.
 */
function terminalMaySend(io: Pick<IOStreams, 'stdin' | 'isStdoutTTY' | 'isStderrTTY'>): boolean {
  if (!io.stdin.isTTY && !io.isStdoutTTY && !io.isStderrTTY) return false
  if (process.platform !== 'linux') return true
  try {
    const stat = readFileSync('/proc/self/stat', 'latin1')
    // pid (comm) state ppid pgrp session tty_nr tpgid ...: comm may hold spaces and parentheses.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return Number(f[2]) === Number(f[5])
  } catch {
    return true
  }
}

/**
 * Hold the forwarded signals from before the first temporary file is written until after the last one
 * is removed. While held, a signal never ends credctl: it is remembered (`received`) and passed to the
 * command once there is one, except a SIGINT or SIGQUIT the terminal already sent it (above). Released
 * only after cleanup, so a second Ctrl-C or a supervisor's repeated SIGTERM arriving during cleanup
 * cannot leave a key file behind.
 */
function holdSignals(io: Pick<IOStreams, 'stdin' | 'isStdoutTTY' | 'isStderrTTY'>) {
  let target: ((s: NodeJS.Signals) => void) | undefined
  let received: NodeJS.Signals | undefined
  const handlers = FORWARDED.map((s) => {
    const h = () => {
      received ??= s
      if (FROM_TERMINAL.has(s) && terminalMaySend(io)) return
      target?.(s)
    }
    process.on(s, h)
    return [s, h] as const
  })
  return {
    received: () => received,
    forwardTo: (fn: (s: NodeJS.Signals) => void) => (target = fn),
    release: () => {
      for (const [s, h] of handlers) process.off(s, h)
    },
  }
}

/** 128 + n for a signal, as shells report it. */
export function exitCodeOf(r: ExecResult): number {
  if (r.signal) return 128 + ((osConstants.signals as Record<string, number>)[r.signal] ?? 1)
  return r.exitCode ?? 1
}

/** `--dry-run`: the SDK's view of the plan (describePlan) as a table and notes. */
function dryRun(view: RunPlanView): Output {
  const { notes, ...json } = view
  return {
    json,
    table: {
      head: ['VARIABLE', 'NAME', 'TYPE', 'VALUE', 'SOURCE'],
      rows: [
        ...view.variables.map((v) => [v.variable, v.name ?? '', v.type ?? '(literal)', v.file ? `path of a temporary 0600 file: ${v.masked_content}` : v.masked_content, v.source]),
        ...view.base_urls.map((b) => [b.variable, b.name, b.type, b.url, b.source ? `base URL (${b.source})` : 'base URL']),
      ],
    },
    notes,
  }
}

export async function run(f: Factory, command: string[], o: RunOptions, exec: Exec = nodeExec): Promise<Output> {
  const refs = parseEnvRefs(o.env)
  if (!o.dryRun && command.length === 0) throw new CredctlError('USAGE', 'missing the command to run: credctl run [--only TYPE...] [--env VAR=NAME...] [--dotenv FILE...] -- CMD ARGS')
  if (o.mask && o.masking === false) throw new CredctlError('USAGE', '--mask and --no-masking contradict each other: choose one')
  // Every file is read before the vault is opened; the SDK checks them (syntax, env-guard) before it reads the vault.
  const fileNames = (o.dotenv ?? []).map((x) => (x === '-' ? 'stdin' : x))
  const files = []
  for (const x of o.dotenv ?? []) files.push({ file: x === '-' ? 'stdin' : x, text: await readInput(x, '--dotenv', MAX_ENV_FILE_BYTES, f.io.stdin) })
  const client = await f.client()
  const plan = await client.credentials.planRun({
    ...(o.only ? { only: o.only } : {}),
    env: refs,
    files,
    ...(o.defaults === false ? { defaults: false } : {}),
  })
  if (o.dryRun) return dryRun(await client.credentials.describePlan(plan))

  const [file, ...args] = command as [string, ...string[]]
  const prepared = await client.credentials.prepareRun(plan, { program: path.basename(file), files: fileNames })
  // Said before CMD starts, not when it ends: a server started by run may run for days.
  if (prepared.warnings.length) await f.io.term.err(prepared.warnings.map((w) => `${w}\n`).join(''))
  // Output masking (as `op run`): what is not a terminal (a CI log, a file, a pipe) gets the child's
  // output with every secret part of every injected value concealed; a terminal gets it directly
  // unless --mask.
  const secrets = prepared.secrets
  const masking = o.masking !== false && secrets.length > 0
  const conceal = { stdout: masking && (!!o.mask || !f.io.isStdoutTTY), stderr: masking && (!!o.mask || !f.io.isStderrTTY), secrets }
  const signals = holdSignals(f.io)
  let m: MaterializedRun | undefined
  try {
    m = await prepared.materialize()
    // A signal while the files were being written: the user changed their mind; nothing is run.
    const early = signals.received()
    if (early) return { exitCode: exitCodeOf({ signal: early }), notes: [`credctl: ${early}: ${file} was not started`] }
    const env = m.childEnv(f.env)
    const child = exec(file, args, env, conceal)
    signals.forwardTo((s) => child.kill(s))
    const r = await child.done
    if (r.code === 'ENOENT') return { exitCode: 127, notes: [`credctl: command not found: ${file}`] }
    if (r.code === 'EACCES') return { exitCode: 126, notes: [`credctl: permission denied: ${file}`] }
    if (r.code === 'E2BIG') {
      const bytes = [file, ...args, ...Object.entries(env).map(([k, v]) => `${k}=${v}`)].reduce((n, x) => n + Buffer.byteLength(x) + 1, 0)
      throw new CredctlError('USAGE', `the environment and arguments are too large for the system (${bytes} bytes): ${file} was not started`)
    }
    // By code only: a spawn error's message may quote an argument or a variable's value.
    if (r.exitCode === undefined && !r.signal) return { exitCode: 1, notes: [`credctl: could not run ${file}${r.code ? ` (${r.code})` : ''}`] }
    return { exitCode: exitCodeOf(r) }
  } finally {
    try {
      await m?.cleanup()
    } finally {
      signals.release()
    }
  }
}
