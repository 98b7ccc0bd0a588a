import { CredctlError } from '../errors.js'

/** The prompts credctl shows, behind an interface so tests and non-TTY runs never touch a terminal. */
export interface Prompter {
  input(message: string, opts?: { default?: string; validate?: (v: string) => true | string }): Promise<string>
  password(message: string, opts?: { validate?: (v: string) => true | string }): Promise<string>
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

export async function inquirerPrompter(): Promise<Prompter> {
  const p = await import('@inquirer/prompts')
  const out = { output: process.stderr } // prompts go to stderr so stdout stays data-only
  return {
    input: (message, opts = {}) => p.input({ message, ...(opts.default ? { default: opts.default } : {}), ...(opts.validate ? { validate: opts.validate } : {}) }, out).catch(cancelled),
    password: (message, opts = {}) => p.password({ message, mask: '*', ...(opts.validate ? { validate: opts.validate } : {}) }, out).catch(cancelled),
    select: (message, choices) => p.select({ message, choices, pageSize: 12 }, out).catch(cancelled) as never,
    confirm: (message, opts = {}) => p.confirm({ message, default: opts.default ?? false }, out).catch(cancelled),
  }
}
