import type { Factory } from '../factory.js'
import type { Output } from '../output.js'

/** The raw value and nothing else (no newline added), for pipes. On a terminal, a warning on stderr. */
export async function run(f: Factory, name: string): Promise<Output> {
  const value = await (await f.client()).credentials.reveal(name)
  if (f.io.isStdoutTTY) f.warn('warning: printing a secret to the terminal (it may stay in scrollback); pipe it instead')
  // Exempt from escaping: the value is the user's own data, and `credctl reveal X | tool` must get it
  // byte for byte. The warning above is the protection on a terminal.
  return { exempt: { text: f.io.isStdoutTTY ? `${value}\n` : value, why: 'reveal: the raw value, for pipes' } }
}
