import { CredctlError } from '../../errors.js'
import type { Factory } from '../factory.js'
import type { Output } from '../output.js'

export interface RevealOptions {
  /** Put the value on the system clipboard instead of stdout (clipboard.ts). */
  copy?: boolean
  /** With --copy: seconds before the clipboard is cleared, 0 to 86400; 0 = never (default 45, as pass). */
  clearAfter?: string
}

/** pass's PASSWORD_STORE_CLIP_TIME default and gopass's cliptimeout default. */
export const DEFAULT_CLEAR_AFTER = 45

/**
 * The raw value and nothing else (no newline added), for pipes. On a terminal, a warning on stderr.
 * With --copy: the value goes to the clipboard, stdout stays empty, and one line on stderr says when it
 * is cleared. The history entry is written before the value goes anywhere (detail "clipboard" for --copy).
 */
export async function run(f: Factory, name: string, o: RevealOptions = {}): Promise<Output> {
  if (o.clearAfter !== undefined && !o.copy) throw new CredctlError('USAGE', '--clear-after goes with --copy', { hint: `credctl reveal NAME --copy --clear-after ${o.clearAfter}` })
  if (o.copy) return copy(f, name, o.clearAfter)
  const value = await (await f.client()).credentials.reveal(name)
  if (f.io.isStdoutTTY) f.warn('warning: printing a secret to the terminal (it may stay in scrollback); pipe it instead')
  // Exempt from escaping: the value is the user's own data, and `credctl reveal X | tool` must get it
  // byte for byte. The warning above is the protection on a terminal.
  return { exempt: { text: f.io.isStdoutTTY ? `${value}\n` : value, why: 'reveal: the raw value, for pipes' } }
}

async function copy(f: Factory, name: string, clearAfter: string | undefined): Promise<Output> {
  const clip = await import('../clipboard.js')
  const seconds = clearAfter === undefined ? DEFAULT_CLEAR_AFTER : clip.parseClearAfter(clearAfter)
  // The tool first: without a clipboard nothing is decrypted and nothing is recorded.
  const tool = await clip.findClipboardTool(f.env)
  const { credential, value } = await (await f.client()).credentials.revealWith(name, { detail: 'clipboard' })
  await clip.copyToClipboard(tool, value, f.env)
  if (seconds > 0) await clip.startClearer(tool, seconds, value, f.env)
  return { notes: [`copied ${credential.name} to the clipboard; ${seconds > 0 ? `clears in ${seconds} s` : 'not cleared (--clear-after 0)'}`] }
}

/** The hidden `__clipboard-clear --tool T --after S` (started by `reveal --copy`): the hash on stdin. */
export async function runClear(f: Factory, o: { tool?: string; after?: string }): Promise<Output> {
  const { runClearer } = await import('../clipboard.js')
  const r = await runClearer(o.tool ?? '', o.after ?? '', f.io.stdin, f.env)
  return { exitCode: r === 'invalid' ? 2 : 0 }
}
