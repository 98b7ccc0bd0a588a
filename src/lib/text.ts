/**
 * Text that crosses a trust boundary. Two functions, one rule each, used everywhere:
 *
 * - `remoteText(s, max)`: text that comes from outside (a provider's or driver's message, a schema
 *   comment, a bundle's header, a refreshed token's masked form) and is stored or printed. It becomes
 *   well-formed Unicode (lone surrogates -> U+FFFD), control and bidi characters are escaped, and it is
 *   cut to `max` UTF-16 units with a visible marker. The result is always accepted by the vault's
 *   record schema for a field of that `max` (src/vault/record-schema.ts).
 * - `terminalSafe(s)`: every line credctl itself writes to stdout or stderr. Escapes C0 and C1
 *   controls (ESC, OSC 52 clipboard writes, line erases, CR, ...) and bidi overrides (Trojan Source,
 *   CVE-2021-42574) so nothing credctl prints can move the cursor, rewrite a line or reorder text.
 *   Newlines are kept only where `multiline` says so (schema trees); tabs become one space.
 *
 * The escapes are `\xNN` and `\uNNNN`: visible, greppable, and themselves plain ASCII.
 */

/**
 * C0 (U+0000–U+001F), DEL, C1 (U+0080–U+009F) and the bidi formatting characters: embeddings and
 * overrides (U+202A–U+202E), isolates (U+2066–U+2069) and the invisible marks LRM, RLM, ALM.
 */
// eslint-disable-next-line no-control-regex
export const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g
// eslint-disable-next-line no-control-regex
const UNSAFE_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

/** True when `s` holds a character terminalSafe would escape. */
export function hasUnsafeChars(s: string): boolean {
  UNSAFE_CHARS.lastIndex = 0
  const hit = UNSAFE_CHARS.test(s)
  UNSAFE_CHARS.lastIndex = 0
  return hit
}

function escapeChar(c: string): string {
  if (c === '\t') return ' '
  const n = c.charCodeAt(0)
  return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`
}

/** No lone surrogate (String.prototype.isWellFormed, Node 20+; TypeScript's ES2022 lib lacks it). */
export function isWellFormed(s: string): boolean {
  return (s as string & { isWellFormed(): boolean }).isWellFormed()
}

/** Lone surrogates become U+FFFD (String.prototype.toWellFormed, Node 20+). */
export function wellFormed(s: string): string {
  return (s as string & { toWellFormed(): string }).toWellFormed()
}

/** Escape what may not reach a terminal. `multiline` keeps "\n" (and only "\n"). */
export function terminalSafe(s: string, opts: { multiline?: boolean } = {}): string {
  return wellFormed(String(s)).replace(opts.multiline ? UNSAFE_BUT_NEWLINE : UNSAFE_CHARS, escapeChar)
}

export const TRUNCATED = '…[truncated]'

/**
 * Normalise text from outside for storing or printing: well-formed, escaped (see terminalSafe, newlines
 * included), whitespace runs collapsed, at most `max` UTF-16 units including the marker. Never throws.
 */
export function remoteText(s: unknown, max: number): string {
  let out = terminalSafe(typeof s === 'string' ? s : String(s)).replace(/\s+/g, ' ').trim()
  if (out.length > max) {
    let cut = Math.max(0, max - TRUNCATED.length)
    // Do not split a surrogate pair (or an escape we just made) in half.
    const code = out.charCodeAt(cut - 1)
    if (code >= 0xd800 && code <= 0xdbff) cut--
    const esc = out.lastIndexOf('\\', cut - 1)
    if (esc >= 0 && cut - esc < 6 && /^\\(x[0-9a-f]{2}|u[0-9a-f]{4})/.test(out.slice(esc, esc + 6)) && esc + (out[esc + 1] === 'x' ? 4 : 6) > cut) cut = esc
    out = out.slice(0, cut) + TRUNCATED
  }
  return out
}
