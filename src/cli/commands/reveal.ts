import type { Factory } from '../factory.js'
import type { Output } from '../output.js'

/** The raw value and nothing else (no newline added), for pipes. On a terminal, a warning on stderr. */
export async function run(f: Factory, name: string): Promise<Output> {
  const value = await (await f.client()).credentials.reveal(name)
  if (f.io.isStdoutTTY) f.warn('warning: printing a secret to the terminal (it may stay in scrollback); pipe it instead')
  return { text: f.io.isStdoutTTY ? `${value}\n` : value }
}
