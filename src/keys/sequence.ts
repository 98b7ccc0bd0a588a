import { CredctlError } from '../errors.js'
import type { SequenceKeeper } from './types.js'

/**
 * The one text form of a kept sequence number (keychain entry value, `<key file>.<vault id>.sequence`): decimal
 * digits, nothing else. Anything else reads as "nothing kept" rather than failing: a damaged keeper must
 * not lock the user out of a vault whose key is fine (the vault's own head MAC still protects it).
 */
export function parseSequence(text: string | null | undefined): number | undefined {
  const t = text?.trim()
  if (!t || !/^\d{1,16}$/.test(t)) return undefined
  const n = Number(t)
  return Number.isSafeInteger(n) ? n : undefined
}

/** The stored text of `n`; throws INVALID_INPUT for anything but a non-negative safe integer (a caller bug). */
export function formatSequence(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new CredctlError('INVALID_INPUT', `a vault sequence number must be a whole number from 0 to 2^53 - 1, not ${String(n)}`)
  return String(n)
}

/**
 * A SequenceKeeper over a place that stores one text (a keychain entry, a file): the one rule for every
 * source that keeps a sequence. `readText` gives the stored text (undefined or null when there is none)
 * and throws a CredctlError naming the place when it cannot be read; `writeText` replaces it. raise() is
 * read-compare-write and never lowers; it runs outside the vault lock, so two racing raises may keep the
 * lower of two numbers (a weaker check, never a refused good vault).
 */
export function textKeeper(where: string, readText: () => Promise<string | null | undefined>, writeText: (text: string) => Promise<void>): SequenceKeeper {
  const read = async () => parseSequence(await readText())
  return {
    where,
    read,
    raise: async (n) => {
      const text = formatSequence(n)
      const kept = await read()
      if (kept !== undefined && kept >= n) return
      await writeText(text)
    },
  }
}
