import { CredctlError } from '../errors.js'
import { CATEGORIES, isCategory } from '../credentials/catalogue.js'
import type { CredentialsApi } from '../credentials/client.js'
import type { Credential } from '../credentials/view.js'

/**
 * Which credentials a `credctl mcp` session may use: resolved ONCE at start from --credential NAME and
 * --category CAT (never an implicit "all"), kept as ids. A credential created later is not in scope; one
 * renamed keeps its place (by id). Every call re-reads the vault's safe view (no key), so a credential
 * deleted while the server runs is gone at once.
 *
 * Out of scope, soft-deleted and missing answer alike: the same NOT_FOUND, the same words.
 */
export interface ScopeOptions {
  credentials: string[]
  categories: string[]
  /** Names (or ids) for which `query` may run under a privileged role; each must be in scope. */
  allowPrivileged: string[]
}

export class Scope {
  private readonly api: Pick<CredentialsApi, 'list'>
  readonly ids: ReadonlySet<string>
  readonly privileged: ReadonlySet<string>
  constructor(api: Pick<CredentialsApi, 'list'>, ids: ReadonlySet<string>, privileged: ReadonlySet<string>) {
    this.api = api
    this.ids = ids
    this.privileged = privileged
  }

  /** The in-scope credentials as they are now (active only). */
  async current(): Promise<Credential[]> {
    return (await this.api.list()).filter((c) => this.ids.has(c.id))
  }

  /** One in-scope credential by exact name, or by id; anything else is NOT_FOUND, worded as for a missing one. */
  async find(nameOrId: string): Promise<Credential> {
    const all = await this.current()
    const hit = all.find((c) => c.name === nameOrId) ?? all.find((c) => c.id === nameOrId)
    if (!hit) throw notFound(nameOrId)
    return hit
  }
}

/** The one answer for out of scope, deleted and missing. */
export function notFound(nameOrId: string): CredctlError {
  return new CredctlError('NOT_FOUND', `no credential ${JSON.stringify(String(nameOrId).slice(0, 200))}`, { hint: 'list_credentials shows the credentials this server may use' })
}

/**
 * Resolve the scope at start. USAGE (exit 2) without any --credential or --category, for an unknown
 * category, or for --allow-privileged-query naming a credential outside the scope; NOT_FOUND (exit 3)
 * for a named credential that does not exist or is deleted, or a category with no credential.
 */
export async function resolveScope(api: Pick<CredentialsApi, 'list'>, o: ScopeOptions): Promise<Scope> {
  if (o.credentials.length === 0 && o.categories.length === 0) {
    throw new CredctlError('USAGE', 'credctl mcp needs a scope: --credential NAME or --category CATEGORY (repeatable); there is no implicit "all"', {
      hint: "e.g. credctl mcp --credential 'Analytics DB'",
    })
  }
  for (const c of o.categories) if (!isCategory(c)) throw new CredctlError('USAGE', `unknown category "${c}": one of ${CATEGORIES.join(', ')}`)
  const active = await api.list()
  const ids = new Set<string>()
  const pick = (x: string) => active.find((c) => c.name === x) ?? active.find((c) => c.id === x)
  for (const name of o.credentials) {
    const c = pick(name)
    if (!c) throw new CredctlError('NOT_FOUND', `no credential "${name}" (deleted credentials cannot be served)`, { hint: 'see `credctl list`' })
    ids.add(c.id)
  }
  for (const cat of o.categories) {
    const inCat = active.filter((c) => c.category === cat)
    if (inCat.length === 0) throw new CredctlError('NOT_FOUND', `no credential in category ${cat}`, { hint: 'see `credctl list`' })
    for (const c of inCat) ids.add(c.id)
  }
  const privileged = new Set<string>()
  for (const name of o.allowPrivileged) {
    const c = pick(name)
    if (!c || !ids.has(c.id)) throw new CredctlError('USAGE', `--allow-privileged-query "${name}" names no credential in this server's scope`, { hint: 'add it with --credential too' })
    privileged.add(c.id)
  }
  return new Scope(api, ids, privileged)
}
