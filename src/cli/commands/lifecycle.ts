import { CredctlError } from '../../errors.js'
import type { Factory } from '../factory.js'
import type { Output } from '../output.js'
import { pickCredential } from './pick.js'

export async function runDelete(f: Factory, name: string | undefined): Promise<Output> {
  const client = await f.client()
  const c = await client.credentials.delete(name ?? (await pickCredential(f, 'Credential to delete', { alwaysAsk: true })))
  return { json: c, notes: [`Deleted ${c.name} (restore with: credctl restore ${JSON.stringify(c.name)})`] }
}

export async function runRestore(f: Factory, name: string): Promise<Output> {
  const c = await (await f.client()).credentials.restore(name)
  return { json: c, notes: [`Restored ${c.name}`] }
}

export async function runSetDefault(f: Factory, name: string): Promise<Output> {
  const c = await (await f.client()).credentials.setDefault(name)
  return { json: c, notes: [`${c.name} is now the default ${c.type} credential`] }
}

export async function runPurge(f: Factory, name: string, o: { yes?: boolean }): Promise<Output> {
  const client = await f.client()
  // Shown, then purged by id: what the user confirmed is what goes (an ambiguous name stops at get).
  const c = await client.credentials.get(name)
  if (!o.yes) {
    if (!f.io.canPrompt) throw new CredctlError('USAGE', 'purge removes the credential for good: pass --yes to confirm (no terminal to ask on)')
    const state = c.deleted_at ? 'deleted' : 'active'
    const ok = await (await f.prompter()).confirm(`Remove ${c.name} (${c.type}, ${state}, ${c.masked_content}) and its encrypted value for good?`, { default: false })
    if (!ok) throw new CredctlError('CANCELLED', 'not purged; nothing was written')
  }
  const gone = await client.credentials.purge(c.id)
  return { json: gone, notes: [`Purged ${gone.name}`] }
}
