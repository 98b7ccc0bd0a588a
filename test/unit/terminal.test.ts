import { readdirSync, readFileSync, statSync } from 'node:fs'
import * as path from 'node:path'
import { Writable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { IOStreams } from '../../src/cli/io.js'
import { renderTable } from '../../src/cli/render.js'
import { createTerminal, safeJson } from '../../src/cli/terminal.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

// Everything terminalSafe escapes, except the newline (ours, between lines).
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/
// eslint-disable-next-line no-control-regex
const SGR = /\x1b\[[0-9;]*m/g

class Sink extends Writable {
  text = ''
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void) {
    this.text += chunk.toString()
    cb()
  }
}

const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n)
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : []
  })

describe('one writer for stdout and stderr (src/cli/terminal.ts)', () => {
  it('nothing else in src/ writes to stdout or stderr', () => {
    // The one allowed exception: the keychain runner is a script run in a child process, whose stdout is
    // read by credctl (never shown as is).
    const allowed = new Set(['src/cli/terminal.ts', 'src/keys/os-keychain.ts'])
    const offenders: string[] = []
    for (const f of files(path.join(ROOT, 'src'))) {
      const rel = path.relative(ROOT, f)
      if (allowed.has(rel)) continue
      const src = readFileSync(f, 'utf8')
      for (const re of [/\bprocess\.(stdout|stderr)\.write\b/, /\bconsole\.\w+\(/, /\.(stdout|stderr)\.write\(/, /\bprocess\.(stdout|stderr)\b(?!\.(isTTY|on)\b)/]) {
        if (re.test(src)) offenders.push(`${rel}: ${re}`)
      }
    }
    expect(offenders).toEqual([])
    // ...and the keychain probe writes only inside the child's script text.
    const kc = readFileSync(path.join(ROOT, 'src/keys/os-keychain.ts'), 'utf8')
    const child = /const CHILD = `[\s\S]*?\n\}\)`/.exec(kc)?.[0] ?? ''
    const outside = kc.replace(child, '')
    expect(child).toMatch(/process\.stdout\.write/)
    expect(outside).not.toMatch(/process\.(stdout|stderr)\.write/)
  })

  // Any string, dense in controls, C1, bidi marks and lone surrogates.
  const nasty = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc
      .array(
        fc.oneof(
          fc.integer({ min: 0, max: 0x9f }).map((n) => String.fromCharCode(n)),
          fc.constantFrom('\u061c', '\u200e', '\u200f', '\u202a', '\u202e', '\u2066', '\u2069', '\u2028', '\ud800', '\udc00', '\u001b]52;c;eA==\u0007', '\u001b[2K'),
        ),
        { maxLength: 30 },
      )
      .map((a) => a.join('')),
  )

  it('out, err, progress: no byte of the output is a control (but the newline) or a bidi character', async () => {
    await fc.assert(
      fc.asyncProperty(nasty, async (s) => {
        const out = new Sink()
        const err = new Sink()
        const term = createTerminal(out, err)
        await term.out(s)
        await term.err(`credctl: ${s}\n`)
        expect(out.text).not.toMatch(UNSAFE)
        expect(err.text).not.toMatch(UNSAFE)
        // Lines in, lines out: the newlines are the only ones kept.
        expect(out.text.split('\n').length).toBe(s.split('\n').length)
        const p = new Sink()
        const pt = createTerminal(new Sink(), p)
        pt.progress(s)
        pt.progress(null)
        // The progress line's own \r and erase frame it; what it says is escaped.
        expect(p.text.replaceAll('\r\u001b[K', '')).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/)
      }),
      { numRuns: 400 },
    )
  })

  it('tables (TTY with colour, and piped TSV): only tabs between cells and SGR colour codes are kept', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(nasty, { minLength: 2, maxLength: 2 }), { minLength: 1, maxLength: 3 }), fc.boolean(), async (rows, tty) => {
        const sink = new Sink()
        const term = createTerminal(sink, new Sink())
        const io = { isStdoutTTY: tty, colorEnabled: true, terminalWidth: () => 80 } as IOStreams
        await term.table(await renderTable({ head: ['A', 'B'], rows }, io))
        const text = sink.text.replace(SGR, '')
        // eslint-disable-next-line no-control-regex
        expect(text.replace(/\t/g, '')).not.toMatch(UNSAFE)
        if (!tty) expect(text.split('\n').filter(Boolean).map((l) => l.split('\t').length)).toEqual(rows.map(() => 2))
      }),
      { numRuns: 150 },
    )
  })

  it('JSON: C1 and bidi characters become \\u escapes; still valid JSON with the same value', async () => {
    await fc.assert(
      fc.asyncProperty(fc.dictionary(nasty, fc.oneof(nasty, fc.array(nasty, { maxLength: 3 }))), async (v) => {
        const text = safeJson(v)
        expect(text).not.toMatch(UNSAFE)
        expect(JSON.parse(text)).toEqual(v)
        const sink = new Sink()
        await createTerminal(sink, new Sink()).json(v)
        expect(JSON.parse(sink.text)).toEqual(v)
      }),
      { numRuns: 300 },
    )
    expect(safeJson({ n: 'a\u202Eb\u0085\u007f' })).toBe('{\n  "n": "a\\u202eb\\u0085\\u007f"\n}')
  })
})
