import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { transportOptions } from '../../src/checks/tools/smtp.js'
import { CredctlError } from '../../src/errors.js'
import { checkServiceUrl, isLoopback } from '../../src/lib/url-safety.js'

// Issue 13, point 4: one loopback rule and one URL-safety check for every URL a secret goes to
// (provider base URLs, check URLs, token URLs, BigQuery/Snowflake endpoints) and for SMTP's TLS default.

const octet = fc.integer({ min: 0, max: 255 })
const loopbackHost = fc.oneof(
  fc.tuple(octet, octet, octet).map(([a, b, c]) => `127.${a}.${b}.${c}`),
  fc.mixedCase(fc.constant('localhost')),
  fc.constant('[::1]'),
)
// Names that are not loopback: ordinary domains (never the bare word localhost), *.localhost, other addresses.
const remoteHost = fc.oneof(
  fc.domain().filter((d) => d.toLowerCase() !== 'localhost' && !/^[\d.]+$/.test(d)),
  fc.domain().map((d) => `${d}.localhost`),
  fc.tuple(fc.integer({ min: 1, max: 223 }).filter((a) => a !== 127), octet, octet, octet).map((o) => o.join('.')),
  fc.constantFrom('[::2]', '[fe80::1]', '[::ffff:7f00:1]', '0.0.0.0'),
)

const refused = (f: () => unknown) => {
  try {
    f()
  } catch (e) {
    return e instanceof CredctlError && e.code === 'INVALID_INPUT'
  }
  return false
}

describe('the one loopback rule and the one URL-safety check', () => {
  it('loopback is localhost, ::1 and 127.0.0.0/8, in any case; nothing else (not even x.localhost)', () => {
    fc.assert(fc.property(loopbackHost, (h) => isLoopback(h)))
    fc.assert(fc.property(remoteHost, (h) => !isLoopback(h)))
  })

  it('https passes anywhere; plain http only to loopback; a user or password never', () => {
    fc.assert(
      fc.property(fc.oneof(loopbackHost, remoteHost), fc.webPath(), (host, p) => {
        expect(checkServiceUrl(`https://${host}${p}`, 'check URL')).toBe(`https://${host}${p}`)
        expect(refused(() => checkServiceUrl(`http://${host}${p}`, 'check URL'))).toBe(!isLoopback(new URL(`http://${host}`).hostname))
        expect(refused(() => checkServiceUrl(`https://u:pw@${host}${p}`, 'check URL'))).toBe(true)
      }),
    )
  })

  it('a URL inside a secret is not quoted when it does not parse', () => {
    expect(() => checkServiceUrl('not a url SECRETPART', 'token_url', { partOfSecret: true })).toThrow(/^invalid token_url: expected an https URL$/)
    expect(() => checkServiceUrl('not a url', '--base-url')).toThrow(/"not a url"/)
  })

  it('SMTP requires TLS exactly when the host is not loopback (same rule, whatever the case)', () => {
    fc.assert(
      fc.property(fc.oneof(loopbackHost, remoteHost), (host) => {
        const o = transportOptions(`smtp://user:pw@${host}:587`, 1000)
        expect(o.requireTLS).toBe(!isLoopback(host))
      }),
    )
  })
})
