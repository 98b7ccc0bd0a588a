import { CredctlError } from '../../errors.js'

/**
 * Non-secret check settings from flags (api_key/oauth check URL, api_key auth header template). They
 * are stored beside the credential, in the clear: they must never hold the secret itself.
 */
export function checkSettings(type: string, o: { checkUrl?: string; authHeader?: string }): Record<string, string> {
  const s: Record<string, string> = {}
  if (o.checkUrl !== undefined && o.checkUrl !== '') {
    if (type !== 'api_key' && type !== 'oauth') throw new CredctlError('USAGE', '--check-url applies to api_key and oauth credentials')
    let u: URL
    try {
      u = new URL(o.checkUrl)
    } catch {
      throw new CredctlError('INVALID_INPUT', 'invalid --check-url: expected an http(s) URL')
    }
    if (!/^https?:$/.test(u.protocol)) throw new CredctlError('INVALID_INPUT', 'invalid --check-url: expected an http(s) URL')
    if (u.username || u.password) throw new CredctlError('INVALID_INPUT', 'invalid --check-url: it must not contain a user or password')
    s.check_url = o.checkUrl
  }
  if (o.authHeader !== undefined && o.authHeader !== '') {
    if (type !== 'api_key') throw new CredctlError('USAGE', '--auth-header applies to api_key credentials')
    if (!/^[A-Za-z0-9-]+:\s?.*\{value\}/.test(o.authHeader)) {
      throw new CredctlError('INVALID_INPUT', "invalid --auth-header: expected 'Header-Name: text with {value}', e.g. 'Authorization: Bearer {value}'")
    }
    s.auth_header = o.authHeader
  }
  return s
}
