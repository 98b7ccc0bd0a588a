import { CredctlError } from '../../errors.js'
import type { Factory } from '../factory.js'
import type { Output } from '../output.js'

export interface IdentityNewOptions {
  /** Replace an existing keychain identity (asks on a terminal, else needs --yes). */
  force?: boolean
  yes?: boolean
  /** For CI: print the private key once on stdout, store nothing. */
  print?: boolean
  json?: boolean
}

/** Identity overrides in the environment: set, `identity show` reports them, not the keychain. */
const OVERRIDES = ['CREDCTL_IDENTITY', 'CREDCTL_IDENTITY_FILE'] as const

const lines = (i: { recipient: string; fingerprint: string }) => [`recipient    ${i.recipient}`, `fingerprint  ${i.fingerprint}`]

/**
 * `identity new [--force [--yes]] [--print] [--json]`. The keychain identity's public side goes to
 * stdout; `--print` writes the private key (and only it) to stdout, the recipient and fingerprint to
 * stderr, and stores nothing. The work is in the SDK (src/keys/identity.ts).
 */
export async function runNew(f: Factory, o: IdentityNewOptions = {}): Promise<Output> {
  const client = await f.client()
  if (o.print) {
    if (o.force || o.yes) throw new CredctlError('USAGE', '--print stores nothing, so it replaces nothing: drop --force/--yes')
    if (o.json) throw new CredctlError('USAGE', '--print writes the private key as one line; --json never holds a secret: drop --json')
    const g = await client.identity.generate()
    return {
      // The key line is the output (as age-keygen's); everything about it goes to stderr.
      text: `${g.identity}\n`,
      notes: [
        `recipient ${g.recipient} (fingerprint ${g.fingerprint})`,
        'this private key was printed once and is stored nowhere: put it in the CI secret store as CREDCTL_IDENTITY (or a 0600 file named by CREDCTL_IDENTITY_FILE)',
      ],
    }
  }
  if (o.yes && !o.force) throw new CredctlError('USAGE', '--yes confirms --force: without --force nothing is replaced')
  const confirmReplace =
    o.force && !o.yes
      ? async (old: { recipient: string | null; fingerprint: string | null; where: string }) => {
          const what = old.recipient ? `${old.recipient} (fingerprint ${old.fingerprint})` : `(the ${old.where}, not a valid identity)`
          if (!f.io.canPrompt) throw new CredctlError('USAGE', `--force replaces this device's identity ${what} for good: pass --yes to confirm (no terminal to ask on)`)
          return (await f.prompter()).confirm(`Replace this device's identity ${what}? Team vaults that added it will no longer open here.`, { default: false })
        }
      : undefined
  const r = await client.identity.new({ force: o.force === true, ...(confirmReplace ? { confirmReplace } : {}) })
  const notes = [
    r.replaced
      ? `Replaced this device's identity${r.replaced.recipient ? ` ${r.replaced.recipient}` : ''} in the ${r.where}`
      : `Created this device's identity in the ${r.where}`,
    'give the recipient (age1…) to a team vault admin, and compare the fingerprint with the one they see',
  ]
  const set = OVERRIDES.filter((v) => f.env[v])
  if (set.length) notes.push(`note: ${set.join(' and ')} ${set.length > 1 ? 'are' : 'is'} set and ${set.length > 1 ? 'override' : 'overrides'} the keychain identity in this environment`)
  return { json: r, text: `${lines(r).join('\n')}\n`, notes }
}

/** `identity show [--json]`: recipient, fingerprint and where the identity came from; never the private key. */
export async function runShow(f: Factory, _o: { json?: boolean } = {}): Promise<Output> {
  const i = await (await f.client()).identity.show()
  return { json: i, text: `${[...lines(i), `source       ${i.where}`].join('\n')}\n` }
}
