import { mkdtempSync, rmSync, statSync } from 'node:fs'
import * as net from 'node:net'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { loadIdentity } from '../../src/keys/identity.js'
import { person } from '../helpers/people.js'
import { freshDatabase, PEOPLE, query, SERVER } from '../helpers/pg-team.js'
import { tcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js'

/**
 * The team-vault test harness itself (issue 14, "how it is tested"): people are apart, a fresh database's
 * roles log in and are all dropped, and the proxy breaks the path exactly as it says. The suites that
 * lean on these helpers trust what is proven here.
 */

const base = mkdtempSync(path.join(tmpdir(), 'credctl-harness-'))
const proxies: TcpProxy[] = []
afterAll(async () => {
  for (const p of proxies) await p.close()
  rmSync(base, { recursive: true, force: true })
})

describe('people', () => {
  it('each has their own HOME, data, config and teams directories and an identity file (0600) that credctl reads', async () => {
    const [a, b] = await Promise.all([person('alice', base), person('bob', base)])
    for (const k of ['HOME', 'XDG_DATA_HOME', 'XDG_CONFIG_HOME', 'CREDCTL_TEAMS_DIR', 'CREDCTL_IDENTITY_FILE']) {
      expect(a.env[k]).toBeTruthy()
      expect(a.env[k]).not.toBe(b.env[k])
      expect(a.env[k]!.startsWith(a.home)).toBe(true)
    }
    expect(statSync(a.identityFile).mode & 0o777).toBe(0o600)
    expect(a.recipient).not.toBe(b.recipient)
    const id = await loadIdentity({ env: a.env, keychain: () => { throw new Error('no keychain here') } })
    expect({ recipient: id.recipient, fingerprint: id.fingerprint, source: id.source }).toEqual({ recipient: a.recipient, fingerprint: a.fingerprint, source: 'file' })
  })
})

describe('freshDatabase', () => {
  it("makes a database and four login roles prefixed with its name; each logs in as itself; drop() removes them all", async () => {
    const db = await freshDatabase()
    try {
      expect(db.name).toMatch(/^credctl_t_\d+_[0-9a-f]{8}$/)
      for (const p of PEOPLE) {
        expect(db.roles[p]).toBe(`${db.name}_${p}`)
        expect(db.urls[p]).toBe(`postgresql://${db.roles[p]}@127.0.0.1:5432/${db.name}`)
        const [row] = await query(db.urls[p], 'SELECT session_user AS who, current_database() AS db')
        expect(row).toEqual({ who: db.roles[p], db: db.name })
      }
      expect(db.vaultName()).toMatch(/^[a-z][a-z0-9_-]{0,39}$/)
      expect((await db.sql('SELECT 1 AS one'))[0]).toEqual({ one: 1 })
    } finally {
      await db.drop()
      await db.drop() // twice is fine
    }
    const left = await query(`${SERVER}/postgres`, "SELECT (SELECT count(*) FROM pg_database WHERE datname = $1)::int AS dbs, (SELECT count(*) FROM pg_roles WHERE rolname LIKE $1 || '\\_%')::int AS roles", [db.name])
    expect(left[0]).toEqual({ dbs: 0, roles: 0 })
  })
})

/** A server that sends `size` bytes to each client, then keeps the connection open; it echoes what it gets. */
async function byteServer(size: number): Promise<{ port: number; close(): Promise<void>; received: () => number }> {
  let received = 0
  const socks = new Set<net.Socket>()
  const srv = net.createServer((s) => {
    socks.add(s)
    s.on('close', () => socks.delete(s))
    s.on('error', () => {})
    s.on('data', (d) => (received += d.length))
    s.write(Buffer.alloc(size, 0x61))
  })
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r))
  return {
    port: (srv.address() as net.AddressInfo).port,
    received: () => received,
    close: () =>
      new Promise<void>((r) => {
        for (const s of socks) s.destroy()
        srv.close(() => r())
      }),
  }
}

/** Connect to the proxy; collect what arrives until the connection ends (or `ms` pass); the error code if any. */
function readAll(port: number, ms = 2000, send?: Buffer): Promise<{ bytes: number; ended: boolean; error?: string }> {
  return new Promise((resolve) => {
    let bytes = 0
    const s = net.connect({ host: '127.0.0.1', port })
    const done = (ended: boolean, error?: string) => {
      clearTimeout(t)
      s.destroy()
      resolve({ bytes, ended, ...(error ? { error } : {}) })
    }
    const t = setTimeout(() => done(false), ms)
    s.on('connect', () => send && s.write(send))
    s.on('data', (d) => (bytes += d.length))
    s.on('error', (e: NodeJS.ErrnoException) => done(true, e.code))
    s.on('close', () => done(true))
  })
}

/** Wait until `cond` holds (polling every 10 ms), at most 5 s. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !cond(); i++) await new Promise((r) => setTimeout(r, 10))
  if (!cond()) throw new Error('timed out waiting')
}

describe('tcpProxy', () => {
  it('forwards both ways; cutAfterBytes(n) delivers exactly n bytes and ends the connection', async () => {
    const srv = await byteServer(1_000_000)
    try {
      const p = await tcpProxy({ port: srv.port })
      proxies.push(p)
      const whole = await readAll(p.port, 1500, Buffer.from('hello'))
      expect(whole).toEqual({ bytes: 1_000_000, ended: false })
      expect(srv.received()).toBe(5)
      const cutAt = p.cutAfterBytes(123_457)
      const partial = await readAll(p.port, 2000)
      await cutAt
      expect(partial.bytes).toBe(123_457)
      expect(partial.ended).toBe(true)
      // One shot: the next connection gets everything again.
      expect((await readAll(p.port, 1500)).bytes).toBe(1_000_000)
    } finally {
      await srv.close()
    }
  })

  it('stall() holds every byte until restore(); cut() ends open connections; refuse() refuses new ones until restore()', async () => {
    const srv = await byteServer(10_000)
    try {
      const p = await tcpProxy({ port: srv.port })
      proxies.push(p)
      p.stall()
      expect(await readAll(p.port, 300)).toEqual({ bytes: 0, ended: false })
      await p.restore()
      expect(await readAll(p.port, 1000)).toEqual({ bytes: 10_000, ended: false })

      const sent = p.toClient
      const held = readAll(p.port, 5000)
      await until(() => p.toClient - sent >= 10_000)
      expect(p.open).toBeGreaterThanOrEqual(1)
      p.cut()
      expect(await held).toMatchObject({ bytes: 10_000, ended: true })

      await p.refuse()
      expect(await readAll(p.port, 1000)).toEqual({ bytes: 0, ended: true, error: 'ECONNREFUSED' })
      await p.restore()
      expect((await readAll(p.port, 1000)).bytes).toBe(10_000)
    } finally {
      await srv.close()
    }
  })

  it('in front of the real PostgreSQL: a query passes; a cut mid-session fails the client; a stall holds it', async () => {
    const p = await tcpProxy()
    proxies.push(p)
    const url = `postgresql://postgres@127.0.0.1:${p.port}/postgres`
    expect(await query(url, 'SELECT 41 + 1 AS n')).toEqual([{ n: 42 }])

    const c = new pg.Client({ connectionString: url })
    c.on('error', () => {})
    await c.connect()
    const slow = c.query('SELECT pg_sleep(5)')
    await new Promise((r) => setTimeout(r, 200))
    p.cut()
    await expect(slow).rejects.toThrow(/terminat|ECONNRESET|closed/i)

    const c2 = new pg.Client({ connectionString: url, query_timeout: 400 })
    c2.on('error', () => {})
    await c2.connect()
    p.stall()
    await expect(c2.query('SELECT 1')).rejects.toThrow(/timeout/i)
    await p.restore()
    p.cut()
  })
})
