import { randomBytes, randomUUID } from 'node:crypto'
import type { StoredRecord, TeamEpoch, TeamHeader, TeamMember, VaultHeader } from '../../src/store/types.js'
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


/** A well-formed sealed value (what a team store keeps apart from the record). */
export const sampleSealed = (text = randomUUID()): string => seal(key, text, Buffer.from('credctl/v1/sample/value'))

const BECH32 = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l'
const recipient = () => `age1${Array.from(randomBytes(58), (b) => BECH32[b % 32]).join('')}`
const keyId = () => randomBytes(16).toString('base64url').slice(0, 22)

/** A team member row as the SDK would give it (the wrap is random bytes: stores keep it opaque). */
export const sampleMember = (member: string, role: TeamMember['role'] = 'writer'): TeamMember => ({
  member,
  recipient: recipient(),
  role,
  kind: 'human',
  db_role: member.length % 2 ? `db_${member.replace(/[^A-Za-z0-9]/g, '_')}` : null,
  wrap: randomBytes(232).toString('base64'),
  added_at: '2026-01-02T03:04:05.678Z',
})

/** A key epoch (back: the previous key sealed, in the sealed shape; random bytes here, stores keep it opaque). */
export const sampleEpoch = (epoch: number): TeamEpoch => ({ epoch, key_id: keyId(), back: epoch === 1 ? null : `v1.${randomBytes(12).toString('base64')}.${randomBytes(60).toString('base64')}` })

/** A well-formed team vault header (key source `team`), members sorted by name. */
export function sampleTeamHeader(sequence = 1, members: TeamMember[] = [sampleMember('alice', 'admin'), sampleMember('bob')]): VaultHeader {
  const h = sampleHeader(sequence)
  const team: TeamHeader = {
    name: 'team-sample',
    epoch: 1,
    offline: 'allow',
    members: [...members].sort((a, b) => (a.member < b.member ? -1 : a.member > b.member ? 1 : 0)),
    epochs: [sampleEpoch(1)],
  }
  return { ...h, key: { source: 'team', check: h.key.check }, team }
}
