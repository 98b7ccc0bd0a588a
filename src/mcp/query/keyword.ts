/**
 * The first keyword of a statement, upper-cased, after leading blanks, comments and opening
 * parentheses, read by the dialect's own comment rules; '' when there is none or it cannot be told.
 *
 * PostgreSQL: -- to the end of the line, nested /* … *\/. MySQL/MariaDB: -- only when a blank or
 * control character follows, #, and /* … *\/ WITHOUT nesting (the first *\/ ends it: a nesting reader
 * would see "SELECT" where the server sees what hides between the two). MySQL's executable comments
 * (/*! … *\/, /*M! … *\/) are code or comment depending on the server's version, so one before the first
 * keyword makes the keyword unknowable: ''.
 *
 * On PostgreSQL it is not a guard (the server decides what a statement may do): it refuses COPY, which
 * the wire protocol here cannot carry, and gives the history its keyword. On MySQL/MariaDB it is part of
 * the guard: see ALLOWED in mysql.ts.
 */
export type Dialect = 'postgresql' | 'mysql'

export function firstKeyword(sql: string, dialect: Dialect = 'postgresql'): string {
  return leadingKeywords(sql, dialect, 1)[0] ?? ''
}

/** The first `count` keywords, each read as firstKeyword reads the first (comments between them skipped). */
export function leadingKeywords(sql: string, dialect: Dialect, count: number): string[] {
  const out: string[] = []
  let rest = sql
  while (out.length < count) {
    const at = keywordAt(rest, dialect)
    if (!at) break
    out.push(at.word)
    rest = rest.slice(at.end)
  }
  return out
}

function keywordAt(sql: string, dialect: Dialect): { word: string; end: number } | undefined {
  const my = dialect === 'mysql'
  let i = 0
  const n = sql.length
  while (i < n) {
    const c = sql[i]!
    const d = sql[i + 1]
    if (/\s|\(/.test(c)) {
      i++
    } else if (c === '-' && d === '-' && (!my || i + 2 >= n || /[\s\x00-\x1f]/.test(sql[i + 2]!))) {
      while (i < n && sql[i] !== '\n') i++
    } else if (my && c === '#') {
      while (i < n && sql[i] !== '\n') i++
    } else if (c === '/' && d === '*') {
      if (my && (sql[i + 2] === '!' || sql.startsWith('M!', i + 2))) return undefined
      let depth = 1
      i += 2
      while (i < n && depth > 0) {
        if (!my && sql[i] === '/' && sql[i + 1] === '*') (depth++, (i += 2))
        else if (sql[i] === '*' && sql[i + 1] === '/') (depth--, (i += 2))
        else i++
      }
    } else {
      break
    }
  }
  const word = /^[A-Za-z_]+/.exec(sql.slice(i))?.[0]
  return word ? { word: word.toUpperCase(), end: i + word.length } : undefined
}
