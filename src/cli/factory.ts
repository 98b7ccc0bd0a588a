import { createClient, type Client } from '../credentials/client.js'
import type { KeySource } from '../keys/index.js'
import type { IOStreams } from './io.js'
import type { Prompter } from './prompter.js'

/**
 * Everything a command touches in the outside world (STYLE 2). Expensive pieces (the SDK client, the
 * prompt library) are lazy, memoised getters, so `credctl types` never loads the vault code and
 * `credctl list` never loads the prompt library.
 */
export interface Factory {
  io: IOStreams
  env: NodeJS.ProcessEnv
  /** Global options (--vault, --key-source, --debug). */
  globals: { vault?: string | undefined; keySource?: string | undefined; debug?: boolean | undefined }
  client(): Promise<Client>
  prompter(): Promise<Prompter>
  /** Messages for stderr collected during a run (warnings); main prints them. */
  warn(message: string): void
  now(): Date
}

/**
 * No keychain on a terminal: offer the other key sources instead of failing outright (DESIGN 6). The
 * choices and what follows each come from the key-source list (src/keys/index.ts).
 */
async function chooseKeySource(f: Factory, reason: string): Promise<{ source: KeySource; env?: Record<string, string> }> {
  const [{ CredctlError }, { keySources }] = await Promise.all([import('../errors.js'), import('../keys/index.js')])
  const p = await f.prompter()
  await f.io.term.err(`No usable OS keychain (${reason}).\n`)
  const offered = keySources()
    .flatMap((m) => (m.fallback ? [{ m, fallback: m.fallback }] : []))
    .sort((a, b) => a.fallback.order - b.fallback.order)
  const source = await p.select(
    'Where should the vault key live?',
    offered.map(({ m, fallback }) => ({ value: m.name, name: fallback.label, description: m.summary })),
  )
  const then = offered.find((o) => o.m.name === source)!.fallback.then
  if (then.do === 'refuse') throw new CredctlError('KEY_UNAVAILABLE', then.message)
  if (then.do === 'ask-path') {
    const [{ homedir }, { join }] = await Promise.all([import('node:os'), import('node:path')])
    const path = await p.input(then.question, { default: join(homedir(), then.defaultFile) })
    return { source, env: { [then.variable]: path } }
  }
  return { source }
}

export function createFactory(io: IOStreams, env: NodeJS.ProcessEnv, warn: (m: string) => void): Factory {
  let client: Promise<Client> | undefined
  let prompter: Promise<Prompter> | undefined
  const f: Factory = {
    io,
    env,
    globals: {},
    warn,
    now: () => new Date(),
    client: () =>
      (client ??= (async () => {
        return createClient({
          ...(f.globals.vault !== undefined ? { vault: f.globals.vault } : {}),
          ...(f.globals.keySource ? { keySource: f.globals.keySource } : {}),
          env,
          askPassphrase: io.canPrompt
            ? async ({ confirm, triesLeft }) => {
                const { askNewPassphrase, askVaultPassphrase, MIN_NEW_PASSPHRASE } = await import('./passphrase.js')
                return confirm ? askNewPassphrase(f, { what: 'vault passphrase', min: MIN_NEW_PASSPHRASE, nothing: 'nothing was written' }) : askVaultPassphrase(f, triesLeft)
              }
            : undefined,
          chooseKeySource: io.canPrompt ? (reason) => chooseKeySource(f, reason) : undefined,
          onWarning: warn,
        })
      })()),
    prompter: () =>
      (prompter ??= (async () => {
        const { inquirerPrompter } = await import('./prompter.js')
        return inquirerPrompter()
      })()),
  }
  return f
}
