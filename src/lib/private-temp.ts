import { promises as fsp } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { pidAlive } from './pid.js'

/**
 * Private temporary files of one credctl process (credentials/run-files.ts explains why `run` needs
 * them and how leftovers are ruled out): a 0700 directory `credctl-run-<pid>-XXXXXX` under the OS temp
 * dir, created on the first write, holding 0600 files created exclusively. The pid in the name lets
 * sweepRunDirs remove what a killed credctl left.
 */
const PREFIX = 'credctl-run-'
const RUN_DIR = new RegExp(`^${PREFIX}(\\d+)-[A-Za-z0-9]{6}$`)

export interface PrivateTempFiles {
  /** Write `text` to a new 0600 file `name` (a plain file name) in the private directory; its path. */
  write(name: string, text: string): Promise<string>
  /** Remove the directory and everything in it; safe to call twice. */
  cleanup(): Promise<void>
}

export function privateTempFiles(root: string = tmpdir()): PrivateTempFiles {
  let dir: string | undefined
  return {
    async write(name, text) {
      if (name !== path.basename(name) || name === '' || name === '.' || name === '..') throw new Error(`internal: not a plain file name: ${name}`)
      dir ??= await fsp.mkdtemp(path.join(root, `${PREFIX}${process.pid}-`))
      await fsp.chmod(dir, 0o700)
      const file = path.join(dir, name)
      const fh = await fsp.open(file, 'wx', 0o600)
      try {
        await fh.chmod(0o600)
        await fh.writeFile(text, 'utf8')
      } finally {
        await fh.close()
      }
      return file
    },
    async cleanup() {
      if (dir) await fsp.rm(dir, { recursive: true, force: true })
    },
  }
}

/** Remove the private directories of dead credctl processes of this user; errors are ignored. */
export async function sweepRunDirs(root: string = tmpdir()): Promise<void> {
  const names = await fsp.readdir(root).catch(() => [] as string[])
  const uid = process.getuid?.()
  for (const name of names) {
    const pid = Number(RUN_DIR.exec(name)?.[1])
    if (!pid || pid === process.pid || pidAlive(pid)) continue
    const dir = path.join(root, name)
    const st = await fsp.lstat(dir).catch(() => undefined)
    if (!st?.isDirectory() || (uid !== undefined && st.uid !== uid)) continue
    await fsp.rm(dir, { recursive: true, force: true }).catch(() => {})
  }
}
