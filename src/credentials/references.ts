/**
 * `credctl://NAME` references (issue 12): a stand-in for a credential's value in an env file
 * (`run --dotenv`), a template (`inject`) or a migrated .env (`import --template`).
 *
 * NAME is the credential's name or id, percent-encoded (RFC 3986 section 2.1), so `OpenAI Prod` is
 * `credctl://OpenAI%20Prod`. Where the reference sits inside quotes, a raw space is accepted too
 * (`allowSpaces`); no other raw character outside RFC 3986's unreserved set and the sub-delims is read
 * as part of a name, so `{{ credctl://x }}` ends at the blank before `}}`.
 *
 * The one writer is `formatReference`, the one reader `parseReference`; both sides of a template
 * round trip use them.
 */
export const SCHEME = 'credctl://'

/** `credctl:` in any letter case followed by a slash: what a reference looks like, typos included. */
const NEAR_MISS = /^credctl:\//i

/** The reference for a credential name or id: `credctl://` + its percent-encoding (encodeURIComponent). */
export function formatReference(name: string): string {
  return SCHEME + encodeURIComponent(name)
}

/**
 * The name a whole value refers to, or undefined when the value is not a reference at all.
 * Throws `Error` with a reason (for the caller to wrap with file and line) when the value starts with
 * the scheme but is not a well-formed reference: an empty name, a bad percent sequence, or characters a
 * reference cannot hold. A value that merely mentions the scheme later on is not a reference.
 */
export function parseReference(value: string, opts: { allowSpaces?: boolean } = {}): string | undefined {
  if (!value.startsWith(SCHEME)) {
    // A near miss (`credctl:/x`, `CREDCTL://x`) is a typo of a reference, not configuration: passed on
    // as text it would hand the program a wrong value with exit 0.
    if (NEAR_MISS.test(value)) throw new Error('this looks like a mistyped reference: write credctl://NAME (lower case, two slashes)')
    return undefined
  }
  const body = value.slice(SCHEME.length)
  if (body === '') throw new Error('the reference names no credential')
  const allowed = opts.allowSpaces ? /^[A-Za-z0-9\-._~!$&'()*+,;=:@%/ ]+$/ : /^[A-Za-z0-9\-._~!$&'()*+,;=:@%/]+$/
  if (!allowed.test(body)) throw new Error('a reference holds only percent-encoded names (encode spaces as %20)')
  let name: string
  try {
    name = decodeURIComponent(body)
  } catch {
    throw new Error('the reference has a malformed percent-encoding')
  }
  if (name.trim() === '') throw new Error('the reference names no credential')
  return name
}

/** One `{{ credctl://NAME }}` placeholder of a template (see scanTemplate). */
export interface TemplateRef {
  /** The credential name or id it refers to (decoded). */
  name: string
  /** The placeholder as written, braces included (for messages: it is not secret). */
  text: string
  /** Offsets in the template: text === template.slice(start, end). */
  start: number
  end: number
  /** 1-based line of the placeholder. */
  line: number
}

// `{{`, optional blanks, the reference up to the first `}}` on the same line, optional blanks, `}}`.
// The braces delimit the reference as quotes do, so a raw space is accepted inside (allowSpaces); blanks
// next to the braces are not part of the name (names never start or end with one: records.checkName).
const PLACEHOLDER = /\{\{[ \t]*(credctl:\/\/[^\r\n]*?)[ \t]*\}\}/g

/**
 * Every `{{ credctl://NAME }}` in a template (any text: YAML, JSON, TOML, ...), in order. Text outside
 * these placeholders, other `{{ ... }}` (Helm, Jinja) included, is not touched. A placeholder whose
 * reference is malformed throws Error(`LINE: reason`) for the caller to prefix with the file's name.
 */
export function scanTemplate(template: string): TemplateRef[] {
  const out: TemplateRef[] = []
  let line = 1
  let last = 0
  // Every `{{ credctl:` (any letter case) must open a well-formed placeholder: an unclosed one, one
  // closed on another line, `{{ credctl:/x }}` or `{{ CREDCTL://x }}` is a typo, never left as text.
  const proper = new Set([...template.matchAll(PLACEHOLDER)].map((m) => m.index))
  for (const m of template.matchAll(/\{\{[ \t]*credctl:/gi)) {
    if (!proper.has(m.index)) {
      const at = template.slice(0, m.index).split('\n').length
      throw new Error(`${at}: a placeholder that starts like {{ credctl:// is not one (write {{ credctl://NAME }} on one line, lower case)`)
    }
  }
  for (const m of template.matchAll(PLACEHOLDER)) {
    for (let i = last; i < m.index; i++) if (template.charCodeAt(i) === 10) line++
    last = m.index
    let name: string | undefined
    try {
      name = parseReference(m[1]!, { allowSpaces: true })
    } catch (e) {
      throw new Error(`${line}: ${m[0]}: ${(e as Error).message}`)
    }
    out.push({ name: name!, text: m[0], start: m.index, end: m.index + m[0].length, line })
  }
  return out
}
