import { promises as fsp } from 'node:fs'
import { constants as osConstants } from 'node:os'
import * as path from 'node:path'
import { CredctlError } from '../../errors.js'
import { childEnv, parseEnvRefs, planRun, type RunPlan } from '../../credentials/inject.js'
import { materialize, sweepRunDirs, type Materialized } from '../../credentials/run-files.js'
import type { Factory } from '../factory.js'
import type { Output } from '../output.js'

export interface RunOptions {
  only?: string[]
  env?: string[]
  dryRun?: boolean
  json?: boolean
}

/** What happened to the child: an exit code, a signal, or a spawn error code (ENOENT, EACCES). */
export interface ExecResult {
  exitCode?: number | undefined
  signal?: string | undefined
  code?: string | undefined
}

/** Starts CMD with inherited stdio; `kill` forwards a signal. Injected so tests never spawn. */
export type Exec = (file: string, args: string[], env: Record<string, string>) => { kill(signal: NodeJS.Signals): void; done: Promise<ExecResult> }

export const execaExec: Exec = (file, args, env) => {
  let child: { kill(signal: NodeJS.Signals): boolean } | undefined
  const pending: NodeJS.Signals[] = []
  const done = import('execa').then(async ({ execa }) => {
    // extendEnv: false, so the scrubbed env is the whole env; stdio inherited, so CMD talks to the
    // terminal (or the pipes) directly and credctl never sees its output. That output is exempt from
    // terminal.ts's escaping on purpose: it is the child's, not credctl's (`run -- cat file` must be cat).
    const sub = execa(file, args, { env, extendEnv: false, stdio: 'inherit', reject: false, windowsHide: false })
    child = sub
    for (const s of pending.splice(0)) sub.kill(s)
    const r = await sub
    return { exitCode: r.exitCode, signal: r.signal, code: r.code }
  })
  return {
    kill: (s) => {
      if (child) child.kill(s)
      else pending.push(s)
    },
    done,
  }
}

// SIGINT from a terminal reaches the whole foreground process group, so CMD may get it twice (from the
// terminal and from us). npm's run-script makes the same trade-off: a `kill -INT <credctl pid>` from a
// supervisor must reach CMD, and credctl cannot tell the two apart. SIGHUP and SIGQUIT (Ctrl-\) are
// forwarded too: their default action would end credctl before it removes its temporary files.
// (Windows has no SIGQUIT, and listening for a signal libuv does not know there throws.)
const FORWARDED: NodeJS.Signals[] = process.platform === 'win32' ? ['SIGINT', 'SIGTERM', 'SIGHUP'] : ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT']

/**
 * Hold the forwarded signals from before the first temporary file is written until after the last one
 * is removed. While held, a signal never ends credctl: it is remembered (`received`) and passed to the
 * command once there is one. Released only after cleanup, so a second Ctrl-C or a supervisor's repeated
 * SIGTERM arriving during cleanup cannot leave a key file behind.
 */
function holdSignals() {
  let target: ((s: NodeJS.Signals) => void) | undefined
  let received: NodeJS.Signals | undefined
  const handlers = FORWARDED.map((s) => {
    const h = () => {
      received ??= s
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

function dryRun(plan: RunPlan): Output {
  const variables = plan.vars.map((p) => ({
    variable: p.variable,
    name: p.credential.name,
    id: p.credential.id,
    type: p.credential.type,
    masked_content: p.credential.masked_content,
    source: p.source === 'env' ? '--env' : 'default',
    file: p.file,
  }))
  const shadowed = plan.shadowed.map((s) => ({ variable: s.variable, name: s.credential.name, id: s.credential.id, type: s.credential.type, set_by: s.by.name }))
  const refused = plan.refused.map((r) => ({ variable: r.variable, name: r.credential.name, id: r.credential.id, type: r.credential.type, reason: r.reason }))
  const notes = plan.shadowed.map(
    (s) =>
      `${s.variable}: not from the default ${s.credential.type} "${s.credential.name}": ${s.source === 'env' ? '--env' : `the ${s.by.type} default`} "${s.by.name}" sets it (choose with --env ${s.variable}=NAME)`,
  )
  notes.push(...refusedNotes(plan))
  if (variables.length === 0) notes.push('no variables would be set: no type has a default credential (see `credctl list`, `credctl set-default`)')
  return {
    json: { variables, shadowed, refused },
    table: {
      head: ['VARIABLE', 'NAME', 'TYPE', 'VALUE', 'SOURCE'],
      rows: variables.map((v) => [v.variable, v.name, v.type, v.file ? `path of a temporary 0600 file: ${v.masked_content}` : v.masked_content, v.source]),
    },
    notes,
  }
}

/** Defaults not injected because their derived variable is refused (see env-guard.ts). */
const refusedNotes = (plan: RunPlan) =>
  plan.refused.map(
    (r) => `warning: the default ${r.credential.type} "${r.credential.name}" is not injected: its variable ${r.variable} ${r.reason} (rename it, or pick a variable with --env VAR=NAME)`,
  )

export async function run(f: Factory, command: string[], o: RunOptions, exec: Exec = execaExec): Promise<Output> {
  const refs = parseEnvRefs(o.env)
  if (!o.dryRun && command.length === 0) throw new CredctlError('USAGE', 'missing the command to run: credctl run [--only TYPE...] [--env VAR=NAME...] -- CMD ARGS')
  const client = await f.client()
  const plan = planRun(await client.credentials.list({ includeDeleted: true }), { ...(o.only ? { only: o.only } : {}), env: refs })
  if (o.dryRun) return dryRun(plan)

  const [file, ...args] = command as [string, ...string[]]
  const program = path.basename(file)
  const ids = [...new Set(plan.vars.map((p) => p.credential.id))]
  const resolved = await client.credentials.resolveMany(ids, {
    action: 'run',
    // One entry for the whole run: the program and every variable it was given (history.ts).
    detail: `${program}: ${plan.vars.map((p) => p.variable).join(', ') || 'nothing injected'}`,
  })
  for (const n of refusedNotes(plan)) f.warn(n)
  if (ids.length === 0) {
    // A new CI job runs before anyone created a vault: run the command, say so once, create nothing.
    const vault = await client.vaultPath()
    const exists = await fsp.lstat(vault).then(() => true, () => false)
    f.warn(
      exists
        ? 'warning: no credential was injected: no type has a default (see `credctl list` and `credctl set-default`)'
        : `notice: no vault yet at ${vault}: ${program} runs with nothing injected (add credentials with \`credctl create\`)`,
    )
  }
  // The plan was made from a read without the key; the values come from a read whose integrity was
  // checked. Were the file changed in between, the plan could route a secret to the wrong variable:
  // what decides the routing must be the same in both.
  const routing = (c: { name: string; type: string; schema_type?: string; is_default: boolean; deleted_at?: string }) =>
    JSON.stringify([c.name, c.type, c.schema_type ?? null, c.is_default, c.deleted_at ?? null])
  const planned = new Map(plan.vars.map((v) => [v.credential.id, routing(v.credential)]))
  if (resolved.length !== ids.length || resolved.some((r) => planned.get(r.credential.id) !== routing(r.credential))) {
    throw new CredctlError('VAULT_DAMAGED', 'the vault changed while the command was being prepared; nothing was run', { hint: 'run it again' })
  }
  const values = new Map(resolved.map((r) => [r.credential.id, r.value]))
  const signals = holdSignals()
  let m: Materialized | undefined
  try {
    await sweepRunDirs()
    m = await materialize(plan, values)
    // A signal while the files were being written: the user changed their mind; nothing is run.
    const early = signals.received()
    if (early) return { exitCode: exitCodeOf({ signal: early }), notes: [`credctl: ${early}: ${file} was not started`] }
    const child = exec(file, args, childEnv(f.env, m.vars))
    signals.forwardTo((s) => child.kill(s))
    const r = await child.done
    if (r.code === 'ENOENT') return { exitCode: 127, notes: [`credctl: command not found: ${file}`] }
    if (r.code === 'EACCES') return { exitCode: 126, notes: [`credctl: permission denied: ${file}`] }
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
