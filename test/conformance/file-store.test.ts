import { spawn } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { build } from 'esbuild'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CredctlError } from '../../src/errors.js'
import { fileStore } from '../../src/store/file.js'
import { formatVersionOf, parseV2, serializeV2 } from '../../src/store/file-format.js'
import type { VaultStore } from '../../src/store/types.js'
import { parseVault, serializeRecord, serializeVault } from '../../src/vault/format.js'
import { sampleVault } from '../fixtures/hostile/sample-vault.js'
import { arbBody, describeStore, sampleHeader, sampleRecord } from './store.conformance.js'

const root = mkdtempSync(path.join(tmpdir(), 'credctl-filestore-'))
chmodSync(root, 0o700)
afterAll(() => rmSync(root, { recursive: true, force: true }))
let n = 0
/** A fresh vault path in a directory that does not exist yet (the store creates it). */
const freshFile = () => path.join(root, `v${n++}`, 'sub', 'vault.json')

describeStore('fileStore', async () => {
  const file = freshFile()
  return {
    store: fileStore(file, { lockTimeoutMs: 30_000 }),
    fingerprint: async () => {
      const st = statSync(file, { throwIfNoEntry: false, bigint: true })
      return st ? `${st.ino} ${st.mtimeNs} ${readFileSync(file, 'utf8')}` : 'none'
    },
  }
})

/** The error a promise rejects with. */
async function failure(p: Promise<unknown>): Promise<CredctlError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  )
  expect(e).toBeInstanceOf(CredctlError)
  return e as CredctlError
}

/** Make a version 1 vault (today's writer) at a fresh path; returns the text written. */
function writeV1(file: string): { text: string; vault: ReturnType<typeof sampleVault>['vault'] } {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
  const { vault } = sampleVault()
  const text = serializeVault(vault)
  writeFileSync(file, text, { mode: 0o600 })
  return { text, vault }
}

/** The first write of a version 1 vault, as the SDK will do it: a format 2 header, every record re-put with revision 1 and a MAC. */
const migrate = (store: VaultStore) =>
  store.transact(async (tx) => {
    const h = tx.header()!
    if (h.format === 2) return
    tx.setHeader({ ...sampleHeader(1), vault_id: h.vault_id, created_at: h.created_at, key: h.key })
    for (const r of tx.records()) tx.put(sampleRecord(r.body, r.id, 1))
  })

describe('fileStore: the file itself', () => {
  it('creates the vault 0600 in directories it creates 0700; layout: header line, a record per line, "]}"', async () => {
    const file = freshFile()
    const store = fileStore(file)
    const h = sampleHeader()
    const rs = [sampleRecord('{"a":"\u2028"}'), sampleRecord('{"b":1}')]
    await store.transact(async (tx) => (tx.setHeader(h), rs.forEach((r) => tx.put(r))))
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700)
    expect(statSync(path.dirname(path.dirname(file))).mode & 0o777).toBe(0o700)
    const text = readFileSync(file, 'utf8')
    const lines = text.split('\n')
    expect(lines).toHaveLength(5)
    expect(lines[0]).toMatch(/^\{"format":"credctl-vault","version":2,"vault_id":"[^"]+","created_at":"[^"]+","key":\{.*\},"sequence":1,"mac":"[^"]{44}","credentials":\[$/)
    expect(lines[1]).toBe(`["${rs[0]!.id}",1,"${rs[0]!.mac}",{"a":"\u2028"}],`)
    expect(lines[2]).toBe(`["${rs[1]!.id}",1,"${rs[1]!.mac}",{"b":1}]`)
    expect(lines.slice(3)).toEqual([']}', ''])
    // One JSON document, whose records an older reader sees as arrays.
    const doc = JSON.parse(text) as { credentials: unknown[][] }
    expect(doc.credentials[0]).toEqual([rs[0]!.id, 1, rs[0]!.mac, { a: '\u2028' }])
    // No lock and no temp file left behind.
    expect(readdirSync(path.dirname(file))).toEqual(['vault.json'])
  })

  it('an empty vault is the header line and "]}"', async () => {
    const file = freshFile()
    await fileStore(file).transact(async (tx) => tx.setHeader(sampleHeader()))
    const lines = readFileSync(file, 'utf8').split('\n')
    expect(lines.slice(1)).toEqual([']}', ''])
    expect((await fileStore(file).load())!.records).toEqual([])
  })

  it('any format 2 text the writer makes, the reader takes back exactly (and JSON.parse accepts)', () => {
    fc.assert(
      fc.property(fc.array(arbBody, { maxLength: 8 }), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (bodies, seq) => {
        const header = sampleHeader(seq)
        // A key file's path is free text: newlines, quotes, U+2028 must stay on the header line.
        if (seq % 2) header.key = { source: 'file', check: header.key.check, file: `/k/\n"\u2028\\${seq}` }
        const records = bodies.map((b, i) => sampleRecord(b, undefined, i + 1))
        const text = serializeV2(header, records)
        expect(formatVersionOf(text)).toBe(2)
        expect(parseV2(text)).toEqual({ header, records })
        expect(() => JSON.parse(text)).not.toThrow()
      }),
      { numRuns: 200 },
    )
  })

  it('a vault directory others can write is refused before anything is created in it (VAULT_IO)', async () => {
    const file = freshFile()
    mkdirSync(path.dirname(file), { recursive: true })
    chmodSync(path.dirname(file), 0o777)
    const store = fileStore(file)
    expect((await failure(store.transact(async (tx) => tx.setHeader(sampleHeader())))).code).toBe('VAULT_IO')
    expect((await failure(store.load())).code).toBe('VAULT_IO')
    expect(readdirSync(path.dirname(file))).toEqual([])
  })

  it('schema ids that are not credential ids are refused (no path outside the schemas directory)', async () => {
    const store = fileStore(freshFile())
    for (const id of ['../vault', 'a/b/c/d/e', '..', '', 'x'.repeat(65), 'abc\0defgh']) {
      expect((await failure(store.schemas.write(id, {}))).code).toBe('INTERNAL')
      expect((await failure(store.schemas.read(id))).code).toBe('INTERNAL')
    }
  })
})

describe('fileStore: version 1 vaults', () => {
  it('loads a version 1 vault as format 1; its first write makes it format 2, which the version 1 parser refuses', async () => {
    const file = freshFile()
    const { text: v1, vault } = writeV1(file)
    const store = fileStore(file)
    const got = await store.load()
    expect(got!.header).toEqual({ format: 1, vault_id: vault.vault_id, created_at: vault.created_at, key: vault.key, sequence: 0, mac: vault.mac })
    expect(got!.records).toEqual(vault.credentials.map((c) => ({ id: c.id, revision: 0, mac: '', body: serializeRecord(c) })))
    // A read never rewrites; a transaction that changes nothing neither.
    await store.transact(async (tx) => tx.records())
    expect(readFileSync(file, 'utf8')).toBe(v1)
    // Writing records under the format 1 header is a bug: nothing is written.
    expect((await failure(store.transact(async (tx) => tx.put(sampleRecord('{}'))))).code).toBe('INTERNAL')
    expect(readFileSync(file, 'utf8')).toBe(v1)

    await migrate(store)
    const v2 = readFileSync(file, 'utf8')
    expect(formatVersionOf(v2)).toBe(2)
    const after = await store.load()
    expect(after!.header.format).toBe(2)
    expect(after!.records.map((r) => r.body)).toEqual(got!.records.map((r) => r.body))
    // The old document (and its copy of every ciphertext) is gone: one file in the directory.
    expect(readdirSync(path.dirname(file))).toEqual(['vault.json'])
    expect(() => parseVault(v2)).toThrow(/unsupported vault version 2 \(this credctl reads version 1\); use the credctl that wrote it/)
  })

  it('a version 1 file that is not a vault is VAULT_DAMAGED; an unknown version is VAULT_VERSION', async () => {
    const file = freshFile()
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
    writeFileSync(file, '{"format":"credctl-vault","version":1', { mode: 0o600 })
    expect((await failure(fileStore(file).load())).code).toBe('VAULT_DAMAGED')
    writeFileSync(file, JSON.stringify({ format: 'credctl-vault', version: 3 }))
    const e = await failure(fileStore(file).load())
    expect(e.code).toBe('VAULT_VERSION')
    expect(e.message).toContain(file)
    expect(e.message).toMatch(/reads versions 1 and 2/)
  })
})

describe('fileStore: a damaged format 2 file', () => {
  async function v2File(records = 3): Promise<{ file: string; text: string }> {
    const file = freshFile()
    await fileStore(file).transact(async (tx) => {
      tx.setHeader(sampleHeader(5))
      for (let i = 0; i < records; i++) tx.put(sampleRecord(JSON.stringify({ i, s: '\u2028"\\' })))
    })
    return { file, text: readFileSync(file, 'utf8') }
  }

  it('any truncation is VAULT_DAMAGED naming the file, and the file is left as it was', async () => {
    const { file, text } = await v2File()
    const store = fileStore(file)
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: text.length - 1 }), async (cut) => {
        writeFileSync(file, text.slice(0, cut))
        const e = await failure(store.load())
        expect(e.code).toBe('VAULT_DAMAGED')
        expect(e.message).toContain(file)
        expect(readFileSync(file, 'utf8')).toBe(text.slice(0, cut))
      }),
      { numRuns: 60 },
    )
  })

  it('every edit of the layout or of a field out of shape is VAULT_DAMAGED naming the line', async () => {
    const { file, text } = await v2File()
    const lines = text.split('\n')
    const withLine = (i: number, f: (l: string) => string) => lines.map((l, j) => (j === i ? f(l) : l)).join('\n')
    const edits: [string, string, RegExp][] = [
      ['space in the header', text.replace('"version":2,', '"version":2, '), /line 1/],
      ['extra header field', text.replace('"sequence":', '"x":1,"sequence":'), /line 1/],
      ['duplicate header field', text.replace('"sequence":5,', '"sequence":5,"sequence":5,'), /line 1/],
      ['header fields reordered', text.replace(/"sequence":5,("mac":"[^"]+",)/, '$1"sequence":5,'), /line 1/],
      ['sequence 0', text.replace('"sequence":5,', '"sequence":0,'), /line 1.*sequence/],
      ['sequence not safe', text.replace('"sequence":5,', '"sequence":9007199254740993,'), /line 1/],
      ['sequence a string', text.replace('"sequence":5,', '"sequence":"5",'), /line 1/],
      ['bad head MAC', text.replace(/"mac":"[^"]+"/, '"mac":"short"'), /line 1/],
      ['key header refused', text.replace('"source":"env"', '"source":"nowhere"'), /line 1.*key/],
      ['malformed vault id', text.replace(/"vault_id":"[^"]+"/, '"vault_id":"x"'), /line 1/],
      ['created_at not a time', text.replace(/"created_at":"[^"]+"/, '"created_at":"yesterday"'), /line 1/],
      ['space in a record line', withLine(2, (l) => l.replace('",', '", ')), /line 3/],
      ['revision 0', withLine(1, (l) => l.replace(/",1,"/, '",0,"')), /line 2/],
      ['revision with a leading zero', withLine(1, (l) => l.replace(/",1,"/, '",01,"')), /line 2/],
      ['revision beyond a safe integer', withLine(1, (l) => l.replace(/",1,"/, '",9999999999999999,"')), /line 2.*range/],
      ['record MAC short', withLine(1, (l) => l.replace(/=",\{/, '",{')), /line 2/],
      ['id out of shape', withLine(1, (l) => l.replace(/^\["[^"]+"/, '["../x"')), /line 2/],
      ['duplicate id', withLine(2, () => lines[1]!), /line 3.*duplicate/],
      ['comma missing', withLine(1, (l) => l.slice(0, -1)), /line 2.*missing ","/],
      ['comma after the last', withLine(3, (l) => `${l},`), /line 4/],
      ['CRLF line ends', text.replaceAll('\n', '\r\n'), /line/],
      ['record line that is not an array', withLine(2, (l) => l.slice(1)), /line 3/],
      ['closing line edited', text.replace(/\]\}\n$/, ']} \n'), /line 5/],
      ['closing line missing', text.replace(/\]\}\n$/, ''), /newline|line/],
      ['two closing lines', `${text}]}\n`, /line/],
      ['pretty-printed', `${JSON.stringify(JSON.parse(text), null, 1)}\n`, /version 2 vault not in its stored layout/],
    ]
    for (const [what, edited, why] of edits) {
      expect(edited, what).not.toBe(text)
      writeFileSync(file, edited)
      const e = await failure(fileStore(file).load())
      expect([what, e.code]).toEqual([what, 'VAULT_DAMAGED'])
      expect(e.message, what).toMatch(why)
      expect(e.message, what).toContain(file)
    }
    writeFileSync(file, text)
    expect((await fileStore(file).load())!.header.sequence).toBe(5)
  })
})

/**
 * kill -9 in the middle of a transaction: a child process loops transactions (the store bundled from the
 * source by esbuild), each writing one counter value into the header's sequence and into every record,
 * and is killed at a random moment. The file must then load, and hold one write whole: the old one or
 * the new one, never a mix. Every other round starts from a version 1 vault, so its migration is cut too.
 */
describe('fileStore: kill -9 during transactions', () => {
  let script: string
  beforeAll(async () => {
    const dir = path.join(root, 'bundle')
    mkdirSync(dir, { recursive: true })
    const entry = path.join(dir, 'entry.ts')
    writeFileSync(
      entry,
      `export { fileStore } from ${JSON.stringify(path.resolve('src/store/file.ts'))}\nexport { sampleRecord, sampleHeader } from ${JSON.stringify(path.resolve('test/conformance/samples.ts'))}\n`,
    )
    const lib = path.join(dir, 'store.mjs')
    await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: lib, logLevel: 'silent' })
    script = path.join(dir, 'loop.mjs')
    writeFileSync(
      script,
      `import { fileStore, sampleHeader, sampleRecord } from ${JSON.stringify(lib)}
const store = fileStore(process.argv[2])
const pad = 'x'.repeat(20000)
for (let i = 0; ; i++) {
  await store.transact(async (tx) => {
    const h = tx.header()
    const seq = h.format === 2 ? h.sequence + 1 : 1
    tx.setHeader({ ...sampleHeader(seq), vault_id: h.vault_id, created_at: h.created_at, key: h.key })
    const ids = tx.records().map((r) => r.id)
    for (let k = 0; k < 20; k++) tx.put(sampleRecord(JSON.stringify({ seq, pad }), ids[k], seq))
  })
  if (i === 0) process.stdout.write('ready\\n')
}
`,
    )
  })

  it('the file always loads, and holds either the old or the new state whole', { timeout: 120_000 }, async () => {
    const file = freshFile()
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
    let sawV1 = 0
    let sawV2 = 0
    for (let round = 0; round < 30; round++) {
      const v1 = round % 2 === 0 ? writeV1(file).text : undefined
      const child = spawn(process.execPath, [script, file], { stdio: ['ignore', 'pipe', 'inherit'] })
      const exited = new Promise((r) => child.on('exit', r))
      // A v1 round is killed anywhere from start-up on (maybe before its first write); a v2 round once
      // it has written, then after a random time.
      if (!v1) await new Promise((r) => child.stdout.once('data', r))
      await new Promise((r) => setTimeout(r, Math.random() * (v1 ? 150 : 60)))
      child.kill('SIGKILL')
      await exited
      const got = await fileStore(file).load()
      expect(got).toBeDefined()
      if (got!.header.format === 1) {
        sawV1++
        expect(readFileSync(file, 'utf8')).toBe(v1)
        continue
      }
      sawV2++
      const seq = got!.header.sequence
      expect(got!.records.length).toBeGreaterThanOrEqual(1)
      for (const r of got!.records) {
        expect(r.revision).toBe(seq)
        expect((JSON.parse(r.body) as { seq: number }).seq).toBe(seq)
      }
    }
    expect(sawV2).toBeGreaterThan(0)
    // The next write sweeps what the killed writers left (a stale lock, temp files).
    await fileStore(file).transact(async (tx) => tx.setHeader({ ...tx.header()!, sequence: tx.header()!.sequence + 1 }))
    expect(readdirSync(path.dirname(file))).toEqual(['vault.json'])
    console.log(`kill -9 rounds: ${sawV1} left version 1, ${sawV2} version 2`)
  })
})
