import { CredctlError } from '../errors.js'
import type { IOStreams } from './io.js'
import type { Prompter } from './prompter.js'

/** What asking takes: stderr and the prompts (a Factory has both; factory.ts loads this module, so it is not named here). */
type Asker = { io: Pick<IOStreams, 'term'>; prompter(): Promise<Prompter> }

/**
 * The shortest passphrase credctl accepts when it asks for a new vault passphrase at a prompt (a new
 * vault, rotate-key). Twelve characters, as the issue asks: the vault file may be copied anywhere, and
 * scrypt (N=2^15) slows each guess but cannot save a short passphrase from an offline search.
 * CREDCTL_PASSPHRASE and CREDCTL_NEW_PASSPHRASE are taken as given: they are set by a script or a CI
 * secret store, not typed, and a passphrase that already opens vaults elsewhere must keep working.
 */
export const MIN_NEW_PASSPHRASE = 12

/** How many times a new passphrase may be typed twice without the two matching. */
const ROUNDS = 3

/**
 * A new passphrase, typed twice at hidden prompts. The first is checked as it is given (empty, shorter
 * than `min` characters: refused with the reason and asked again); when the repeat differs, both are
 * asked again, up to three rounds, then INVALID_INPUT (exit 2) with `nothing` ("nothing was written").
 * `what` names it in the prompts ("vault passphrase", "passphrase for the bundle").
 */
export async function askNewPassphrase(f: Asker, o: { what: string; min: number; nothing: string }): Promise<string> {
  const p = await f.prompter()
  for (let round = 1; ; round++) {
    const first = await p.password(`New ${o.what} (at least ${o.min} characters):`, {
      // The reason never says how many characters were typed: the screen must not tell the length.
      validate: (v) => (v === '' ? 'the passphrase is empty' : [...v].length < o.min ? `too short: at least ${o.min} characters` : true),
    })
    if ((await p.password(`Repeat the ${o.what}:`)) === first) return first
    if (round === ROUNDS) throw new CredctlError('INVALID_INPUT', `the two passphrases did not match ${ROUNDS} times; ${o.nothing}`)
    await f.io.term.err('The two passphrases do not match; type the new one again.\n')
  }
}

/**
 * The passphrase of an existing vault, at a hidden prompt. `triesLeft` is set when the previous one did
 * not open the vault (src/keys/passphrase.ts gives three tries): said on stderr before asking again.
 */
export async function askVaultPassphrase(f: Asker, triesLeft?: number): Promise<string> {
  if (triesLeft !== undefined) await f.io.term.err(`Wrong passphrase; ${triesLeft} ${triesLeft === 1 ? 'try' : 'tries'} left.\n`)
  return (await f.prompter()).password('Vault passphrase:', { validate: (v) => (v ? true : 'the passphrase is empty') })
}
