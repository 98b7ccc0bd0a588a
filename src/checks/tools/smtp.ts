import { isLoopback } from '../../lib/url-safety.js'
import { parseUri } from '../../lib/value-parts.js'
import type { CheckContext, CheckInput, CheckResult, CheckStatus } from '../types.js'
import { hostKey } from '../target.js'

/**
 * An SMTP URL (smtp://user:pass@host:587 or smtps://...:465): connect, STARTTLS where offered, AUTH, QUIT,
 * which is what nodemailer's verify() does. Nodemailer loads only when an smtp credential is checked.
 *
 * The URL is parsed here rather than handed to nodemailer, because nodemailer turns every query parameter
 * into a transport option, and `?logger=true&debug=true` would print the SMTP transcript, AUTH line and all.
 * Only two parameters are honoured: requireTLS and tls.rejectUnauthorized (self-signed internal relays).
 */

/** nodemailer error code -> status; EAUTH is decided by the SMTP reply code below. */
const BY_CODE: Record<string, CheckStatus> = {
  ETIMEDOUT: 'timeout',
  ECONNECTION: 'unreachable',
  ESOCKET: 'unreachable',
  EDNS: 'unreachable',
  ETLS: 'unreachable',
  ECONNREFUSED: 'unreachable',
  ENOTFOUND: 'unreachable',
}

export function transportOptions(value: string, timeoutMs: number) {
  const u = parseUri(value.trim())
  const q = u.searchParams
  const flag = (k: string) => (q.has(k) ? q.get(k) !== 'false' && q.get(k) !== '0' : undefined)
  const auth = u.username || u.password ? { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } : undefined
  return {
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: u.port ? Number(u.port) : u.protocol === 'smtps:' ? 465 : 587,
    secure: u.protocol === 'smtps:',
    // Off loopback, refuse to send the password in clear: an attacker who strips the STARTTLS offer
    // would otherwise read it. `?requireTLS=false` opts out for a trusted plain-text relay.
    requireTLS: flag('requireTLS') ?? !isLoopback(u.hostname),
    tls: { rejectUnauthorized: flag('tls.rejectUnauthorized') ?? true },
    ...(auth ? { auth, forceAuth: true } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
    logger: false,
    debug: false,
  }
}

export async function validate(input: CheckInput, ctx: CheckContext): Promise<CheckResult> {
  const opts = transportOptions(input.value, ctx.timeoutMs)
  const where = `${opts.host}:${opts.port}`
  const { createTransport } = await import('nodemailer')
  const transport = createTransport(opts)
  // verify() takes no signal: closing the transport on abort ends the connection; the SDK sees the
  // aborted signal and reports a timeout.
  const onAbort = () => transport.close()
  ctx.signal.addEventListener('abort', onAbort, { once: true })
  try {
    await Promise.race([
      transport.verify(),
      new Promise<never>((_, reject) => {
        const abort = () => reject(Object.assign(new Error(`no answer from ${where}`), { name: 'AbortError' }))
        if (ctx.signal.aborted) abort()
        else ctx.signal.addEventListener('abort', abort, { once: true })
      }),
    ])
  } catch (e) {
    if (ctx.signal.aborted) throw e
    const err = e as { code?: string; responseCode?: number; message?: string }
    if (err.code === 'EAUTH') {
      // 535 is "authentication credentials invalid"; 534/538/530/454, the 50x family and a missing reply
      // code say AUTH could not happen here (mechanism, TLS first, temporary), not that the password is wrong.
      const refused = err.responseCode === 535
      return { status: refused ? 'invalid' : 'error', message: `${refused ? 'login refused' : 'login not possible'} by ${where}${err.responseCode ? ` (SMTP ${err.responseCode})` : ''}` }
    }
    const status = BY_CODE[err.code ?? ''] ?? 'error'
    return { status, message: `${status === 'timeout' ? 'no answer from' : status === 'unreachable' ? 'could not reach' : 'SMTP error from'} ${where}: ${err.message ?? String(e)}` }
  } finally {
    ctx.signal.removeEventListener('abort', onAbort)
    transport.close()
  }
  return { status: 'valid', message: opts.auth ? `login accepted by ${where}` : `connected to ${where} (the URL has no user or password, so no login was tried)` }
}

/** Where the check goes (per-host cap, target.ts): the relay's host and port. */
export function target(input: CheckInput): string | undefined {
  const o = transportOptions(input.value, 0)
  return hostKey(o.host, o.port)
}
