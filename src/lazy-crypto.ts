import { createRequire } from 'node:module'

type Crypto = typeof import('node:crypto')
let mod: Crypto | undefined

/**
 * node:crypto, loaded on first use. Initialising it costs a few milliseconds at startup, which the
 * commands that never decrypt or write (list, get, types, schema, completion) should not pay; loading
 * it synchronously keeps the cipher API synchronous.
 */
export function crypto(): Crypto {
  return (mod ??= createRequire(import.meta.url)('node:crypto') as Crypto)
}
