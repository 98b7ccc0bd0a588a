/**
 * Bytes to text, or nothing: a value is stored byte for byte or refused, never "repaired". Buffer's
 * toString('utf8') replaces every invalid sequence with U+FFFD, so a key read from a Latin-1 file or a
 * binary blob would be stored changed, and `reveal` would give back other bytes than went in.
 */
const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/** The decoded text, or the 0-based offset of the first byte that is not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): { text: string } | { invalidAt: number } {
  try {
    return { text: strict.decode(bytes) }
  } catch {
    return { invalidAt: firstInvalid(bytes) }
  }
}

/** Where decoding fails: the start of the first ill-formed sequence (RFC 3629 table 3-7 ranges). */
function firstInvalid(b: Uint8Array): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i]!
    const n = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1
    if (n < 0) return i
    // The second byte's range excludes overlongs (E0, F0), surrogates (ED) and code points past U+10FFFF (F4).
    const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80
    const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf
    for (let k = 1; k <= n; k++) {
      const x = b[i + k]
      if (x === undefined || x < (k === 1 ? lo : 0x80) || x > (k === 1 ? hi : 0xbf)) return i
    }
    i += n + 1
  }
  return b.length
}
