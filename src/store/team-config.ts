import * as path from 'node:path'
import { CredctlError } from '../errors.js'
import { teamsDir } from '../lib/teams-dir.js'
import { parseUri, ValueShapeError } from '../lib/value-parts.js'
import { TEAM_VAULT_NAME } from '../vault/team-header.js'

/**
 * This device's list of team vaults (issue 14): `<teams dir>/teams.json` (0600; lib/teams-dir.ts), which
 * maps a name (`--vault NAME`, CREDCTL_VAULT=NAME, createClient({ vault: NAME })) to its database.
 *
 *   { "version": 1, "vaults": { "team-prod": { "backend": "postgresql://alice@db/credctl", "vault_id": "…", "attached_at": "…" } } }
 *
 * A backend URL never holds a password (refused, exit 2): libpq's own places keep it (PGPASSWORD,
 * ~/.pgpass, PGPASSFILE), so this file is not a secret and no secret reaches argv or the file.
 */

export interface TeamVaultEntry {
  name: string
  /** postgresql:// URL, never with a password. */
  backend: string
  /** The vault id seen when created or attached (null until the vault exists). */
  vault_id: string | null
  /** ISO 8601 UTC. */
  attached_at: string
}

interface TeamsFile {
  version: 1
  vaults: Record<string, Omit<TeamVaultEntry, 'name'>>
}

export async function teamsFile(env: NodeJS.ProcessEnv): Promise<string> {
  return path.join(await teamsDir(env), 'teams.json')
}

/**
 * Check a backend URL: postgres:// or postgresql://, no password. INVALID_INPUT (exit 2) otherwise,
 * without quoting the URL (it may hold the password the rule refuses).
 */
export function checkBackend(url: string): string {
  let u: URL
  try {
    u = parseUri(url)
  } catch (e) {
    if (!(e instanceof ValueShapeError)) throw e
    throw new CredctlError('INVALID_INPUT', `--backend is not a usable postgresql:// URL: ${e.message}`)
  }
  if (u.protocol !== 'postgresql:' && u.protocol !== 'postgres:') throw new CredctlError('INVALID_INPUT', '--backend must be a postgresql:// URL (team vaults live in PostgreSQL)')
  if (u.password || u.searchParams.has('password')) {
    throw new CredctlError('INVALID_INPUT', '--backend holds a password; credctl keeps no database password', {
      hint: 'put it in ~/.pgpass (or PGPASSFILE / PGPASSWORD) and give the URL without it: postgresql://USER@HOST/DB',
    })
  }
  return url
}

/** Every configured team vault, by name; an absent file is none. VAULT_DAMAGED (exit 4) for a file that does not parse. */
export async function readTeams(env: NodeJS.ProcessEnv): Promise<Map<string, TeamVaultEntry>> {
  const file = await teamsFile(env)
  const { readFile } = await import('node:fs/promises')
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new Map()
    throw new CredctlError('VAULT_IO', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`)
  }
  const bad = (why: string) => new CredctlError('VAULT_DAMAGED', `${file} is not a credctl team list (${why})`, { hint: 'fix or remove it; `credctl vault attach` writes it again' })
  let doc: TeamsFile
  try {
    doc = JSON.parse(text) as TeamsFile
  } catch {
    throw bad('not JSON')
  }
  if (typeof doc !== 'object' || doc === null || doc.version !== 1 || typeof doc.vaults !== 'object' || doc.vaults === null) throw bad('no version 1 "vaults"')
  const out = new Map<string, TeamVaultEntry>()
  for (const [name, v] of Object.entries(doc.vaults)) {
    if (!TEAM_VAULT_NAME.test(name) || typeof v !== 'object' || v === null || typeof v.backend !== 'string') throw bad(`entry ${JSON.stringify(name.slice(0, 40))}`)
    out.set(name, { name, backend: v.backend, vault_id: typeof v.vault_id === 'string' ? v.vault_id : null, attached_at: typeof v.attached_at === 'string' ? v.attached_at : '' })
  }
  return out
}

/** Add or replace one entry (or remove it with `entry` undefined); one atomic write. */
export async function writeTeam(env: NodeJS.ProcessEnv, name: string, entry: Omit<TeamVaultEntry, 'name'> | undefined): Promise<void> {
  const teams = await readTeams(env)
  if (entry) teams.set(name, { name, ...entry })
  else teams.delete(name)
  const doc: TeamsFile = { version: 1, vaults: {} }
  for (const [n, { name: _n, ...rest }] of [...teams].sort(([a], [b]) => (a < b ? -1 : 1))) doc.vaults[n] = rest
  const file = await teamsFile(env)
  const { ensureDir, writeFileAtomic } = await import('../lib/durable-file.js')
  await ensureDir(path.dirname(file))
  await writeFileAtomic(file, JSON.stringify(doc, null, 2) + '\n', 'team list')
}

/**
 * What `--vault X` (or CREDCTL_VAULT=X) names: a configured team vault when X is a team vault name in
 * teams.json, else undefined (a vault file path, as before). X with a `/` or `\` or ending `.json` is
 * always a path. A configured name that is also an existing file in the working directory is ambiguous
 * (USAGE, exit 2): the user says which with `./X`.
 */
export async function resolveTeamVault(x: string | undefined, env: NodeJS.ProcessEnv): Promise<TeamVaultEntry | undefined> {
  if (!x || /[\\/]/.test(x) || /\.json$/i.test(x) || !TEAM_VAULT_NAME.test(x)) return undefined
  const entry = (await readTeams(env)).get(x)
  if (!entry) return undefined
  const { stat } = await import('node:fs/promises')
  if (await stat(x).then(() => true, () => false)) {
    throw new CredctlError('USAGE', `"${x}" is both a team vault name and a file here`, { hint: `say ./${x} for the file; cd elsewhere for the team vault` })
  }
  return entry
}
