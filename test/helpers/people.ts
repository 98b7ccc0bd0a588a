import { mkdirSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { generateX25519Identity, identityToRecipient } from 'age-encryption'
import { recipientFingerprint } from '../../src/keys/identity.js'

/**
 * A simulated person for team-vault tests (issue 14, "several simulated people, each with their own HOME
 * and identity"): one device with its own home, data and config directories, its own teams directory
 * (what it has seen of each team vault: the pinned key epoch and the highest sequence) and its own age
 * X25519 identity in a 0600 file named by CREDCTL_IDENTITY_FILE (no keychain: fast, and the same code
 * path a CI job takes). Keychain-specific tests run a person under scripts/with-keyring.sh instead.
 */
export interface Person {
  name: string
  /** The person's HOME; every other directory is under it. */
  home: string
  /** The environment of this person's credctl: for createClient({ env }) and for the built CLI. */
  env: Record<string, string>
  /** The identity file (0600), as `age -d -i FILE` takes it. */
  identityFile: string
  /** The private key, `AGE-SECRET-KEY-1…`: the tests' to use (a recovery test, a second age tool). */
  identity: string
  /** `age1…`: what an admin passes to `member add --recipient`. */
  recipient: string
  /** recipientFingerprint(recipient), as `identity show` prints it. */
  fingerprint: string
}

/**
 * A fresh person `name` under `base` (a test's temporary directory): `<base>/<name>/` holds HOME,
 * XDG_DATA_HOME (`.local/share`), XDG_CONFIG_HOME (`.config`), CREDCTL_TEAMS_DIR (`teams`) and the
 * identity file (`identity.txt`, written as age-keygen writes it: a comment line with the recipient,
 * then the key). The env carries PATH and NO_COLOR, and nothing of the caller's own credctl settings.
 */
export async function person(name: string, base: string): Promise<Person> {
  const home = path.join(base, name)
  const dirs = {
    XDG_DATA_HOME: path.join(home, '.local', 'share'),
    XDG_CONFIG_HOME: path.join(home, '.config'),
    XDG_CACHE_HOME: path.join(home, '.cache'),
    CREDCTL_TEAMS_DIR: path.join(home, 'teams'),
  }
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true, mode: 0o700 })
  const identity = await generateX25519Identity()
  const recipient = await identityToRecipient(identity)
  const identityFile = path.join(home, 'identity.txt')
  writeFileSync(identityFile, `# created: ${new Date().toISOString()}\n# public key: ${recipient}\n${identity}\n`, { mode: 0o600 })
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    ...dirs,
    CREDCTL_IDENTITY_FILE: identityFile,
    NO_COLOR: '1',
  }
  return { name, home, env, identityFile, identity, recipient, fingerprint: recipientFingerprint(recipient) }
}
