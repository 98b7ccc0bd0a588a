/**
 * The one tokenizer of `key=value;key2={v;with;semicolons};key3="quoted"` strings (ADO.NET connection
 * strings and the `;k=v` tail of JDBC URLs). Both the SQL Server check (mssql-config.ts) and the
 * masking/redaction parse (value-parts.ts) read a value through it, so they cannot disagree on where a
 * password ends.
 *
 * It is stricter than ADO.NET where the loose reading could hide a password: a segment without "="
 * (`Password=ab;cd;Server=h`: the "cd" was meant to be part of the password) and text after a closing
 * quote are errors, never silently dropped or read as a key. Errors never quote the string.
 */
export interface KvToken {
  /** The key, trimmed and lower-cased. */
  key: string
  /** The value as the driver sees it: unquoted, doubled quotes undone, blanks trimmed. */
  value: string
  /** Offsets in the input: [keyStart, valueStart) holds the key and "=", [valueStart, valueEnd) the raw value. */
  keyStart: number
  valueStart: number
  valueEnd: number
}

export const KV_HINT = 'a value that contains ";" goes in braces or quotes: Password={se;cret}'

export function tokenizeKeyValues(s: string): KvToken[] {
  const out: KvToken[] = []
  let i = 0
  while (i < s.length) {
    while (i < s.length && (s[i] === ';' || s[i] === ' ')) i++
    if (i >= s.length) break
    const keyStart = i
    const eq = s.indexOf('=', i)
    const semi = s.indexOf(';', i)
    // "cd;Server=h" would otherwise read "cd;server" as a key: a password's tail shown as a key name.
    if (eq < 0 || (semi >= 0 && semi < eq)) throw new Error('expected key=value pairs separated by ;')
    const key = s.slice(i, eq).trim().toLowerCase()
    if (!key) throw new Error('a value without a key')
    i = eq + 1
    while (s[i] === ' ') i++
    const valueStart = i
    let val = ''
    const open = s[i]
    const close = open === '{' ? '}' : open === '"' || open === "'" ? open : undefined
    if (close) {
      i++
      for (;;) {
        if (i >= s.length) throw new Error('unterminated quoted value')
        if (s[i] === close) {
          // A doubled closing character is an escaped one.
          if (s[i + 1] === close) {
            val += close
            i += 2
            continue
          }
          i++
          break
        }
        val += s[i++]
      }
      const valueEnd = i
      while (s[i] === ' ') i++
      if (i < s.length && s[i] !== ';') throw new Error('text after a closing quote')
      out.push({ key, value: val, keyStart, valueStart, valueEnd })
    } else {
      const end = semi < 0 ? s.length : semi
      out.push({ key, value: s.slice(valueStart, end).trim(), keyStart, valueStart, valueEnd: end })
      i = end
    }
  }
  return out
}
