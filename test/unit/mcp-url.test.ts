import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CredctlError } from '../../src/errors.js'
import { joinUnderBase } from '../../src/mcp/url.js'

/**
 * The agent gives a path, never a host (issue 15): whatever the path, the URL credctl builds is on the
 * base's origin and under its path, or the path is refused. Generated from the pieces every known trick
 * is made of (dots, slashes, backslashes, percent-escapes of each, schemes, @, ?, #, hosts).
 */
const BASES = ['https://api.example.com/v1', 'https://api.example.com/v1/', 'https://gw.example.com/tenant/a?api-version=2', 'http://127.0.0.1:8080', 'https://api.example.com']
const PIECES = ['/', '//', '.', '..', '%2e', '%2E', '%2f', '%2F', '%5c', '\\', '@', ':', '?', '#', ';', 'evil.example', 'https:', 'http:', 'v1', 'models', 'a', '%', '%25', '%40', ' ', '\t', '~', '%00', 'é', '%c3%a9']
const pathArb = fc.array(fc.constantFrom(...PIECES), { maxLength: 10 }).map((xs) => xs.join(''))

function outcome(base: string, p: string): URL | CredctlError {
  try {
    return joinUnderBase(base, p)
  } catch (e) {
    if (e instanceof CredctlError) return e
    throw e
  }
}

describe('joinUnderBase: the URL never leaves the base', () => {
  it('any path: refused (INVALID_INPUT), or the same origin, under the base path, no dot segment', () => {
    fc.assert(
      fc.property(fc.constantFrom(...BASES), fc.oneof(pathArb, fc.string({ maxLength: 40 })), (base, p) => {
        const r = outcome(base, p)
        if (r instanceof CredctlError) {
          expect(r.code).toBe('INVALID_INPUT')
          return
        }
        const b = new URL(base)
        const basePath = b.pathname.replace(/\/+$/, '')
        expect(r.origin).toBe(b.origin)
        expect(r.pathname === basePath || r.pathname.startsWith(`${basePath}/`)).toBe(true)
        expect(r.pathname.split('/').some((s) => s === '.' || s === '..' || /^(?:%2e|\.){1,2}$/i.test(s))).toBe(false)
        // The base's own query survives.
        for (const [k, v] of b.searchParams) expect(r.searchParams.get(k)).toBe(v)
      }),
      { numRuns: 3000 },
    )
  })

  it('the known tricks are refused', () => {
    for (const p of ['//evil.example/x', '/../x', '..', '/a/../../x', '/%2e%2e/x', '/%2E./x', '/a%2fb', '/a%5cb', '\\\\evil', 'https://evil.example', 'HTTP://evil', 'javascript:x', 'mailto:a@b', '/a?x=1', '/a#f', '/a b', '/a\nb', '/%zz', '/./x']) {
      expect(outcome('https://api.example.com/v1', p), p).toBeInstanceOf(CredctlError)
    }
  })

  it('plain paths join under the base path; query parameters are added, the base\'s cannot be replaced', () => {
    expect(joinUnderBase('https://api.example.com/v1', '/models').href).toBe('https://api.example.com/v1/models')
    expect(joinUnderBase('https://api.example.com/v1/', 'models/gpt-4o').href).toBe('https://api.example.com/v1/models/gpt-4o')
    expect(joinUnderBase('https://api.example.com/v1', '').href).toBe('https://api.example.com/v1/')
    expect(joinUnderBase('https://api.example.com/v1', '/files/a%20b', { limit: '2', q: 'a&b=c' }).href).toBe('https://api.example.com/v1/files/a%20b?limit=2&q=a%26b%3Dc')
    expect(joinUnderBase('https://gw.example.com/t?api-version=2', '/x', { y: '1' }).href).toBe('https://gw.example.com/t/x?api-version=2&y=1')
    expect(() => joinUnderBase('https://gw.example.com/t?api-version=2', '/x', { 'api-version': '3' })).toThrow(/fixed by the credential's base URL/)
  })
})
