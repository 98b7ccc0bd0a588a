/**
 * The OS keychain behind a tiny interface. Every native call runs in a child process that is killed
 * when it overruns CREDCTL_KEYCHAIN_TIMEOUT_MS: the native library (@napi-rs/keyring) talks to D-Bus
 * synchronously, so a session bus that accepts and never answers (or a locked GNOME Keyring waiting for
 * a password dialog nobody sees) would block whichever thread made the call. A promise race cannot
 * end that; nor can a worker thread (Node joins it at exit, so the process would hang there instead).
 * A killed child always ends. On Linux the entry is pinned to the Secret Service: the library's default
 * would quietly fall back to the kernel keyring, whose entries vanish on reboot and would take the
 * vault key with them.
 */
export interface Keychain {
  get(account: string): Promise<string | null>
  set(account: string, secret: string): Promise<void>
  delete(account: string): Promise<boolean>
  /** Optional: the whole probe (see probeKeychain) in one go; the OS keychain runs it in one child. */
  probe?(): Promise<string | undefined>
}

export const SERVICE = 'credctl'

export class KeychainError extends Error {}

type Op = { op: 'get'; account: string } | { op: 'set'; account: string; secret: string } | { op: 'delete'; account: string } | { op: 'probe' }

/**
 * The child: reads one request (JSON) on stdin — never argv, which other users can read — runs it with
 * the synchronous API and writes one JSON answer on stdout. `probe` writes, reads back and deletes a
 * throwaway entry, and removes it again if it failed half-way.
 */
const CHILD = `
let input = ''
process.stdin.on('data', (d) => (input += d)).on('end', () => {
  const req = JSON.parse(input)
  const out = (o) => process.stdout.write(JSON.stringify(o))
  let entry
  const at = (account) => (entry = new (require(req.mod).Entry)(req.service, account, { linux: { store: 'secret-service' } }))
  let written = false
  try {
    const o = req.op
    if (o.op === 'get') return out({ value: at(o.account).getPassword() ?? null })
    if (o.op === 'set') return out({ value: (at(o.account).setPassword(o.secret), null) })
    if (o.op === 'delete') return out({ value: at(o.account).deleteCredential() })
    const secret = 'probe-' + Math.random().toString(36).slice(2)
    at('probe-' + process.pid + '-' + Date.now()).setPassword(secret)
    written = true
    const back = entry.getPassword()
    entry.deleteCredential()
    written = false
    out({ value: back === secret ? null : 'the keychain did not return what was written' })
  } catch (e) {
    if (written) try { entry.deleteCredential() } catch {}
    out({ error: String((e && e.message) || e).slice(0, 300) })
  }
})`

const WHAT = { get: 'read', set: 'write', delete: 'delete', probe: 'probe' } as const

/** Run one keychain operation in a child process, killed (SIGKILL) after timeoutMs. */
async function runIsolated(op: Op, timeoutMs: number, service: string): Promise<unknown> {
  const [{ spawn }, { createRequire }] = await Promise.all([import('node:child_process'), import('node:module')])
  let mod: string
  try {
    mod = createRequire(import.meta.url).resolve('@napi-rs/keyring')
  } catch {
    throw new KeychainError('the @napi-rs/keyring package is not installed')
  }
  const what = WHAT[op.op]
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', CHILD], { stdio: ['pipe', 'pipe', 'ignore'] })
    let out = ''
    let done = false
    const finish = (fn: () => void) => {
      if (done) return
      done = true
      clearTimeout(timer)
      fn()
    }
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      finish(() =>
        reject(new KeychainError(`keychain did not answer within ${timeoutMs} ms (${what}); if it is just slow, raise CREDCTL_KEYCHAIN_TIMEOUT_MS`)),
      )
    }, timeoutMs)
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.on('error', (e) => finish(() => reject(new KeychainError(`keychain ${what} failed: ${e.message}`))))
    child.on('close', () =>
      finish(() => {
        let answer: { value?: unknown; error?: string }
        try {
          answer = JSON.parse(out) as typeof answer
        } catch {
          return reject(new KeychainError(`keychain ${what} failed: the keychain helper process ended without an answer`))
        }
        if (answer.error !== undefined) reject(new KeychainError(`keychain ${what} failed: ${answer.error}`))
        else resolve(answer.value)
      }),
    )
    child.stdin.on('error', () => {}) // a child that died early: 'close' reports it
    child.stdin.end(JSON.stringify({ mod, service, op }))
  })
}

export function osKeychain(timeoutMs = 5000, service = SERVICE): Keychain {
  // A Node timer past 2^31 - 1 ms fires at once; below 1 ms is no wait at all.
  timeoutMs = Math.min(Math.max(1, Math.trunc(timeoutMs) || 5000), 2 ** 31 - 1)
  return {
    get: async (account) => (await runIsolated({ op: 'get', account }, timeoutMs, service)) as string | null,
    set: async (account, secret) => void (await runIsolated({ op: 'set', account, secret }, timeoutMs, service)),
    delete: async (account) => (await runIsolated({ op: 'delete', account }, timeoutMs, service)) as boolean,
    probe: async () => {
      try {
        return ((await runIsolated({ op: 'probe' }, timeoutMs, service)) as string | null) ?? undefined
      } catch (e) {
        return (e as Error).message
      }
    },
  }
}

/**
 * Write, read back and delete a throwaway entry: the only honest answer to "is there a keychain".
 * Returns undefined when it works, or the reason it does not.
 */
export async function probeKeychain(kc: Keychain): Promise<string | undefined> {
  if (kc.probe) return kc.probe()
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
