/** Service-account JSON keys. Pure: the input check at create time uses it too. */
const DEFAULT_TOKEN_URI = 'https://oauth2.googleapis.com/token'

export interface ServiceAccount {
  client_email: string
  private_key: string
  private_key_id?: string
  project_id?: string
  token_uri: string
}

export function parseServiceAccount(value: string): ServiceAccount {
  let o: Record<string, unknown>
  try {
    o = JSON.parse(value) as Record<string, unknown>
  } catch {
    throw new Error('not valid JSON')
  }
  if (typeof o !== 'object' || o === null) throw new Error('not a JSON object')
  if (typeof o.client_email !== 'string' || !o.client_email) throw new Error('no client_email')
  if (typeof o.private_key !== 'string' || !o.private_key.includes('PRIVATE KEY')) throw new Error('no PEM private_key')
  if (o.type !== undefined && o.type !== 'service_account') throw new Error('type is not service_account')
  return {
    client_email: o.client_email,
    private_key: o.private_key,
    ...(typeof o.private_key_id === 'string' ? { private_key_id: o.private_key_id } : {}),
    ...(typeof o.project_id === 'string' ? { project_id: o.project_id } : {}),
    token_uri: typeof o.token_uri === 'string' && o.token_uri ? o.token_uri : DEFAULT_TOKEN_URI,
  }
}

