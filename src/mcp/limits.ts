import { CredctlError } from '../errors.js'

/**
 * Three limits on what an agent can make credctl do (documented in docs/mcp.md and the README):
 * - at most IN_FLIGHT tool calls run at once; further calls wait their turn (first come, first served);
 *   a call waiting for the user's approval gives its slot up meanwhile (aside), so four pending
 *   approvals do not block every other tool;
 * - at most APPROVALS_MAX approvals pending at once; one more is refused at once;
 * - at most PER_MINUTE calls name one credential in any 60 s window (a sliding window); a call over it
 *   is refused at once, before anything is decrypted or sent, with the seconds to wait.
 */
export const IN_FLIGHT = 4
export const PER_MINUTE = 30
export const APPROVALS_MAX = 4
const WINDOW_MS = 60_000

export class Gate {
  private running = 0
  private pending = 0
  private readonly waiting: (() => void)[] = []
  private readonly calls = new Map<string, number[]>()
  private readonly now: () => number
  private readonly inFlight: number
  private readonly perMinute: number
  constructor(opts: { now?: () => number; inFlight?: number; perMinute?: number } = {}) {
    this.now = opts.now ?? Date.now
    this.inFlight = opts.inFlight ?? IN_FLIGHT
    this.perMinute = opts.perMinute ?? PER_MINUTE
  }

  /** Count one call on `credentialId`; RATE: CredctlError('USAGE') when it is over the limit. */
  charge(credentialId: string): void {
    const t = this.now()
    const recent = (this.calls.get(credentialId) ?? []).filter((x) => x > t - WINDOW_MS)
    if (recent.length >= this.perMinute) {
      const wait = Math.max(1, Math.ceil((recent[0]! + WINDOW_MS - t) / 1000))
      this.calls.set(credentialId, recent)
      throw new CredctlError('USAGE', `rate limit: at most ${this.perMinute} calls a minute on one credential; try again in ${wait} s`)
    }
    recent.push(t)
    this.calls.set(credentialId, recent)
  }

  private async acquire(): Promise<void> {
    if (this.running >= this.inFlight) await new Promise<void>((resolve) => this.waiting.push(resolve))
    else this.running++
  }

  private release(): void {
    const next = this.waiting.shift()
    // The slot passes straight to the next waiter (running stays the same), or is freed.
    if (next) next()
    else this.running--
  }

  /** Run `fn` when one of the IN_FLIGHT slots is free. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire()
    try {
      return await fn()
    } finally {
      this.release()
    }
  }

  /**
   * Inside run(): give the slot up while `fn` waits on the user (an approval), take one again after.
   * USAGE: CredctlError at once when APPROVALS_MAX approvals are already pending.
   */
  async aside<T>(fn: () => Promise<T>): Promise<T> {
    if (this.pending >= APPROVALS_MAX) throw new CredctlError('USAGE', `at most ${APPROVALS_MAX} approvals may wait for the user at once; try again when one is answered`)
    this.pending++
    this.release()
    try {
      return await fn()
    } finally {
      this.pending--
      await this.acquire()
    }
  }
}
