import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { runCli, tempVault } from '../helpers/cli.js'

// Issue 10, kind 6: values are stored byte for byte or refused (exit 2, naming a position), and a key
// with a look-alike or invisible character is refused at input instead of failing later in the HTTP client.
let t: ReturnType<typeof tempVault>
beforeEach(() => (t = tempVault('credctl-bytes')))
afterEach(() => t.cleanup())

const create = (type: string, input: string | Buffer, name = 'k') =>
  runCli(['create', '--name', name, '--type', type, '--value-stdin'], { env: t.env, input: input as string })

describe('values through the CLI', () => {
  it('invalid UTF-8 is refused naming the byte; valid UTF-8 comes back byte for byte', async () => {
    const r = await create('openai', Buffer.from([0x73, 0x6b, 0x2d, 0xff, 0xfe, 0x61, 0x62, 0x63, 0x31, 0x32, 0x33, 0x34]))
    expect(r).toMatchObject({ code: 2, stdout: '' })
    expect(r.stderr).toBe('credctl: --value-stdin: not valid UTF-8 at byte 4 of 12 (0xff): credctl stores text byte for byte and will not change it (save it as UTF-8, or check that it is the right file)\n')
    expect((await runCli(['list'], { env: t.env })).stdout).toBe('')
    const path = Buffer.from('/data/caf\u00e9 \u65e5\u672c/*.csv', 'utf8')
    expect((await create('static_file', path, 'files')).code).toBe(0)
    const back = await runCli(['reveal', 'files'], { env: t.env })
    expect(Buffer.from(back.stdout, 'utf8').equals(path)).toBe(true)
  })

  it('a key holding a Cyrillic а, a zero-width space or smart quotes is refused at input, naming the character', async () => {
    const cases: [string, string][] = [
      ['sk-pro\u0430-0123456789abcdef', 'character 7 is U+0430 CYRILLIC SMALL LETTER A, not ASCII: keys are ASCII; retype it'],
      ['sk-proj-0123\u200b456789abcdef', 'character 13 is U+200B ZERO WIDTH SPACE, not ASCII: keys are ASCII; retype it'],
      ['\u201csk-proj-0123456789abcdef\u201d', 'character 1 is U+201C LEFT DOUBLE QUOTATION MARK, not ASCII: keys are ASCII; retype it'],
    ]
    for (const [value, why] of cases) {
      const r = await create('openai', value)
      expect(r.code).toBe(2)
      expect(r.stderr).toBe(`credctl: invalid value for type openai: ${why} (a look-alike or invisible character often comes from copying out of a document, chat or PDF)\n`)
    }
    expect((await runCli(['list'], { env: t.env })).stdout).toBe('')
  })
})
