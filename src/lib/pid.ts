/**
 * Whether a process id is alive on this machine (signal 0 probes without sending anything). EPERM means
 * it exists but belongs to someone else: alive. Used to tell the leftovers of a dead credctl (temp files,
 * lock files, run directories) from those of a live one.
 */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}
