/**
 * The first keyword of a statement, upper-cased, after leading blanks, comments (-- … and nested
 * /* … *\/) and opening parentheses; '' when there is none. Not a guard: the server decides what a
 * statement may do. It is used for clearer refusals of what the wire protocol cannot carry (COPY) and
 * for the history line, which records the keyword and never the text.
 */
export function firstKeyword(sql: string): string {
  let i = 0
  const n = sql.length
  while (i < n) {
    const c = sql[i]!
    if (/\s|\(/.test(c)) {
      i++
    } else if (c === '-' && sql[i + 1] === '-') {
      while (i < n && sql[i] !== '\n') i++
    } else if (c === '/' && sql[i + 1] === '*') {
      let depth = 1
      i += 2
      while (i < n && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') (depth++, (i += 2))
        else if (sql[i] === '*' && sql[i + 1] === '/') (depth--, (i += 2))
        else i++
      }
    } else if (c === '#') {
      // MySQL's other line comment; PostgreSQL has no statement starting with #.
      while (i < n && sql[i] !== '\n') i++
    } else {
      break
    }
  }
  return /^[A-Za-z_]+/.exec(sql.slice(i))?.[0]?.toUpperCase() ?? ''
}
