import * as path from 'node:path'
import { crypto } from '../lazy-crypto.js'
import { CredctlError } from '../errors.js'
import { KEY_BYTES, macKey, open, seal, TagMismatch } from '../vault/cipher.js'
import type { KeyHeader, VaultFile } from '../vault/format.js'
import { KEY_ID, X25519_RECIPIENT, type TeamEpoch, type TeamHeader, type TeamMember } from '../vault/team-header.js'
import { STORED_ID } from '../vault/record-schema.js'
import { teamsDir } from '../lib/teams-dir.js'
import { sealCheck, verifyCheck } from './check.js'
import { loadIdentity, recipientFingerprint } from './identity.js'
import { textKeeper } from './sequence.js'
import { noop } from './steps.js'
import type { KeyContext, SequenceKeeper, StagedRotation } from './types.js'

/**
 * The key source of team vaults (issue 14; team-vaults.md section 3). The vault key K (32 random bytes,
 * the same AES-256-GCM and HMAC keys as a local vault's) is wrapped once per member for their age X25519
 * recipient with `age-encryption` (standard age files: any age tool with the identity opens them). A
 * device opens the vault with its own identity (keys/identity.ts: CREDCTL_IDENTITY, CREDCTL_IDENTITY_FILE
 * or the OS keychain), which never leaves it.
 *
 * What the database could forge, and the check that refuses it (each VAULT_DAMAGED, exit 4):
 * - a member row added or changed: the head MAC covers every member (vault/integrity.ts teamManifest);
 * - this device's wrap replaced by a wrap of a key the database made up (with a whole vault forged under
 *   it): the device pins the key id of the epoch it last saw (`<teams dir>/<vault id>.state`), and a later
 *   epoch must lead back to it through each epoch's `back` (the previous key sealed under the next);
 * - an older state put back: the highest sequence and epoch seen are kept there too.
 * The first contact (`vault attach`) is trust on first use, like SSH: compare the key id it prints.
 */

type Age = typeof import('age-encryption')
let age: Promise<Age> | undefined
const loadAge = (): Promise<Age> => (age ??= import('age-encryption'))

/** A key's public name: 22 characters of base64url HMAC-SHA-256 under macKey(K). Reveals nothing of K. */
export const keyId = (key: Buffer): string =>
  crypto().createHmac('sha256', macKey(key)).update('credctl-key-id-v1', 'utf8').digest('base64url').slice(0, 22)

/** The AAD binding an epoch's `back` (the previous key, sealed under this epoch's key) to its vault and epoch. */
const backAad = (vaultId: string, epoch: number): Buffer => Buffer.from(`credctl/v1/${vaultId}/epoch/${epoch}`, 'utf8')

/** The epoch that follows `prev` for key `next`: its key id, and `prev`'s key sealed under `next`. */
export function nextEpoch(vaultId: string, prevKey: Buffer, nextKey: Buffer, epoch: number): TeamEpoch {
  return { epoch, key_id: keyId(nextKey), back: seal(nextKey, prevKey, backAad(vaultId, epoch)) }
}


/**
 * Check a recipient as age parses it; INVALID_INPUT (exit 2) naming what is wrong. Only X25519 (`age1…`,
 * 62 characters): post-quantum and plugin recipients are refused, so every wrap opens with any age tool.
 */
export async function parseRecipient(text: string): Promise<string> {
  const r = text.trim()
  if (!X25519_RECIPIENT.test(r)) {
    throw new CredctlError('INVALID_INPUT', `"${r.slice(0, 70)}" is not an age X25519 recipient (age1… , 62 characters)`, {
      hint: 'ask the member to run `credctl identity show` (or `age-keygen -y`) and send you the age1… line',
    })
  }
  const { Encrypter } = await loadAge()
  try {
    new Encrypter().addRecipient(r)
  } catch {
    throw new CredctlError('INVALID_INPUT', `"${r.slice(0, 70)}" is not a valid age recipient (its checksum or key does not parse)`, {
      hint: 'copy the age1… line again, whole',
    })
  }
  return r
}

/** K wrapped for one recipient: a standard binary age file, base64. One file per member, so rows stay independent. */
export async function wrapKey(key: Buffer, recipient: string): Promise<string> {
  const { Encrypter } = await loadAge()
  const e = new Encrypter()
  e.addRecipient(recipient)
  return Buffer.from(await e.encrypt(new Uint8Array(key))).toString('base64')
}

/** Every member's wrap for a new key (rotation), same members otherwise. */
export async function rewrapAll(members: readonly TeamMember[], key: Buffer): Promise<TeamMember[]> {
  return Promise.all(members.map(async (m) => ({ ...m, wrap: await wrapKey(key, m.recipient) })))
}

async function unwrapKey(wrap: string, identity: string, where: string): Promise<Buffer> {
  const { Decrypter } = await loadAge()
  const d = new Decrypter()
  d.addIdentity(identity)
  let k: Buffer
  try {
    k = Buffer.from(await d.decrypt(Buffer.from(wrap, 'base64')))
  } catch {
    throw damaged(where, "this device's wrap of the vault key does not open with its identity")
  }
  if (k.length !== KEY_BYTES) throw damaged(where, `this device's wrap holds ${k.length} bytes, not a ${KEY_BYTES}-byte vault key`)
  return k
}

function damaged(where: string, why: string): CredctlError {
  return new CredctlError('VAULT_DAMAGED', `${where} cannot be trusted: ${why}`, {
    hint: 'credctl will not use it and sent nothing; ask an admin of the vault (`credctl vault verify NAME` names the check), and tell your database admin',
  })
}

// ---- this device's identity, read once per process and environment (a keychain read is a child process)
const identities = new WeakMap<object, ReturnType<typeof loadIdentity>>()
export function myIdentity(ctx: Pick<KeyContext, 'env' | 'keychain'>): ReturnType<typeof loadIdentity> {
  let p = identities.get(ctx.env)
  if (!p) {
    p = loadIdentity({ env: ctx.env, keychain: ctx.keychain })
    p.catch(() => identities.delete(ctx.env))
    identities.set(ctx.env, p)
  }
  return p
}

// ---- what this device has seen of a team vault: `<teams dir>/<vault id>.state`, one JSON object
interface SeenState {
  seq?: number
  epoch?: number
  key_id?: string
}

async function stateFile(env: NodeJS.ProcessEnv, vaultId: string): Promise<string> {
  return path.join(await teamsDir(env), `${vaultId}.state`)
}

async function readState(file: string): Promise<SeenState> {
  const { readFile } = await import('node:fs/promises')
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw new CredctlError('KEY_UNAVAILABLE', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`)
  }
  try {
    const o = JSON.parse(text) as Record<string, unknown>
    const out: SeenState = {}
    if (Number.isSafeInteger(o.seq) && (o.seq as number) >= 0) out.seq = o.seq as number
    if (Number.isSafeInteger(o.epoch) && (o.epoch as number) >= 1) out.epoch = o.epoch as number
    if (typeof o.key_id === 'string' && KEY_ID.test(o.key_id)) out.key_id = o.key_id
    return out
  } catch {
    return {} // a damaged state file must not lock anyone out: the head MAC still protects the vault
  }
}

async function updateState(file: string, change: (s: SeenState) => SeenState): Promise<void> {
  const { ensureDir, writeFileAtomic } = await import('../lib/durable-file.js')
  await ensureDir(path.dirname(file))
  const next = change(await readState(file))
  await writeFileAtomic(file, JSON.stringify(next) + '\n', 'team vault state file')
}

async function readPin(file: string): Promise<string | undefined> {
  const { readFile } = await import('node:fs/promises')
  try {
    const t = (await readFile(file, 'utf8')).trim()
    return STORED_ID.test(t) ? t : undefined
  } catch {
    return undefined
  }
}

async function writePin(file: string, vaultId: string): Promise<void> {
  const { ensureDir, writeFileAtomic } = await import('../lib/durable-file.js')
  await ensureDir(path.dirname(file))
  await writeFileAtomic(file, `${vaultId}\n`, 'team vault pin')
}

/** Forget which vault this device knows as `name` (`vault detach`), so a re-created vault can be attached. */
export async function forgetTeamPin(env: NodeJS.ProcessEnv, name: string): Promise<void> {
  const { rm } = await import('node:fs/promises')
  await rm(path.join(await teamsDir(env), `${name}.vault`), { force: true })
}

/**
 * The epoch check: the current epoch's key id is K's, and when this device pinned an earlier epoch, the
 * chain of `back` keys leads from K to the pinned key. Then the pin moves to the current epoch.
 */
async function checkEpochs(vault: Pick<VaultFile, 'vault_id'> & { team: TeamHeader }, key: Buffer, where: string, env: NodeJS.ProcessEnv): Promise<void> {
  const t = vault.team
  const byEpoch = new Map(t.epochs.map((e) => [e.epoch, e]))
  const cur = byEpoch.get(t.epoch)
  if (!cur || cur.key_id !== keyId(key)) throw damaged(where, 'its key epochs do not match its key')
  // The vault this device knows by this name: a database that swaps in another vault under the same
  // name (its own vault id, every member's recipient is public) is refused, not trusted afresh.
  const pin = path.join(await teamsDir(env), `${t.name}.vault`)
  const pinned = await readPin(pin)
  if (pinned !== undefined && pinned !== vault.vault_id) {
    throw damaged(where, `it is not the vault this device knows as ${t.name} (vault id ${vault.vault_id}, not ${pinned}); if it was re-created on purpose: credctl vault detach ${t.name}, then vault attach`)
  }
  if (pinned === undefined) await writePin(pin, vault.vault_id).catch(() => {})
  const file = await stateFile(env, vault.vault_id)
  const seen = await readState(file)
  if (seen.epoch !== undefined && seen.key_id !== undefined) {
    if (seen.epoch > t.epoch) throw damaged(where, `it is at key epoch ${t.epoch}, and this device has seen epoch ${seen.epoch} (an older state was put back)`)
    let k = key
    for (let e = t.epoch; e > seen.epoch; e--) {
      const row = byEpoch.get(e)
      const prev = byEpoch.get(e - 1)
      if (!row?.back || !prev) throw damaged(where, `key epoch ${e} does not lead back to the key this device knows`)
      try {
        k = open(k, row.back, backAad(vault.vault_id, e))
      } catch (err) {
        if (!(err instanceof TagMismatch)) throw err
        throw damaged(where, `key epoch ${e} does not lead back to the key this device knows`)
      }
      if (keyId(k) !== prev.key_id) throw damaged(where, `key epoch ${e - 1} is not the key it claims`)
    }
    if (keyId(k) !== seen.key_id) throw damaged(where, `its key is not the one this device has seen for epoch ${seen.epoch} (a key made up by someone who is not a member)`)
  }
  if (seen.epoch !== t.epoch || seen.key_id !== cur.key_id) {
    await updateState(file, (s) => ({ ...s, epoch: t.epoch, key_id: cur.key_id })).catch(() => {})
  }
}

/**
 * This device's member row in `team`, by its identity's recipient; NOT_A_MEMBER (exit 4) when there is none.
 */
export async function myMembership(team: TeamHeader, ctx: Pick<KeyContext, 'env' | 'keychain'>): Promise<{ member: TeamMember; identity: string; recipient: string }> {
  const me = await myIdentity(ctx)
  const m = team.members.find((x) => x.recipient === me.recipient)
  if (!m) {
    throw new CredctlError('NOT_A_MEMBER', `this device's identity (fingerprint ${recipientFingerprint(me.recipient)}) is not a member of team vault ${team.name}`, {
      hint: `send your recipient (credctl identity show) to an admin of ${team.name}, who runs: credctl --vault ${team.name} member add NAME --recipient age1…`,
    })
  }
  return { member: m, identity: me.identity, recipient: me.recipient }
}

/** The vault key for this device, verified: wrap opens, key check opens, epochs lead back to the pinned key. */
export async function loadTeamKey(vault: Pick<VaultFile, 'vault_id' | 'key' | 'team'>, where: string, ctx: KeyContext, verify: boolean): Promise<Buffer> {
  const team = vault.team
  if (!team) throw damaged(where, 'its header names the team key source but has no members')
  const { member, identity } = await myMembership(team, ctx)
  const key = await unwrapKey(member.wrap, identity, where)
  if (verify) {
    verifyCheck(vault, where, key, `wrap of member ${member.member}`)
    await checkEpochs({ vault_id: vault.vault_id, team }, key, where, ctx.env)
  }
  return key
}

/** A fresh team vault key and its header (`vault create`). */
export function newTeamKey(vaultId: string): { key: Buffer; header: KeyHeader } {
  const key = crypto().randomBytes(KEY_BYTES)
  return { key, header: { source: 'team', check: sealCheck(vaultId, key) } }
}

/** A team vault's new key for rotate-key and member remove (keys/team-source.ts stageRotation). */
export function stageTeamRotation(vaultId: string): StagedRotation {
  const { key, header } = newTeamKey(vaultId)
  return { key, header, before: noop, undo: noop, after: async () => [], discard: noop, retire: async () => [] }
}

/** Where the team source keeps a vault's highest sequence: the device's state file for it. */
export function teamSequence(vaultId: string, env: NodeJS.ProcessEnv): SequenceKeeper {
  const file = stateFile(env, vaultId)
  return textKeeper(
    `team vault state (${vaultId}.state)`,
    async () => {
      const s = await readState(await file)
      return s.seq === undefined ? undefined : String(s.seq)
    },
    async (text) => updateState(await file, (s) => ({ ...s, seq: Number(text) })),
  )
}
