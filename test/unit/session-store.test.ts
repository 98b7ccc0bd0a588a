import { randomBytes } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { createClient, CredctlError, memoryStore } from '../../src/index.js'
import type { StoredRecord, VaultStore } from '../../src/store/types.js'
import { applyChanges, parseSnapshot } from '../../src/credentials/snapshot.js'
import { code } from '../helpers/error-code.js'

/**
 * The SDK over the storage interface (issue 13, points 1 and 5), on the in-memory adapter: what a write
 * touches, and format 2's integrity against someone who can change the storage (a backend's admin, an
 * editor of the file) but does not have the key.
 */

const KEY = randomBytes(32).toString('base64')
const env = { CREDCTL_MASTER_KEY: KEY }

async function vaultOf(n: number) {
  const store = memoryStore()
  const c = createClient({ store, env })
  for (let i = 0; i < n; i++) await c.credentials.create({ name: `k${i}`, type: 'openai', value: `sk-proj-${'a'.repeat(20)}${i}` })
  return { store, c }
}

const recordsOf = async (s: VaultStore) => (await s.load())!.records
const byName = (rs: StoredRecord[], name: string) => rs.find((r) => JSON.parse(r.body).name === name)!

/** An outsider's change: straight into the store, bypassing the SDK (no key, so no MAC). */
async function tamper(s: VaultStore, f: (rs: StoredRecord[], put: (r: StoredRecord) => void, remove: (id: string) => void) => void) {
  await s.transact(async (tx) => {
    f([...tx.records()], tx.put, tx.remove)
    tx.setHeader(tx.header()!) // the header as it was: only the records change
  })
}


describe('writes go through the store and touch only what changed', () => {
  it('an update re-seals one record: the others keep their bytes, revision and MAC', async () => {
    const { store, c } = await vaultOf(5)
    const before = await recordsOf(store)
    const seq0 = (await store.load())!.header.sequence
    await c.credentials.update('k2', { description: 'changed' })
    const after = await recordsOf(store)
    for (const r of before) {
      const a = after.find((x) => x.id === r.id)!
      if (JSON.parse(r.body).name === 'k2') {
        expect(a.revision).toBe(r.revision + 1)
        expect(a.mac).not.toBe(r.mac)
      } else expect(a).toEqual(r)
    }
    const h = (await store.load())!.header
    expect(h.format).toBe(2)
    expect(h.sequence).toBe(seq0 + 1)
  })

  it('a change that changes nothing writes nothing (applyChanges: no header, no record, no sequence)', async () => {
    const { store } = await vaultOf(3)
    const l = parseSnapshot((await store.load())!, 'memory')
    const calls: string[] = []
    const tx = { header: () => l.header, setHeader: () => calls.push('header'), records: () => [], put: () => calls.push('put'), remove: () => calls.push('remove') }
    expect(applyChanges(l, structuredClone(l.vault), Buffer.from(KEY, 'base64'), tx, 'memory')).toBeUndefined()
    expect(calls).toEqual([])
  })

  it('history and schemas go to the store', async () => {
    const { store, c } = await vaultOf(1)
    await c.credentials.reveal('k0')
    const h = await store.history.read()
    expect(h.map((e) => e.action)).toEqual(['create', 'reveal'])
  })
})

describe('format 2 integrity against a storage-side attacker', () => {
  it('an edited record fails when used; the others still open (a reader checks what it uses)', async () => {
    const { store, c } = await vaultOf(3)
    await tamper(store, (rs, put) => {
      const r = byName(rs, 'k1')
      put({ ...r, body: r.body.replace('"description":null', '"description":"x"') })
    })
    expect(await code(c.credentials.reveal('k1'))).toBe('VAULT_DAMAGED')
    expect(await c.credentials.reveal('k0')).toMatch(/^sk-proj-/)
    expect((await c.status()).integrity?.status).toBe('failed')
    // A write touching the damaged record never launders it with a fresh MAC.
    expect(await code(c.credentials.update('k1', { description: 'y' }))).toBe('VAULT_DAMAGED')
    expect(await code(c.credentials.reveal('k1'))).toBe('VAULT_DAMAGED')
  })

  it('a pointed base_url (metadata edited, MAC kept) is refused before any value is used', async () => {
    const { store, c } = await vaultOf(2)
    await tamper(store, (rs, put) => {
      const r = byName(rs, 'k0')
      put({ ...r, body: r.body.replace('"base_url":null', '"base_url":"https://evil.example"') })
    })
    expect(await code(c.credentials.reveal('k0'))).toBe('VAULT_DAMAGED')
  })

  it('a deleted, a resurrected, a swapped or a duplicated record fails the head MAC', async () => {
    const attacks: [string, (rs: StoredRecord[], put: (r: StoredRecord) => void, remove: (id: string) => void, old: StoredRecord[]) => void][] = [
      ['delete', (rs, _put, remove) => remove(byName(rs, 'k1').id)],
      ['resurrect', (_rs, put, _remove, old) => put(byName(old, 'k9'))],
      ['roll back one record', (_rs, put, _remove, old) => put(byName(old, 'k0'))],
      ['swap bodies', (rs, put) => {
        const a = byName(rs, 'k0')
        const b = byName(rs, 'k1')
        put({ ...a, body: b.body, mac: b.mac })
        put({ ...b, body: a.body, mac: a.mac })
      }],
    ]
    for (const [what, attack] of attacks) {
      const { store, c } = await vaultOf(3)
      await c.credentials.create({ name: 'k9', type: 'openai', value: `sk-proj-${'b'.repeat(24)}` })
      const old = await recordsOf(store)
      await c.credentials.update('k0', { description: 'new' })
      await c.credentials.delete('k9')
      await c.credentials.purge('k9')
      await tamper(store, (rs, put, remove) => attack(rs, put, remove, old))
      expect(await code(c.credentials.reveal('k2')), what).toBe('VAULT_DAMAGED')
    }
  })

  it('property: any byte of any stored record changed is caught by the reader of that record', async () => {
    const { store, c } = await vaultOf(3)
    const pristine = await recordsOf(store)
    await fc.assert(
      // One letter or digit anywhere (a key, a name, a flag, the sealed value) changed to another: the body
      // stays JSON, as an editor's change would (a body that is not JSON is refused by the store itself).
      fc.asyncProperty(fc.nat({ max: 2 }), fc.nat(), fc.integer({ min: 1, max: 61 }), async (which, at, shift) => {
        const r = pristine[which]!
        const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'
        const spots = [...r.body].flatMap((ch, i) => (ALNUM.includes(ch) ? [i] : []))
        const i = spots[at % spots.length]!
        const body = r.body.slice(0, i) + ALNUM[(ALNUM.indexOf(r.body[i]!) + shift) % 62] + r.body.slice(i + 1)
        let refused = false
        await tamper(store, (_rs, put) => put({ ...r, body })).catch(() => (refused = true)) // inside a \u escape: not JSON
        fc.pre(!refused)
        const name = JSON.parse(r.body).name as string
        // The name itself may be what changed: find the record by id then.
        expect(await code(c.credentials.reveal(r.id))).toMatch(/VAULT_DAMAGED|NOT_FOUND/)
        // Another record: its value, or (a body that no longer parses stops every reader) a refusal.
        const other = name === 'k0' ? 'k1' : 'k0'
        const got = await c.credentials.reveal(other).catch((e: unknown) => (e instanceof CredctlError ? e.code : e))
        expect([`sk-proj-${'a'.repeat(20)}${other.slice(1)}`, 'VAULT_DAMAGED']).toContain(got)
        await tamper(store, (_rs, put) => put(r)) // restore
      }),
      { numRuns: 60 },
    )
  })
})

describe('the kept sequence (file key source) against a write that lands between a read and its check', () => {
  it('a reader whose snapshot was replaced meanwhile reads again instead of calling the vault an older copy', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const path = await import('node:path')
    const dir = mkdtempSync(path.join(tmpdir(), 'credctl-stale-'))
    try {
      const env = { CREDCTL_KEY_FILE: path.join(dir, 'vault.key') }
      const inner = memoryStore()
      const writer = createClient({ store: inner, env })
      await writer.credentials.create({ name: 'k0', type: 'openai', value: `sk-proj-${'c'.repeat(24)}` })
      await writer.credentials.reveal('k0') // the kept sequence exists from here on
      let armed = true
      // The reader's store: its first load returns the vault as it was, after another process wrote.
      const racing: VaultStore = {
        ...inner,
        load: async () => {
          const snap = await inner.load()
          if (armed) {
            armed = false
            await writer.credentials.update('k0', { description: 'written meanwhile' })
          }
          return snap
        },
      }
      const reader = createClient({ store: racing, env })
      expect(await reader.credentials.reveal('k0')).toBe(`sk-proj-${'c'.repeat(24)}`)
      expect(armed).toBe(false)
      // A vault that IS older than what is kept stays refused.
      const old = (await inner.load())!
      await writer.credentials.update('k0', { description: 'newer' })
      await inner.transact(async (tx) => {
        tx.setHeader(old.header)
        for (const r of old.records) tx.put(r)
      })
      expect(await code(reader.credentials.reveal('k0'))).toBe('VAULT_DAMAGED')
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

describe('a lookup reads only what a name could mean, and answers exactly as a full read', () => {
  it('property: get(x) equals find(x) over every record parsed, for tricky names, NFD forms and id prefixes', async () => {
    const { find } = await import('../../src/credentials/records.js')
    const nameArb = fc.stringMatching(/^[a-c"\\: é\u0065\u0301name-]{1,6}$/).filter((n) => n.trim() === n && n.length > 0)
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(nameArb, { minLength: 1, maxLength: 5 }), fc.array(fc.tuple(fc.nat(), fc.nat(8), fc.boolean()), { minLength: 1, maxLength: 6 }), async (names, queries) => {
        const store = memoryStore()
        const c = createClient({ store, env })
        const made: string[] = []
        for (const n of names) {
          try {
            made.push((await c.credentials.create({ name: n, type: 'openai', value: `sk-proj-${'d'.repeat(24)}` })).id)
          } catch (e) {
            if (!(e instanceof CredctlError)) throw e // a name the rules refuse (or one NFC-equal to another)
          }
        }
        fc.pre(made.length > 0)
        if (made.length > 1) await c.credentials.delete(made[0]!)
        const full = parseSnapshot((await store.load())!, 'memory').vault
        for (const [i, cut, upper] of queries) {
          const pool = [...names, ...names.map((n) => n.normalize('NFD')), ...made.map((id) => id.slice(0, 4 + cut)), ...made]
          let q = pool[i % pool.length]!
          if (upper) q = q.toUpperCase()
          const want = (() => {
            try {
              return find(full, q, { deleted: true }).id
            } catch (e) {
              return (e as CredctlError).code + ':' + (e as CredctlError).message
            }
          })()
          const got = await c.credentials.get(q).then(
            (x) => x.id,
            (e: unknown) => (e instanceof CredctlError ? e.code + ':' + e.message : String(e)),
          )
          expect(got, q).toBe(want)
        }
      }),
      { numRuns: 60 },
    )
  })
})
