import { CredctlError } from '../errors.js'
import { aadFor, open, seal, TagMismatch } from '../vault/cipher.js'
import type { VaultFile } from '../vault/format.js'
import { MAX_ATTEMPTS, stage, type RotateDeps, type RotateOptions, type RotateResult } from '../vault/rotate.js'
import type { VaultStore } from '../store/types.js'
import { applyChanges, verifyRecords, type Loaded } from './snapshot.js'

/**
 * `rotate-key` over the storage interface: a new vault key, every value re-sealed under it, committed
 * by one store transaction. Whatever happens before the transaction commits leaves the old vault and its
 * key untouched; whatever happens after only tidies up the old key (vault/rotate.ts stage() says how,
 * per key source). Rotations take turns (store.exclusive('rotate')): two staged keys in flight at once
 * could overwrite each other's keychain entry or `.next` key file.
 *
 * `session` gives the loaded, verified vault and its key (head MAC and sequence checked), so this file
 * knows storage only through the interface.
 */
export interface RotateSession {
  load(): Promise<Loaded | undefined>
  unlock(l: Loaded): Promise<Buffer>
}

export async function rotateVaultKey(store: VaultStore, session: RotateSession, deps: RotateDeps, opts: RotateOptions = {}): Promise<RotateResult & { sequence: number; vault_id: string; key_header: VaultFile['key'] }> {
  const file = store.location
  return store.exclusive(
    'rotate',
    async () => {
      for (let attempt = 1; ; attempt++) {
        const r = await rotateOnce(store, session, deps, opts)
        if (r) return r
        if (attempt === MAX_ATTEMPTS) {
          throw new CredctlError('VAULT_LOCKED', `vault ${file} kept changing while rotate-key prepared the new key; nothing was re-keyed`, {
            hint: 'retry once the other credctl has finished',
          })
        }
      }
    },
    { lockTimeoutMs: deps.lockTimeoutMs },
  )
}

async function rotateOnce(store: VaultStore, session: RotateSession, deps: RotateDeps, opts: RotateOptions) {
  const file = store.location
  const l = await session.load()
  if (!l) throw new CredctlError('NOT_FOUND', `no vault to re-key: ${file} does not exist`, { hint: 'create a credential first' })
  const current = l.vault
  // Outside the transaction: the old key, the new one (prompt, keychain entry). See vault/rotate.ts.
  const oldKey = await session.unlock(l)
  verifyRecords(l, oldKey, l.stored.keys(), file)
  const staged = await stage(current, oldKey, file, deps, opts)
  let before = false
  let committed = false
  let sequence: number | undefined
  try {
    const wrote = await store.transact(
      async (tx) => {
        const h = tx.header()
        if (!h || h.mac !== l.header.mac || h.sequence !== l.header.sequence) return false // changed meanwhile: start again
        // Re-seal every value before anything is written: a record that does not open aborts the rotation.
        const total = current.credentials.length
        const credentials = current.credentials.map((rec, i) => {
          opts.onProgress?.(i, total)
          const aad = aadFor(current.vault_id, rec.id, 'value')
          let plain: Buffer
          try {
            plain = open(oldKey, rec.secret, aad)
          } catch (e) {
            if (e instanceof TagMismatch) {
              throw new CredctlError('VAULT_DAMAGED', `the value of "${rec.name}" in ${file} does not decrypt; nothing was re-keyed`)
            }
            throw e
          }
          try {
            return { ...rec, settings: { ...rec.settings }, secret: seal(staged.key, plain, aad) }
          } finally {
            plain.fill(0)
          }
        })
        opts.onProgress?.(total, total)
        const next: VaultFile = { ...current, version: 2, key: staged.header, credentials, mac: '' }
        sequence = applyChanges(l, next, staged.key, tx, file, oldKey)
        await staged.before()
        before = true
        return true
      },
      { lockTimeoutMs: deps.lockTimeoutMs },
    )
    if (!wrote) return undefined
    committed = true
  } catch (e) {
    if (before) await staged.undo()
    throw e
  } finally {
    // A new key the vault did not take is removed again.
    if (!committed) await staged.discard()
  }
  const notes = await staged.after().catch((e: Error) => [`the vault was re-keyed, but retiring the old key failed: ${e.message}`])
  notes.push(...(await staged.retire().catch((e: Error) => [`the vault was re-keyed, but retiring the old key failed: ${e.message}`])))
  oldKey.fill(0)
  return {
    vault: file,
    key_source: current.key.source,
    re_encrypted: current.credentials.length,
    ...(staged.result ?? {}),
    notes,
    sequence: sequence!,
    vault_id: current.vault_id,
    key_header: staged.header,
  }
}
