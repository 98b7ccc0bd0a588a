import { CredctlError } from '../../errors.js'
import type { Factory } from '../factory.js'

/** No NAME given: offer a list on a terminal (picking the only candidate outright unless told), else name the argument. */
export async function pickCredential(f: Factory, message: string, opts: { alwaysAsk?: boolean } = {}): Promise<string> {
  if (!f.io.canPrompt) throw new CredctlError('USAGE', 'missing credential NAME (no terminal to offer a list on)')
  const items = await (await f.client()).credentials.list()
  if (items.length === 0) throw new CredctlError('NOT_FOUND', 'no credentials yet', { hint: 'create one with `credctl create`' })
  // One candidate is picked outright, except for a destructive action: that always shows what it acts on.
  if (items.length === 1 && !opts.alwaysAsk) return items[0]!.id
  return (await f.prompter()).select(
    message,
    items.map((c) => ({ value: c.id, name: `${c.name} (${c.type}, ${c.masked_content})` })),
  )
}
