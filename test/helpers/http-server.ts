import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A real HTTP server on 127.0.0.1 (port 0) standing in for a provider: it records every request and,
 * given an expected shape, checks it (method, path, exact query, headers by case-insensitive name with
 * exact values, no body unless expected). A request of the wrong shape is answered 418 and listed in
 * `mismatches`, so a test fails on the shape, not on a confusing verdict. Mismatch texts never quote a
 * header value: those carry the secret.
 */
export interface RecordedRequest {
  method: string
  path: string
  query: Record<string, string>
  /** Lower-cased names. */
  headers: Record<string, string>
  body: string
}

export interface ExpectedShape {
  method: string
  path: string
  /** The exact query (no other parameter allowed); default none. */
  query?: Record<string, string>
  /** Names in any case; values exact. */
  headers?: Record<string, string>
  /** The exact body; default: none (empty). */
  body?: string | ((body: string) => boolean)
}

export type Reply =
  /** stall: send the headers and part of the body, then nothing more (a body that never ends). */
  | { status: number; body?: unknown; headers?: Record<string, string>; delayMs?: number; stall?: boolean }
  /** Never answer: keeps the connection open until close(). */
  | 'hang'

export type Responder = Reply | ((req: RecordedRequest) => Reply)

export interface TestServer {
  /** http://127.0.0.1:PORT (no trailing slash). */
  url: string
  port: number
  requests: RecordedRequest[]
  mismatches: string[]
  /** Change the answer (and optionally the expected shape) for the next requests. */
  reply(r: Responder, expect?: ExpectedShape | null): void
  /** The most requests this server held unanswered at one time (since the last reset). */
  readonly maxInFlight: number
  /** Forget recorded requests, mismatches and maxInFlight. */
  reset(): void
  close(): Promise<void>
}

/** What differs between a request and a shape ([] when it matches). */
export function shapeMismatches(req: RecordedRequest, want: ExpectedShape): string[] {
  const out: string[] = []
  if (req.method !== want.method) out.push(`method: expected ${want.method}, got ${req.method}`)
  if (req.path !== want.path) out.push(`path: expected ${want.path}, got ${req.path}`)
  const wq = want.query ?? {}
  for (const k of new Set([...Object.keys(wq), ...Object.keys(req.query)])) {
    if (req.query[k] !== wq[k]) out.push(`query ${k}: expected ${JSON.stringify(wq[k])}, got ${JSON.stringify(req.query[k])}`)
  }
  for (const [name, value] of Object.entries(want.headers ?? {})) {
    const got = req.headers[name.toLowerCase()]
    if (got === undefined) out.push(`header ${name}: missing`)
    else if (got !== value) out.push(`header ${name}: wrong value (${got.length} chars, expected ${value.length})`)
  }
  if (typeof want.body === 'function') {
    if (!want.body(req.body)) out.push('body: not as expected')
  } else if (req.body !== (want.body ?? '')) out.push(`body: expected ${want.body === undefined ? 'none' : `${want.body.length} bytes`}, got ${req.body.length} bytes`)
  return out
}

function record(req: IncomingMessage, body: string): RecordedRequest {
  const u = new URL(req.url ?? '/', 'http://127.0.0.1')
  const headers: Record<string, string> = {}
  for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : (v ?? '')
  return { method: req.method ?? '', path: u.pathname, query: Object.fromEntries(u.searchParams), headers, body }
}

function send(res: ServerResponse, r: Exclude<Reply, 'hang'>): void {
  const text = r.body === undefined ? '' : typeof r.body === 'string' ? r.body : JSON.stringify(r.body)
  const type = typeof r.body === 'string' ? 'text/html; charset=utf-8' : 'application/json'
  res.writeHead(r.status, { 'content-type': type, ...(r.headers ?? {}) })
  if (r.stall) res.write(text.slice(0, Math.ceil(text.length / 2)))
  else res.end(text)
}

export async function startServer(responder: Responder = { status: 200, body: {} }, expect?: ExpectedShape): Promise<TestServer> {
  let current = responder
  let shape: ExpectedShape | null | undefined = expect
  const requests: RecordedRequest[] = []
  const mismatches: string[] = []
  const timers = new Set<NodeJS.Timeout>()
  let inFlight = 0
  let maxInFlight = 0
  const server = createServer((req, res) => {
    inFlight++
    maxInFlight = Math.max(maxInFlight, inFlight)
    res.on('close', () => inFlight--)
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const rec = record(req, Buffer.concat(chunks).toString('utf8'))
      requests.push(rec)
      const bad = shape ? shapeMismatches(rec, shape) : []
      if (bad.length) {
        mismatches.push(...bad)
        return send(res, { status: 418, body: { error: { message: `request shape: ${bad.join('; ')}` } } })
      }
      const r = typeof current === 'function' ? current(rec) : current
      if (r === 'hang') return
      if (r.delayMs) {
        const t = setTimeout(() => {
          timers.delete(t)
          send(res, r)
        }, r.delayMs)
        timers.add(t)
      } else send(res, r)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    mismatches,
    get maxInFlight() {
      return maxInFlight
    },
    reply(r, e) {
      current = r
      if (e !== undefined) shape = e
    },
    reset() {
      requests.length = 0
      mismatches.length = 0
      maxInFlight = 0
    },
    close() {
      for (const t of timers) clearTimeout(t)
      server.closeAllConnections()
      return new Promise((resolve) => server.close(() => resolve()))
    },
  }
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released): connecting to it is refused. */
export async function closedPort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
  const port = (s.address() as AddressInfo).port
  await new Promise((resolve) => s.close(resolve))
  return port
}
