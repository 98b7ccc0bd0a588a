import { CredctlError } from '../errors.js'
import { isWellFormed } from '../lib/text.js'
import { textProblem } from '../vault/record-schema.js'
import { checkServiceUrl } from '../lib/url-safety.js'

/**
 * Non-secret per-credential check settings, checked in the SDK (so the SDK, the CLI and an import all
 * obey the same rules): where `validate` sends an api_key or oauth token (https, or plain http only to
 * this machine), the api_key header template, BigQuery's project and location. They are stored in the
 * clear beside the credential and must never hold the secret itself.
 */
interface Rule {
  flag: string
  applies: (type: string, schemaType: string | null | undefined) => boolean
  check: (v: string) => void
}

const isBigquery = (type: string, schemaType: string | null | undefined) => type === 'bigquery' || (type === 'database' && schemaType === 'bigquery')

const RULES: Record<string, Rule> = {
  check_url: {
    flag: '--check-url',
    applies: (t) => t === 'api_key' || t === 'oauth',
    check: (v) => void checkServiceUrl(v, '--check-url'),
  },
  auth_header: {
    flag: '--auth-header',
    applies: (t) => t === 'api_key',
    check: (v) => {
      if (!/^[A-Za-z0-9-]+:\s?.*\{value\}/.test(v) || /[\r\n]/.test(v)) {
        throw new CredctlError('INVALID_INPUT', "invalid --auth-header: expected 'Header-Name: text with {value}', e.g. 'Authorization: Bearer {value}'")
      }
    },
  },
  expect: {
    flag: '--expect',
    applies: (t) => t === 'api_key' || t === 'oauth',
    // FIELD=VALUE: a dotted JSON path ('ok', 'data.status', 'items.0.state') and the value a good answer has there.
    check: (v) => {
      if (!/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*=[^\r\n]*$/.test(v)) {
        throw new CredctlError('INVALID_INPUT', "invalid --expect: expected FIELD=VALUE, a dotted JSON field and the value a good answer has there, e.g. 'ok=true' or 'data.status=active'")
      }
    },
  },
  token_auth: {
    flag: '--token-auth',
    applies: (t) => t === 'oauth',
    // RFC 6749 2.3.1: how the client authenticates at the token endpoint. Learned by validate, or set by hand.
    check: (v) => {
      if (v !== 'client_secret_basic' && v !== 'client_secret_post') {
        throw new CredctlError('INVALID_INPUT', 'invalid --token-auth: one of client_secret_basic (HTTP Basic, the default) or client_secret_post (in the body)')
      }
    },
  },
  project: {
    flag: '--project',
    applies: isBigquery,
    check: (v) => {
      if (!/^[a-z][a-z0-9.:-]{3,127}$/i.test(v)) throw new CredctlError('INVALID_INPUT', `invalid --project ${JSON.stringify(v.slice(0, 60))}`)
    },
  },
  location: {
    flag: '--location',
    applies: isBigquery,
    check: (v) => {
      if (!/^[a-z][a-z0-9-]{1,40}$/i.test(v)) throw new CredctlError('INVALID_INPUT', `invalid --location ${JSON.stringify(v.slice(0, 60))}`)
    },
  },
}

/** Check settings for a credential of `type`; null or '' (clear, on update) is always accepted. */
export function checkSettings(type: string, schemaType: string | null | undefined, settings: Record<string, string | null>): void {
  for (const [key, value] of Object.entries(settings)) {
    const rule = Object.hasOwn(RULES, key) ? RULES[key] : undefined
    if (!rule) throw new CredctlError('INVALID_INPUT', `unknown setting "${key.slice(0, 40)}": one of ${Object.keys(RULES).join(', ')}`)
    if (value === null || value === '') continue
    if (typeof value !== 'string') throw new CredctlError('INVALID_INPUT', `setting ${key} must be a string`)
    if (!rule.applies(type, schemaType)) throw new CredctlError('USAGE', `${rule.flag} does not apply to ${type} credentials`)
    // The record schema's limit, before the rule's own parse (a 5,000-character URL is refused here).
    const why = textProblem('setting', value) ?? (isWellFormed(value) ? undefined : 'is not valid Unicode')
    if (why) throw new CredctlError('INVALID_INPUT', `${rule.flag} ${why}`)
    rule.check(value)
  }
}
