import { CredctlError } from '../errors.js'
import { checkExpiry } from '../credentials/records.js'
import { expiryOf } from '../credentials/expiry.js'
import type { Factory } from './factory.js'

/**
 * `--expires` with a date that has already passed (by the rule `list` and `status` use: a date is
 * expired from 00:00 UTC of that day, expiry.ts) is most likely a typo (2025 for 2026). On a terminal it
 * is confirmed before anything is read or written; declining is a cancel (exit 130, like declining
 * `purge`), with nothing written. Without a terminal it is stored as given with one warning line on
 * stderr: a script may record a credential that has already expired on purpose (an inventory).
 * A malformed date is the usual exit 2 (checkExpiry). `''` (clear the date) is never asked about.
 * @example
 * await confirmPastExpiry(f, o.expires, 'OpenAI Prod')   // before the value is read
 */
export async function confirmPastExpiry(f: Pick<Factory, 'io' | 'prompter' | 'warn' | 'now'>, expires: string | undefined, name: string | undefined): Promise<void> {
  if (expires === undefined || expires === '') return
  const at = checkExpiry(expires)
  if (expiryOf({ expires_at: at ?? undefined }, f.now()).state !== 'expired') return
  const what = name ? `${name} would show as expired at once` : 'the credential would show as expired at once'
  if (!f.io.canPrompt) {
    f.warn(`warning: --expires ${expires} is in the past; stored anyway (${what.replace(' would show', ' shows')})`)
    return
  }
  const ok = await (await f.prompter()).confirm(`--expires ${expires} is in the past: ${what}. Store it anyway?`, { default: false })
  if (!ok) throw new CredctlError('CANCELLED', `not stored: --expires ${expires} is in the past; nothing was written`)
}
