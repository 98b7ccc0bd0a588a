import { promises as fsp } from 'node:fs'
import * as path from 'node:path'
import { CredctlError } from '../../errors.js'
import type { Factory } from '../factory.js'
import type { Output } from '../output.js'
import { readInput } from '../read-input.js'
import { writeOutputFile } from '../write-output.js'

export interface InjectOptions {
  input?: string
  output?: string
  force?: boolean
  json?: boolean
}

/** A template is a config file: 1 MiB is far beyond any real one and keeps a runaway pipe bounded. */
const MAX_TEMPLATE_BYTES = 1024 * 1024

const exists = (p: string) => fsp.lstat(p).then(() => true, () => false)

/** `credctl inject -i TEMPLATE [-o OUT] [--force]`: the SDK's renderTemplate, written 0600 or to stdout. */
export async function run(f: Factory, o: InjectOptions): Promise<Output> {
  if (!o.input) throw new CredctlError('USAGE', 'missing -i TEMPLATE: the file whose {{ credctl://NAME }} placeholders to fill in (- for stdin)')
  const out = o.output !== undefined && o.output !== '-' ? path.resolve(o.output) : undefined
  // stdout is the filled-in file itself, byte for byte: there is no room for a JSON report beside it.
  if (o.json && !out) throw new CredctlError('USAGE', '--json reports a file written with -o OUT; without -o the filled-in template is the output', { hint: 'add -o OUT, or drop --json' })
  if (out) {
    // Checked before anything is decrypted, so a refused write leaves no history entry and no value out.
    if (!o.force && (await exists(out))) throw new CredctlError('USAGE', `--output ${o.output} already exists: pass --force to replace it`)
    // Filling a template in place would replace the template with its secrets for good.
    const same = o.input !== '-' && (await (await import('../../vault/paths.js')).samePath(o.input, out))
    if (same) throw new CredctlError('USAGE', `--output ${o.output} is the template itself: write the filled-in copy elsewhere`)
  }
  const label = o.input === '-' ? 'stdin' : o.input
  const text = await readInput(o.input, '--input', MAX_TEMPLATE_BYTES, f.io.stdin)
  const client = await f.client()
  const r = await client.credentials.renderTemplate({ file: label, text }, { detail: out ? `to ${path.basename(out)}` : 'to stdout' })
  const n = r.credentials.length
  const summary = `${n} credential${n === 1 ? '' : 's'} filled in`
  if (!out) return { exempt: { text: r.text, why: 'inject: the filled-in template, for pipes' }, notes: [] }
  await writeOutputFile(out, r.text, !!o.force, client)
  return {
    json: { file: out, credentials: r.credentials.map((c) => ({ id: c.id, name: c.name, type: c.type })) },
    notes: [`Wrote ${o.output} (mode 0600): ${summary}${n ? ` (${r.credentials.map((c) => c.name).join(', ')})` : ''}`],
  }
}
