/**
 * How wide text is on a terminal, in cells, and how to cut it to a width. Tables (src/cli/render.ts) and
 * the progress line measure with this, nothing else.
 *
 * Why not a library: the only width library installed is string-width 4 (a transitive dependency of
 * cli-table3, from 2021, with an emoji table of that year); credctl lays out tables itself (render.ts),
 * so the measure must be one credctl owns and tests. The rule is the one terminals and wcwidth use:
 * - text is measured per grapheme cluster (Intl.Segmenter: a base letter with its combining marks, an
 *   emoji ZWJ sequence, a flag) so a cluster is never split;
 * - a cluster is 2 cells when it is an emoji shown as an emoji (Emoji_Presentation, or any
 *   pictographic with U+FE0F, a ZWJ sequence or a skin tone, or a regional-indicator flag) or when its
 *   first code point is East Asian Wide or Fullwidth (UAX #11: CJK, Hangul, kana, fullwidth forms);
 * - a cluster that is only zero-width code points (combining marks Mn/Me, format characters Cf such as
 *   U+200B, variation selectors) is 0 cells; everything else is 1.
 * Ambiguous-width characters (UAX #11 "A", e.g. "…", "é") count 1, as in every non-CJK locale.
 *
 * Input is expected to be terminal-safe already (src/lib/text.ts terminalSafe: no controls, no escape
 * sequences); the escapes terminalSafe writes (`\x1b`, `\u202e`) are plain ASCII and never cut in half.
 */

/**
 * East Asian Wide (W) and Fullwidth (F) ranges of Unicode 15 (EastAsianWidth.txt), merged; the
 * pictographic ranges are covered by the emoji rule instead.
 */
const WIDE: readonly [number, number][] = [
  [0x1100, 0x115f], [0x231a, 0x231b], [0x2329, 0x232a], [0x23e9, 0x23ec], [0x23f0, 0x23f0], [0x23f3, 0x23f3],
  [0x25fd, 0x25fe], [0x2614, 0x2615], [0x2648, 0x2653], [0x267f, 0x267f], [0x2693, 0x2693], [0x26a1, 0x26a1],
  [0x26aa, 0x26ab], [0x26bd, 0x26be], [0x26c4, 0x26c5], [0x26ce, 0x26ce], [0x26d4, 0x26d4], [0x26ea, 0x26ea],
  [0x26f2, 0x26f3], [0x26f5, 0x26f5], [0x26fa, 0x26fa], [0x26fd, 0x26fd], [0x2705, 0x2705], [0x270a, 0x270b],
  [0x2728, 0x2728], [0x274c, 0x274c], [0x274e, 0x274e], [0x2753, 0x2755], [0x2757, 0x2757], [0x2795, 0x2797],
  [0x27b0, 0x27b0], [0x27bf, 0x27bf], [0x2b1b, 0x2b1c], [0x2b50, 0x2b50], [0x2b55, 0x2b55], [0x2e80, 0x303e],
  [0x3041, 0x33ff], [0x3400, 0x4dbf], [0x4e00, 0x9fff], [0xa000, 0xa4cf], [0xa960, 0xa97f], [0xac00, 0xd7a3],
  [0xf900, 0xfaff], [0xfe10, 0xfe19], [0xfe30, 0xfe6f], [0xff00, 0xff60], [0xffe0, 0xffe6], [0x16fe0, 0x16fe4],
  [0x16ff0, 0x16ff1], [0x17000, 0x187f7], [0x18800, 0x18cd5], [0x18d00, 0x18d08], [0x1aff0, 0x1b2ff],
  [0x1f004, 0x1f004], [0x1f0cf, 0x1f0cf], [0x1f18e, 0x1f18e], [0x1f191, 0x1f19a], [0x1f200, 0x1f202],
  [0x1f210, 0x1f23b], [0x1f240, 0x1f248], [0x1f250, 0x1f251], [0x1f260, 0x1f265], [0x1f300, 0x1f64f],
  [0x1f680, 0x1f6ff], [0x1f7e0, 0x1f7eb], [0x1f90c, 0x1f9ff], [0x1fa70, 0x1faff], [0x20000, 0x2fffd], [0x30000, 0x3fffd],
]

function isWide(cp: number): boolean {
  if (cp < 0x1100) return false
  let lo = 0
  let hi = WIDE.length - 1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    const [a, b] = WIDE[mid]!
    if (cp < a) hi = mid - 1
    else if (cp > b) lo = mid + 1
    else return true
  }
  return false
}

const ZERO_WIDTH = /^[\p{Mn}\p{Me}\p{Cf}\u1160-\u11ff\ufe00-\ufe0f]+$/u
const EMOJI_WIDE = /\p{Emoji_Presentation}|\p{Extended_Pictographic}(\ufe0f|\u200d|[\u{1f3fb}-\u{1f3ff}])|[\u{1f1e6}-\u{1f1ff}]{2}/u
/** The escapes terminalSafe writes: one unit each, so a cut never leaves `\x1` behind. */
const ESCAPE = /\\x[0-9a-f]{2}|\\u[0-9a-f]{4}/gy

let segmenter: Intl.Segmenter | undefined

/** The width of one grapheme cluster, in cells: 0, 1 or 2. */
export function clusterWidth(g: string): number {
  if (g.length === 1) {
    const c = g.charCodeAt(0)
    if (c >= 0x20 && c < 0x7f) return 1 // ASCII, the common case
  }
  if (ZERO_WIDTH.test(g)) return 0
  if (EMOJI_WIDE.test(g)) return 2
  return isWide(g.codePointAt(0)!) ? 2 : 1
}

/** The units a cut may fall between: grapheme clusters, with each terminalSafe escape kept whole. */
export function units(s: string): string[] {
  segmenter ??= new Intl.Segmenter('en', { granularity: 'grapheme' })
  const out: string[] = []
  let i = 0
  for (const { segment, index } of segmenter.segment(s)) {
    if (index + segment.length <= i) continue // inside an escape already taken whole
    if (index < i) {
      // A cluster that began inside the escape (a combining mark after `\u202e`): its rest stands alone.
      out.push(s.slice(i, index + segment.length))
      i = index + segment.length
      continue
    }
    if (segment === '\\') {
      ESCAPE.lastIndex = index
      const m = ESCAPE.exec(s)
      if (m) {
        out.push(m[0])
        i = index + m[0].length
        continue
      }
    }
    out.push(segment)
    i = index + segment.length
  }
  return out
}

/** Width of `s` in terminal cells. */
export function textWidth(s: string): number {
  if (/^[\x20-\x7e]*$/.test(s)) return s.length
  let w = 0
  for (const u of units(s)) w += u.length > 1 && u[0] === '\\' ? u.length : clusterWidth(u)
  return w
}

export const ELLIPSIS = '…'

/**
 * `s` cut to at most `max` cells, ending in "…" when cut (the "…" counts 1). Never splits a grapheme
 * cluster, a surrogate pair or a terminalSafe escape; a wide character that would overhang is left out,
 * so the result may be one cell narrower than `max`. `max` < 1 gives "" (unless `s` is 0 cells wide).
 */
export function truncateText(s: string, max: number): string {
  if (textWidth(s) <= max) return s
  if (max < 1) return ''
  let out = ''
  let w = 0
  for (const u of units(s)) {
    const uw = u.length > 1 && u[0] === '\\' ? u.length : clusterWidth(u)
    if (w + uw > max - 1) break
    out += u
    w += uw
  }
  return out + ELLIPSIS
}
