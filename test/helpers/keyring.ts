import { execFileSync } from 'node:child_process'

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
