import { privateTempFiles } from '../lib/private-temp.js'
import { envName, injectedValue, type RunPlan } from './inject.js'

/**
 * The temporary files of `credctl run`: a service-account JSON (bigquery) goes to a 0600 file in a
 * private 0700 directory under the OS temp dir, because GOOGLE_APPLICATION_CREDENTIALS is a path by
 * definition. The directory is `credctl-run-<pid>-XXXXXX`, named after the credctl that owns it.
 *
 * Leftovers are ruled out in two layers:
 * - run.ts keeps its signal handlers until cleanup() has finished, so a second Ctrl-C or a supervisor's
 *   repeated SIGTERM during cleanup cannot kill credctl between "command ended" and "file removed".
 * - SIGKILL (and anything else no handler sees: OOM killer, power loss) cannot be caught, so every
 *   `credctl run` first sweeps the run directories of dead credctl processes of the same user.
 *
 * Rejected: handing the file over an inherited descriptor (/dev/fd/N of an unlinked file). Nothing
 * would ever be left on disk, but the path breaks as soon as the command starts a program that closes
 * inherited descriptors (Python's subprocess does by default), and /dev/fd/N reopens the file on Linux
 * but dup()s it on macOS, so a second read there sees EOF.
 * Known limit of the sweep: a credctl in another PID namespace sharing this /tmp (two containers with one
 * tmpfs) looks dead from here; sharing /tmp across containers under one uid is unusual.
 */
export { sweepRunDirs } from '../lib/private-temp.js'

export interface Materialized {
  vars: Record<string, string>
  /** Removes the temporary files; safe to call twice. */
  cleanup(): Promise<void>
}

/**
 * Turn a plan and its decrypted values into variables, writing service-account JSON to 0600 files in a
 * private 0700 directory under the OS temp dir; env files' literal values are taken as they are. The
 * caller must call cleanup() when the command ends.
 */
export async function materialize(plan: RunPlan, values: Map<string, string>): Promise<Materialized> {
  const vars: Record<string, string> = {}
  for (const l of plan.literals ?? []) vars[l.variable] = l.value
  const temp = privateTempFiles()
  const files = new Map<string, string>()
  const cleanup = () => temp.cleanup()
  try {
    for (const p of plan.vars) {
      const value = values.get(p.credential.id)
      if (value === undefined) throw new Error(`internal: no value for ${p.credential.id}`)
      if (!p.file) {
        vars[p.variable] = injectedValue(p.credential, value)
        continue
      }
      let file = files.get(p.credential.id)
      if (!file) {
        file = await temp.write(`${envName(p.credential.name).toLowerCase() || 'credential'}-${files.size + 1}.json`, value)
        files.set(p.credential.id, file)
      }
      vars[p.variable] = file
    }
    // Base URLs are public (the input check refused any with a user or password in them), and planRun
    // re-checks stored ones: set as they are.
    for (const b of plan.baseUrls) vars[b.variable] = b.url
  } catch (e) {
    await cleanup()
    throw e
  }
  return { vars, cleanup }
}
