import { parseUri, SECRET_PARAM, secretSettings } from '../lib/value-parts.js'

/**
 * The one rule for "does this .env variable hold a secret?" (issue 12, point 2): `import --from-env`
 * stores such variables as credentials (an `api_key` when no provider type claims them) and
 * `--template` replaces them with `credctl://NAME`; everything else is configuration that stays a
 * literal line of a template meant to be committed. A secret that is missed leaks into git, while a
 * configuration value taken for a secret only becomes a credential that the template still resolves to
 * the same bytes; so the rule leans towards "secret" and lets a value through only when it is plainly
 * harmless. The same lean as gitleaks and detect-secrets (keyword names, high-entropy strings), with
 * their thresholds adapted to whole values.
 *
 * In order:
 * 1. the name ends in a password word (`*_PASSWORD`, `*_PASS`, `*_PWD`, `*_SECRET`, …): secret,
 *    whatever the value (numeric passwords exist);
 * 2. the value is a PEM block (`-----BEGIN …`), a URL with a password in its userinfo, a secret query
 *    parameter (the names src/lib/value-parts.ts hides) or a random-looking path segment (a Slack
 *    webhook), or any random-looking token (see `randomToken`): secret;
 * 2b. a value that is no URL but contains a secret setting (`secretSettings`, src/lib/value-parts.ts:
 *    an ADO.NET `;Password=…`, a libpq conninfo `password=…`, `--requirepass X`) whose value is not
 *    plainly harmless: secret (the whole value, which the driver or program reads the password from);
 * 3. the name ends in a key word (`*_KEY`, `*_TOKEN`, `*_CREDENTIALS`, `*_AUTH`): secret unless the
 *    value is plainly harmless (a boolean, a number, a duration, a file path, a URL with no secret part);
 *    a key or password word elsewhere in the name (`SECRET_KEY_BASE`, `TOKEN_TTL`, `AUTH_PROVIDER`):
 *    the same, and a short plain word (`google`, `RS256`) is harmless too;
 * 4. anything else is configuration.
 *
 * Returns why (for the report; never quotes the value), or undefined for configuration.
 */
export function secretReason(name: string, value: string): string | undefined {
  const v = value.trim()
  if (v === '') return undefined
  const words = nameWords(name)
  const last = words[words.length - 1] ?? ''
  if (PASSWORD_WORDS.has(last) && (words.length > 1 || !SOLO_EXEMPT.has(last))) return `the name ends in ${last}`
  if (/-----BEGIN [A-Z0-9 ]+-----/.test(v)) return 'a PEM block'
  const url = urlSecret(v)
  if (url) return url
  if (!SCHEME.test(v) && v.split(TOKEN_SEPARATORS).some(randomToken)) return 'a random-looking token'
  if (!SCHEME.test(v) && secretSetting(v)) return 'a password or key setting inside the value'
  if (KEY_WORDS.has(last) && !harmless(v)) return `the name ends in ${last}`
  const word = words.find((w) => KEY_WORDS.has(w) || PASSWORD_WORDS.has(w))
  if (word && !harmless(v) && !plainWord(v)) return `the name contains ${word}`
  return undefined
}

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i
/** Words that make a name a password's when last: `SMTP_PASS`, `DB_PWD`, `JWT_SECRET`. */
const PASSWORD_WORDS = new Set(['PASSWORD', 'PASSWORDS', 'PASSWD', 'PASSPHRASE', 'PWD', 'PASS', 'SECRET', 'SECRETS', 'PRIVATEKEY'])
/** A lone `PWD` is the shell's working directory, a lone `PASS` a flag more often than not. */
const SOLO_EXEMPT = new Set(['PWD', 'PASS'])
/** Words that make a name a key's or token's (and, with rule 1's, anywhere in the name). */
const KEY_WORDS = new Set(['KEY', 'KEYS', 'APIKEY', 'TOKEN', 'TOKENS', 'PRIVATE', 'CREDENTIAL', 'CREDENTIALS', 'CREDS', 'AUTH', 'WEBHOOK', 'SIGNING', 'SIGNATURE', 'SALT', 'PEPPER', 'DSN', 'PAT', 'CERT'])

/** `STRIPE_SECRET_KEY` -> STRIPE SECRET KEY; `apiKey` -> API KEY; `db.password` -> DB PASSWORD. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()
    .split(/[^A-Z0-9]+/)
    .filter(Boolean)
}

/** Where a token ends inside a value that is not a URL: blanks, quotes, list and assignment punctuation. */
const TOKEN_SEPARATORS = /[\s"'`,;:@?#&=()[\]{}<>|\\]+/

/**
 * A random-looking token (a key, a token, a generated password): a hex run of 32+ digits, or a run of
 * 16+ characters of a base64/base62 alphabet, between `-._/+~` separators, that mixes letters and digits
 * with a Shannon entropy of at least 3.5 bits per character (a random 16-character base62 string has
 * about 3.8; words and version strings are split by their separators first: `my-app-bucket-2024`,
 * `1.2.3-beta.4`). UUIDs are ids far more often than secrets and split into runs of 12 at most; a
 * secret UUID under a key name is caught by the name.
 */
export function randomToken(token: string): boolean {
  if (token.length < 16) return false
  return token.split(/[-._/+~]+/).some((run) => {
    if (/^[0-9a-f]{32,}$/i.test(run)) return true
    return run.length >= 16 && /^[A-Za-z0-9]+$/.test(run) && /[0-9]/.test(run) && /[A-Za-z]/.test(run) && entropy(run) >= 3.5
  })
}

/**
 * Whether a text sets a secret (`key=value` or a flag's argument, secretSettings): a password word in
 * the key (`Password=123456`: numeric passwords exist) whatever the value, any other secret key to a
 * value that is not plainly harmless (`sslkey=/etc/ssl/app.key`, `auth=true` are not secrets).
 */
export function secretSetting(text: string): boolean {
  return secretSettingSpans(text).length > 0
}

/** The value spans of the secret settings of a text (see secretSetting), for scrubbing comments. */
export function secretSettingSpans(text: string): { start: number; end: number }[] {
  return secretSettings(text).filter((s) => /pass|pwd|secret/i.test(s.key) || !harmless(stripQuotes(text.slice(s.start, s.end))))
}

/** `"x"`, `'x'`, `{x}` -> x: how ADO.NET and conninfo read a quoted setting. */
export function stripQuotes(v: string): string {
  return /^(["'{]).*(["'}])$/s.test(v) && v.length >= 2 ? v.slice(1, -1) : v
}

/** Shannon entropy of the character distribution, in bits per character. */
function entropy(s: string): number {
  const counts = new Map<string, number>()
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1)
  let h = 0
  for (const n of counts.values()) {
    const p = n / s.length
    h -= p * Math.log2(p)
  }
  return h
}

/** Why a URL value is secret, or undefined (also for a value that is no URL). */
function urlSecret(v: string): string | undefined {
  if (!SCHEME.test(v)) return undefined
  let u: URL
  try {
    u = parseUri(v)
  } catch {
    // Fail closed, as the mask does: a URL whose parts cannot be placed may hide a password anywhere.
    return 'a URL that cannot be read one way only'
  }
  if (u.password) return 'a URL with a password'
  for (const [k] of u.searchParams) if (SECRET_PARAM.test(k)) return 'a URL with a secret query parameter'
  if (u.username && randomToken(u.username)) return 'a URL with a random-looking user (a key)'
  if (u.pathname.split('/').some(randomToken) || (u.hash && randomToken(u.hash.slice(1)))) return 'a URL with a random-looking part (a webhook, a signed link)'
  for (const [, x] of u.searchParams) if (randomToken(x)) return 'a URL with a random-looking query value'
  return undefined
}

/**
 * Values that hold no secret whatever the name says (`USE_AUTH_TOKEN=true`, `TOKEN_TTL=3600`,
 * `SSL_KEY=/etc/ssl/private/app.key`): booleans, numbers, durations, file paths, URLs with no secret part.
 */
function harmless(v: string): boolean {
  if (/^(?:true|false|yes|no|on|off|enabled?|disabled?|none|null)$/i.test(v)) return true
  if (/^-?\d+(?:\.\d+)?(?:ms|s|m|h|d|w|k|kb|mb|gb|%)?$/i.test(v)) return true
  if (/^(?:\.{0,2}\/|~\/)[\w./ -]*$/.test(v) && /\.\w{1,5}$|\/$|^\/[\w.-]+\/[\w.-]/.test(v)) return true
  return SCHEME.test(v) // rule 2 found no secret part in it
}

/** A short word of letters (three digits at most): a provider, an algorithm (`RS256`), a mode. */
function plainWord(v: string): boolean {
  return /^[A-Za-z][A-Za-z0-9_.-]{0,11}$/.test(v) && !/(?:[0-9].*){4}/.test(v)
}
