import { CredctlError } from '../../errors.js'
import { checkServiceUrl } from '../../credentials/urls.js'

/**
 * Non-secret check settings from flags (api_key/oauth check URL, api_key auth header template). They
 * are stored beside the credential, in the clear: they must never hold the secret itself.
 */
export function checkSettings(type: string, o: { checkUrl?: string; authHeader?: string; project?: string; location?: string }): Record<string, string> {
  const s: Record<string, string> = {}
  if (o.checkUrl !== undefined && o.checkUrl !== '') {
    if (type !== 'api_key' && type !== 'oauth') throw new CredctlError('USAGE', '--check-url applies to api_key and oauth credentials')
    checkServiceUrl(o.checkUrl, '--check-url')
    s.check_url = o.checkUrl
  }
  if (o.authHeader !== undefined && o.authHeader !== '') {
    if (type !== 'api_key') throw new CredctlError('USAGE', '--auth-header applies to api_key credentials')
    if (!/^[A-Za-z0-9-]+:\s?.*\{value\}/.test(o.authHeader)) {
      throw new CredctlError('INVALID_INPUT', "invalid --auth-header: expected 'Header-Name: text with {value}', e.g. 'Authorization: Bearer {value}'")
    }
    s.auth_header = o.authHeader
  }
  // BigQuery: the project that runs the queries and the default region. '' clears them on update.
  for (const [flag, key, re] of [
    ['--project', 'project', /^[a-z][a-z0-9.:-]{3,127}$/i],
    ['--location', 'location', /^[a-z][a-z0-9-]{1,40}$/i],
  ] as const) {
    const v = o[key]
    if (v === undefined) continue
    if (type !== 'bigquery' && type !== 'database') throw new CredctlError('USAGE', `${flag} applies to bigquery credentials`)
    if (v !== '' && !re.test(v)) throw new CredctlError('INVALID_INPUT', `invalid ${flag} ${JSON.stringify(v.slice(0, 60))}`)
    s[key] = v
  }
  return s
}
