import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateX25519Identity, identityToRecipient } from 'age-encryption'
import { createClient, memoryStore } from '../../src/index.js'
import { keyId, newTeamKey, wrapKey } from '../../src/keys/team.js'
import { applyChanges } from '../../src/credentials/snapshot.js'
import type { TeamHeader } from '../../src/vault/team-header.js'

/**
 * A team vault on the in-memory store (issue 14), made as `vault create` makes one in PostgreSQL, and
 * people with their own identity (CREDCTL_IDENTITY) and their own teams directory (what they have seen).
 */
export interface Person {
  name: string
  identity: string
  recipient: string
  env: NodeJS.ProcessEnv
}

export async function person(name: string): Promise<Person> {
  const identity = await generateX25519Identity()
  const recipient = await identityToRecipient(identity)
  const dir = mkdtempSync(join(tmpdir(), `credctl-${name}-`))
  return { name, identity, recipient, env: { CREDCTL_IDENTITY: identity, CREDCTL_TEAMS_DIR: join(dir, 'teams'), HOME: dir } }
}

export async function teamVault(admin: Person, name = 'team-t') {
  const store = memoryStore(`team vault ${name} (memory)`, { values: true })
  const vaultId = crypto.randomUUID()
  const { key, header } = newTeamKey(vaultId)
  const now = new Date().toISOString()
  const team: TeamHeader = {
    name,
    epoch: 1,
    offline: 'allow',
    members: [{ member: admin.name, recipient: admin.recipient, role: 'admin', kind: 'human', db_role: admin.name, wrap: await wrapKey(key, admin.recipient), added_at: now }],
    epochs: [{ epoch: 1, key_id: keyId(key), back: null }],
  }
  await store.transact(async (tx) => {
    applyChanges(undefined, { version: 2, vault_id: vaultId, created_at: now, key: header, credentials: [], mac: '', team }, key, tx, store.location)
  })
  return { store, key, client: (p: Person) => createClient({ store, env: p.env }) }
}
