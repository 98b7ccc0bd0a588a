import { promises as fsp } from 'node:fs'
import { CredctlError } from '../errors.js'
import { MAX_VALUE_BYTES } from '../credentials/input.js'
import type { Factory } from './factory.js'

export interface ValueFlags {
  valueStdin?: boolean
  valueFile?: string
  value?: string
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const c of stream as AsyncIterable<Buffer | string>) {
    const b = typeof c === 'string' ? Buffer.from(c) : c
    size += b.length
    // Stop reading early: a runaway pipe must not fill memory before the size check.
    if (size > MAX_VALUE_BYTES + 2) throw new CredctlError('INVALID_INPUT', `value too large: at most ${MAX_VALUE_BYTES} bytes (64 KiB)`)
    chunks.push(b)
  }
  return Buffer.concat(chunks).toString('utf8')
}

/**
 * Where a secret comes from, in order: --value-stdin, --value-file, --value (with a warning), a hidden
 * prompt on a TTY. Without any of them and no TTY it is an error naming the flags: never a hang.
 * Returns undefined when `optional` and nothing was given (update without a new value).
 */
export async function readValue(f: Pick<Factory, 'io' | 'prompter' | 'warn'>, flags: ValueFlags, opts: { optional?: boolean; prompt?: string } = {}): Promise<string | undefined> {
  const given = [flags.valueStdin, flags.valueFile !== undefined, flags.value !== undefined].filter(Boolean).length
  if (given > 1) throw new CredctlError('USAGE', 'use only one of --value-stdin, --value-file and --value')
  if (flags.valueStdin) return readAll(f.io.stdin)
  if (flags.valueFile !== undefined) {
    try {
      const st = await fsp.stat(flags.valueFile)
      if (st.size > MAX_VALUE_BYTES + 2) throw new CredctlError('INVALID_INPUT', `value too large: ${flags.valueFile} is over 64 KiB`)
      return await fsp.readFile(flags.valueFile, 'utf8')
    } catch (e) {
      if (e instanceof CredctlError) throw e
      throw new CredctlError('INVALID_INPUT', `cannot read --value-file ${flags.valueFile}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`)
    }
  }
  if (flags.value !== undefined) {
    f.warn('warning: --value puts the secret in argv, visible to other processes (ps) and in shell history; prefer --value-stdin or --value-file')
    return flags.value
  }
  if (opts.optional) return undefined
  if (!f.io.canPrompt) {
    throw new CredctlError('USAGE', 'a value is required: pass --value-stdin (pipe it in) or --value-file PATH (no terminal to prompt on)')
  }
  const p = await f.prompter()
  return p.password(opts.prompt ?? 'Value (hidden):', { validate: (v) => (v.trim() ? true : 'the value is empty') })
}
