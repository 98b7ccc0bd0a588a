import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import * as net from 'node:net'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { connectionOptions } from '../../src/checks/databases/mysql.js'
import { parseMysqlUri } from '../../src/checks/databases/mysql-uri.js'
import { parsePgUri } from '../../src/checks/databases/pg-uri.js'
import { clientConfig } from '../../src/checks/databases/pgwire.js'
import { NotRegularFile, readRegularFile, readRegularFileSync } from '../../src/lib/regular-file.js'

// Issue 10, section 3: a FIFO (or socket, device, directory) where a file is expected is refused before
// a byte is read, so neither the event loop (sync reads) nor a thread-pool thread blocks on it.

const dir = mkdtempSync(path.join(tmpdir(), 'credctl-regular-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const p = (name: string) => path.join(dir, name)

writeFileSync(p('file.pem'), 'CERT')
spawnSync('mkfifo', [p('fifo')])
mkdirSync(p('dir'))
symlinkSync(p('fifo'), p('link-to-fifo'))
symlinkSync(p('file.pem'), p('link-to-file'))
const server = net.createServer().listen(p('sock'))
afterAll(() => void server.close())

describe('readRegularFile / readRegularFileSync', () => {
  it('reads regular files (through a symlink unless follow: false)', async () => {
    expect(await readRegularFile(p('file.pem'))).toBe('CERT')
    expect(readRegularFileSync(p('link-to-file'))).toBe('CERT')
    await expect(readRegularFile(p('link-to-file'), { follow: false })).rejects.toThrow(/a symbolic link/)
  })

  for (const [name, kind] of [
    ['fifo', 'a FIFO'],
    ['link-to-fifo', 'a FIFO'],
    ['dir', 'a directory'],
    ['sock', 'a socket'],
    ['/dev/null', 'a device'],
  ] as const) {
    it(`refuses ${name} as ${kind}, at once`, async () => {
      const f = name.startsWith('/') ? name : p(name)
      const e = await readRegularFile(f).catch((x: unknown) => x)
      expect(e).toBeInstanceOf(NotRegularFile)
      expect((e as Error).message).toContain(kind)
      expect(() => readRegularFileSync(f)).toThrow(kind)
    })
  }

  it('a missing file is the usual ENOENT', () => {
    expect(() => readRegularFileSync(p('missing'))).toThrow(expect.objectContaining({ code: 'ENOENT' }))
  })
})

describe('database TLS files', () => {
  it('PostgreSQL sslrootcert and MySQL ssl-ca: a regular file is read, a FIFO refused without blocking', () => {
    const pg = (f: string) => clientConfig(parsePgUri(`postgresql://u:pw@127.0.0.1:1/db?sslmode=verify-full&sslrootcert=${encodeURIComponent(f)}`), 1000)
    expect(pg(p('file.pem')).ssl).toMatchObject({ ca: 'CERT' })
    expect(() => pg(p('fifo'))).toThrow(/a FIFO/)
    const my = (f: string) => connectionOptions(parseMysqlUri(`mysql://u:pw@127.0.0.1:1/db?ssl-mode=VERIFY_CA&ssl-ca=${encodeURIComponent(f)}`), 1000)
    expect(my(p('file.pem')).ssl).toMatchObject({ ca: 'CERT' })
    expect(() => my(p('link-to-fifo'))).toThrow(/a FIFO/)
  })
})
