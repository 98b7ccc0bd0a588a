import { CredctlError } from '../errors.js'
import { constants as C, promises as fsp } from 'node:fs'
import * as path from 'node:path'
import { NotRegularFile } from '../lib/regular-file.js'
import { removeDeadTemps } from '../lib/durable-file.js'
import { parseEntry, trimmedOf } from './history-entry.js'
import { withLock } from './lock.js'
import { openBesideVault } from './private-file.js'
import type { HistoryEntry } from './types.js'

/**
 * The file adapter's history (store/file.ts `history`): local history, one JSON line per action beside the vault (0600, never through a link). It names
 * credentials by id, name and type and never holds a value. Entries about deleted or purged credentials
 * stay.
 *
 * One entry per action the user took once (issue 12, point 8): a `run` that injects five credentials is
 * one entry listing the five; `export`, `import`, `recover` likewise. An entry has one outcome, so
 * `validate` of several credentials is one entry per verdict ("valid" listing those found valid, …).
 *
 * Format: `{time, action, outcome, detail?, credentials: [{id, name, type}]}`. Files written before
 * issue 12 hold one line per credential as `{time, action, credential_id, name, type, outcome, detail?}`;
 * readHistory turns those into the same shape (a one-element or, with no credential, empty list), so old
 * and new lines mix in one file and every filter works on both.
 *
 * Size: when the file passes maxBytes (default 1 MiB, CREDCTL_HISTORY_MAX_BYTES) it is renamed to
 * `<file>.1`, replacing the previous `.1`; the entries of that previous `.1` are the only ones ever
 * dropped, and the rotation records how many (and from when to when) in a `history-trimmed` entry.
 * So the history holds the last 1 to 2 MiB of entries, and nothing leaves it unrecorded.
 */

/** Default rotation size in bytes (1 MiB). */
export const HISTORY_MAX_BYTES = 1 << 20

/** The second file, holding the entries rotated out of `file`. */
export const rotatedFile = (file: string) => `${file}.1`

export interface AppendOptions {
  /** Rotate once the file passes this many bytes (default HISTORY_MAX_BYTES). */
  maxBytes?: number
  /** How long to wait for another writer's history lock (ms). */
  lockTimeoutMs?: number
}

/**
 * Append entries (one line each) and rotate when the file has grown past maxBytes. Every append takes
 * the history's own lock (`<file>.lock`, the vault's lock mechanism): with it a writer can never write
 * into a file a concurrent rotation is about to replace, which an O_APPEND write without it could (open,
 * then two rotations, then write into the unlinked file). One short critical section per command.
 */
export async function appendHistory(file: string, entries: HistoryEntry[], opts: AppendOptions = {}): Promise<void> {
  if (entries.length === 0) return
  const text = entries.map((e) => JSON.stringify(e)).join('\n') + '\n'
  const maxBytes = opts.maxBytes ?? HISTORY_MAX_BYTES
  await withLock(
    file,
    async () => {
      // The lock's temp files left by a writer killed mid-lock (see lock.ts createLock), as the vault's own.
      await removeDeadTemps(path.dirname(file), path.basename(file))
      const size = await appendText(file, text)
      if (size > maxBytes) await rotate(file, entries[entries.length - 1]!.time)
    },
    opts.lockTimeoutMs !== undefined ? { lockTimeoutMs: opts.lockTimeoutMs } : {},
  )
}

/** Append to the file (created 0600) and return its size after the write. */
async function appendText(file: string, text: string): Promise<number> {
  // Never through a link (an attacker's link would make credctl append to, and chmod, its target).
  const fh = await openBesideVault(file, C.O_RDWR | C.O_CREAT | C.O_APPEND, 'history file', 0o600)
  try {
    await fh.chmod(0o600)
    // A line torn by a crash has no newline: without one here the new entry would be glued to it and
    // skipped with it when read. (Under the lock, so no other writer is between the check and the write.)
    const { size } = await fh.stat()
    const last = Buffer.alloc(1)
    if (size > 0 && (await fh.read(last, 0, 1, size - 1)).bytesRead === 1 && last[0] !== 0x0a) text = '\n' + text
    await fh.write(text)
    return (await fh.stat()).size
  } finally {
    await fh.close()
  }
}

/**
 * Under the lock: file -> file.1 (replacing it), then record what the replaced file held. A
 * `history-trimmed` entry that is itself dropped passes its count and start on to the new one, so the
 * trimmed entries still listed always add up to everything ever dropped.
 */
async function rotate(file: string, time: string): Promise<void> {
  const old = await readOne(rotatedFile(file))
  await fsp.rename(file, rotatedFile(file))
  if (old.length === 0) return
  let n = 0
  let from: string | undefined
  for (const e of old) {
    const t = e.action === 'history-trimmed' ? trimmedOf(e) : undefined
    n += t ? t.count : 1
    from ??= t ? t.from : e.time
  }
  if (n === 0) return
  const to = old[old.length - 1]!.time
  const trimmed: HistoryEntry = {
    time,
    action: 'history-trimmed',
    outcome: 'ok',
    detail: `${n} older ${n === 1 ? 'entry' : 'entries'} (${from} to ${to}) dropped to bound the history`,
    credentials: [],
  }
  await appendText(file, JSON.stringify(trimmed) + '\n')
}

/**
 * Every entry of both files, oldest first. A rotation between reading the two files would hide the
 * rotated entries (read .1 before it got them, the main file after it lost them); the main file's
 * identity is compared before and after, and the read repeated if it changed.
 */
export async function readHistory(file: string): Promise<HistoryEntry[]> {
  for (let attempt = 1; ; attempt++) {
    const before = await identity(file)
    const older = await readOne(rotatedFile(file))
    const newer = await readOne(file)
    if (attempt >= 5 || (await identity(file)) === before) return [...older, ...newer]
  }
}

async function identity(file: string): Promise<string> {
  const st = await fsp.lstat(file).catch(() => undefined)
  return st ? `${st.dev}:${st.ino}` : 'none'
}

async function readOne(file: string): Promise<HistoryEntry[]> {
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
    let o: unknown
    try {
      o = JSON.parse(line)
    } catch {
      continue // a torn last line from a crash: skip it
    }
    const e = parseEntry(o)
    if (e) out.push(e)
  }
  return out
}

