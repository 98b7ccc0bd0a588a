import { CredctlError } from '../errors.js'
import { terminalSafe } from '../lib/text.js'
import type { AnswerCheck } from './hidden-prompt.js'
import { promptStream } from './terminal.js'

export type { AnswerCheck } from './hidden-prompt.js'

/**
 * The prompts credctl shows, behind an interface so tests and non-TTY runs never touch a terminal.
 * `validate` checks each answer as it is given: a refused answer is asked again with the reason under
 * the prompt (it may be async: a name is checked against the vault, a key file is read).
 */
export interface Prompter {
  /** `show`: what is drawn for the typed text (default: the text itself). */
  input(message: string, opts?: { default?: string; validate?: AnswerCheck; show?: (typed: string) => string }): Promise<string>
  /** Hidden: nothing typed is drawn (hidden-prompt.ts). */
  password(message: string, opts?: { validate?: AnswerCheck }): Promise<string>
  select<T extends string>(message: string, choices: { value: T; name?: string; description?: string }[]): Promise<T>
  confirm(message: string, opts?: { default?: boolean }): Promise<boolean>
}

/** Ctrl-C in @inquirer/prompts rejects with ExitPromptError: a cancel (exit 130), never a crash. */
function cancelled(e: unknown): never {
  if (e instanceof Error && (e.name === 'ExitPromptError' || e.name === 'AbortPromptError')) {
    throw new CredctlError('CANCELLED', 'cancelled; nothing was written')
  }
  throw e
}

/** A validation message is shown by the prompt library: escaped like every other line. */
function safeValidate(v?: AnswerCheck) {
  if (!v) return {}
  return {
    validate: async (s: string) => {
      const r = await v(s)
      return r === true ? true : terminalSafe(r)
    },
  }
}

/**
 * @inquirer/prompts draws on stderr itself (its cursor moves are its own), so everything credctl hands
 * it goes through terminalSafe here: messages (which may name a credential), the names and descriptions
 * of choices (credential names in pickers), validation messages and defaults. What the user types is
 * the user's own. A choice's `value` is returned, never shown, and stays exact.
 */
export async function inquirerPrompter(): Promise<Prompter> {
  const [p, { hiddenPrompt }] = await Promise.all([import('@inquirer/prompts'), import('./hidden-prompt.js')])
  const out = { output: promptStream() } // prompts go to stderr so stdout stays data only
  return {
    input: (message, opts = {}) =>
      p
        .input(
          {
            message: terminalSafe(message),
            ...(opts.default ? { default: terminalSafe(opts.default) } : {}),
            ...safeValidate(opts.validate),
            ...(opts.show ? { transformer: opts.show } : {}),
          },
          out,
        )
        .catch(cancelled),
    password: (message, opts = {}) => hiddenPrompt({ message: terminalSafe(message), ...safeValidate(opts.validate) }, out).catch(cancelled),
    select: (message, choices) =>
      p
        .select(
          {
            message: terminalSafe(message),
            choices: choices.map((c) => ({ value: c.value, name: terminalSafe(c.name ?? c.value), ...(c.description !== undefined ? { description: terminalSafe(c.description) } : {}) })),
            pageSize: 12,
          },
          out,
        )
        .catch(cancelled) as never,
    confirm: (message, opts = {}) => p.confirm({ message: terminalSafe(message), default: opts.default ?? false }, out).catch(cancelled),
  }
}
