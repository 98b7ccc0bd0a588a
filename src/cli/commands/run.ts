import { promises as fsp, readFileSync } from 'node:fs'
import { constants as osConstants } from 'node:os'
import * as path from 'node:path'
import { CredctlError } from '../../errors.js'
import { childEnv, parseEnvRefs, planRun, runDetail, type RunPlan } from '../../credentials/inject.js'
import { expiryWarnings } from '../../credentials/expiry.js'
import { secretTexts } from '../../credentials/mask.js'
import { materialize, sweepRunDirs, type Materialized } from '../../credentials/run-files.js'
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

async function dryRun(plan: RunPlan): Promise<Output> {
  const { maskKey } = await import('../../credentials/mask.js')
  const { holdsSecret } = await import('../../credentials/envfile.js')
  const variables = [
    ...plan.vars.map((p) => ({
      variable: p.variable,
      name: p.credential.name,
      id: p.credential.id,
      type: p.credential.type,
      masked_content: p.credential.masked_content,
      source: p.source === 'env' ? '--env' : p.source === 'file' ? p.origin! : 'default',
      file: p.file,
    })),
    // A literal may be a secret nobody moved to the vault yet (a webhook URL, a DSN, a token in a URL):
    // the one secret rule (envfile.ts holdsSecret, as import uses) decides, and a secret is masked as a
    // key is (at most a quarter of it); configuration is shown as written.
    ...plan.literals.map((l) => ({ variable: l.variable, name: null, id: null, type: null, masked_content: holdsSecret(l.variable, l.value) ? maskKey(l.value) : l.value, source: l.origin, file: false })),
  ]
  const base_urls = [...plan.baseUrls, ...(plan.fileBaseUrls ?? [])].map((b) => ({ variable: b.variable, name: b.credential.name, id: b.credential.id, type: b.credential.type, url: b.url, ...(b.origin ? { source: b.origin } : {}) }))
  const shadowed = plan.shadowed.map((s) => ({
    variable: s.variable,
    name: s.credential.name,
    id: s.credential.id,
    type: s.credential.type,
    set_by: s.by?.name ?? s.origin,
    ...(s.base_url ? { base_url: true } : {}),
  }))
  const refused = plan.refused.map((r) => ({ variable: r.variable, name: r.credential.name, id: r.credential.id, type: r.credential.type, reason: r.reason }))
  const setter = (s: RunPlan['shadowed'][number]) => (s.by ? `"${s.by.name}" (${s.by.type})` : `${s.origin}`)
  const notes = plan.shadowed.map((s) =>
    s.base_url
      ? `${s.variable}: follows ${setter(s)}, not "${s.credential.name}" (${s.credential.type}, ${s.credential.base_url ? `base URL ${s.credential.base_url}` : "the vendor's endpoint"}), which is injected too: a program that hands "${s.credential.name}" to its SDK must pass its base URL itself`
      : `${s.variable}: not from the default ${s.credential.type} "${s.credential.name}": ${s.source === 'env' ? '--env' : s.source === 'file' ? `${s.origin}` : `the ${s.by!.type} default`}${s.by ? ` "${s.by.name}"` : ''} sets it (choose with --env ${s.variable}=NAME)`,
  )
  notes.push(...plan.overridden.map((o) => `${o.variable}: ${o.origin} is overridden by --env ${o.variable}`))
  notes.push(...refusedNotes(plan))
  if (variables.length === 0) notes.push('no variables would be set: no type has a default credential (see `credctl list`, `credctl set-default`)')
  return {
    json: { variables, base_urls, shadowed, refused },
    table: {
      head: ['VARIABLE', 'NAME', 'TYPE', 'VALUE', 'SOURCE'],
      rows: [
        ...variables.map((v) => [v.variable, v.name ?? '', v.type ?? '(literal)', v.file ? `path of a temporary 0600 file: ${v.masked_content}` : v.masked_content, v.source]),
        ...base_urls.map((b) => [b.variable, b.name, b.type, b.url, b.source ? `base URL (${b.source})` : 'base URL']),
      ],
    },
    notes,
  }
}

/** Defaults not injected because their derived variable is refused (see env-guard.ts) or their base URL is unsafe. */
const refusedNotes = (plan: RunPlan) =>
  plan.refused.map((r) =>
    r.base_url
      ? `warning: the default ${r.credential.type} "${r.credential.name}" is not injected: ${r.reason} (fix it with \`credctl update ${JSON.stringify(r.credential.name)} --base-url URL\`)`
      : `warning: the default ${r.credential.type} "${r.credential.name}" is not injected: its variable ${r.variable} ${r.reason} (rename it, or pick a variable with --env VAR=NAME)`,
  )

export async function run(f: Factory, command: string[], o: RunOptions, exec: Exec = nodeExec): Promise<Output> {
  const refs = parseEnvRefs(o.env)
  if (!o.dryRun && command.length === 0) throw new CredctlError('USAGE', 'missing the command to run: credctl run [--only TYPE...] [--env VAR=NAME...] [--dotenv FILE...] -- CMD ARGS')
  // Every file is read and checked (syntax, env-guard) before the vault is opened.
  const fileNames = (o.dotenv ?? []).map((x) => (x === '-' ? 'stdin' : x))
  let files: import('../../credentials/env-resolve.js').FileVar[] | undefined
  if (o.dotenv?.length) {
    const { readEnvFiles } = await import('../../credentials/env-resolve.js')
    const sources = []
    for (const x of o.dotenv) sources.push({ file: x === '-' ? 'stdin' : x, text: await readInput(x, '--dotenv', MAX_ENV_FILE_BYTES, f.io.stdin) })
    files = readEnvFiles(sources)
  }
  if (o.mask && o.masking === false) throw new CredctlError('USAGE', '--mask and --no-masking contradict each other: choose one')
  const client = await f.client()
  const plan = planRun(await client.credentials.list({ includeDeleted: true }), {
    ...(o.only ? { only: o.only } : {}),
    env: refs,
    ...(files ? { files } : {}),
    ...(o.defaults === false ? { noDefaults: true } : {}),
  })
  if (o.dryRun) return dryRun(plan)

  const [file, ...args] = command as [string, ...string[]]
  const program = path.basename(file)
  const ids = [...new Set(plan.vars.map((p) => p.credential.id))]
  const variablesOf = (id: string) => [...plan.vars, ...plan.baseUrls].filter((p) => p.credential.id === id).map((p) => p.variable)
  const values = await client.credentials.resolvePlan(plan, {
    action: 'run',
    // One entry for the whole run: the program, every variable it was given, the env files (history.ts).
    detail: runDetail([...plan.vars, ...plan.baseUrls].map((p) => p.variable), program, fileNames),
  })
  // Said before CMD starts, not when it ends: a server started by run may run for days.
  const warnings = refusedNotes(plan)
  if (ids.length === 0 && plan.literals.length === 0 && o.defaults !== false) {
    // A new CI job runs before anyone created a vault: run the command, say so once, create nothing.
    const vault = await client.vaultPath()
    const exists = await fsp.lstat(vault).then(() => true, () => false)
    warnings.push(
      exists
        ? 'warning: no credential was injected: no type has a default (see `credctl list` and `credctl set-default`)'
        : `notice: no vault yet at ${vault}: ${program} runs with nothing injected (add credentials with \`credctl create\`)`,
    )
  }
  for (const c of expiryWarnings(values.credentials, f.now()).expired) {
    warnings.push(`warning: ${JSON.stringify(c.name)} (${c.type}), injected as ${variablesOf(c.id).join(', ')}, expired on ${c.expires_at!.slice(0, 10)}; rotate it with: credctl update ${JSON.stringify(c.name)} --value-stdin`)
  }
  if (warnings.length) await f.io.term.err(warnings.map((w) => `${w}\n`).join(''))
  // Output masking (as `op run`): what is not a terminal (a CI log, a file, a pipe) gets the child's
  // output with every secret part of every injected value concealed; a terminal gets it directly
  // unless --mask. Secret parts, not whole values: a database URL's password goes, its host stays.
  const secrets = [...new Set(values.credentials.flatMap((c) => secretTexts(c.schema_type ?? c.type, values.get(c.id)!)))]
  const masking = o.masking !== false && secrets.length > 0
  const conceal = { stdout: masking && (!!o.mask || !f.io.isStdoutTTY), stderr: masking && (!!o.mask || !f.io.isStderrTTY), secrets }
  const signals = holdSignals(f.io)
  let m: Materialized | undefined
  try {
    await sweepRunDirs()
    m = await materialize(plan, values)
    // A signal while the files were being written: the user changed their mind; nothing is run.
    const early = signals.received()
    if (early) return { exitCode: exitCodeOf({ signal: early }), notes: [`credctl: ${early}: ${file} was not started`] }
    const child = exec(file, args, childEnv(f.env, m.vars), conceal)
    signals.forwardTo((s) => child.kill(s))
    const r = await child.done
    if (r.code === 'ENOENT') return { exitCode: 127, notes: [`credctl: command not found: ${file}`] }
    if (r.code === 'EACCES') return { exitCode: 126, notes: [`credctl: permission denied: ${file}`] }
    if (r.code === 'E2BIG') {
      const bytes = [file, ...args, ...Object.entries(childEnv(f.env, m.vars)).map(([k, v]) => `${k}=${v}`)].reduce((n, x) => n + Buffer.byteLength(x) + 1, 0)
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
