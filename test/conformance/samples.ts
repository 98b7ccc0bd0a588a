import { randomBytes, randomUUID } from 'node:crypto'
import type { StoredRecord, VaultHeader } from '../../src/store/types.js'
import { seal } from '../../src/vault/cipher.js'

/**
 * Headers and records shaped like the SDK's (a format 2 header, 44-character MACs, JSON object bodies)
 * without real MACs: a store keeps opaque bytes, and checking MACs is the SDK's job. No test framework
 * here, so the kill -9 test's child process can bundle it.
 */
const mac = () => randomBytes(32).toString('base64')
const key = randomBytes(32)

/** A well-formed format 2 header of a fresh vault. */
export function sampleHeader(sequence = 1): VaultHeader {
  const vault_id = randomUUID()
  return {
    format: 2,
    vault_id,
    created_at: '2026-01-02T03:04:05.678Z',
    key: { source: 'env', check: seal(key, 'credctl-key-check', Buffer.from(`credctl/v1/${vault_id}/key-check`)) },
    sequence,
    mac: mac(),
  }
}

/** A record with the given body (a JSON object's text, as the SDK stores it). */
export const sampleRecord = (body: string, id: string = randomUUID(), revision = 1): StoredRecord => ({ id, revision, mac: mac(), body })

