import { CredctlError } from '../../errors.js'
import { classify, configuredCheckUrl, send } from '../http.js'
import { toolRules } from './rules.js'
import type { CheckContext, CheckInput, CheckResult } from '../types.js'
import { urlKey } from '../target.js'

/**
 * A generic API key: a GET on the credential's own check URL with its auth header template (non-secret
 * settings set by --check-url / --auth-header). Without a check URL there is nothing to verify, and saying
 * "valid" would be a lie: the check throws NO_CHECK, which the SDK passes through (is_valid stays null,
 * the CLI exits 2). How the answer is read (an HTML page is never valid; `"ok": false` is not valid; an
 * expectation set with --expect must hold): tools/rules.ts.
 */
export const DEFAULT_AUTH_HEADER = 'Authorization: Bearer {value}'


/** 'Name: text with {value}' -> [name, header value]; every {value} is replaced (split/join: no `$` patterns). */
export function authHeader(template: string, value: string): [string, string] {
  const m = /^([A-Za-z0-9-]+):\s?(.*)$/.exec(template)
  if (!m || !m[2]!.includes('{value}')) {
    throw new CredctlError('INVALID_INPUT', "invalid auth header template: expected 'Header-Name: text with {value}'")
  }
  return [m[1]!, m[2]!.split('{value}').join(value)]
}

export async function validate(input: CheckInput, ctx: CheckContext): Promise<CheckResult> {
  const url = configuredCheckUrl(input, "set one with `credctl update NAME --check-url URL [--auth-header 'Header: Bearer {value}']`")
  const [name, header] = authHeader(input.settings.auth_header || DEFAULT_AUTH_HEADER, input.value)
  const answer = await send(url, { method: 'GET', headers: { accept: 'application/json', 'user-agent': 'credctl', [name]: header } }, ctx)
  return classify(toolRules('the check URL', input.settings.expect), answer, [input.value])
}

/** Where the check goes (per-host cap, target.ts): the check URL's host and port; none without one. */
export function target(input: CheckInput): string | undefined {
  return input.settings.check_url ? urlKey(input.settings.check_url) : undefined
}
