import * as path from 'node:path'
import { CredctlError } from '../../errors.js'
import type { Factory } from '../factory.js'
import type { Output } from '../output.js'
import { readInput } from '../read-input.js'
import { checkOutputTarget, writeOutputFile } from '../write-output.js'

export interface InjectOptions {
  input?: string
  output?: string
  force?: boolean
  json?: boolean
}

/** A template is a config file: 1 MiB is far beyond any real one and keeps a runaway pipe bounded. */
const MAX_TEMPLATE_BYTES = 1024 * 1024


/** `credctl inject -i TEMPLATE [-o OUT] [--force]`: the SDK's renderTemplate, written 0600 or to stdout. */
export async function run(f: Factory, o: InjectOptions): Promise<Output> {
  if (!o.input) throw new CredctlError('USAGE', 'missing -i TEMPLATE: the file whose {{ credctl://NAME }} placeholders to fill in (- for stdin)')
  const out = o.output !== undefined && o.output !== '-' ? path.resolve(o.output) : undefined
  // stdout is the filled-in file itself, byte for byte: there is no room for a JSON report beside it.
  if (o.json && !out) throw new CredctlError('USAGE', '--json reports a file written with -o OUT; without -o the filled-in template is the output', { hint: 'add -o OUT, or drop --json' })
  const label = o.input === '-' ? 'stdin' : o.input
  const text = await readInput(o.input, '--input', MAX_TEMPLATE_BYTES, f.io.stdin)
  const client = await f.client()
  // Checked before anything is decrypted, so a refused write leaves no history entry and no value out;
  // filling a template in place would replace the template with its secrets for good.
  if (out) await checkOutputTarget(out, !!o.force, client, { source: { file: o.input, what: 'the template itself' } })
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
