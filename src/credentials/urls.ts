import { CredctlError } from '../errors.js'

/** Hosts where plain http never leaves the machine. */
export function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h)
}

/**
 * A URL a secret will be sent to (a provider base URL, an api_key/oauth check URL, an oauth token URL):
 * https, or plain http only to this machine, since over http the key would cross the network in the
 * clear. It must not carry credentials of its own, because it is stored and printed as is.
 */
export function checkServiceUrl(raw: string, what: string, opts: { partOfSecret?: boolean } = {}): string {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    // A URL inside a secret value (an oauth value's token_url) is not quoted: the message is shown.
    throw new CredctlError('INVALID_INPUT', `invalid ${what}${opts.partOfSecret ? '' : ` ${JSON.stringify(raw.slice(0, 100))}`}: expected an https URL`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new CredctlError('INVALID_INPUT', `invalid ${what}: expected an https URL`)
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    throw new CredctlError('INVALID_INPUT', `invalid ${what}: plain http would send the secret in the clear; use https (http is accepted only for localhost)`)
  }
  if (url.username || url.password) throw new CredctlError('INVALID_INPUT', `invalid ${what}: it must not contain a user or password`)
  return raw
}
