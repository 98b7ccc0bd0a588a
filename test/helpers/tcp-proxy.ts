import * as net from 'node:net'

/**
 * A TCP proxy on 127.0.0.1 in front of a real server (by default PostgreSQL on 5432), for the network's
 * failures a team vault must survive (issue 14: rotations cut mid-way, offline mode, the audited fetch cut
 * after the first rows): a test points a person's backend URL at `proxy.port` and breaks the path at will.
 * Bytes are forwarded as they come, with backpressure, never changed.
 */
export interface TcpProxy {
  /** The port to connect to (127.0.0.1). */
  port: number
  /** Connections open now. */
  readonly open: number
  /** Connections accepted since the proxy started. */
  readonly accepted: number
  /** Bytes delivered server → client since the proxy started. */
  readonly toClient: number
  /** Hold every byte in both directions (open and new connections) until restore(): a network that hangs. */
  stall(): void
  /** Destroy both sockets of every open connection at once (the client sees the connection reset/ended). New ones are still accepted. */
  cut(): void
  /**
   * Let `n` more bytes through server → client (counted over every connection from now), then destroy the
   * connection that carried the n-th byte: the client holds exactly those bytes. Resolves at the cut.
   * One shot; a later call replaces it.
   */
  cutAfterBytes(n: number): Promise<void>
  /** Stop listening: a new connection is refused (ECONNREFUSED) until restore(); open ones carry on. */
  refuse(): Promise<void>
  /** Undo stall() and refuse(): forward again, accept again on the same port. */
  restore(): Promise<void>
  /** Destroy every connection and stop listening. */
  close(): Promise<void>
}

interface Pair {
  client: net.Socket
  server: net.Socket
}

/** A proxy to `target` (default 127.0.0.1:5432), listening on a free port of 127.0.0.1. */
export async function tcpProxy(target: { host?: string; port?: number } = {}): Promise<TcpProxy> {
  const host = target.host ?? '127.0.0.1'
  const upstreamPort = target.port ?? 5432
  const pairs = new Set<Pair>()
  let stalled = false
  let accepted = 0
  let toClient = 0
  let trip: { left: number; done: () => void } | undefined

  const destroy = (p: Pair): void => {
    p.client.destroy()
    p.server.destroy()
    pairs.delete(p)
  }

  /** Forward `from` → `to` with backpressure; `onChunk` may shorten a chunk and say to cut after it. */
  const forward = (p: Pair, from: net.Socket, to: net.Socket, onChunk?: (b: Buffer) => { send: Buffer; cut: boolean }): void => {
    from.on('data', (chunk: Buffer) => {
      let send = chunk
      let cut = false
      if (onChunk) ({ send, cut } = onChunk(chunk))
      if (cut) {
        from.pause()
        to.write(send, () => destroy(p))
        return
      }
      if (!to.write(send)) from.pause()
    })
    to.on('drain', () => {
      if (!stalled && pairs.has(p)) from.resume()
    })
  }

  const onConnection = (client: net.Socket): void => {
    accepted++
    const server = net.connect({ host, port: upstreamPort })
    const p: Pair = { client, server }
    pairs.add(p)
    client.setNoDelay(true)
    server.setNoDelay(true)
    for (const s of [client, server]) {
      s.on('error', () => destroy(p))
      s.on('close', () => destroy(p))
    }
    if (stalled) {
      client.pause()
      server.pause()
    }
    forward(p, client, server)
    forward(p, server, client, (chunk) => {
      if (!trip) {
        toClient += chunk.length
        return { send: chunk, cut: false }
      }
      if (chunk.length < trip.left) {
        trip.left -= chunk.length
        toClient += chunk.length
        return { send: chunk, cut: false }
      }
      const send = chunk.subarray(0, trip.left)
      toClient += send.length
      const done = trip.done
      trip = undefined
      setImmediate(done)
      return { send, cut: true }
    })
  }

  let listener = net.createServer(onConnection)
  const listen = (port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      listener.once('error', reject)
      listener.listen(port, '127.0.0.1', () => {
        listener.off('error', reject)
        resolve((listener.address() as net.AddressInfo).port)
      })
    })
  const stopListening = (): Promise<void> =>
    new Promise((resolve) => {
      if (!listener.listening) return resolve()
      listener.close(() => resolve())
    })
  const port = await listen(0)

  return {
    port,
    get open() {
      return pairs.size
    },
    get accepted() {
      return accepted
    },
    get toClient() {
      return toClient
    },
    stall() {
      stalled = true
      for (const p of pairs) {
        p.client.pause()
        p.server.pause()
      }
    },
    cut() {
      for (const p of [...pairs]) destroy(p)
    },
    cutAfterBytes(n) {
      if (!Number.isSafeInteger(n) || n < 0) throw new Error(`cutAfterBytes: ${n} is not a byte count`)
      return new Promise<void>((resolve) => {
        trip = { left: n, done: resolve }
      })
    },
    async refuse() {
      // close() waits for open connections to end; the listening socket itself closes at once.
      listener.close()
      listener = net.createServer(onConnection)
    },
    async restore() {
      stalled = false
      for (const p of pairs) {
        p.client.resume()
        p.server.resume()
      }
      if (!listener.listening) await listen(port)
    },
    async close() {
      for (const p of [...pairs]) destroy(p)
      await stopListening()
    },
  }
}
