import type { Rules } from '../http.js'
import type { AnswerRule, BodyTest } from '../providers.js'

/**
 * How an api_key or oauth check URL's answers are read. Such a URL has no documented body, so any answer
 * that is not an HTML page is the service's own (an HTML page is a portal's, a CDN's or a login form's,
 * never an API's): a 2xx is valid unless its JSON says it failed (`"ok": false`, an `error`), 401/403 are
 * refusals. A credential may carry an expectation (`--expect FIELD=VALUE`): then a 2xx is valid only when
 * its JSON has that value at that field.
 */
const TWO_XX = Array.from({ length: 100 }, (_, i) => 200 + i)

/** 'data.ok=true' -> the field path and the value; the SDK checks the form when the setting is stored. */
export function parseExpect(expect: string): { path: string; value: string } {
  const i = expect.indexOf('=')
  return { path: expect.slice(0, i), value: expect.slice(i + 1) }
}

export function toolRules(name: string, expect?: string): Rules {
  const e = expect ? parseExpect(expect) : undefined
  const success: BodyTest[] = e ? [{ path: e.path, in: [e.value] }] : []
  const rules: AnswerRule[] = [
    ...(e
      ? [
          {
            status: TWO_XX,
            when: [{ path: e.path, notIn: [e.value] }],
            verdict: 'invalid' as const,
            reason: `the answer does not meet the expectation ${e.path}=${e.value}`,
            next: 'rotate the key if the service refuses it, or correct the expectation with `credctl update NAME --expect FIELD=VALUE`',
          },
        ]
      : []),
    { status: TWO_XX, when: [{ path: 'ok', in: [false] }], verdict: 'invalid', reason: 'the service answered but says the call failed ("ok": false)' },
    { status: TWO_XX, when: [{ path: 'error', is: 'truthy' }], verdict: 'invalid', reason: 'the service answered but its body carries an error' },
    { status: [401, 403], verdict: 'invalid', reason: 'refused' },
  ]
  return { name, own: 'not-html', valid: TWO_XX, success, error: [], rules }
}
