import fc from 'fast-check'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, describe, expect, it } from 'vitest'
import { readValue } from '../../src/cli/value.js'
import type { IOStreams } from '../../src/cli/io.js'
import { keyCharProblem } from '../../src/credentials/key-chars.js'
import { checkValue } from '../../src/credentials/input.js'
import { createClient, CredctlError } from '../../src/index.js'

// Issue 10, kind 6: values are stored byte for byte or refused. Invalid UTF-8 was replaced by U+FFFD;
// a key with a look-alike or invisible character was accepted and failed later inside the HTTP client.
const dir = mkdtempSync(path.join(tmpdir(), 'credctl-bytes-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const client = createClient({ vault: path.join(dir, 'v', 'vault.json'), env: { CREDCTL_MASTER_KEY: randomBytes(32).toString('base64') } })

const fromStdin = (bytes: Uint8Array) => {
  const io = { stdin: Readable.from([Buffer.from(bytes)]), canPrompt: false } as unknown as IOStreams
  return readValue({ io, prompter: () => Promise.reject(new Error('unexpected prompt')), warn: () => {} }, { valueStdin: true }, { for: { name: 'k', type: 'openai' } })
}
const errorOf = async (p: Promise<unknown>): Promise<CredctlError | undefined> => {
  try {
    await p
    return undefined
  } catch (e) {
    expect(e).toBeInstanceOf(CredctlError)
    return e as CredctlError
  }
}

describe('values: byte for byte or refused', () => {
  it('invalid UTF-8 on stdin is refused naming the byte, not replaced by U+FFFD', async () => {
    const e = await errorOf(fromStdin(Buffer.from([0x73, 0x6b, 0x2d, 0xff, 0xfe, 0x61])))
    expect(e?.exitCode).toBe(2)
    expect(e?.message).toBe('--value-stdin: not valid UTF-8 at byte 4 of 6 (0xff): credctl stores text byte for byte and will not change it')
    for (const [bytes, at] of [[[0x61, 0xc0, 0x80], 2], [[0x61, 0x62, 0xed, 0xa0, 0x80], 3], [[0xe2, 0x82], 1], [[0x61, 0xf4, 0x90, 0x80, 0x80], 2]] as const) {
      expect((await errorOf(fromStdin(Uint8Array.from(bytes))))?.message).toContain(`at byte ${at} of ${bytes.length}`)
    }
    // argv is decoded by Node before credctl sees it: a U+FFFD there stands for bytes that were not UTF-8.
    const argv = await errorOf(readValue({ io: {} as IOStreams, prompter: () => Promise.reject(new Error('unexpected prompt')), warn: () => {} }, { value: 'sk-\ufffdabc' }, { for: { name: 'k', type: 'openai' } }))
    expect(argv?.message).toMatch(/^--value: character 4 is U\+FFFD REPLACEMENT CHARACTER/)
    const ok = Buffer.from('  idée 日本 😀\n', 'utf8')
    expect(await fromStdin(ok)).toBe(ok.toString('utf8'))
  })

  it('a key with a look-alike, an invisible character or a smart quote is refused at input, naming the position', () => {
    const cases: [string, RegExp][] = [
      ['sk-pr\u043ej-abcdefghijklmnop', /character 6 is U\+043E CYRILLIC SMALL LETTER O, not ASCII: keys are ASCII; retype it/],
      ['sk-ab\u0430cdefghijklmnop', /character 6 is U\+0430 CYRILLIC SMALL LETTER A/],
      ['sk-abcdefgh\u200bijklmnop', /character 12 is U\+200B ZERO WIDTH SPACE/],
      ['\u201csk-abcdefghijklmnop\u201d', /character 1 is U\+201C LEFT DOUBLE QUOTATION MARK/],
      ['\ufeffsk-abcdefghijklmnop', /character 1 is U\+FEFF/],
      ['sk-abc\u00a0defghijklmnop', /character 7 is U\+00A0 NO-BREAK SPACE/],
      ['sk-\u{1d5ba}bcdefghijklmnop', /character 4 is U\+1D5BA \(a letter outside ASCII\)/],
    ]
    for (const [v, re] of cases) {
      expect(() => checkValue('openai', v), v).toThrow(re)
      expect(() => checkValue('api_key', v)).toThrow(re)
    }
    expect(() => checkValue('oauth', '{"access_token":"ya29.\u0430bc"}')).toThrow(/character 6 of access_token is U\+0430/)
    expect(() => checkValue('oauth', 'gho_\u200babc')).toThrow(/character 5 is U\+200B/)
    // Not a header-borne key: a password in a URI, a file path may hold any character.
    expect(checkValue('postgresql', 'postgresql://u:p\u00e4ss@db:5432/x')).toContain('\u00e4')
    expect(checkValue('static_file', '/data/caf\u00e9.csv')).toBe('/data/caf\u00e9.csv')
  })

  it('generated: bytes through --value-stdin are stored byte-identical (reveal) or refused with exit 2 naming a position', async () => {
    const fragment = fc.oneof(
      { weight: 6, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{1,8}$/).map((s) => Buffer.from(s)) },
      fc.constantFrom('\u0430', '\u0435', '\u200b', '\u2060', '\ufeff', '\u201c', '\u2019', '\u00a0', '\u00e9', '\u65e5', '\u{1f600}', ' ', '\n').map((s) => Buffer.from(s)),
      fc.constantFrom([0xff], [0xfe], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf4, 0x90, 0x80, 0x80], [0x80]).map((b) => Buffer.from(b)),
      fc.uint8Array({ minLength: 1, maxLength: 4 }).map((b) => Buffer.from(b)),
    )
    let n = 0
    let stored = 0
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('openai', 'static_file'), fc.array(fragment, { minLength: 1, maxLength: 8 }), async (type, parts) => {
        const bytes = Buffer.concat([Buffer.from(type === 'openai' ? 'sk-' : '/data/'), ...parts, Buffer.from(type === 'openai' ? '' : '.csv')])
        const name = `v${++n}`
        let valid = true
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(bytes)
        } catch {
          valid = false
        }
        const read = fromStdin(bytes)
        if (!valid) {
          const e = await errorOf(read)
          const at = Number(/at byte (\d+) of/.exec(e?.message ?? '')?.[1])
          expect(e?.exitCode).toBe(2)
          // Everything before the named byte is valid UTF-8; the named byte starts the first bad sequence.
          expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, at - 1))).not.toThrow()
          return
        }
        const text = (await read)!
        const e = await errorOf(client.credentials.create({ name, type, value: text }))
        if (e) {
          expect(e.exitCode).toBe(2)
          const stored = text.replace(/\r?\n$/, '')
          if (stored.includes('\0')) expect(e.message).toContain(`NUL byte (character ${[...stored].indexOf('\0') + 1})`)
          else if (type === 'openai' && keyCharProblem(stored)) expect(e.message).toContain(keyCharProblem(stored))
          return
        }
        stored++
        const revealed = Buffer.from(await client.credentials.reveal(name), 'utf8')
        // The only change credctl makes: one trailing newline (from echo or an editor) is dropped; and a
        // static_file path is stored resolved (README: `//` and `.` segments collapse), as path.resolve does.
        const kept = bytes.subarray(0, bytes.length - (/\r?\n$/.exec(text)?.[0].length ?? 0))
        const expected = type === 'static_file' ? Buffer.from(path.resolve(kept.toString('utf8')).trim(), 'utf8') : kept
        expect(revealed.equals(expected)).toBe(true)
      }),
      { numRuns: Number(process.env.VB_RUNS ?? 200) },
    )
    // The generator must exercise both outcomes, not only refusals.
    expect(stored).toBeGreaterThan(10)
  }, 60_000)

  it('keyCharProblem counts characters, not UTF-16 units', () => {
    expect(keyCharProblem('\u{1f600}\u0430')).toBe('character 1 is U+1F600 (a character outside ASCII), not ASCII')
    expect(keyCharProblem('ab\u{1f600}')).toMatch(/^character 3 /)
    expect(keyCharProblem('plain-ASCII_key.123~')).toBeUndefined()
  })
})
