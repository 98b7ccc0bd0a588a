import { promises as fsp } from 'node:fs'
import { CredctlError } from '../errors.js'
import { NotRegularFile, readRegularFile } from '../lib/regular-file.js'

/**
 * The text of a file that holds a secret credctl reads (a key file, an identity file), with the checks
 * ssh applies to private keys: it must exist, be owned by the user running credctl (another owner could
 * swap it), be readable by nobody else (mode & 077 = 0), and be a regular file (a FIFO there would block
 * the read for ever). `label` names it in messages ("key file", "identity file"); `missingHint` says
 * what to do when it is not there. KEY_UNAVAILABLE when missing, KEY_INVALID otherwise (both exit 4).
 */
export async function readOwnerOnlyFile(file: string, label: string, missingHint: string): Promise<string> {
  let st
  try {
    st = await fsp.stat(file)
  } catch {
    throw new CredctlError('KEY_UNAVAILABLE', `${label} ${file} does not exist`, { hint: missingHint })
  }
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) {
    throw new CredctlError('KEY_INVALID', `${label} ${file} is owned by another user (uid ${st.uid})`, { hint: `chown it to the user running credctl` })
  }
  if ((st.mode & 0o077) !== 0) {
    throw new CredctlError('KEY_INVALID', `${label} ${file} is readable by other users (mode ${(st.mode & 0o777).toString(8)})`, { hint: `chmod 600 ${file}` })
  }
  return readRegularFile(file).catch((e: unknown) => {
    throw new CredctlError('KEY_INVALID', `cannot read ${label} ${file}: ${e instanceof NotRegularFile ? `it is ${e.kind}` : (e as NodeJS.ErrnoException).code ?? 'error'}`)
  })
}
