/**
 * What a MySQL/MariaDB user may see and read, from SHOW GRANTS (one statement; it includes the grants
 * of MariaDB's current role, which information_schema's *_PRIVILEGES views leave out). Why it is
 * needed: information_schema lists only the tables the user holds some privilege on, so a user with
 * grants on single tables sees a database with its other tables silently missing. A database is
 * listed completely when a global privilege (other than USAGE) or a database-level one covers it.
 * A table is readable with SELECT (or ALL) globally, on its database, or on the table itself; a grant
 * on some columns only is not "readable" (SELECT * fails).
 */
export interface Grant {
  privileges: string[]
  db: string | null // null: *.*
  table: string | null // null: db.*
  columns: boolean
}

const unquote = (s: string) => (s.startsWith('`') ? s.slice(1, -1).replace(/``/g, '`') : s)

/** Parse the GRANT lines (roles granted to the user are returned apart: their privileges are not in the text on MySQL). */
export function parseGrants(lines: string[]): { grants: Grant[]; roles: string[] } {
  const grants: Grant[] = []
  const roles: string[] = []
  for (const line of lines) {
    const m = /^GRANT (.+?) ON (?:(?:TABLE|FUNCTION|PROCEDURE|PACKAGE(?: BODY)?) )?(\*|`(?:[^`]|``)+`|[\w$]+)\.(\*|`(?:[^`]|``)+`|[\w$]+) TO /i.exec(line)
    if (!m) {
      const r = /^GRANT (`(?:[^`]|``)+`|[\w$]+)(?:@\S+)? TO /i.exec(line)
      if (r && !/ ON /i.test(line)) roles.push(unquote(r[1]!))
      continue
    }
    const privText = m[1]!
    const columns = /\(/.test(privText)
    const privileges = privText
      .replace(/\([^)]*\)/g, '')
      .split(',')
      .map((p) => p.trim().toUpperCase())
      .filter(Boolean)
    grants.push({ privileges, db: m[2] === '*' ? null : unquote(m[2]!), table: m[3] === '*' ? null : unquote(m[3]!), columns })
  }
  return { grants, roles }
}

/** A database-level grant names a LIKE pattern when it has unescaped _ or % (GRANT … ON `app\_%`.*). */
export function dbMatches(pattern: string, db: string): boolean {
  let re = ''
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!
    if (ch === '\\' && i + 1 < pattern.length) re += pattern[++i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    else if (ch === '%') re += '.*'
    else if (ch === '_') re += '.'
    else re += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(`^${re}$`, 'su').test(db)
}

const any = (g: Grant) => g.privileges.some((p) => p !== 'USAGE')
const select = (g: Grant) => !g.columns && g.privileges.some((p) => p === 'SELECT' || p === 'ALL' || p === 'ALL PRIVILEGES')

export interface Access {
  /** Does information_schema show every table of this database? */
  listsAll(db: string): boolean
  /** May the user SELECT * from this table? undefined: cannot tell (privileges held through roles MySQL does not print). */
  readable(db: string, table: string): boolean | undefined
}

export function access(lines: string[], mariadb: boolean): Access {
  const { grants, roles } = parseGrants(lines)
  // MariaDB prints the current role's grants too; MySQL 8 prints only "GRANT role TO user".
  const unknown = !mariadb && roles.length > 0
  const onDb = (g: Grant, db: string) => g.db === null || (g.table === null && dbMatches(g.db, db))
  return {
    listsAll: (db) => grants.some((g) => onDb(g, db) && any(g)),
    readable: (db, table) => {
      if (grants.some((g) => select(g) && (onDb(g, db) || (g.db === db && g.table === table)))) return true
      return unknown ? undefined : false
    },
  }
}
