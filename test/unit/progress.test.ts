import { describe, expect, it } from 'vitest'
import { keychainLine } from '../../src/cli/commands/status.js'
import type { IOStreams } from '../../src/cli/io.js'
import { startProgress } from '../../src/cli/progress.js'

/** Issue 12, point 5: the one progress helper, and the status keychain row. */
function fakeIO(tty: boolean) {
  const lines: (string | null)[] = []
  // Fakes throw on any call the helper has no business making (STYLE 10).
  const term = new Proxy({ progress: (l: string | null) => void lines.push(l) }, {
    get: (o, k) => (k in o ? o[k as keyof typeof o] : () => { throw new Error(`unexpected term.${String(k)}`) }),
  }) as unknown as IOStreams['term']
  return { io: { isStderrTTY: tty, term }, lines }
}

describe('startProgress (src/cli/progress.ts)', () => {
  it('draws nothing at all when stderr is not a terminal', () => {
    const { io, lines } = fakeIO(false)
    const p = startProgress(io, 'validating')
    p.update(0, 3)
    p.update(3, 3)
    p.stop()
    expect(lines).toEqual([])
  })

  it('on a terminal: done/total…, the first and last states always, in between at most every 80 ms; stop erases once', () => {
    const { io, lines } = fakeIO(true)
    let t = 1000
    const p = startProgress(io, 'importing', { now: () => t })
    p.update(0, 100)
    p.update(1, 100) // 0 ms later: skipped
    t += 100
    p.update(50, 100)
    p.update(100, 100) // the last state: always drawn
    p.stop()
    p.stop()
    expect(lines).toEqual(['importing 0/100…', 'importing 50/100…', 'importing 100/100…', null])
  })

  it('without a count, and with a detail read at each draw', () => {
    const { io, lines } = fakeIO(true)
    let d = 'a'
    const p = startProgress(io, 'discovering the schema of x', { detail: () => d, now: () => 0 })
    p.update()
    d = 'b'
    p.stop()
    expect(lines).toEqual(['discovering the schema of x… a', null])
  })

  it('stop before any update writes nothing', () => {
    const { io, lines } = fakeIO(true)
    startProgress(io, 'x').stop()
    expect(lines).toEqual([])
  })
})

describe('status: the keychain row is one short sentence', () => {
  const long = 'keychain probe failed: Platform failure: DBus error: Using X11 for dbus-daemon autolaunch was disabled at compile time, set your DBUS_SESSION_BUS_ADDRESS instead'
  it('names the usual causes in a few words; a vault keyed elsewhere does not mention keychain errors', () => {
    expect(keychainLine({ key_source: 'env', keychain: { used: false, reachable: null, reason: null } })).toBe("not used (this vault's key is in CREDCTL_MASTER_KEY)")
    expect(keychainLine({ key_source: 'keychain', keychain: { used: true, reachable: true, reason: null } })).toBe('reachable')
    expect(keychainLine({ key_source: null, keychain: { used: true, reachable: false, reason: long } })).toBe('not reachable (no Secret Service on the session bus)')
    expect(keychainLine({ key_source: 'keychain', keychain: { used: true, reachable: false, reason: 'keychain did not answer within 5000 ms (probe); if it is just slow, raise CREDCTL_KEYCHAIN_TIMEOUT_MS' } })).toBe('not reachable (it did not answer in time)')
    const other = keychainLine({ key_source: 'keychain', keychain: { used: true, reachable: false, reason: `keychain probe failed: ${'x'.repeat(200)}` } })
    expect(other.length).toBeLessThan(70)
    expect(other).toMatch(/…\)$/)
  })
})
