import { expiryWarnings } from './expiry.js'
import { childEnv, parseEnvRefs, planRun, runDetail } from './inject.js'
import { secretTexts } from './mask.js'
import type { EnvRef, MaterializedRun, PreparedRun, RunPlan, RunPlanOptions, RunPlanView } from './types.js'
import type { Credential } from './view.js'

/**
 * `credctl run` as SDK calls (planRun, describePlan, prepareRun): the plan from the options, the plan
 * as --dry-run shows it, and the values with what to say before the program starts. The rules of the
 * plan are inject.ts's; this is the sequence around them. Starting the program, signals and the
 * masking of its output on a terminal stay with the caller (the CLI's run.ts).
 */

/** What this needs of the SDK client (structural, so this module does not import client.ts). */
export interface RunApi {
  list(filter: { includeDeleted: boolean }): Promise<Credential[]>
  resolvePlan(plan: RunPlan, record: { action: string; detail: string }): Promise<Map<string, string> & { credentials: Credential[] }>
}

/** The --env pairs in every accepted form, through the one parser (inject.ts parseEnvRefs). */
function envRefsOf(env: RunPlanOptions['env']): EnvRef[] {
  if (env === undefined) return []
  const flags = Array.isArray(env)
    ? (env as readonly (string | EnvRef)[]).map((e) => (typeof e === 'string' ? e : `${e.variable}=${e.ref}`))
    : Object.entries(env as Record<string, string>).map(([k, v]) => `${k}=${v}`)
  return parseEnvRefs(flags)
}

/** Plan a run: the env files are parsed and checked before the vault is read. */
export async function planFor(api: RunApi, opts: RunPlanOptions = {}): Promise<RunPlan> {
  const env = envRefsOf(opts.env)
  const files = opts.files?.length ? (await import('./env-resolve.js')).readEnvFiles(opts.files) : undefined
  const noDefaults = opts.defaults === false
  const plan = planRun(await api.list({ includeDeleted: true }), {
    ...(opts.only ? { only: opts.only } : {}),
    env,
    ...(files ? { files } : {}),
    ...(noDefaults ? { noDefaults } : {}),
  })
  return noDefaults ? { ...plan, noDefaults } : plan
}

/** Defaults not injected because their derived variable is refused (env-guard.ts) or their base URL is unsafe. */
function refusedNotes(plan: RunPlan): string[] {
  return plan.refused.map((r) =>
    r.base_url
      ? `warning: the default ${r.credential.type} "${r.credential.name}" is not injected: ${r.reason} (fix it with \`credctl update ${JSON.stringify(r.credential.name)} --base-url URL\`)`
      : `warning: the default ${r.credential.type} "${r.credential.name}" is not injected: its variable ${r.variable} ${r.reason} (rename it, or pick a variable with --env VAR=NAME)`,
  )
}

/** The plan without values: what `run --dry-run` prints (see RunPlanView). */
export async function describePlan(plan: RunPlan): Promise<RunPlanView> {
  const [{ maskKey }, { holdsSecret }] = await Promise.all([import('./mask.js'), import('./envfile.js')])
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
    ...(s.base_url ? { base_url: true as const } : {}),
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
  return { variables, base_urls, shadowed, refused, notes }
}

/**
 * Decrypt what the plan names (one key load, one history entry `run` naming `program`, every variable
 * and the env files) and say what should be said before the program starts. The temporary files are
 * written only by `materialize()`, so a caller can hold signals from there to `cleanup()`.
 */
export async function prepareRun(
  api: RunApi,
  plan: RunPlan,
  opts: { program?: string; files?: string[]; now: Date; vaultPath: () => Promise<string>; vaultExists: () => Promise<boolean> },
): Promise<PreparedRun> {
  const injected = [...plan.vars, ...plan.baseUrls]
  const values = await api.resolvePlan(plan, {
    action: 'run',
    // One entry for the whole run: the program, every variable it was given, the env files (history.ts).
    detail: runDetail(injected.map((p) => p.variable), opts.program, opts.files ?? []),
  })
  const program = opts.program ?? 'the program'
  const warnings = refusedNotes(plan)
  if (values.credentials.length === 0 && plan.literals.length === 0 && !plan.noDefaults) {
    // A new CI job runs before anyone created a vault: run the command, say so once, create nothing.
    warnings.push(
      (await opts.vaultExists())
        ? 'warning: no credential was injected: no type has a default (see `credctl list` and `credctl set-default`)'
        : `notice: no vault yet at ${await opts.vaultPath()}: ${program} runs with nothing injected (add credentials with \`credctl create\`)`,
    )
  }
  const variablesOf = (id: string) => injected.filter((p) => p.credential.id === id).map((p) => p.variable)
  for (const c of expiryWarnings(values.credentials, opts.now).expired) {
    warnings.push(`warning: ${JSON.stringify(c.name)} (${c.type}), injected as ${variablesOf(c.id).join(', ')}, expired on ${c.expires_at!.slice(0, 10)}; rotate it with: credctl update ${JSON.stringify(c.name)} --value-stdin`)
  }
  // Secret parts, not whole values: a database URL's password is concealed, its host stays readable.
  const secrets = [...new Set(values.credentials.flatMap((c) => secretTexts(c.schema_type ?? c.type, values.get(c.id)!)))]
  return {
    credentials: values.credentials,
    warnings,
    secrets,
    materialize: async (): Promise<MaterializedRun> => {
      const { materialize, sweepRunDirs } = await import('./run-files.js')
      await sweepRunDirs()
      const m = await materialize(plan, values)
      return { vars: m.vars, childEnv: (parent) => childEnv(parent, m.vars), cleanup: m.cleanup }
    },
  }
}
