import { createHash } from 'node:crypto'
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { Decrypter, Encrypter, generateHybridIdentity, generateX25519Identity, identityToRecipient } from 'age-encryption'
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createClient, CredctlError, type Keychain } from '../../src/index.js'
import { IDENTITY_ACCOUNT, recipientFingerprint } from '../../src/keys/identity.js'

/** A real in-memory keychain (the Keychain interface): records every call, can be made to fail. */
function memKeychain(fail = false) {
  const entries = new Map<string, string>()
  const kc: Keychain = {
    get: async (a) => {
      if (fail) throw new Error('no Secret Service')
      return entries.get(a) ?? null
    },
    set: async (a, s) => {
      if (fail) throw new Error('no Secret Service')
      entries.set(a, s)
    },
    delete: async (a) => entries.delete(a),
  }
  return { kc, entries }
}

let dir: string
beforeEach(() => (dir = mkdtempSync(path.join(tmpdir(), 'credctl-identity-'))))
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const client = (kc: Keychain, env: Record<string, string> = {}) => createClient({ vault: path.join(dir, 'v', 'vault.json'), keychain: kc, env })

async function rejects(p: Promise<unknown>): Promise<CredctlError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  )
  expect(e).toBeInstanceOf(CredctlError)
  return e as CredctlError
}

/** What age-encryption decrypts `msg`, encrypted to `recipient`, to with `identity` (null: refused). */
async function roundTrip(recipient: string, identity: string, msg: string): Promise<string | null> {
  const e = new Encrypter()
  e.addRecipient(recipient)
  const box = await e.encrypt(msg)
  const d = new Decrypter()
  d.addIdentity(identity)
  return d.decrypt(box, 'text').catch(() => null)
}

describe('the fingerprint rule', () => {
  it('is the first 12 bytes of SHA-256 over the lowercase recipient, hex in six groups of four, for every recipient', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constant(null), async () => {
        const recipient = await identityToRecipient(await generateX25519Identity())
        const fp = recipientFingerprint(recipient)
        expect(fp).toMatch(/^[0-9a-f]{4}( [0-9a-f]{4}){5}$/)
        expect(fp.replace(/ /g, '')).toBe(createHash('sha256').update(recipient).digest('hex').slice(0, 24))
        // bech32 is case-insensitive: the upper-case spelling has the same fingerprint.
        expect(recipientFingerprint(recipient.toUpperCase())).toBe(fp)
      }),
      { numRuns: 25 },
    )
  })
})

describe('client.identity (SDK)', () => {
  it('new(): stores an X25519 identity in the keychain account identity.age and returns only its public side', async () => {
    const { kc, entries } = memKeychain()
    const r = await client(kc).identity.new()
    const secret = entries.get(IDENTITY_ACCOUNT)!
    expect(secret).toMatch(/^AGE-SECRET-KEY-1[0-9A-Z]{58}$/)
    expect([...entries.keys()]).toEqual([IDENTITY_ACCOUNT])
    expect(r).toEqual({
      recipient: await identityToRecipient(secret),
      fingerprint: recipientFingerprint(r.recipient),
      source: 'keychain',
      where: 'keychain entry (service credctl, account identity.age)',
      replaced: null,
    })
    expect(JSON.stringify(r)).not.toContain('AGE-SECRET-KEY')
    const shown = await client(kc).identity.show()
    expect(shown).toEqual({ recipient: r.recipient, fingerprint: r.fingerprint, source: 'keychain', where: r.where })
    expect(await roundTrip(shown.recipient, secret, 'vault key')).toBe('vault key')
  })

  it('new() again: USAGE (exit 2) naming the current recipient, nothing changed; force replaces; a declined confirmation changes nothing', async () => {
    const { kc, entries } = memKeychain()
    const first = await client(kc).identity.new()
    const secret = entries.get(IDENTITY_ACCOUNT)
    const e = await rejects(client(kc).identity.new())
    expect(e.code).toBe('USAGE')
    expect(e.exitCode).toBe(2)
    expect(e.message).toContain(first.recipient)
    expect(e.message).toContain(first.fingerprint)
    expect(e.hint).toContain('--force')
    expect(entries.get(IDENTITY_ACCOUNT)).toBe(secret)

    const asked: unknown[] = []
    const no = await rejects(client(kc).identity.new({ force: true, confirmReplace: async (old) => (asked.push(old), false) }))
    expect(no.code).toBe('CANCELLED')
    expect(asked).toEqual([{ recipient: first.recipient, fingerprint: first.fingerprint, where: first.where }])
    expect(entries.get(IDENTITY_ACCOUNT)).toBe(secret)

    const second = await client(kc).identity.new({ force: true })
    expect(second.recipient).not.toBe(first.recipient)
    expect(second.replaced).toEqual({ recipient: first.recipient, fingerprint: first.fingerprint })
    expect(entries.get(IDENTITY_ACCOUNT)).not.toBe(secret)
    expect((await client(kc).identity.show()).recipient).toBe(second.recipient)
  })

  it('an entry that is not an identity: show is KEY_INVALID (exit 4) without quoting it; new refuses it without force, replaces it with force', async () => {
    const { kc, entries } = memKeychain()
    entries.set(IDENTITY_ACCOUNT, 'not-an-identity-canary')
    const e = await rejects(client(kc).identity.show())
    expect([e.code, e.exitCode]).toEqual(['KEY_INVALID', 4])
    expect(`${e.message}${e.hint}`).not.toContain('canary')
    const n = await rejects(client(kc).identity.new())
    expect(n.code).toBe('USAGE')
    expect(n.message).toMatch(/not a valid identity/)
    const r = await client(kc).identity.new({ force: true })
    expect(r.replaced).toEqual({ recipient: null, fingerprint: null })
  })

  it('no identity: NOT_FOUND (exit 3) with the hint `credctl identity new`; an unusable keychain: KEY_UNAVAILABLE (exit 4)', async () => {
    const e = await rejects(client(memKeychain().kc).identity.show())
    expect([e.code, e.exitCode]).toEqual(['NOT_FOUND', 3])
    expect(e.hint).toContain('credctl identity new')
    for (const p of [client(memKeychain(true).kc).identity.show(), client(memKeychain(true).kc).identity.new()]) {
      const u = await rejects(p)
      expect([u.code, u.exitCode]).toEqual(['KEY_UNAVAILABLE', 4])
    }
  })

  it('generate(): a fresh identity stored nowhere, whose recipient opens what is encrypted to it and nothing else does', async () => {
    const { kc, entries } = memKeychain()
    const g = await client(kc).identity.generate()
    expect(entries.size).toBe(0)
    expect(g.identity).toMatch(/^AGE-SECRET-KEY-1/)
    expect(g.recipient).toBe(await identityToRecipient(g.identity))
    expect(g.fingerprint).toBe(recipientFingerprint(g.recipient))
    expect(await roundTrip(g.recipient, g.identity, 'k'.repeat(32))).toBe('k'.repeat(32))
    expect(await roundTrip(g.recipient, (await client(kc).identity.generate()).identity, 'x')).toBeNull()
  })

  it('CREDCTL_IDENTITY and CREDCTL_IDENTITY_FILE override the keychain (which is then never read)', async () => {
    const { kc, entries } = memKeychain()
    await client(kc).identity.new()
    const id = await generateX25519Identity()
    const rcp = await identityToRecipient(id)
    const fromEnv = await client(memKeychain(true).kc, { CREDCTL_IDENTITY: `${id}\n` }).identity.show()
    expect(fromEnv).toEqual({ recipient: rcp, fingerprint: recipientFingerprint(rcp), source: 'env', where: 'CREDCTL_IDENTITY' })
    // age-keygen's own file format: comments and blank lines around the one identity.
    const file = path.join(dir, 'ci.key')
    writeFileSync(file, `# created: 2026-12-01T04:00:00Z\n# public key: ${rcp}\n${id}\n\n`, { mode: 0o600 })
    const fromFile = await client(memKeychain(true).kc, { CREDCTL_IDENTITY_FILE: file }).identity.show()
    expect(fromFile).toEqual({ recipient: rcp, fingerprint: recipientFingerprint(rcp), source: 'file', where: `identity file ${file}` })
    // An empty variable is unset: the keychain's identity again.
    expect((await client(kc, { CREDCTL_IDENTITY: '' }).identity.show()).source).toBe('keychain')
    expect(entries.get(IDENTITY_ACCOUNT)).not.toBe(id)

    const both = await rejects(client(kc, { CREDCTL_IDENTITY: id, CREDCTL_IDENTITY_FILE: file }).identity.show())
    expect([both.code, both.exitCode]).toEqual(['USAGE', 2])
  })

  it('an identity file fails the checks of key files: others may read it, missing, a directory', async () => {
    const id = await generateX25519Identity()
    const file = path.join(dir, 'ci.key')
    writeFileSync(file, `${id}\n`, { mode: 0o600 })
    chmodSync(file, 0o640)
    const loose = await rejects(client(memKeychain().kc, { CREDCTL_IDENTITY_FILE: file }).identity.show())
    expect([loose.code, loose.exitCode]).toEqual(['KEY_INVALID', 4])
    expect(loose.message).toContain(`identity file ${file} is readable by other users (mode 640)`)
    expect(loose.hint).toBe(`chmod 600 ${file}`)
    const missing = await rejects(client(memKeychain().kc, { CREDCTL_IDENTITY_FILE: path.join(dir, 'nope') }).identity.show())
    expect([missing.code, missing.exitCode]).toEqual(['KEY_UNAVAILABLE', 4])
    const asDir = await rejects(client(memKeychain().kc, { CREDCTL_IDENTITY_FILE: dir }).identity.show())
    expect(asDir.code).toBe('KEY_INVALID')
  })

  it('what is not exactly one X25519 identity is KEY_INVALID, and the message never quotes it', async () => {
    const good = await generateX25519Identity()
    const bad = [
      'AGE-SECRET-KEY-1CANARYCANARY',
      `${good.slice(0, -1)}${good.endsWith('Q') ? 'P' : 'Q'}`, // checksum broken
      `${good}\n${await generateX25519Identity()}`,
      await generateHybridIdentity(),
      '# only a comment',
      `${good.toLowerCase()}x`,
    ]
    for (const text of bad) {
      const e = await rejects(client(memKeychain().kc, { CREDCTL_IDENTITY: text }).identity.show())
      expect([e.code, e.exitCode], text.slice(0, 20)).toEqual(['KEY_INVALID', 4])
      for (const line of text.split('\n')) if (line.length > 20) expect(`${e.message} ${e.hint}`).not.toContain(line.slice(16))
    }
  })
})
