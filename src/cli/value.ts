import { CredctlError } from '../errors.js'
import { MAX_VALUE_BYTES } from '../credentials/input.js'
import { typeInfo } from '../credentials/catalogue.js'
import type { Factory } from './factory.js'
import { readInput } from './read-input.js'

export interface ValueFlags {
  valueStdin?: boolean
  valueFile?: string
  value?: string
}

/** What readValue needs to know of the credential the value is for: its rules decide what is asked. */
export interface ValueFor {
  name: string
  type: string
  schemaType?: string | undefined
}

/**
 * Where a secret comes from, in order: --value-stdin, --value-file, --value (with a warning), a prompt
 * on a TTY. Without any of them and no TTY it is an error naming the flags: never a hang.
 * - --value-stdin with stdin a terminal says so on stderr and reads without echo (tty-input.ts).
 * - The prompt checks each answer as it is given with the one value rule (credentials/input.ts
 *   checkValue): a value of the wrong shape is refused with the reason (never holding the value) and
 *   asked again. A value that is a service-account JSON key (bigquery, database with schema_type
 *   bigquery) is asked for as a file path instead: a multi-line JSON cannot be pasted into a one-line
 *   prompt. The SDK checks the value again when it writes.
 * - `optional` (update): nothing given returns undefined, unless `ask`: then the prompt is shown and an
 *   empty answer keeps the stored value (undefined).
 */
export async function readValue(
  f: Pick<Factory, 'io' | 'prompter' | 'warn'>,
  flags: ValueFlags,
  opts: { optional?: boolean; ask?: boolean; for: ValueFor },
): Promise<string | undefined> {
  const given = [flags.valueStdin, flags.valueFile !== undefined, flags.value !== undefined].filter(Boolean).length
  if (given > 1) throw new CredctlError('USAGE', 'use only one of --value-stdin, --value-file and --value')
  // Bytes in, the same bytes stored: invalid UTF-8 is refused naming the byte (read-input.ts). The
  // cap leaves room for the trailing newline that checkValue drops.
  if (flags.valueStdin) {
    const stdin = f.io.stdin as NodeJS.ReadableStream & { isTTY?: boolean }
    if (stdin.isTTY) {
      // A user typing or pasting at the terminal: say what is awaited and how to end it, and do not
      // draw the secret on the screen as the terminal's echo would.
      await f.io.term.err('reading the value from stdin (Ctrl-D to end)\n')
      const { readTerminalHidden } = await import('./tty-input.js')
      return readTerminalHidden(stdin as import('node:tty').ReadStream, '--value-stdin', MAX_VALUE_BYTES + 2)
    }
    return readInput('-', '--value-stdin', MAX_VALUE_BYTES + 2, f.io.stdin)
  }
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
  if (opts.optional && !opts.ask) return undefined
  if (!f.io.canPrompt) {
    throw new CredctlError('USAGE', 'a value is required: pass --value-stdin (pipe it in) or --value-file PATH (no terminal to prompt on)')
  }
  return promptValue(f, opts.for, !!opts.optional)
}

/**
 * Why a value is refused, for the line under a prompt: the one value rule's message as it is. Those
 * messages never quote a value (test/unit/prompt-reasons.property.test.ts proves it for every type);
 * redacting them with the typed text as the secret garbled ordinary words the user happened to type
 * ("expected a non-empty****out whitespace") and so showed which words they were. The only guard kept
 * is exact: a message holding the whole value is replaced by a generic one.
 */
export async function valueProblem(v: ValueFor, value: string): Promise<true | string> {
  const { checkValue } = await import('../credentials/input.js')
  try {
    checkValue(v.type, value, v.schemaType)
    return true
  } catch (e) {
    if (!(e instanceof CredctlError)) throw e
    return value.trim().length >= 4 && e.message.includes(value.trim()) ? `this is not a valid ${v.type} value` : e.message
  }
}

/** The kind of value a credential holds (a database credential: its schema_type's). */
function valueKind(v: ValueFor): string | undefined {
  const info = typeInfo(v.type)
  return info?.value === 'database' ? (v.schemaType ? typeInfo(v.schemaType)?.value : undefined) : info?.value
}

async function promptValue(f: Pick<Factory, 'prompter'>, v: ValueFor, keep: boolean): Promise<string | undefined> {
  const p = await f.prompter()
  const leave = keep ? ', leave empty to keep the current one' : ''
  if (valueKind(v) === 'service_account_json') {
    let text: string | undefined
    const answer = await p.input(`Path of the service-account JSON key file for ${v.name}${leave}:`, {
      validate: async (typed) => {
        const file = typed.trim()
        if (!file) return keep ? true : 'a path is required'
        // The key itself pasted here is refused without being quoted back (the prompt shows only the path).
        if (/[{}"]/.test(file)) return 'that looks like the key itself: type the path of the file that holds it'
        const { homedir } = await import('node:os')
        try {
          const t = await readInput(file.replace(/^~(?=$|\/)/, homedir()), 'key file', MAX_VALUE_BYTES + 2, undefined, { regularOnly: true })
          const ok = await valueProblem(v, t)
          if (ok === true) text = t
          return ok
        } catch (e) {
          if (!(e instanceof CredctlError)) throw e
          return e.message
        }
      },
      // What is typed is echoed as usual, except something shaped like the key (a paste of the JSON).
      show: (typed) => (/[{}"]/.test(typed) ? '[not shown]' : typed),
    })
    return answer.trim() ? text : undefined
  }
  const value = await p.password(`Value for ${v.name} (hidden${leave}):`, {
    validate: (typed) => (keep && typed === '' ? true : valueProblem(v, typed)),
  })
  return value === '' ? undefined : value
}
