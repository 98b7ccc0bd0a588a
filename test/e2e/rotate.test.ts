import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { copyFileSync, existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createClient } from '../../src/credentials/client.js'
import { CredctlError } from '../../src/errors.js'
import { fileStore } from '../../src/store/file.js'
import { parseV2 } from '../../src/store/file-format.js'
import type { VaultStore } from '../../src/store/types.js'
import { aadFor, open, TagMismatch } from '../../src/vault/cipher.js'
import { headMacHolds, recordMacHolds } from '../../src/vault/integrity.js'
import { parseVaultText, readVaultFile } from '../helpers/vault-file.js'
import type { Keychain } from '../../src/keys/index.js'
import { BIN, runCli, tempVault } from '../helpers/cli.js'

// Issue 6, rotate-key: a new key, every value re-encrypted, crash-safe (see crash.test.ts for the kills),
// and afterwards the old key reads nothing. security.md 8.1 (9).
const VALUES: [string, string, string][] = [
  ['OpenAI Prod', 'openai', 'sk-proj-ROTATEcanary0123456789abcdefABCDEF'],
  ['warehouse', 'postgresql', 'postgresql://etl:ROTATEpw-9876@db.internal:5432/dw'],
  ['speech', 'elevenlabs', 'ROTATEeleven0123456789abcdef0123'],
]

let t: ReturnType<typeof tempVault>
beforeEach(() => (t = tempVault('credctl-rotate')))
afterEach(() => t.cleanup())

const cli = (args: string[], env: Record<string, string | undefined> = {}, input?: string) =>
  runCli(args, { env: { ...t.env, ...env }, ...(input !== undefined ? { input } : {}) })

async function seed(env: Record<string, string | undefined> = {}) {
  for (const [name, type, value] of VALUES) {
    const r = await cli(['create', '--name', name, '--type', type, '--value-stdin'], env, value)
    expect(r.code, r.stderr).toBe(0)
  }
  // A soft-deleted record keeps its ciphertext: it must be re-encrypted too.
  expect((await cli(['create', '--name', 'old', '--type', 'groq', '--value-stdin'], env, 'gsk_ROTATEdeleted0123456789')).code).toBe(0)
  expect((await cli(['delete', 'old'], env)).code).toBe(0)
}

/** Metadata as the user sees it, minus what rotation may legitimately change (nothing, here). */
const listing = async (env: Record<string, string | undefined>) => JSON.parse((await cli(['list', '--deleted', '--json'], env)).stdout)

async function expectAllValues(env: Record<string, string | undefined>) {
  for (const [name, , value] of VALUES) {
    const r = await cli(['reveal', name], env)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toBe(value)
  }
}

/**
 * No ciphertext of the rotated vault opens with the old key, and (format 2, which every write produces)
 * no MAC in it holds under the old key: every record was re-sealed, so every record MAC and the head MAC
 * are the new key's. Nothing the old key could vouch for is left in the file.
 */
function oldKeyOpensNothing(text: string, oldKey: Buffer, newKey?: Buffer) {
  const v = parseVaultText(text)
  for (const c of v.credentials) expect(() => open(oldKey, c.secret, aadFor(v.vault_id, c.id, 'value'))).toThrow(TagMismatch)
  expect(() => open(oldKey, v.key.check, Buffer.from(`credctl/v1/${v.vault_id}/key-check`))).toThrow(TagMismatch)
  expect(v.format).toBe(2)
  const snap = parseV2(text)
  expect(snap.records).toHaveLength(v.credentials.length)
  const { vault_id, created_at, key, sequence, mac } = snap.header
  // With the new key known, the same checks hold under it (so the old key's failure is not vacuous).
  for (const k of newKey ? [oldKey, newKey] : [oldKey]) {
    const holds = k === newKey
    for (const r of snap.records) expect(recordMacHolds(k, r.body, r.mac)).toBe(holds)
    expect(headMacHolds(k, { vault_id, created_at, key, sequence }, snap.records, mac)).toBe(holds)
  }
}

describe('rotate-key, env source', () => {
  it('needs CREDCTL_NEW_MASTER_KEY, a valid one, and a different one: exit 2, nothing changed', async () => {
    await seed()
    const before = readFileSync(t.vault, 'utf8')
    const cases: [Record<string, string>, RegExp][] = [
      [{}, /needs the new key in CREDCTL_NEW_MASTER_KEY/],
      [{ CREDCTL_NEW_MASTER_KEY: 'not base64!' }, /must be the base64 of exactly 32 bytes/],
      [{ CREDCTL_NEW_MASTER_KEY: randomBytes(16).toString('base64') }, /exactly 32 bytes/],
      [{ CREDCTL_NEW_MASTER_KEY: t.key }, /is the current key/],
    ]
    for (const [env, msg] of cases) {
      const r = await cli(['rotate-key'], env)
      expect(r.code, r.stderr).toBe(2)
      expect(r.stderr).toMatch(msg)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
    }
    expect(readFileSync(t.vault, 'utf8')).toBe(before)
  })

  it('re-encrypts every value under the new key; metadata unchanged; the old key reads nothing', async () => {
    await seed()
    const before = readFileSync(t.vault, 'utf8')
    const backup = path.join(t.dir, 'backup.json')
    copyFileSync(t.vault, backup)
    const meta = await listing({})
    const newKey = randomBytes(32).toString('base64')
    const r = await cli(['rotate-key', '--json'], { CREDCTL_NEW_MASTER_KEY: newKey })
    expect(r.code, r.stderr).toBe(0)
    const out = JSON.parse(r.stdout)
    expect(out).toMatchObject({ vault: t.vault, key_source: 'env', re_encrypted: 4 })
    expect(out.notes.join(' ')).toMatch(/set CREDCTL_MASTER_KEY to the value of CREDCTL_NEW_MASTER_KEY/)

    const after = readFileSync(t.vault, 'utf8')
    const [a, b] = [parseVaultText(before), parseVaultText(after)]
    expect(b.vault_id).toBe(a.vault_id)
    expect(b.key.source).toBe('env')
    expect(b.key.check).not.toBe(a.key.check)
    expect(b.mac).not.toBe(a.mac)
    for (const c of b.credentials) expect(a.credentials.find((x) => x.id === c.id)!.secret).not.toBe(c.secret)
    oldKeyOpensNothing(after, Buffer.from(t.key, 'base64'), Buffer.from(newKey, 'base64'))

    const fresh = { CREDCTL_MASTER_KEY: newKey }
    expect(await listing(fresh)).toEqual(meta) // names, masks, defaults, validation state: untouched
    await expectAllValues(fresh)
    expect((await cli(['restore', 'old'], fresh)).code).toBe(0)
    expect((await cli(['reveal', 'old'], fresh)).stdout).toBe('gsk_ROTATEdeleted0123456789')

    // The old key: exit 4 for every command that needs the key, and status says "wrong key".
    for (const args of [['reveal', 'OpenAI Prod'], ['update', 'speech', '--description', 'x'], ['validate', 'warehouse']]) {
      const old = await cli(args)
      expect(old.code).toBe(4)
      expect(old.stderr).toMatch(/wrong key/)
    }
    expect(JSON.parse((await cli(['status', '--json'])).stdout).integrity.status).toBe('failed')
    // What rotation cannot do: a copy taken before it still opens with the old key (README says so).
    expect((await runCli(['reveal', 'speech'], { env: { ...t.env, CREDCTL_VAULT: backup } })).stdout).toBe(VALUES[2]![2])

    const hist = JSON.parse((await cli(['history', '--json'], fresh)).stdout) as { action: string; detail?: string }[]
    expect(hist.find((h) => h.action === 'rotate-key')).toMatchObject({ detail: '4 values re-encrypted' })
    expect(JSON.stringify(hist)).not.toContain(newKey)
  })

  it('refuses an edited vault (MAC) and a wrong current key, changing nothing', async () => {
    await seed()
    const before = readFileSync(t.vault, 'utf8')
    const wrong = await cli(['rotate-key'], { CREDCTL_MASTER_KEY: randomBytes(32).toString('base64'), CREDCTL_NEW_MASTER_KEY: randomBytes(32).toString('base64') })
    expect(wrong.code).toBe(4)
    expect(wrong.stderr).toMatch(/wrong key/)
    expect(readFileSync(t.vault, 'utf8')).toBe(before)
  })

  it('rotating an empty vault (every credential purged) works; a missing vault is exit 3', async () => {
    expect((await cli(['rotate-key'], { CREDCTL_NEW_MASTER_KEY: randomBytes(32).toString('base64') })).code).toBe(3)
    expect((await cli(['create', '--name', 'x', '--type', 'groq', '--value-stdin'], {}, 'gsk_0123456789abcdef')).code).toBe(0)
    expect((await cli(['purge', 'x', '--yes'])).code).toBe(0)
    const k = randomBytes(32).toString('base64')
    const r = await cli(['rotate-key', '--json'], { CREDCTL_NEW_MASTER_KEY: k })
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout).re_encrypted).toBe(0)
    expect(JSON.parse((await cli(['status', '--json'], { CREDCTL_MASTER_KEY: k })).stdout).integrity.status).toBe('ok')
  })
})

describe('rotate-key, passphrase source', () => {
  const OLD = { CREDCTL_MASTER_KEY: undefined, CREDCTL_KEY_SOURCE: 'passphrase', CREDCTL_PASSPHRASE: 'old passphrase, long enough' }

  it('takes the new passphrase from CREDCTL_NEW_PASSPHRASE, with a fresh salt; the old passphrase opens nothing', async () => {
    await seed(OLD)
    const a = readVaultFile(t.vault)
    const missing = await cli(['rotate-key'], OLD)
    expect(missing.code).toBe(2)
    expect(missing.stderr).toMatch(/CREDCTL_NEW_PASSPHRASE/)
    const r = await cli(['rotate-key'], { ...OLD, CREDCTL_NEW_PASSPHRASE: 'new passphrase, also long' })
    expect(r.code, r.stderr).toBe(0)
    const b = readVaultFile(t.vault)
    expect(b.key.scrypt!.salt).not.toBe(a.key.scrypt!.salt)
    expect(b.key.scrypt).toMatchObject({ N: 32768, r: 8, p: 1 })
    expect((await cli(['reveal', 'speech'], OLD)).code).toBe(4)
    await expectAllValues({ ...OLD, CREDCTL_PASSPHRASE: 'new passphrase, also long' })
    // The same passphrase again still rotates the key (new salt, new key): allowed.
    const same = await cli(['rotate-key'], { ...OLD, CREDCTL_PASSPHRASE: 'new passphrase, also long', CREDCTL_NEW_PASSPHRASE: 'new passphrase, also long' })
    expect(same.code, same.stderr).toBe(0)
    expect(readVaultFile(t.vault).key.check).not.toBe(b.key.check)
  })
})

describe('rotate-key, passphrase source on a terminal', () => {
  const OLD = { CREDCTL_MASTER_KEY: undefined, CREDCTL_KEY_SOURCE: 'passphrase', CREDCTL_PASSPHRASE: 'old passphrase, long enough' }

  /** Run rotate-key in a pseudo-terminal (script(1)), answering each prompt as it appears. */
  async function onTerminal(answers: [RegExp, string][]): Promise<{ code: number; screen: string }> {
    const cmd = `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} rotate-key`
    const child = spawn('script', ['-qfec', cmd, '/dev/null'], { env: { ...t.env, ...OLD, TERM: 'dumb' } as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'] })
    let screen = ''
    child.stdout.on('data', (d) => (screen += d))
    let from = 0
    for (const [prompt, answer] of answers) {
      const deadline = Date.now() + 15_000
      while (!prompt.test(screen.slice(from)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 30))
      expect(screen.slice(from)).toMatch(prompt)
      from = screen.length
      child.stdin.write(`${answer}\r`)
    }
    const code = await new Promise<number>((r) => child.on('close', (c) => r(c ?? 1)))
    return { code, screen }
  }

  it.skipIf(spawnSync('script', ['--version']).error !== undefined)('asks for the new passphrase twice, hidden; a mismatch changes nothing', async () => {
    await seed(OLD)
    const before = readFileSync(t.vault, 'utf8')
    // Two that differ are asked again (both), three rounds in all (src/cli/passphrase.ts).
    const bad = await onTerminal(
      [1, 2, 3].flatMap((): [RegExp, string][] => [
        [/New vault passphrase/, 'first attempt'],
        [/Repeat the vault passphrase/, 'second attempt'],
      ]),
    )
    expect(bad.code).toBe(2)
    expect(bad.screen).toMatch(/did not match 3 times; nothing was changed/)
    expect(readFileSync(t.vault, 'utf8')).toBe(before)
    const good = await onTerminal([
      [/New vault passphrase/, 'typed new passphrase'],
      [/Repeat the vault passphrase/, 'typed new passphrase'],
    ])
    expect(good.code, good.screen).toBe(0)
    expect(good.screen).not.toContain('typed new passphrase') // masked, never echoed
    await expectAllValues({ ...OLD, CREDCTL_PASSPHRASE: 'typed new passphrase' })
  }, 40_000)
})

describe('rotate-key, file source', () => {
  it('writes a new key into the same 0600 key file, atomically; the old key file opens nothing', async () => {
    const keyFile = path.join(t.dir, 'keys', 'credctl.key')
    const env = { CREDCTL_MASTER_KEY: undefined, CREDCTL_KEY_FILE: keyFile }
    await seed(env)
    const oldKey = readFileSync(keyFile, 'utf8')
    const r = await cli(['rotate-key'], env)
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toContain(keyFile)
    const newKey = readFileSync(keyFile, 'utf8')
    expect(newKey).not.toBe(oldKey)
    expect(statSync(keyFile).mode & 0o777).toBe(0o600)
    // No .next, no temp file; beside the key only its kept sequence (issue 13), at the re-keyed vault's number.
    const id = readVaultFile(t.vault).vault_id
    expect(readdirSync(path.dirname(keyFile)).sort()).toEqual(['credctl.key', `credctl.key.${id}.sequence`])
    expect(readFileSync(`${keyFile}.${id}.sequence`, 'utf8').trim()).toBe(String(readVaultFile(t.vault).sequence))
    oldKeyOpensNothing(readFileSync(t.vault, 'utf8'), Buffer.from(oldKey.trim(), 'base64'))
    await expectAllValues(env)
  })
})

describe('rotate-key, keychain source (SDK with an in-memory keychain)', () => {
  /** A keychain double: a Map, with switches to make one operation fail. */
  function fakeKeychain() {
    const store = new Map<string, string>()
    const fail = { set: '', get: '', delete: '', wrongReadBack: false }
    const kc: Keychain = {
      get: async (a) => {
        if (fail.get && a.startsWith(fail.get)) throw new Error('platform failure')
        if (fail.wrongReadBack && a.includes(':')) return 'AAAA'
        return store.get(a) ?? null
      },
      set: async (a, s) => {
        if (fail.set && (a.startsWith(fail.set) || fail.set === '*')) throw new Error('the keychain refused the write')
        store.set(a, s)
      },
      delete: async (a) => {
        if (fail.delete && a === fail.delete) throw new Error('the keychain refused the delete')
        return store.delete(a)
      },
    }
    return { kc, store, fail }
  }

  async function keychainVault() {
    const f = fakeKeychain()
    const c = createClient({ vault: t.vault, env: {}, keychain: f.kc, keySource: 'keychain' })
    for (const [name, type, value] of VALUES) await c.credentials.create({ name, type, value })
    const id = readVaultFile(t.vault).vault_id
    return { ...f, c, id }
  }

  it('stores the new key under <vault id>:1, then :2; removes the old entry only after the write', async () => {
    const { c, store, id, kc } = await keychainVault()
    const oldKey = store.get(id)!
    const order: string[] = []
    const spy: Keychain = {
      get: kc.get,
      set: async (a, s) => {
        order.push(`set ${a} vault-has-old=${readVaultFile(t.vault).key.account === undefined ? 'yes' : 'no'}`)
        return kc.set(a, s)
      },
      delete: async (a) => {
        order.push(`delete ${a} vault-has-new=${readVaultFile(t.vault).key.account === `${id}:1`}`)
        return kc.delete(a)
      },
    }
    const c2 = createClient({ vault: t.vault, env: {}, keychain: spy })
    const r = await c2.rotateKey()
    expect(r).toMatchObject({ key_source: 'keychain', keychain_account: `${id}:1`, old_key_removed: true, re_encrypted: 3 })
    // The vault's kept sequence (its own entry, issue 13) is raised once the re-keyed vault is written.
    const seq = `${id}:sequence`
    expect(order).toEqual([`set ${id}:1 vault-has-old=yes`, `delete ${id} vault-has-new=true`, `set ${seq} vault-has-old=no`])
    expect([...store.keys()].sort()).toEqual([`${id}:1`, seq].sort())
    expect(store.get(seq)).toBe(String(readVaultFile(t.vault).sequence))
    expect(readVaultFile(t.vault).key.account).toBe(`${id}:1`)
    oldKeyOpensNothing(readFileSync(t.vault, 'utf8'), Buffer.from(oldKey, 'base64'))
    for (const [name, , value] of VALUES) expect(await c.credentials.reveal(name)).toBe(value)
    await c2.rotateKey()
    expect([...store.keys()].sort()).toEqual([`${id}:2`, `${id}:sequence`].sort())
    for (const [name, , value] of VALUES) expect(await c.credentials.reveal(name)).toBe(value)
  })

  it('a keychain that refuses the new key, or returns something else: error, vault byte-identical, old entry intact', async () => {
    const { store, id, fail, kc } = await keychainVault()
    const before = readFileSync(t.vault, 'utf8')
    const c = createClient({ vault: t.vault, env: {}, keychain: kc })
    fail.set = `${id}:`
    const e1 = await c.rotateKey().catch((e: unknown) => e)
    expect(e1).toBeInstanceOf(CredctlError)
    expect((e1 as CredctlError).exitCode).toBe(4)
    expect((e1 as CredctlError).message).toMatch(/cannot store the new vault key/)
    fail.set = ''
    fail.wrongReadBack = true
    const e2 = await c.rotateKey().catch((e: unknown) => e)
    expect((e2 as CredctlError).message).toMatch(/did not return the new key/)
    fail.wrongReadBack = false
    expect(readFileSync(t.vault, 'utf8')).toBe(before)
    expect([...store.keys()].sort()).toEqual([id, `${id}:sequence`].sort()) // the staged entry was removed again
    for (const [name, , value] of VALUES) expect(await c.credentials.reveal(name)).toBe(value)
  })

  it('a keychain that cannot delete the old entry: rotated anyway, and the result says what is left', async () => {
    const { store, id, fail, kc } = await keychainVault()
    fail.delete = id
    const c = createClient({ vault: t.vault, env: {}, keychain: kc })
    const r = await c.rotateKey()
    expect(r.old_key_removed).toBe(false)
    expect(r.notes.join(' ')).toContain(`account ${id}`)
    expect(store.has(id)).toBe(true)
    oldKeyOpensNothing(readFileSync(t.vault, 'utf8'), Buffer.from(store.get(id)!, 'base64'))
    for (const [name, , value] of VALUES) expect(await c.credentials.reveal(name)).toBe(value)
  })

  it('a vault write that fails after the new key is stored: the new entry is removed, the vault untouched', async (ctx) => {
    const chattr = spawnSync('chattr', ['-V'], { stdio: 'ignore' }).error === undefined
    if (process.getuid?.() !== 0 || !chattr) ctx.skip() // only root can make a directory immutable
    const { store, id, kc } = await keychainVault()
    const before = readFileSync(t.vault, 'utf8')
    const dir = path.dirname(t.vault)
    execFileSync('chattr', ['+i', dir])
    try {
      const c = createClient({ vault: t.vault, env: {}, keychain: kc })
      const e = await c.rotateKey().catch((err: unknown) => err)
      expect(e).toBeInstanceOf(Error)
    } finally {
      execFileSync('chattr', ['-i', dir])
    }
    expect(readFileSync(t.vault, 'utf8')).toBe(before)
    expect([...store.keys()].sort()).toEqual([id, `${id}:sequence`].sort())
    expect(existsSync(`${t.vault}.lock`)).toBe(false)
  })
})

describe('rotate-key, a store that fails around its commit (SDK over the file store)', () => {
  // The file store can fail AFTER its rename (the directory fsync: "the new content is in place but may
  // not survive a crash"). rotate-key must then keep BOTH keys: removing the staged one would leave a
  // committed vault nothing opens; retiring the old one would lose the vault a crash rolls back to. A
  // failure before the commit must still remove the staged key. Simulated by wrapping the real store:
  // the real commit then a thrown VAULT_IO, or the real transaction body then a throw (nothing written).
  type Failure = 'after-commit' | 'before-commit'
  function failingStore(file: string) {
    const inner = fileStore(file)
    const arm = { on: undefined as Failure | undefined }
    const store: VaultStore = {
      ...inner,
      transact: async (fn, o) => {
        const when = arm.on
        arm.on = undefined
        const io = () => new CredctlError('VAULT_IO', `vault ${file} could not be written: EIO (the new content is in place but may not survive a crash)`)
        if (when === 'before-commit') {
          return inner.transact(async (tx) => {
            await fn(tx)
            throw new CredctlError('VAULT_IO', `vault ${file} could not be written: EIO (nothing was changed)`)
          }, o)
        }
        const out = await inner.transact(fn, o)
        if (when === 'after-commit') throw io()
        return out
      },
    }
    return { store, arm }
  }

  const keychainStore = () => {
    const store = new Map<string, string>()
    const kc: Keychain = { get: async (a) => store.get(a) ?? null, set: async (a, s) => void store.set(a, s), delete: async (a) => store.delete(a) }
    return { kc, store }
  }

  it('keychain: a failure after the commit keeps the new entry AND the old one; the vault opens', async () => {
    const { kc, store: entries } = keychainStore()
    const { store, arm } = failingStore(t.vault)
    const c = createClient({ store, env: {}, keychain: kc, keySource: 'keychain' })
    for (const [name, type, value] of VALUES) await c.credentials.create({ name, type, value })
    const id = readVaultFile(t.vault).vault_id
    const oldKey = entries.get(id)!
    arm.on = 'after-commit'
    await expect(c.rotateKey()).rejects.toMatchObject({ code: 'VAULT_IO' })
    expect(readVaultFile(t.vault).key.account).toBe(`${id}:1`) // the commit happened ...
    expect(entries.has(`${id}:1`)).toBe(true) // ... so its key stays ...
    expect(entries.get(id)).toBe(oldKey) // ... and the old one is not retired (the commit may not be durable)
    oldKeyOpensNothing(readFileSync(t.vault, 'utf8'), Buffer.from(oldKey, 'base64'))
    const fresh = createClient({ vault: t.vault, env: {}, keychain: kc })
    for (const [name, , value] of VALUES) expect(await fresh.credentials.reveal(name)).toBe(value)
  })

  it('keychain: a failure before the commit removes the staged entry; vault byte-identical', async () => {
    const { kc, store: entries } = keychainStore()
    const { store, arm } = failingStore(t.vault)
    const c = createClient({ store, env: {}, keychain: kc, keySource: 'keychain' })
    for (const [name, type, value] of VALUES) await c.credentials.create({ name, type, value })
    const id = readVaultFile(t.vault).vault_id
    const before = readFileSync(t.vault, 'utf8')
    arm.on = 'before-commit'
    await expect(c.rotateKey()).rejects.toMatchObject({ code: 'VAULT_IO' })
    expect(readFileSync(t.vault, 'utf8')).toBe(before)
    expect([...entries.keys()].filter((a) => !a.startsWith('probe-')).sort()).toEqual([id, `${id}:sequence`].sort())
    for (const [name, , value] of VALUES) expect(await c.credentials.reveal(name)).toBe(value)
  })

  it('file: a failure after the commit keeps <key file>.next (the new key) and the old key file; the vault opens', async () => {
    const keyFile = path.join(t.dir, 'keys', 'credctl.key')
    const env = { CREDCTL_KEY_FILE: keyFile }
    const { store, arm } = failingStore(t.vault)
    const c = createClient({ store, env, keychain: keychainStore().kc })
    for (const [name, type, value] of VALUES) await c.credentials.create({ name, type, value })
    const oldKey = readFileSync(keyFile, 'utf8')
    arm.on = 'after-commit'
    await expect(c.rotateKey()).rejects.toMatchObject({ code: 'VAULT_IO' })
    expect(readFileSync(keyFile, 'utf8')).toBe(oldKey) // not replaced: a crash may bring the old vault back
    expect(existsSync(`${keyFile}.next`)).toBe(true)
    oldKeyOpensNothing(readFileSync(t.vault, 'utf8'), Buffer.from(oldKey.trim(), 'base64'), Buffer.from(readFileSync(`${keyFile}.next`, 'utf8').trim(), 'base64'))
    const fresh = createClient({ vault: t.vault, env, keychain: keychainStore().kc })
    for (const [name, , value] of VALUES) expect(await fresh.credentials.reveal(name)).toBe(value) // through .next
  })

  it('file: a failure before the commit removes <key file>.next; vault and key file byte-identical', async () => {
    const keyFile = path.join(t.dir, 'keys', 'credctl.key')
    const env = { CREDCTL_KEY_FILE: keyFile }
    const { store, arm } = failingStore(t.vault)
    const c = createClient({ store, env, keychain: keychainStore().kc })
    for (const [name, type, value] of VALUES) await c.credentials.create({ name, type, value })
    const [before, oldKey] = [readFileSync(t.vault, 'utf8'), readFileSync(keyFile, 'utf8')]
    arm.on = 'before-commit'
    await expect(c.rotateKey()).rejects.toMatchObject({ code: 'VAULT_IO' })
    expect(readFileSync(t.vault, 'utf8')).toBe(before)
    expect(readFileSync(keyFile, 'utf8')).toBe(oldKey)
    expect(existsSync(`${keyFile}.next`)).toBe(false)
    for (const [name, , value] of VALUES) expect(await c.credentials.reveal(name)).toBe(value)
  })
})
