import type { Credential } from '../../credentials/view.js'
import type { CallRecord } from '../context.js'

export interface ListArgs {
  category?: string | undefined
  type?: string | undefined
  name_contains?: string | undefined
}

/** The in-scope credentials as the safe view (`credctl list --json`): no value, no key loaded. */
export async function listCredentials(call: CallRecord, a: ListArgs): Promise<{ credentials: Credential[] }> {
  const needle = a.name_contains?.toLowerCase()
  const credentials = (await call.ctx.scope.current()).filter(
    (c) => (a.category === undefined || c.category === a.category) && (a.type === undefined || c.type === a.type || c.schema_type === a.type) && (needle === undefined || c.name.toLowerCase().includes(needle)),
  )
  call.detail.push(`${credentials.length} listed`)
  return { credentials }
}
