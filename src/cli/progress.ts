import type { IOStreams } from './io.js'

/**
 * The one progress line of long work (issue 12: `validate --all`, `discover`, `import`, `rotate-key`;
 * team rotation later): "validating 37/100…" on stderr, rewritten in place and erased at the end. On a
 * terminal only: when stderr is not a TTY (CI logs, pipes, files) nothing is drawn at all, so logs hold
 * results, not a thousand carriage returns.
 *
 * The SDK reports progress through an optional `onProgress(done, total)` callback; commands pass
 * `p.update` as that callback and call `p.stop()` in a `finally`. The terminal writer (terminal.ts
 * `progress`) owns the carriage return and line erase, escapes the text and cuts it to the width.
 */
export interface Progress {
  /** `done` of `total` finished; without `total`, the work has no count yet ("discovering…"). */
  update(done?: number, total?: number): void
  /** Erase the line (idempotent). */
  stop(): void
}

const NONE: Progress = { update: () => {}, stop: () => {} }
/** Redraws closer together than this are skipped (a 10,000-value rotation would write 10,000 lines). */
const MIN_INTERVAL_MS = 80

/**
 * `label`: what is happening ("validating"). `detail`: re-read at each draw and once a second, for text
 * that changes on its own (the slowest running check and its time).
 */
export function startProgress(io: Pick<IOStreams, 'isStderrTTY' | 'term'>, label: string, opts: { detail?: () => string; now?: () => number } = {}): Progress {
  if (!io.isStderrTTY) return NONE
  const now = opts.now ?? Date.now
  let count: [number, number] | undefined
  let started = false
  let stopped = false
  let last = -Infinity
  const draw = () => {
    if (stopped || !started) return
    last = now()
    const detail = opts.detail?.() ?? ''
    io.term.progress(`${label}${count ? ` ${count[0]}/${count[1]}` : ''}…${detail ? ` ${detail}` : ''}`)
  }
  const timer = setInterval(draw, 1000)
  timer.unref()
  return {
    update(done, total) {
      started = true
      if (done !== undefined && total !== undefined) count = [done, total]
      // The first and the last state are always drawn; in between at most every MIN_INTERVAL_MS.
      if (now() - last >= MIN_INTERVAL_MS || (count && count[0] === count[1])) draw()
    },
    stop() {
      clearInterval(timer)
      if (started && !stopped) io.term.progress(null)
      stopped = true
    },
  }
}
