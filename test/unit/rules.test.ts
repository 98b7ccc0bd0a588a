import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createClient, CredctlError, VIEW_FIELDS, type Client } from '../../src/index.js'
import { parseVaultText } from '../helpers/vault-file.js'

const KEY_ONLY_ENV = () => ({ CREDCTL_MASTER_KEY: randomBytes(32).toString('base64') })
const SECRET = 'sk-proj-CANARYabcdefghijklmnopqrstuvwxyz0123'

let dir: string
let vault: string
let client: Client
let env: Record<string, string>

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'credctl-rules-'))
  vault = path.join(dir, 'v', 'vault.json')
  env = KEY_ONLY_ENV()
  client = createClient({ vault, env })
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

const code = async (p: Promise<unknown>) => {
  try {
    await p
  } catch (e) {
    expect(e).toBeInstanceOf(CredctlError)
    return (e as CredctlError).code
  }
  throw new Error('expected an error')
}

describe('the safe representation', () => {
  it('has exactly the seed fields and never the value', async () => {
    const c = await client.credentials.create({ name: 'OpenAI Prod', type: 'openai', value: SECRET, description: 'prod' })
    expect(Object.keys(c).sort()).toEqual(
      ['id', 'name', 'type', 'category', 'description', 'masked_content', 'is_default', 'is_valid', 'has_schema', 'schema_updated_at', 'created_at', 'updated_at'].sort(),
    )
    for (const k of Object.keys(c)) expect(VIEW_FIELDS).toContain(k)
    expect(c).toMatchObject({ name: 'OpenAI Prod', type: 'openai', category: 'llm', masked_content: 'sk-pr...0123', is_valid: null, has_schema: false })
    expect(c.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
    expect(JSON.stringify(await client.credentials.list())).not.toContain(SECRET)
    expect(readFileSync(vault, 'utf8')).not.toContain(SECRET)
  })

  it('writes the vault 0600 in a 0700 directory', async () => {
    await client.credentials.create({ name: 'a', type: 'openai', value: SECRET })
    expect(statSync(vault).mode & 0o777).toBe(0o600)
    expect(statSync(path.dirname(vault)).mode & 0o777).toBe(0o700)
  })
})

describe('rules of the domain (DESIGN section 4)', () => {
  it('keeps names unique among non-deleted credentials', async () => {
    await client.credentials.create({ name: 'a', type: 'openai', value: SECRET })
    expect(await code(client.credentials.create({ name: 'a', type: 'anthropic', value: SECRET }))).toBe('NAME_TAKEN')
    await client.credentials.delete('a')
    await client.credentials.create({ name: 'a', type: 'anthropic', value: SECRET })
    // Restoring the deleted one now clashes.
    const deleted = (await client.credentials.list({ includeDeleted: true })).find((c) => c.deleted_at)!
    expect(await code(client.credentials.restore(deleted.id))).toBe('NAME_TAKEN')
  })

  it('keeps one default per type; set-default clears the previous one; delete leaves none', async () => {
    const a = await client.credentials.create({ name: 'a', type: 'openai', value: SECRET })
    const b = await client.credentials.create({ name: 'b', type: 'openai', value: SECRET })
    expect(a.is_default).toBe(true) // first of its type
    expect(b.is_default).toBe(false)
    await client.credentials.setDefault('b')
    const list = await client.credentials.list()
    expect(list.filter((c) => c.is_default).map((c) => c.name)).toEqual(['b'])
    await client.credentials.delete('b')
    expect((await client.credentials.list()).some((c) => c.is_default)).toBe(false)
    expect(await client.credentials.resolve('openai')).toBeUndefined()
    await client.credentials.restore('b')
    expect((await client.credentials.get('b')).is_default).toBe(false)
  })

  it('create --default takes the default over in the same write', async () => {
    await client.credentials.create({ name: 'a', type: 'openai', value: SECRET })
    await client.credentials.create({ name: 'b', type: 'openai', value: SECRET, is_default: true })
    expect((await client.credentials.list()).filter((c) => c.is_default).map((c) => c.name)).toEqual(['b'])
  })

  it('soft delete hides, restore brings back, purge removes for good', async () => {
    await client.credentials.create({ name: 'a', type: 'openai', value: SECRET })
    await client.credentials.delete('a')
    expect(await client.credentials.list()).toEqual([])
    expect((await client.credentials.list({ includeDeleted: true }))[0]?.deleted_at).toBeTruthy()
    expect(await code(client.credentials.reveal('a'))).toBe('NOT_FOUND')
    await client.credentials.restore('a')
    expect(await client.credentials.reveal('a')).toBe(SECRET)
    await client.credentials.purge('a')
    expect(await client.credentials.list({ includeDeleted: true })).toEqual([])
    // Gone from the file itself: no record left, and no body naming it (format 2 bodies are compact JSON).
    const purged = readFileSync(vault, 'utf8')
    expect(parseVaultText(purged).credentials).toEqual([])
    expect(purged).not.toMatch(/"name": ?"a"/)
    // History entries that name the purged credential stay.
    const h = await client.credentials.history({ name: 'a' })
    expect(h.map((e) => e.action)).toEqual(['create', 'delete', 'restore', 'reveal', 'purge'])
  })

  it('update replaces the ciphertext and resets the verdict; the old value is gone', async () => {
    await client.credentials.create({ name: 'a', type: 'openai', value: SECRET })
    const before = readFileSync(vault, 'utf8')
    await client.credentials.update('a', { value: 'sk-new-value-0000000000000000', name: 'b' })
    expect(await client.credentials.reveal('b')).toBe('sk-new-value-0000000000000000')
    const after = readFileSync(vault, 'utf8')
    const secretOf = (t: string) => parseVaultText(t).credentials[0]!.secret
    expect(secretOf(after)).not.toBe(secretOf(before))
    expect(await code(client.credentials.update('b', {}))).toBe('USAGE')
  })

  it('refuses a wrong key with KEY_WRONG and leaves the file byte-identical', async () => {
    await client.credentials.create({ name: 'a', type: 'openai', value: SECRET })
    const before = readFileSync(vault)
    const other = createClient({ vault, env: KEY_ONLY_ENV() })
    expect(await code(other.credentials.reveal('a'))).toBe('KEY_WRONG')
    expect(await code(other.credentials.create({ name: 'b', type: 'openai', value: SECRET }))).toBe('KEY_WRONG')
    expect(readFileSync(vault).equals(before)).toBe(true)
    // Reading (list) needs no key at all.
    expect((await other.credentials.list()).map((c) => c.name)).toEqual(['a'])
  })

  it('refuses a malformed CREDCTL_MASTER_KEY', async () => {
    for (const bad of ['short', randomBytes(31).toString('base64'), randomBytes(33).toString('base64'), `${randomBytes(32).toString('base64')}x`]) {
      const c = createClient({ vault: path.join(dir, `bad-${Math.random()}.json`), env: { CREDCTL_MASTER_KEY: bad } })
      expect(await code(c.credentials.create({ name: 'a', type: 'openai', value: SECRET }))).toBe('KEY_INVALID')
    }
  })

  it('fails closed without any key source and a keychain that does not work', async () => {
    const failing = { get: async () => { throw new Error('no bus') }, set: async () => { throw new Error('no bus') }, delete: async () => { throw new Error('no bus') } }
    const c = createClient({ vault: path.join(dir, 'nokey.json'), env: {}, keychain: failing })
    try {
      await c.credentials.create({ name: 'a', type: 'openai', value: SECRET })
      throw new Error('expected failure')
    } catch (e) {
      expect((e as CredctlError).code).toBe('KEY_UNAVAILABLE')
      expect((e as CredctlError).hint).toMatch(/CREDCTL_MASTER_KEY.*CREDCTL_PASSPHRASE.*CREDCTL_KEY_FILE/)
    }
  })

  it('supports the passphrase and file key sources', async () => {
    const pv = path.join(dir, 'p', 'vault.json')
    const p = createClient({ vault: pv, env: { CREDCTL_PASSPHRASE: 'correct horse battery staple' } })
    await p.credentials.create({ name: 'a', type: 'openai', value: SECRET })
    expect(parseVaultText(readFileSync(pv, 'utf8')).key.scrypt).toMatchObject({ N: 32768, r: 8, p: 1 })
    expect(await p.credentials.reveal('a')).toBe(SECRET)
    const wrong = createClient({ vault: pv, env: { CREDCTL_PASSPHRASE: 'wrong' } })
    expect(await code(wrong.credentials.reveal('a'))).toBe('KEY_WRONG')

    const keyFile = path.join(dir, 'keys', 'credctl.key')
    const fv = path.join(dir, 'f', 'vault.json')
    const f = createClient({ vault: fv, env: { CREDCTL_KEY_FILE: keyFile } })
    await f.credentials.create({ name: 'a', type: 'openai', value: SECRET })
    expect(statSync(keyFile).mode & 0o777).toBe(0o600)
    expect(await createClient({ vault: fv, env: {} }).credentials.reveal('a')).toBe(SECRET)
    // Inside the vault's own directory is refused: copying the directory must not copy the key.
    const inside = createClient({ vault: path.join(dir, 'g', 'vault.json'), env: { CREDCTL_KEY_FILE: path.join(dir, 'g', 'k') } })
    expect(await code(inside.credentials.create({ name: 'a', type: 'openai', value: SECRET }))).toBe('USAGE')
  })

  it('says plainly when a type has no check yet', async () => {
    await client.credentials.create({ name: 'x', type: 'api_key', value: 'abcdef' })
    const c = await code(client.credentials.validate('x'))
    expect(['NO_CHECK']).toContain(c)
    expect((await client.credentials.get('x')).is_valid).toBeNull()
  })
})

describe('expiry dates', () => {
  it('refuses impossible dates instead of rolling them over', async () => {
    const dir2 = mkdtempSync(path.join(tmpdir(), 'credctl-exp-'))
    const c = createClient({ vault: path.join(dir2, 'v.json'), env: KEY_ONLY_ENV() })
    try {
      await expect(c.credentials.create({ name: 'e', type: 'openai', value: SECRET, expires_at: '2027-02-30' })).rejects.toThrow(/real date/)
      const ok = await c.credentials.create({ name: 'e', type: 'openai', value: SECRET, expires_at: '2028-02-29' })
      expect(ok.expires_at).toBe('2028-02-29T00:00:00.000Z')
    } finally {
      rmSync(dir2, { recursive: true, force: true })
    }
  })
})

describe('a name several records have is never resolved silently (issue 10 kind 4)', () => {
  it('active + deleted: get, purge and restore by name are AMBIGUOUS listing both ids; by id they act; update acts on the active one', async () => {
    const dir2 = mkdtempSync(path.join(tmpdir(), 'credctl-purge-'))
    const c = createClient({ vault: path.join(dir2, 'v.json'), env: KEY_ONLY_ENV() })
    try {
      const old = await c.credentials.create({ name: 'OpenAI', type: 'openai', value: 'sk-old-11111111111111111111' })
      await c.credentials.delete('OpenAI')
      const cur = await c.credentials.create({ name: 'OpenAI', type: 'openai', value: 'sk-new-22222222222222222222' })
      for (const op of [() => c.credentials.get('OpenAI'), () => c.credentials.purge('OpenAI'), () => c.credentials.restore('OpenAI')]) {
        const e = await op().then(() => undefined, (x: unknown) => x as CredctlError)
        expect(e?.code).toBe('AMBIGUOUS')
        expect(e?.exitCode).toBe(2)
        expect(e?.message).toContain(old.id)
        expect(e?.message).toContain(cur.id)
      }
      // Commands that only act on active credentials have one candidate.
      expect(await c.credentials.reveal('OpenAI')).toBe('sk-new-22222222222222222222')
      const gone = await c.credentials.purge(old.id)
      expect(gone.id).toBe(old.id)
      expect((await c.credentials.get('OpenAI')).id).toBe(cur.id)
    } finally {
      rmSync(dir2, { recursive: true, force: true })
    }
  })

  it('two deleted ones: restore by name is AMBIGUOUS, by id restores that one', async () => {
    const dir2 = mkdtempSync(path.join(tmpdir(), 'credctl-restore-'))
    const c = createClient({ vault: path.join(dir2, 'v.json'), env: KEY_ONLY_ENV() })
    try {
      const a = await c.credentials.create({ name: 'X', type: 'openai', value: 'sk-aaa-11111111111111111111' })
      await c.credentials.delete('X')
      await c.credentials.create({ name: 'X', type: 'openai', value: 'sk-bbb-22222222222222222222' })
      await c.credentials.delete('X')
      expect(await code(c.credentials.restore('X'))).toBe('AMBIGUOUS')
      expect((await c.credentials.restore(a.id)).id).toBe(a.id)
      expect(await c.credentials.reveal('X')).toBe('sk-aaa-11111111111111111111')
    } finally {
      rmSync(dir2, { recursive: true, force: true })
    }
  })

  it('a name shaped like an id is refused; a name equal to an existing id is refused', async () => {
    const a = await client.credentials.create({ name: 'a', type: 'openai', value: SECRET })
    expect(await code(client.credentials.create({ name: '0f8fad5b-d9cb-469f-a165-70867728950e', type: 'openai', value: SECRET }))).toBe('INVALID_INPUT')
    expect(await code(client.credentials.update('a', { name: a.id }))).toBe('INVALID_INPUT')
  })
})

describe('check settings are checked by the SDK, not only the CLI', () => {
  it('refuses a plain-http check URL to another host, unknown settings, and settings of the wrong type', async () => {
    const dir2 = mkdtempSync(path.join(tmpdir(), 'credctl-settings-'))
    const c = createClient({ vault: path.join(dir2, 'v.json'), env: KEY_ONLY_ENV() })
    try {
      await expect(c.credentials.create({ name: 'k', type: 'api_key', value: 'sk-live-0123456789', settings: { check_url: 'http://192.0.2.2:58080/check' } })).rejects.toThrow(/plain http/)
      await expect(c.credentials.create({ name: 'k', type: 'api_key', value: 'sk-live-0123456789', settings: { nope: 'x' } })).rejects.toThrow(/unknown setting/)
      await expect(c.credentials.create({ name: 'k', type: 'openai', value: 'sk-live-0123456789', settings: { check_url: 'https://x.example/check' } })).rejects.toThrow(/does not apply/)
      await c.credentials.create({ name: 'k', type: 'api_key', value: 'sk-live-0123456789', settings: { check_url: 'http://127.0.0.1:9999/me' } })
      await expect(c.credentials.update('k', { settings: { check_url: 'http://example.com/me' } })).rejects.toThrow(/plain http/)
    } finally {
      rmSync(dir2, { recursive: true, force: true })
    }
  })
})
