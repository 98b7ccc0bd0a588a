import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'

/** True when this process runs inside a D-Bus session with a Secret Service (gnome-keyring) on it. */
export function hasSecretService(): boolean {
  if (!process.env.DBUS_SESSION_BUS_ADDRESS) return false
  try {
    const out = execFileSync('dbus-send', ['--session', '--print-reply', '--dest=org.freedesktop.DBus', '/org/freedesktop/DBus', 'org.freedesktop.DBus.ListNames'], { encoding: 'utf8', timeout: 3000 })
    return out.includes('org.freedesktop.secrets')
  } catch {
    return false
  }
}

/** In CI a suite must not skip for want of a service: it fails instead. */
export const mustRun = process.env.CI === 'true'

/**
 * A keyring of one's own: a fresh D-Bus session bus with its own unlocked GNOME Keyring, for tests whose
 * keychain entries must not meet another test's (a fixed account such as the device identity's), and for
 * simulated people each with their own keychain. `stop()` ends the bus; the keyring daemon exits with it.
 * Needs dbus-daemon and gnome-keyring-daemon (callers check hasSecretService() first).
 */
export function privateKeyring(): { env: { DBUS_SESSION_BUS_ADDRESS: string }; stop: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'credctl-keyring-'))
  const out = execFileSync('dbus-daemon', ['--session', '--fork', '--print-address=1', '--print-pid=1'], { encoding: 'utf8', timeout: 10_000 }).split('\n')
  const address = out[0]!.trim()
  const pid = Number(out[1])
  const env = { ...process.env, DBUS_SESSION_BUS_ADDRESS: address, XDG_DATA_HOME: dir, XDG_RUNTIME_DIR: dir, HOME: dir }
  execFileSync('gnome-keyring-daemon', ['--unlock', '--components=secrets'], { input: 'credctl-test', env, timeout: 10_000, stdio: ['pipe', 'ignore', 'ignore'] })
  return {
    env: { DBUS_SESSION_BUS_ADDRESS: address },
    stop: () => {
      try {
        process.kill(pid, 'SIGTERM')
      } catch {
        /* already gone */
      }
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
