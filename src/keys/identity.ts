import { crypto } from '../lazy-crypto.js'
import { CredctlError } from '../errors.js'
import { readOwnerOnlyFile } from './owner-only-file.js'
import { SERVICE, type Keychain } from './os-keychain.js'

/**
 * This device's age X25519 identity (issue 14: team vaults wrap their vault key to each member device's
 * recipient). The private half (`AGE-SECRET-KEY-1…`) lives in the OS keychain, through the same Keychain
 * (child process, CREDCTL_KEYCHAIN_TIMEOUT_MS) as vault keys; CI sets CREDCTL_IDENTITY (the text) or
 * CREDCTL_IDENTITY_FILE (a 0600 file, the checks of key files) instead, and either overrides the keychain.
 * Nothing here ever returns or prints the private half, except generate(), whose whole point it is.
 *
 * `age-encryption` (the age format's TypeScript implementation by its author) is imported only here,
 * lazily, so no other command loads it.
 */

/**
 * The keychain account (service `credctl`). The `.` keeps it apart from every account a vault uses: a
 * vault id is `[A-Za-z0-9_-]{8,64}` (src/vault/record-schema.ts STORED_ID), and the vault's other entries
 * are `<id>:<n>` and `<id>:sequence`; probes are `probe-…`. None can contain a `.` without a `:`.
 */
export const IDENTITY_ACCOUNT = 'identity.age'

/** Where an identity came from: CREDCTL_IDENTITY, CREDCTL_IDENTITY_FILE, or the OS keychain. */
export type IdentitySource = 'env' | 'file' | 'keychain'

/** An identity's public side: never the private key. */
export interface IdentityInfo {
  /** The age X25519 recipient, `age1…` (62 characters): what an admin passes to `member add --recipient`. */
  recipient: string
  /** recipientFingerprint(recipient): six groups of four hex digits, for comparing by eye. */
  fingerprint: string
  source: IdentitySource
  /** For people: `CREDCTL_IDENTITY`, `identity file /path`, or `keychain entry (service credctl, account identity.age)`. */
  where: string
}

/** What `new` did: the stored identity, and the one it replaced (--force), if any. */
export interface NewIdentityResult extends IdentityInfo {
  /** The identity that was in the keychain before (null when there was none); `recipient` null when that entry was not a valid identity. */
  replaced: { recipient: string | null; fingerprint: string | null } | null
}

/** A generated identity that was stored nowhere (`identity new --print`, for CI). */
export interface GeneratedIdentity {
  /** The private key, `AGE-SECRET-KEY-1…`: the caller's to keep (a CI secret store); credctl has no copy. */
  identity: string
  recipient: string
  fingerprint: string
}

/**
 * The SDK's `client.identity`.
 * @example
 * const { recipient, fingerprint } = await createClient().identity.new()   // into the OS keychain
 * const me = await createClient().identity.show()                           // { recipient, fingerprint, source, where }
 */
export interface IdentityApi {
  /**
   * A fresh age X25519 identity for this device, stored in the OS keychain (service `credctl`, account
   * `identity.age`); returns its public side. Throws USAGE (exit 2) when the keychain already holds one
   * and `force` is not set (replacing it locks this device out of every team vault that added the old
   * recipient); KEY_UNAVAILABLE (exit 4) when the keychain cannot be written.
   */
  // Quoted: a bare `new(...)` in an interface would be a construct signature, not a method.
  'new'(opts?: NewIdentityOptions): Promise<NewIdentityResult>
  /** A fresh identity stored nowhere, private key included: for CI (CREDCTL_IDENTITY). */
  generate(): Promise<GeneratedIdentity>
  /**
   * This device's identity, public side only: CREDCTL_IDENTITY, else CREDCTL_IDENTITY_FILE, else the
   * keychain. NOT_FOUND (exit 3) when there is none; USAGE when both variables are set; KEY_INVALID (exit
   * 4) when what is there is not an X25519 age identity (or the file fails the key-file checks);
   * KEY_UNAVAILABLE when the keychain or the file cannot be read.
   */
  show(): Promise<IdentityInfo>
}

export interface NewIdentityOptions {
  /** Replace an identity the keychain already holds (otherwise USAGE, exit 2, naming it). */
  force?: boolean
  /**
   * With `force`: called with the public side of the identity about to be replaced (recipient null when
   * the entry is not a valid identity), only when there is one; false stops with CANCELLED (exit 130)
   * and nothing changed. The CLI asks on a terminal here.
   */
  confirmReplace?: (old: { recipient: string | null; fingerprint: string | null; where: string }) => Promise<boolean>
}

export interface IdentityContext {
  env: NodeJS.ProcessEnv
  keychain: () => Keychain
}

type Age = typeof import('age-encryption')
let age: Promise<Age> | undefined
const loadAge = (): Promise<Age> => (age ??= import('age-encryption'))

/** Bytes of SHA-256 the fingerprint keeps: 96 bits, so making a second key with the same fingerprint costs ~2^96 work. */
const FINGERPRINT_BYTES = 12

/**
 * The fingerprint both sides compare by eye before a recipient is trusted (`member add` prints it, the
 * member runs `identity show`): the first 12 bytes of SHA-256 over the recipient string as age prints it
 * (lowercase `age1…`, ASCII), in lowercase hex, six groups of four separated by spaces. Anyone can check
 * it without credctl: `printf %s age1… | sha256sum | cut -c1-24`.
 * @example recipientFingerprint('age1…') // '3f2a 91c0 77d4 0b1e 5a66 c2f9'
 */
export function recipientFingerprint(recipient: string): string {
  const hex = crypto().createHash('sha256').update(recipient.toLowerCase(), 'ascii').digest('hex').slice(0, FINGERPRINT_BYTES * 2)
  return hex.match(/.{4}/g)!.join(' ')
}

const X25519_IDENTITY = /^AGE-SECRET-KEY-1[0-9A-Z]{58}$/

/**
 * The one identity in `text` (what age-keygen writes: `#` comment lines and blank lines are skipped),
 * and its recipient. KEY_INVALID, naming `where` and never the text, when it is not exactly one X25519
 * age identity.
 */
async function parseIdentity(text: string, where: string): Promise<{ identity: string; recipient: string }> {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
  if (lines.length !== 1) {
    throw new CredctlError('KEY_INVALID', `${where} must hold exactly one age identity (AGE-SECRET-KEY-1…), found ${lines.length} non-comment lines`)
  }
  const identity = lines[0]!
  if (identity.startsWith('AGE-SECRET-KEY-PQ-')) {
    throw new CredctlError('KEY_INVALID', `${where} holds a post-quantum hybrid age identity; credctl uses X25519 identities (AGE-SECRET-KEY-1…)`, { hint: 'create one with `credctl identity new` or `age-keygen`' })
  }
  let recipient: string | undefined
  if (X25519_IDENTITY.test(identity)) recipient = await (await loadAge()).identityToRecipient(identity).catch(() => undefined)
  if (!recipient) {
    throw new CredctlError('KEY_INVALID', `${where} is not an age X25519 identity (AGE-SECRET-KEY-1… with a valid checksum)`, { hint: 'create one with `credctl identity new --print` or `age-keygen`' })
  }
  return { identity, recipient }
}

const keychainWhere = `keychain entry (service ${SERVICE}, account ${IDENTITY_ACCOUNT})`
const unset = (v: string | undefined): v is undefined => v === undefined || v === ''

/** The keychain's entry, or null when there is none. KEY_UNAVAILABLE when the keychain cannot be read. */
async function readKeychainEntry(ctx: IdentityContext): Promise<string | null> {
  try {
    return await ctx.keychain().get(IDENTITY_ACCOUNT)
  } catch (e) {
    throw new CredctlError('KEY_UNAVAILABLE', `cannot read this device's identity from the OS keychain: ${(e as Error).message}`, {
      hint: 'unlock the keychain (or start a Secret Service such as gnome-keyring), or set CREDCTL_IDENTITY or CREDCTL_IDENTITY_FILE',
    })
  }
}

/**
 * This device's identity, private key included: CREDCTL_IDENTITY, else CREDCTL_IDENTITY_FILE, else the
 * keychain (see IdentityApi.show for the errors). For the SDK's own use (unwrapping a team vault's key);
 * never returned to a caller of the public API.
 */
export async function loadIdentity(ctx: IdentityContext): Promise<IdentityInfo & { identity: string }> {
  const text = ctx.env.CREDCTL_IDENTITY
  const file = ctx.env.CREDCTL_IDENTITY_FILE
  if (!unset(text) && !unset(file)) {
    throw new CredctlError('USAGE', 'CREDCTL_IDENTITY and CREDCTL_IDENTITY_FILE are both set: set only one', { hint: 'unset the one you do not mean' })
  }
  let found: { source: IdentitySource; where: string; text: string }
  if (!unset(text)) found = { source: 'env', where: 'CREDCTL_IDENTITY', text }
  else if (!unset(file)) {
    const { resolve } = await import('node:path')
    const abs = resolve(file)
    const where = `identity file ${abs}`
    found = { source: 'file', where, text: await readOwnerOnlyFile(abs, 'identity file', 'CREDCTL_IDENTITY_FILE names a missing file: fix the path, or unset it to use the keychain') }
  } else {
    const stored = await readKeychainEntry(ctx)
    if (stored === null || stored === '') {
      throw new CredctlError('NOT_FOUND', 'this device has no identity (none in the OS keychain, CREDCTL_IDENTITY and CREDCTL_IDENTITY_FILE unset)', {
        hint: 'create one with `credctl identity new`; for CI, `credctl identity new --print` and CREDCTL_IDENTITY',
      })
    }
    found = { source: 'keychain', where: keychainWhere, text: stored }
  }
  const { identity, recipient } = await parseIdentity(found.text, found.where)
  return { identity, recipient, fingerprint: recipientFingerprint(recipient), source: found.source, where: found.where }
}

async function generate(): Promise<GeneratedIdentity> {
  const a = await loadAge()
  // X25519 explicitly: age's generateIdentity() may become post-quantum hybrid in a later version, and a
  // team vault's recipients must stay of one kind (the age spec: do not mix PQ and non-PQ recipients).
  const identity = await a.generateX25519Identity()
  const recipient = await a.identityToRecipient(identity)
  return { identity, recipient, fingerprint: recipientFingerprint(recipient) }
}

async function storeNew(ctx: IdentityContext, opts: NewIdentityOptions): Promise<NewIdentityResult> {
  const before = await readKeychainEntry(ctx)
  let replaced: NewIdentityResult['replaced'] = null
  if (before !== null && before !== '') {
    const old = await parseIdentity(before, keychainWhere).catch(() => undefined)
    replaced = old ? { recipient: old.recipient, fingerprint: recipientFingerprint(old.recipient) } : { recipient: null, fingerprint: null }
    if (!opts.force) {
      const what = old ? `${old.recipient} (fingerprint ${replaced.fingerprint})` : 'an entry that is not a valid identity'
      throw new CredctlError('USAGE', `this device already has an identity in the OS keychain: ${what}, ${keychainWhere}; nothing was changed`, {
        hint: 'see it with `credctl identity show`; `credctl identity new --force` replaces it, and this device then loses access to every team vault that added the old recipient',
      })
    }
    if (opts.confirmReplace && !(await opts.confirmReplace({ ...replaced, where: keychainWhere }))) {
      throw new CredctlError('CANCELLED', 'cancelled; the identity was not replaced')
    }
  }
  const g = await generate()
  const kc = ctx.keychain()
  try {
    await kc.set(IDENTITY_ACCOUNT, g.identity)
    // Read it back: a keychain that drops writes must fail here, not when a team vault needs the identity.
    if ((await kc.get(IDENTITY_ACCOUNT)) !== g.identity) throw new Error('the keychain did not return the identity it was given')
  } catch (e) {
    throw new CredctlError('KEY_UNAVAILABLE', `cannot store the identity in the OS keychain: ${(e as Error).message}`, {
      hint: 'unlock the keychain (or start a Secret Service such as gnome-keyring); for CI, `credctl identity new --print` and CREDCTL_IDENTITY',
    })
  }
  return { recipient: g.recipient, fingerprint: g.fingerprint, source: 'keychain', where: keychainWhere, replaced }
}

/** client.identity (see IdentityApi). */
export function identityApi(ctx: IdentityContext): IdentityApi {
  return {
    new: (opts = {}) => storeNew(ctx, opts),
    generate,
    show: async () => {
      const { identity: _secret, ...info } = await loadIdentity(ctx)
      return info
    },
  }
}
