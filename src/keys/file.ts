import { crypto } from '../lazy-crypto.js'
import { constants as C, promises as fsp } from 'node:fs'
import * as path from 'node:path'
import { CredctlError } from '../errors.js'
import { NotRegularFile, readRegularFile } from '../lib/regular-file.js'
import { readOwnerOnlyFile } from './owner-only-file.js'
import { decodeB64, KEY_BYTES } from '../vault/cipher.js'
import { fsyncDir, removeDeadTemps, writeFileAtomic } from '../lib/durable-file.js'
import { opensCheck, sealCheck, verifyCheck } from './check.js'
import { textKeeper } from './sequence.js'
import type { KeyContext, KeySourceModule, SequenceKeeper } from './types.js'
import { none, noop } from './steps.js'

/** Where rotate-key stages a file-source vault's new key (same directory: the final rename is atomic). */
export const nextKeyFile = (file: string): string => `${file}.next`

/**
 * Where the file source keeps a vault's highest sequence number: beside the key (so outside the vault's
 * directory too), one file per vault id, because several vaults may be created with one key file.
 */
export const sequenceFile = (file: string, vaultId: string): string => `${file}.${vaultId}.sequence`

/**
 * Every file a file-source vault with key file `file` depends on (absolute): the key, its rotation file
 * and, when the vault id is known, its kept sequence.
 */
export const keyFilesOf = (file: string, vaultId?: string): string[] =>
  [file, nextKeyFile(file), ...(vaultId ? [sequenceFile(file, vaultId)] : [])].map((f) => path.resolve(f))

/**
 * The ids of the other vaults that keep a sequence beside `keyFile`: vaults created with the same key
 * file (credctl reuses an existing key file). rotate-key replaces the key in the file, which would lock
 * every one of them out for good.
 */
async function otherVaultsOf(keyFile: string, vaultId: string): Promise<string[]> {
  const base = path.basename(keyFile)
  const names = await fsp.readdir(path.dirname(keyFile)).catch(() => [] as string[])
  return names
    .filter((n) => n.startsWith(`${base}.`) && n.endsWith('.sequence'))
    .map((n) => n.slice(base.length + 1, -'.sequence'.length))
    .filter((id) => id !== vaultId && /^[A-Za-z0-9_-]{8,64}$/.test(id))
}

async function readKeyFile(file: string): Promise<Buffer> {
  const text = await readOwnerOnlyFile(file, 'key file', 'put the key file back at that path: a file-source vault records where its key lives, and CREDCTL_KEY_FILE only chooses it for a new vault')
  const key = decodeB64(text.trim())
  if (!key || key.length !== KEY_BYTES) throw new CredctlError('KEY_INVALID', `key file ${file} does not hold the base64 of 32 bytes`)
  return key
}

function keyFilePath(ctx: KeyContext, vaultFile: string): string {
  const p = ctx.env.CREDCTL_KEY_FILE
  if (!p) throw new CredctlError('USAGE', 'the file key source needs CREDCTL_KEY_FILE=PATH')
  const abs = path.resolve(p)
  // The point of a separate key file is that copying the vault's directory does not copy the key.
  const vdir = path.resolve(path.dirname(vaultFile))
  if (abs === vdir || abs.startsWith(vdir + path.sep)) {
    throw new CredctlError('USAGE', `key file ${abs} must be outside the vault's directory ${vdir}`)
  }
  return abs
}

const line = (k: Buffer) => `${k.toString('base64')}\n`

/**
 * The sequence file: one line of decimal digits, 0600, replaced atomically. Missing or unparsable reads
 * as undefined; a file that cannot be read at all (permissions, not a regular file) is KEY_UNAVAILABLE,
 * as the key beside it would be. raise() is read-compare-write (see SequenceKeeper.raise).
 */
function fileKeeper(keyFile: string, vaultId: string): SequenceKeeper {
  const where = sequenceFile(keyFile, vaultId)
  return textKeeper(
    where,
    async () => {
      try {
        return await readRegularFile(where)
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
        const why = e instanceof NotRegularFile ? `it is ${e.kind}` : ((e as NodeJS.ErrnoException).code ?? 'error')
        throw new CredctlError('KEY_UNAVAILABLE', `cannot read the vault's sequence file ${where}: ${why}`)
      }
    },
    (text) => writeFileAtomic(where, `${text}\n`, 'sequence file'),
  )
}

/**
 * `file`: a 0600 key file outside the vault's directory, named by CREDCTL_KEY_FILE when the vault is
 * created; its absolute path is recorded in the header. Keeps the vault's sequence number in
 * `<key file>.<vault id>.sequence`.
 */
export const fileSource: KeySourceModule = {
  name: 'file',
  summary: 'a 0600 file outside the vault directory: anyone who can read it can open the vault',
  place: 'a key file',
  env: [{ name: 'CREDCTL_KEY_FILE', doc: "path of a 0600 key file outside the vault's directory, for the file source" }],
  chosenBy: { variable: 'CREDCTL_KEY_FILE', precedence: 2, how: 'CREDCTL_KEY_FILE=PATH' },
  fallback: { label: 'key file', order: 2, then: { do: 'ask-path', variable: 'CREDCTL_KEY_FILE', question: 'Key file path', defaultFile: '.config/credctl/credctl.key' } },
  usesKeychain: false,
  describeKey: (h) => `key file ${h.file}`,

  async create({ vaultId, vaultFile, ctx }) {
    const file = keyFilePath(ctx, vaultFile)
    let exists = true
    await fsp.access(file).catch(() => (exists = false))
    const key = exists ? await readKeyFile(file) : crypto().randomBytes(KEY_BYTES)
    return {
      vaultId,
      key,
      header: { source: 'file', check: sealCheck(vaultId, key), file },
      persist: async () => {
        if (exists) return
        await fsp.mkdir(path.dirname(file), { recursive: true, mode: 0o700 })
        const fh = await fsp.open(file, C.O_WRONLY | C.O_CREAT | C.O_EXCL, 0o600)
        await fh.chmod(0o600)
        await fh.writeFile(line(key))
        await fh.sync()
        await fh.close()
      },
      unpersist: async () => {
        if (!exists) await fsp.unlink(file).catch(() => {})
      },
      discard: noop,
    }
  },

  async load({ vault, vaultFile, verify }) {
    const file = vault.key.file!
    let key = await readKeyFile(file).catch((e: unknown) => {
      // Name the vault too: which vault's key is missing matters as much as where it was looked for.
      throw e instanceof CredctlError ? new CredctlError(e.code, `${e.message} (the key of vault ${vaultFile})`, e.hint ? { hint: e.hint } : {}) : e
    })
    if (!opensCheck(vault, key)) {
      // rotate-key commits the vault, then moves the new key from <file>.next over <file>: a crash
      // between the two leaves the new key there. Use it (the vault is never touched by a read).
      const next = await readKeyFile(nextKeyFile(file)).catch(() => undefined)
      if (next && opensCheck(vault, next)) key = next
    }
    if (verify) verifyCheck(vault, vaultFile, key, `key file ${file}`)
    return key
  },

  async stageRotation({ vault, oldKey }) {
    const keyFile = vault.key.file!
    const others = await otherVaultsOf(keyFile, vault.vault_id)
    if (others.length) {
      throw new CredctlError('USAGE', `rotate-key would change the key file ${keyFile}, which is also the key of ${others.length === 1 ? 'vault' : 'vaults'} ${others.join(', ')}: they could never be opened again; nothing was changed`, {
        hint: 'give this vault a key file of its own first: credctl export, then CREDCTL_KEY_FILE=NEW credctl --vault NEW import --bundle',
      })
    }
    const next = nextKeyFile(keyFile)
    const key = crypto().randomBytes(KEY_BYTES)
    return {
      key,
      header: { source: 'file', check: sealCheck(vault.vault_id, key), file: keyFile },
      before: async () => {
        // Temp files of a rotation killed mid-write (we hold the vault lock: no live rotation of it runs).
        for (const f of [keyFile, next]) await removeDeadTemps(path.dirname(f), path.basename(f))
        // The current key may be in <file>.next (an earlier rotation stopped between its renames):
        // put it in place first, so overwriting .next below never loses the key the vault needs now.
        const inPlace = decodeB64((await readRegularFile(keyFile).catch(() => '')).trim())
        if (!inPlace || !inPlace.equals(oldKey)) await writeFileAtomic(keyFile, line(oldKey), 'key file')
        await writeFileAtomic(next, line(key), 'key file')
      },
      undo: async () => {
        await fsp.unlink(next).catch(() => {})
      },
      after: async () => {
        await fsp.rename(next, keyFile)
        await fsyncDir(path.dirname(keyFile))
        return [`the new key replaced the old one in ${keyFile}; back it up again if you keep a copy`]
      },
      discard: noop,
      retire: none,
    }
  },

  sequence: (vault) => (vault.key.file ? fileKeeper(vault.key.file, vault.vault_id) : undefined),
}
