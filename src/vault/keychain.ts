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

/**
 * The same probe against the OS keychain, in a child process that is killed when it overruns. The
 * native library connects to D-Bus synchronously when an entry is created, so a frozen session bus
 * would block this process past any timeout; `credctl status` must answer regardless.
 */
export async function probeOsKeychainIsolated(timeoutMs: number): Promise<string | undefined> {
  const [{ spawn }, { createRequire }] = await Promise.all([import('node:child_process'), import('node:module')])
  let modPath: string
  try {
    modPath = createRequire(import.meta.url).resolve('@napi-rs/keyring')
  } catch {
    return 'the @napi-rs/keyring package is not installed'
  }
  const script = `
    const secret = 'probe-' + Math.random().toString(36).slice(2)
    ;(async () => {
      let written = false
      let e
      try {
        const { AsyncEntry } = require(${JSON.stringify(modPath)})
        e = new AsyncEntry(${JSON.stringify(SERVICE)}, 'probe-' + process.pid + '-' + Date.now(), { linux: { store: 'secret-service' } })
        await e.setPassword(secret); written = true
        const back = await e.getPassword()
        await e.deleteCredential(); written = false
        process.stdout.write(back === secret ? 'ok' : 'the keychain did not return what was written')
      } catch (err) {
        if (written) await e.deleteCredential().catch(() => {})
        process.stdout.write(String(err && err.message || err).slice(0, 300))
      }
    })()`
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'ignore'] })
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      resolve(`keychain did not answer within ${timeoutMs} ms`)
    }, timeoutMs)
    child.on('error', (e) => {
      clearTimeout(timer)
      resolve(e.message)
    })
    child.on('close', () => {
      clearTimeout(timer)
      resolve(out === 'ok' ? undefined : out || 'the keychain probe failed')
    })
  })
}
