/**
 * The OS keychain behind a tiny interface, every call under a timeout (a locked GNOME Keyring can wait
 * forever for a password dialog nobody sees). On Linux the entry is pinned to the Secret Service: the
 * library's default would quietly fall back to the kernel keyring, whose entries vanish on reboot and
 * would take the vault key with them.
 */
export interface Keychain {
  get(account: string): Promise<string | null>
  set(account: string, secret: string): Promise<void>
  delete(account: string): Promise<boolean>
}

export const SERVICE = 'credctl'

export class KeychainError extends Error {}

async function withTimeout<T>(ms: number, what: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController()
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      ac.abort()
      reject(new KeychainError(`keychain did not answer within ${ms} ms (${what})`))
    }, ms)
    timer.unref?.()
  })
  try {
    return await Promise.race([fn(ac.signal), timeout])
  } catch (e) {
    if (e instanceof KeychainError) throw e
    throw new KeychainError(`keychain ${what} failed: ${(e as Error)?.message ?? String(e)}`)
  } finally {
    clearTimeout(timer)
  }
}

export function osKeychain(timeoutMs = 5000, service = SERVICE): Keychain {
  type Mod = typeof import('@napi-rs/keyring')
  let mod: Promise<Mod> | undefined
  const load = () => (mod ??= import('@napi-rs/keyring'))
  const entry = async (account: string) => {
    const { AsyncEntry } = await load()
    return new AsyncEntry(service, account, { linux: { store: 'secret-service' } })
  }
  return {
    get: (account) => withTimeout(timeoutMs, 'read', async (signal) => (await entry(account)).getPassword(signal)),
    set: (account, secret) => withTimeout(timeoutMs, 'write', async (signal) => (await entry(account)).setPassword(secret, signal)),
    delete: (account) => withTimeout(timeoutMs, 'delete', async (signal) => (await entry(account)).deleteCredential(signal)),
  }
}

/**
 * Write, read back and delete a throwaway entry: the only honest answer to "is there a keychain".
 * Returns undefined when it works, or the reason it does not.
 */
export async function probeKeychain(kc: Keychain): Promise<string | undefined> {
  const account = `probe-${process.pid}-${Date.now()}`
  const secret = `probe-${Math.random().toString(36).slice(2)}`
  let written = false
  try {
    await kc.set(account, secret)
    written = true
    const back = await kc.get(account)
    await kc.delete(account)
    written = false
    if (back !== secret) return 'the keychain did not return what was written'
    return undefined
  } catch (e) {
    return (e as Error).message
  } finally {
    // A probe that failed half-way must not leave its entry behind.
    if (written) await kc.delete(account).catch(() => false)
  }
}
