import * as os from 'node:os'
import * as path from 'node:path'

/**
 * A static_file path as stored: absolute, so the credential means the same files from any directory
 * (`run`, `validate` and `discover` run elsewhere later). `~` and `~/…` are the home directory of the
 * user storing it (as the check reads them, file-path.ts); anything else is resolved against the
 * current directory at create/update time. `~user/…` is not expanded (a shell does that before credctl
 * sees it; quoted, it is a relative name like any other). Globs stay globs: only the directory part is
 * anchored. Surrounding whitespace is dropped, as the check drops it. Throws nothing.
 */
export function absolutePath(raw: string): string {
  // The check reads the path trimmed (file-path.ts checkPath): stored as it is read. Resolving can
  // bring blanks to an end again (`~/ / ` -> `/home/u/ `), so repeat until the form is stable: the
  // stored path must read back as itself. Each pass only shortens it.
  let p = raw.trim()
  for (;;) {
    const next = (p === '~' ? os.homedir() : p.startsWith('~/') ? path.resolve(path.join(os.homedir(), p.slice(2))) : path.resolve(p)).trim()
    if (next === p) return p
    p = next
  }
}
