import { createClient, type Client } from '../credentials/client.js'
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

/** No keychain on a terminal: offer the other key sources instead of failing outright (DESIGN 6). */
async function chooseKeySource(f: Factory, reason: string) {
  const { CredctlError } = await import('../errors.js')
  const p = await f.prompter()
  await f.io.term.err(`No usable OS keychain (${reason}).\n`)
  const source = await p.select('Where should the vault key live?', [
    { value: 'passphrase' as const, name: 'passphrase', description: 'derived from a passphrase you type each time (or CREDCTL_PASSPHRASE)' },
    { value: 'file' as const, name: 'key file', description: 'a 0600 file outside the vault directory: anyone who can read it can open the vault' },
    { value: 'env' as const, name: 'environment variable', description: 'CREDCTL_MASTER_KEY, for CI and scripts' },
  ])
  if (source === 'env') {
    throw new CredctlError('KEY_UNAVAILABLE', 'no key yet: create one with `export CREDCTL_MASTER_KEY=$(openssl rand -base64 32)`, keep it safe, and run the command again')
  }
  if (source === 'file') {
    const { homedir } = await import('node:os')
    const path = await p.input('Key file path', { default: `${homedir()}/.config/credctl/credctl.key` })
    return { source, env: { CREDCTL_KEY_FILE: path } }
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
