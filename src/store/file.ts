import { promises as fsp } from 'node:fs'
import * as path from 'node:path'
import { CredctlError } from '../errors.js'
import { NotRegularFile, readRegularFile } from '../lib/regular-file.js'
import { FormatError, parseVault, serializeRecord } from '../vault/format.js'
import { STORED_ID } from '../vault/record-schema.js'
import { formatVersionOf, parseV2, serializeV2 } from './file-format.js'
import { assertStorable, assertWritableHeader } from './storable.js'
import { appendHistory, readHistory } from './file-history.js'
import { ensureDir, removeDeadTemps, writeFileAtomic } from '../lib/durable-file.js'
import { withLock } from './lock.js'
import { sidePaths } from './paths.js'
import { checkVaultDir } from './private-file.js'
import type { SchemaStore, StoredRecord, StoreTx, VaultHeader, VaultSnapshot, VaultStore } from './types.js'
import { readVaultText, vaultDamaged, vaultFormatError } from './vault-file.js'

export interface FileStoreOptions {
  /**
   * Rotate the history file once it passes this many bytes (default 1 MiB: file-history.ts). A function
   * is called at each append, so a setting only a recording command needs is read only by those.
   */
  historyMaxBytes?: number | (() => number)
  /** How long a transaction waits for another writer's lock (default 10 s); TransactOptions overrides it. */
  lockTimeoutMs?: number | (() => number)
}

/** A parse of the file, kept with the exact text it came from. */
interface Parsed {
  text: string
  snap: VaultSnapshot
}

// Records are frozen where they are made (parseText, put), so a snapshot can share them instead of
// copying 10,000 small objects per load: no caller can change the cached parse through them.
const copy = (s: VaultSnapshot): VaultSnapshot => ({ header: structuredClone(s.header), records: s.records.slice() })
const frozen = (r: StoredRecord): StoredRecord => Object.freeze({ id: r.id, revision: r.revision, mac: r.mac, body: r.body })

/** The parse of a vault file's text, by the version it starts as. Throws a CredctlError naming the file. */
function parseText(file: string, text: string): VaultSnapshot {
  try {
    if (formatVersionOf(text) === 2) {
      const snap = parseV2(text)
      return { header: snap.header, records: snap.records.map((r) => Object.freeze(r)) }
    }
    const v = parseVault(text)
    return {
      header: { format: 1, vault_id: v.vault_id, created_at: v.created_at, key: v.key, sequence: 0, mac: v.mac },
      records: v.credentials.map((rec) => frozen({ id: rec.id, revision: 0, mac: '', body: serializeRecord(rec) })),
    }
  } catch (e) {
    if (!(e instanceof FormatError)) throw e
    // A format 2 file that does not start as one (reformatted, say) reaches the v1 parser: it is damaged,
    // not from a newer credctl.
    if (/^unsupported vault version 2 /.test(e.message)) throw vaultDamaged(file, 'a version 2 vault not in its stored layout (line 1)')
    // parseVault speaks for a credctl that reads version 1 only; this one reads both.
    throw vaultFormatError(file, new FormatError(e.message.replace('(this credctl reads version 1)', '(this credctl reads versions 1 and 2)')))
  }
}

/**
 * The vault as a local file (the storage interface of store/types.ts): `file` is the vault's absolute
 * path; history and schemas sit beside it (paths.ts sidePaths).
 *
 * - `load()` reads the file once, without a lock (writers rename complete files over it, so a read sees
 *   the old or the new file): undefined when it does not exist; a version 1 file as header
 *   `{format: 1, sequence: 0, mac: <whole-vault MAC>}` and records `{revision: 0, mac: '', body:
 *   serializeRecord(record)}`; a version 2 file by file-format.ts, bodies untouched. Throws VAULT_IO,
 *   VAULT_DAMAGED (also a version 2 file out of its layout, with the line) or VAULT_VERSION, each naming
 *   the file; a read never rewrites anything.
 * - `transact(fn)` takes `<file>.lock` (lock.ts; VAULT_LOCKED after lockTimeoutMs), re-reads, runs fn,
 *   and when fn changed something writes the whole file as format 2 atomically (temp file, fsync,
 *   rename, fsync the directory; 0600 in a directory created 0700). fn throwing, or changing nothing,
 *   writes nothing. setHeader / put of anything storable.ts refuses (a format 1 header, revision 0, a
 *   body that is not one JSON object on one line) throws an Error at once; a change whose result the
 *   reader would refuse (a version 1 vault changed without a format 2 header, or with some of its
 *   records not put again with a revision and MAC) throws INTERNAL and writes nothing. Every write is
 *   format 2: a version 1 vault becomes version 2 at its first write, whole, and no copy of its old
 *   ciphertext is left behind.
 * - `history`: `<vault>.history.jsonl` (file-history.ts), rotated at historyMaxBytes.
 * - `schemas`: `<vault>.schemas/<id>.json`; ids must be STORED_ID shaped (anything else throws
 *   INTERNAL: it would name another path).
 */
export function fileStore(file: string, opts: FileStoreOptions = {}): VaultStore {
  // Settings are read when used (a function: the SDK's environment rule), so a read-only command never trips on them.
  const lockMs = (): number | undefined => (typeof opts.lockTimeoutMs === 'function' ? opts.lockTimeoutMs() : opts.lockTimeoutMs)
  // The last parse, for a transaction's re-read under the lock: unchanged bytes skip the parse.
  let last: Parsed | undefined

  const read = async (): Promise<Parsed | undefined> => {
    // The text itself is compared, not the file's identity: inode numbers are reused and timestamps are
    // coarse, so two quick writes of one size could look alike (a lost update).
    const text = await readVaultText(file)
    if (text === undefined) return undefined
    if (last?.text === text) return last
    last = { text, snap: parseText(file, text) }
    return last
  }

  const sides = sidePaths(file)
  const historyFile = sides.history

  return {
    location: file,

    async load() {
      const p = await read()
      return p && copy(p.snap)
    },

    async transact<T>(fn: (tx: StoreTx) => Promise<T>, topts: { lockTimeoutMs?: number } = {}): Promise<T> {
      // A directory others can write is refused before anything is created in it (private-file.ts).
      await checkVaultDir(path.dirname(file))
      await ensureDir(path.dirname(file))
      const lockTimeoutMs = topts.lockTimeoutMs ?? lockMs()
      return withLock(
        file,
        async () => {
          const before = await read()
          let header: VaultHeader | undefined = before && structuredClone(before.snap.header)
          const recs = new Map((before?.snap.records ?? []).map((r) => [r.id, r]))
          let changed = false
          const tx: StoreTx = {
            header: () => header && structuredClone(header),
            setHeader: (h) => {
              assertWritableHeader(h)
              header = structuredClone(h)
              changed = true
            },
            records: () => [...recs.values()],
            put: (r) => {
              assertStorable(r)
              recs.set(r.id, frozen(r))
              changed = true
            },
            remove: (id) => {
              changed = recs.delete(id) || changed
            },
          }
          const out = await fn(tx)
          if (!changed) return out
          if (!header) throw new Error('file store: a transaction wrote records without a vault header (a bug in the caller)')
          let text: string
          try {
            text = serializeV2(header, [...recs.values()])
          } catch (e) {
            if (!(e instanceof FormatError)) throw e
            throw new CredctlError('INTERNAL', `${e.message} (nothing was written; vault ${file} is unchanged)`, {
              hint: 'this is a bug in credctl; please report it with the command you ran (never the value)',
            })
          }
          // The same bytes as on disk (a record put back unchanged): nothing to write.
          if (text === before?.text) return out
          await writeFileAtomic(file, text, 'vault')
          last = { text, snap: { header: structuredClone(header), records: [...recs.values()] } }
          return out
        },
        lockTimeoutMs !== undefined ? { lockTimeoutMs } : {},
      )
    },

    rawText: () => readVaultText(file),

    async exclusive<T>(name: 'rotate', fn: () => Promise<T>, topts: { lockTimeoutMs?: number } = {}): Promise<T> {
      // `<vault>.rotate.lock`, the vault lock's mechanism under another name: held across transactions.
      const lockTimeoutMs = topts.lockTimeoutMs ?? lockMs()
      // The lock's temp file of a rotation killed while taking it (lock.ts createLock), as the vault's own.
      await removeDeadTemps(path.dirname(file), `${path.basename(file)}.${name}`)
      return withLock(`${file}.${name}`, fn, lockTimeoutMs !== undefined ? { lockTimeoutMs } : {})
    },

    history: {
      location: `history file ${historyFile}`,
      async append(entries) {
        if (entries.length === 0) return
        // Its lock lives beside it: the directory must exist even before the vault does.
        await ensureDir(path.dirname(historyFile))
        await appendHistory(historyFile, entries, {
          ...(opts.historyMaxBytes !== undefined ? { maxBytes: typeof opts.historyMaxBytes === 'function' ? opts.historyMaxBytes() : opts.historyMaxBytes } : {}),
          ...(lockMs() !== undefined ? { lockTimeoutMs: lockMs()! } : {}),
        })
      },
      read: () => readHistory(historyFile),
    },

    schemas: schemaFiles(sides.schemas),
  }
}

/** Discovered schemas as `<dir>/<id>.json`, one JSON document each (0600, written atomically). */
function schemaFiles(dir: string): SchemaStore {
  const fileOf = (id: string): string => {
    // The id becomes a file name: only the stored id shape, so no `..`, `/` or odd name reaches the path.
    if (typeof id !== 'string' || !STORED_ID.test(id)) {
      throw new CredctlError('INTERNAL', `refusing a schema file for a malformed credential id`, {
        hint: 'this is a bug in credctl; please report it with the command you ran',
      })
    }
    return path.join(dir, `${id}.json`)
  }
  return {
    async read(id) {
      const f = fileOf(id)
      let text: string
      try {
        text = await readRegularFile(f)
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
        if (e instanceof NotRegularFile) throw new CredctlError('VAULT_IO', `cannot read the schema file ${f}: it is ${e.kind}`)
        throw new CredctlError('VAULT_IO', `cannot read the schema file ${f}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`)
      }
      try {
        return JSON.parse(text) as unknown
      } catch {
        throw new CredctlError('VAULT_DAMAGED', `the schema file ${f} is not valid JSON (damaged or truncated)`)
      }
    },
    async write(id, doc) {
      const f = fileOf(id)
      await ensureDir(dir)
      await writeFileAtomic(f, JSON.stringify(doc), 'schema file')
    },
    async remove(id) {
      await fsp.rm(fileOf(id), { force: true })
    },
  }
}
