import { CredctlError } from '../errors.js'
import type { ValueKind } from './catalogue.js'

/**
 * Keys travel in HTTP headers (`Authorization: Bearer ...`, `x-api-key: ...`), and a header value is a
 * ByteString: a key holding a look-alike (Cyrillic `а` for Latin `a`), an invisible character (U+200B
 * from a chat or a PDF) or a smart quote is accepted by nothing. Stored as is it fails much later, inside
 * the HTTP client, with "Cannot convert argument to a ByteString". Refused here, at input, naming the
 * position and the character (never the key): keys are printable ASCII, 0x21-0x7E.
 *
 * Applies to every header-borne key: the api_key kind (LLM, speech, image and video providers,
 * tools/api_key) and an oauth access token (bare, or the access_token of a JSON value). ASCII
 * whitespace is left to the kind's own check ("a key without whitespace").
 */
const NAMES: Record<number, string> = {
  0x00a0: 'NO-BREAK SPACE', 0x00ad: 'SOFT HYPHEN', 0x2002: 'EN SPACE', 0x2003: 'EM SPACE', 0x2009: 'THIN SPACE',
  0x200b: 'ZERO WIDTH SPACE', 0x200c: 'ZERO WIDTH NON-JOINER', 0x200d: 'ZERO WIDTH JOINER', 0x2060: 'WORD JOINER',
  0xfeff: 'ZERO WIDTH NO-BREAK SPACE (BOM)', 0x202f: 'NARROW NO-BREAK SPACE', 0x2028: 'LINE SEPARATOR', 0x2029: 'PARAGRAPH SEPARATOR',
  0x2010: 'HYPHEN', 0x2011: 'NON-BREAKING HYPHEN', 0x2013: 'EN DASH', 0x2014: 'EM DASH', 0x2212: 'MINUS SIGN',
  0x2018: 'LEFT SINGLE QUOTATION MARK', 0x2019: 'RIGHT SINGLE QUOTATION MARK', 0x201c: 'LEFT DOUBLE QUOTATION MARK',
  0x201d: 'RIGHT DOUBLE QUOTATION MARK', 0x2026: 'HORIZONTAL ELLIPSIS', 0xff3f: 'FULLWIDTH LOW LINE', 0xfffd: 'REPLACEMENT CHARACTER',
  0x0430: 'CYRILLIC SMALL LETTER A', 0x0435: 'CYRILLIC SMALL LETTER IE', 0x043e: 'CYRILLIC SMALL LETTER O',
  0x0440: 'CYRILLIC SMALL LETTER ER', 0x0441: 'CYRILLIC SMALL LETTER ES', 0x0445: 'CYRILLIC SMALL LETTER HA',
  0x0443: 'CYRILLIC SMALL LETTER U', 0x0410: 'CYRILLIC CAPITAL LETTER A', 0x0415: 'CYRILLIC CAPITAL LETTER IE',
  0x041e: 'CYRILLIC CAPITAL LETTER O', 0x0420: 'CYRILLIC CAPITAL LETTER ER', 0x0421: 'CYRILLIC CAPITAL LETTER ES',
  0x03bf: 'GREEK SMALL LETTER OMICRON', 0x039f: 'GREEK CAPITAL LETTER OMICRON', 0x03b1: 'GREEK SMALL LETTER ALPHA',
  0x0391: 'GREEK CAPITAL LETTER ALPHA', 0x0131: 'LATIN SMALL LETTER DOTLESS I',
}

/** What a character is, for the message: its name when it is a usual suspect, else its kind. */
function describe(ch: string): string {
  const cp = ch.codePointAt(0)!
  const u = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`
  if (NAMES[cp]) return `${u} ${NAMES[cp]}`
  const kind = /\p{Cf}/u.test(ch)
    ? 'an invisible formatting character'
    : /\p{Cc}/u.test(ch)
      ? 'a control character'
      : /\p{Z}/u.test(ch)
        ? 'a space'
        : /\p{Script=Cyrillic}/u.test(ch)
          ? 'a Cyrillic letter'
          : /\p{Script=Greek}/u.test(ch)
            ? 'a Greek letter'
            : /\p{L}/u.test(ch)
              ? 'a letter outside ASCII'
              : /\p{Cs}/u.test(ch)
                ? 'half of a broken character pair'
                : 'a character outside ASCII'
  return `${u} (${kind})`
}

/** Position (1-based, in characters) and description of the first character no key can hold. */
export function keyCharProblem(key: string): string | undefined {
  let i = 0
  for (const ch of key) {
    i++
    const cp = ch.codePointAt(0)!
    if ((cp >= 0x21 && cp <= 0x7e) || ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') continue
    return `character ${i} is ${describe(ch)}, not ASCII`
  }
  return undefined
}

/** Refuse a header-borne key that holds a character outside printable ASCII (see above). */
export function checkKeyChars(kind: ValueKind, value: string, label: string): void {
  let key: string | undefined
  let where = ''
  if (kind === 'api_key') key = value
  else if (kind === 'oauth') {
    if (!value.startsWith('{')) key = value
    else {
      try {
        const t = (JSON.parse(value) as { access_token?: unknown }).access_token
        if (typeof t === 'string') [key, where] = [t, ' of access_token']
      } catch {
        /* not JSON: the kind's own check says so */
      }
    }
  }
  const why = key === undefined ? undefined : keyCharProblem(key)
  if (why) {
    throw new CredctlError('INVALID_INPUT', `invalid value for type ${label}: ${why.replace(/^character (\d+)/, `character $1${where}`)}: keys are ASCII; retype it`, {
      hint: 'a look-alike or invisible character often comes from copying out of a document, chat or PDF',
    })
  }
}
