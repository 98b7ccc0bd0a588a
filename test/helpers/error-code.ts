import { CredctlError } from '../../src/errors.js'

/** What `p` ends with: 'ok', or the code of the CredctlError it throws (anything else is rethrown). */
export async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p
    return 'ok'
  } catch (e) {
    if (e instanceof CredctlError) return e.code
    throw e
  }
}
