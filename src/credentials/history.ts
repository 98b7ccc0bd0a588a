import { CredctlError } from '../errors.js'
import { constants as C } from 'node:fs'
import { NotRegularFile } from '../lib/regular-file.js'
import { openBesideVault } from '../vault/private-file.js'
import type { CredentialRecord } from '../vault/format.js'

/**
 * Local history: one JSON line per action beside the vault (0600). It names credentials by id, name
 * and type and never holds a value. Entries about deleted or purged credentials stay.
 */
export interface HistoryEntry {
  time: string
  action: string
  credential_id: string | null
  name: string | null
  type: string | null
  outcome: string
  detail?: string
}

export async function appendHistory(file: string, entries: HistoryEntry[]): Promise<void> {
  if (entries.length === 0) return
  const text = entries.map((e) => JSON.stringify(e)).join('\n') + '\n'
  // O_APPEND writes of a few hundred bytes land whole even with several writers.
  // Never through a link (an attacker's link would make credctl append to, and chmod, its target).
  const fh = await openBesideVault(file, C.O_WRONLY | C.O_CREAT | C.O_APPEND, 'history file', 0o600)
  try {
    await fh.chmod(0o600)
    await fh.write(text)
  } finally {
    await fh.close()
  }
}

export async function readHistory(file: string): Promise<HistoryEntry[]> {
  let text: string
  try {
    const fh = await openBesideVault(file, C.O_RDONLY, 'history file')
    try {
      text = await fh.readFile('utf8')
    } finally {
      await fh.close()
    }
  } catch (e) {
    if (e instanceof CredctlError) throw e
    if (e instanceof NotRegularFile) throw new CredctlError('VAULT_IO', `cannot read the history file ${file}: it is ${e.kind}`)
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return []
    throw new CredctlError('VAULT_IO', `cannot read the history file ${file}: ${code ?? 'error'}`)
  }
  const out: HistoryEntry[] = []
  for (const line of text.split('\n')) {
    if (!line.trim()) continue
    try {
      const o = JSON.parse(line) as HistoryEntry
      if (o && typeof o === 'object' && typeof o.action === 'string') out.push(o)
    } catch {
      /* a torn last line from a crash: skip it */
    }
  }
  return out
}

export const entryFor = (
  r: Pick<CredentialRecord, 'id' | 'name' | 'type'> | undefined,
  action: string,
  outcome: string,
  time: string,
  detail?: string,
): HistoryEntry => ({
  time,
  action,
  credential_id: r?.id ?? null,
  name: r?.name ?? null,
  type: r?.type ?? null,
  outcome,
  ...(detail ? { detail } : {}),
})
