import { CredctlError } from '../errors.js'
import { MAX_VALUE_BYTES } from '../credentials/input.js'
import type { Factory } from './factory.js'
import { readInput } from './read-input.js'

export interface ValueFlags {
  valueStdin?: boolean
  valueFile?: string
  value?: string
}

/**
 * Where a secret comes from, in order: --value-stdin, --value-file, --value (with a warning), a hidden
 * prompt on a TTY. Without any of them and no TTY it is an error naming the flags: never a hang.
 * Returns undefined when `optional` and nothing was given (update without a new value).
 */
export async function readValue(f: Pick<Factory, 'io' | 'prompter' | 'warn'>, flags: ValueFlags, opts: { optional?: boolean; prompt?: string } = {}): Promise<string | undefined> {
  const given = [flags.valueStdin, flags.valueFile !== undefined, flags.value !== undefined].filter(Boolean).length
  if (given > 1) throw new CredctlError('USAGE', 'use only one of --value-stdin, --value-file and --value')
  // Bytes in, the same bytes stored: invalid UTF-8 is refused naming the byte (read-input.ts). The
  // cap leaves room for the trailing newline that checkValue drops.
  if (flags.valueStdin) return readInput('-', '--value-stdin', MAX_VALUE_BYTES + 2, f.io.stdin)
  if (flags.valueFile !== undefined) return readInput(flags.valueFile, '--value-file', MAX_VALUE_BYTES + 2)
  if (flags.value !== undefined) {
    f.warn('warning: --value puts the secret in argv, visible to other processes (ps) and in shell history; prefer --value-stdin or --value-file')
    // Node decodes argv lossily: U+FFFD here most likely stands for bytes that were not UTF-8.
    const bad = [...flags.value].indexOf('\ufffd')
    if (bad >= 0) {
      throw new CredctlError('INVALID_INPUT', `--value: character ${bad + 1} is U+FFFD REPLACEMENT CHARACTER, which stands for bytes that were not valid UTF-8; credctl stores values byte for byte`, {
        hint: 'pass the value with --value-stdin or --value-file',
      })
    }
    return flags.value
  }
  if (opts.optional) return undefined
  if (!f.io.canPrompt) {
    throw new CredctlError('USAGE', 'a value is required: pass --value-stdin (pipe it in) or --value-file PATH (no terminal to prompt on)')
  }
  const p = await f.prompter()
  return p.password(opts.prompt ?? 'Value (hidden):', { validate: (v) => (v.trim() ? true : 'the value is empty') })
}
