/**
 * Run tasks with two caps at once: at most `limit` in flight in all, and at most `perKey` in flight that
 * share a key (validation: the host a check contacts, so one provider is not hammered while others
 * wait; issue 13, point 7). A task whose key is `undefined` has a key of its own (only `limit` applies).
 *
 * Order: a free slot goes to the earliest task in input order whose key has room, so tasks start in
 * input order as far as the caps allow, and a saturated key never holds back the tasks behind it.
 * Results come back in input order, whatever order the tasks finish in.
 *
 * Failure: the first task that rejects stops the start of any further task, and the returned promise
 * rejects with its error at once (as `Promise.all` does); tasks already running are left to finish and
 * their results are dropped.
 *
 * Cost: O(n log k) for n tasks over k keys (a heap of the keys that have room, by their first waiting
 * task), so 10,000 credentials on one host do not rescan the queue at each start.
 */
export interface Limits {
  /** Tasks in flight at most, in all: a whole number >= 1. */
  limit: number
  /** Tasks in flight at most per key: a whole number >= 1. */
  perKey: number
}

export interface Task<R> {
  /** What the per-key cap counts by; undefined: a key of its own. */
  key: string | undefined
  run: () => Promise<R>
}

/** Throws a RangeError (a programmer error: callers check user input first) unless both caps are whole numbers >= 1. */
export function runLimited<R>(tasks: readonly Task<R>[], limits: Limits): Promise<R[]> {
  for (const [name, n] of Object.entries(limits)) {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`runLimited: ${name} must be a whole number >= 1, got ${String(n)}`)
  }
  const results = new Array<R>(tasks.length)
  if (tasks.length === 0) return Promise.resolve(results)
  // Per key: the indices still waiting (a FIFO with a read position) and how many are in flight.
  const queues = new Map<string | number, { waiting: number[]; head: number; inFlight: number }>()
  const keyOf = (i: number) => tasks[i]!.key ?? i
  tasks.forEach((t, i) => {
    const k = keyOf(i)
    const q = queues.get(k)
    if (q) q.waiting.push(i)
    else queues.set(k, { waiting: [i], head: 0, inFlight: 0 })
  })
  // Min-heap of keys with room and a waiting task, ordered by that task's index; a key is in it at most once.
  const heap: (string | number)[] = []
  const first = (k: string | number) => {
    const q = queues.get(k)!
    return q.waiting[q.head]!
  }
  const push = (k: string | number) => {
    heap.push(k)
    for (let i = heap.length - 1; i > 0; ) {
      const p = (i - 1) >> 1
      if (first(heap[p]!) <= first(heap[i]!)) break
      ;[heap[p], heap[i]] = [heap[i]!, heap[p]!]
      i = p
    }
  }
  const pop = (): string | number => {
    const top = heap[0]!
    const last = heap.pop()!
    if (heap.length) {
      heap[0] = last
      for (let i = 0; ; ) {
        const l = 2 * i + 1
        const r = l + 1
        let m = i
        if (l < heap.length && first(heap[l]!) < first(heap[m]!)) m = l
        if (r < heap.length && first(heap[r]!) < first(heap[m]!)) m = r
        if (m === i) break
        ;[heap[m], heap[i]] = [heap[i]!, heap[m]!]
        i = m
      }
    }
    return top
  }
  for (const k of queues.keys()) push(k)

  return new Promise<R[]>((resolve, reject) => {
    let inFlight = 0
    let finished = 0
    let failed = false
    const fill = () => {
      while (!failed && inFlight < limits.limit && heap.length) {
        const k = pop()
        const q = queues.get(k)!
        const i = q.waiting[q.head++]!
        q.inFlight++
        inFlight++
        if (q.inFlight < limits.perKey && q.head < q.waiting.length) push(k)
        let p: Promise<R>
        try {
          p = tasks[i]!.run()
        } catch (e) {
          p = Promise.reject(e)
        }
        p.then(
          (v) => {
            results[i] = v
            inFlight--
            // The key had no room (or nothing waiting) while this ran: it may have room now.
            const hadRoom = q.inFlight < limits.perKey
            q.inFlight--
            if (!hadRoom && q.head < q.waiting.length) push(k)
            if (++finished === tasks.length) resolve(results)
            else fill()
          },
          (e: unknown) => {
            if (failed) return
            failed = true
            reject(e)
          },
        )
      }
    }
    fill()
  })
}
