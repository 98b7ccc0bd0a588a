import { CredctlError } from '../errors.js'

/**
 * Where an agent's request goes: the credential's stored base URL joined with the agent's path by this
 * rule, never by resolving agent text against the base (`new URL('//evil.example/x', base)` is another
 * host, `new URL('../admin', base)` climbs out of the base path). The path is refused when it
 *   - is an absolute URL or starts with a scheme (`https:`, `javascript:`),
 *   - holds `//` anywhere, a backslash, `?`, `#`, whitespace or a control character,
 *   - holds a `.` or `..` segment, raw or percent-encoded (`%2e%2e`), or a segment that does not decode,
 *   - holds a percent-encoded `/` or `\` (`%2f`, `%5c`: a server may decode them into separators).
 * Then base path (trailing `/` dropped) + `/` + path (leading `/` dropped), parsed, and checked again:
 * same origin as the base, the path exactly the joined text (the parser normalised nothing), and under
 * the base path. Query parameters are set through URLSearchParams; a parameter the base URL already
 * carries (a gateway's api-version or tenant) cannot be replaced.
 *
 * Errors: INVALID_INPUT (exit 2), naming the rule, never the base URL's query.
 */
export function joinUnderBase(base: string, path: string, query: Record<string, string> = {}): URL {
  const b = new URL(base)
  const refuse = (why: string) => new CredctlError('INVALID_INPUT', `path refused: ${why}; give a path under the credential's base URL, such as /v1/models`)
  if (typeof path !== 'string' || path.length > 2048) throw refuse('not a string of at most 2048 characters')
  if (/^[a-z][a-z0-9+.-]*:/i.test(path)) throw refuse('an absolute URL or a scheme')
  if (path.includes('//')) throw refuse('"//" would name another host')
  if (path.includes('\\')) throw refuse('a backslash')
  if (/[?#]/.test(path)) throw refuse('"?" or "#" (pass query parameters in `query`)')
  // eslint-disable-next-line no-control-regex
  if (/[\s\u0000-\u001f\u007f]/.test(path)) throw refuse('whitespace or a control character')
  if (/%(?:2f|5c)/i.test(path)) throw refuse('an encoded "/" or "\\"')
  // `..;` is `..` to Tomcat and Spring (path parameters), and `%25` a second round of decoding a proxy may do.
  if (path.includes(';')) throw refuse('a ";" (a path parameter some servers read as a segment of its own)')
  if (/%25/i.test(path)) throw refuse('an encoded "%" (decoded twice on the way, it could become "/" or "..")')
  const rel = path.replace(/^\//, '')
  for (const seg of rel.split('/')) {
    let d: string
    try {
      d = decodeURIComponent(seg)
    } catch {
      throw refuse('a segment that is not valid percent-encoding')
    }
    if (d === '.' || d === '..') throw refuse('a "." or ".." segment')
  }
  const basePath = b.pathname.replace(/\/+$/, '')
  const joined = rel === '' ? `${basePath}/` : `${basePath}/${rel}`
  const u = new URL(b.origin)
  u.pathname = joined
  // Keep the base's own query; the agent's parameters come after it and may not replace one of it.
  u.search = b.search
  for (const [k, v] of Object.entries(query)) {
    if (typeof v !== 'string') throw new CredctlError('INVALID_INPUT', `query parameter ${JSON.stringify(k.slice(0, 40))}: values are strings`)
    if (b.searchParams.has(k)) throw new CredctlError('INVALID_INPUT', `query parameter ${JSON.stringify(k.slice(0, 40))} is fixed by the credential's base URL`)
    u.searchParams.append(k, v)
  }
  if (u.origin !== b.origin) throw refuse('it leaves the base URL\'s origin')
  if (u.pathname !== joined) throw refuse('it is not a plain path (the URL parser would rewrite it)')
  if (!(u.pathname === basePath || u.pathname.startsWith(`${basePath}/`))) throw refuse('it leaves the base path')
  return u
}
