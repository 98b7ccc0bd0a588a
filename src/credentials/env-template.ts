import { CredctlError } from '../errors.js'
import { holdsSecret, scanEnvFile, type EnvScan } from './envfile.js'
import { formatReference } from './references.js'
import { StringSet } from '../lib/string-set.js'
import { secretReason, secretSettingSpans } from './secret-rule.js'

/**
 * The template `import --from-env .env --template OUT` writes (issue 12, point 2): the .env itself
 * with each secret value replaced by `credctl://NAME`, so that `credctl run --dotenv OUT` gives the
 * program the very values the .env gave it, while OUT holds no secret and can be committed.
 *
 * Only value spans (and secrets inside comments) are rewritten; every other byte is copied, so comments,
 * blank lines, `export ` prefixes, order, quoting of configuration values and line ends (LF or CRLF)
 * stay as they were. References are written bare: `parseEnvFile` reads a bare `credctl://NAME` back as
 * exactly that text, and `formatReference` percent-encodes everything a bare value could not hold
 * (blanks, `#`, quotes).
 *
 * - A variable in `refs` (its last definition) gets the reference to the credential that holds its
 *   value, under the name that credential actually got (`NAME (2)` after --rename).
 * - An earlier definition of a variable that a later one overrides is dead text for dotenv, but it may
 *   hold an old secret: if it holds one it is rewritten to what the last definition says, so the file
 *   still gives the same final value and holds no secret.
 * - A comment keeps its words; a secret in it, found by the secret rule applied to each word and
 *   assignment (scrubComment), or a secret value of the file, is replaced by `[secret removed]`.
 *
 * `secrets` are the secret values of the file, decoded and as written (quotes and escapes included:
 * a value copied into a comment as written is no decoded match); the template is checked to hold none of at least 8
 * characters (shorter ones, like a PIN, also occur in harmless text) and throws INTERNAL, writing
 * nothing, if it would.
 */
export const REMOVED = '[secret removed]'

export function renderTemplate(text: string, scan: EnvScan, refs: ReadonlyMap<string, string>, secrets: readonly string[]): string {
  const edits: { start: number; end: number; text: string }[] = []
  const lastOf = new Map<string, EnvScan['definitions'][number]>()
  for (const d of scan.definitions) if (!d.overridden) lastOf.set(d.name, d)
  const finalText = (name: string): string => {
    const ref = refs.get(name)
    if (ref !== undefined) return formatReference(ref)
    const last = lastOf.get(name)!
    return text.slice(last.span.start, last.span.end)
  }
  const long = new StringSet(secrets)
  for (const d of scan.definitions) {
    if (!d.overridden) {
      if (refs.has(d.name)) edits.push({ ...d.span, text: finalText(d.name) })
    } else if (holdsSecret(d.name, d.value) || long.foundIn(d.value)) {
      edits.push({ ...d.span, text: finalText(d.name) })
    }
  }
  for (const c of scan.comments) {
    const body = text.slice(c.start, c.end)
    const clean = scrubComment(body, long)
    if (clean !== body) edits.push({ start: c.start, end: c.end, text: clean })
  }
  edits.sort((a, b) => a.start - b.start)
  let out = ''
  let at = 0
  for (const e of edits) {
    out += text.slice(at, e.start) + e.text
    at = e.end
  }
  out += text.slice(at)
  if (long.foundIn(out)) throw new CredctlError('INTERNAL', 'the template would hold a secret value of the .env; nothing was written', { hint: 'please report this; meanwhile write the template by hand' })
  return out
}

/**
 * A comment with its secrets replaced by REMOVED, by the same rule as the file's values: a commented-out
 * assignment (the whole comment, or any `NAME=VALUE` word in it) whose value holds a secret
 * (holdsSecret), a secret setting (`Password=…`, `--requirepass X`: secretSettingSpans), any word the
 * secret rule flags on its own (a URL with a password, a random-looking token), and the file's secret
 * values (`secrets`: decoded values and the text as written). Spans are found on the original comment
 * and merged, so a removal is never found again inside `[secret removed]`.
 */
export function scrubComment(comment: string, secrets: StringSet): string {
  const cut: { start: number; end: number }[] = []
  // "# export STRIPE_SECRET_KEY=sk_live_..." : read the rest as a .env line of its own.
  const lead = /^#+\s*/.exec(comment)![0]
  try {
    const inner = scanEnvFile(comment.slice(lead.length), 'comment').definitions
    const d = inner.length === 1 ? inner[0]! : undefined
    if (d && holdsSecret(d.name, d.value)) cut.push({ start: lead.length + d.span.start, end: lead.length + d.span.end })
  } catch {
    /* prose, not an assignment */
  }
  cut.push(...secretSettingSpans(comment))
  for (const w of comment.matchAll(/\S+/g)) {
    const a = /^(?:[^A-Za-z_]*?)([A-Za-z_][A-Za-z0-9_.-]*)=(.+)$/.exec(w[0])
    if (a && holdsSecret(a[1]!, a[2]!)) cut.push({ start: w.index + w[0].length - a[2]!.length, end: w.index + w[0].length })
    else if (secretReason('', w[0]) !== undefined) cut.push({ start: w.index, end: w.index + w[0].length })
  }
  cut.sort((x, y) => x.start - y.start)
  let out = ''
  let at = 0
  for (const c of cut) {
    if (c.end <= at) continue
    out += comment.slice(at, Math.max(at, c.start)) + (c.start >= at ? REMOVED : '')
    at = c.end
  }
  out += comment.slice(at)
  // A secret that starts with "#" (A_TOKEN=   # x reads as "# x") may take the comment's own "#" with
  // it: the line must stay a comment.
  const clean = secrets.replaceIn(out, REMOVED)
  return clean.startsWith('#') ? clean : `#${clean}`
}
