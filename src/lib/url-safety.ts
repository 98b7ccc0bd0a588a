import { CredctlError } from '../errors.js'

/**
 * The one loopback rule: a host name that never leaves this machine, so plain http (or SMTP without
 * TLS) to it cannot put a secret on the network. `hostname` as URL parsing gives it (`[::1]` keeps its
 * brackets; a non-special scheme such as smtp:// keeps its case). Loopback means `localhost`, `::1` and
 * 127.0.0.0/8 written as a dotted quad (the URL parser already rewrote `127.1` to `127.0.0.1`).
 *
 * Not `*.localhost`: Node resolves names through getaddrinfo, which finds `localhost` in /etc/hosts
 * but sends `x.localhost` to the configured DNS server (RFC 6761 asks resolvers to answer it with
 * loopback; not all do), so such a name may resolve to a host elsewhere.
 */
export function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)
}

/**
 * The one URL-safety check, for every URL a secret is sent to (a provider base URL, an api_key/oauth
 * check URL, an oauth token URL, a database's HTTP endpoint or token URI): https, or plain http only to
 * this machine (isLoopback), since over http the secret would cross the network in the clear. It must
 * not carry credentials of its own, because it is stored and printed as is. Returns `raw` unchanged.
 *
 * `what` names the URL in the message ("--base-url", "check URL"). `partOfSecret`: the URL sits inside
 * a secret value (an oauth value's token_url, a service-account key's token_uri), so a URL that does not
 * parse is not quoted. Errors: INVALID_INPUT (exit 2).
 */
export function checkServiceUrl(raw: string, what: string, opts: { partOfSecret?: boolean } = {}): string {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new CredctlError('INVALID_INPUT', `invalid ${what}${opts.partOfSecret ? '' : ` ${JSON.stringify(raw.slice(0, 100))}`}: expected an https URL`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new CredctlError('INVALID_INPUT', `invalid ${what}: expected an https URL`)
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    throw new CredctlError('INVALID_INPUT', `invalid ${what}: plain http would send the secret in the clear; use https (http is accepted only for localhost)`)
  }
  if (url.username || url.password) throw new CredctlError('INVALID_INPUT', `invalid ${what}: it must not contain a user or password`)
  return raw
}
