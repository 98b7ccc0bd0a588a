import { randomBytes } from 'node:crypto'
import pg from 'pg'

/**
 * A throwaway PostgreSQL database for one team-vault test file (issue 14: "each test makes its own
 * database and login roles and drops them"), on the real server `.ci/run` starts (127.0.0.1:5432, user
 * postgres, trust). Login roles are cluster-wide, so every name is prefixed with the database's own
 * random name: test files running at once never share one.
 */

const HOST = '127.0.0.1:5432'
export const SERVER = `postgresql://postgres@${HOST}`

/** The simulated people's login roles: three people and a CI job. */
export const PEOPLE = ['alice', 'bob', 'carol', 'ci'] as const
export type PersonName = (typeof PEOPLE)[number]

export interface FreshDatabase {
  /** `credctl_t_<pid>_<rand>`. */
  name: string
  /** The superuser's URL to this database: for set-up, and for the tampering a database admin can do. */
  adminUrl: string
  /** Each person's LOGIN role name: `<database>_<person>`. */
  roles: Record<PersonName, string>
  /** Each person's URL (`postgresql://ROLE@127.0.0.1:5432/DB`, no password: the server trusts loopback). */
  urls: Record<PersonName, string>
  /**
   * A team vault name (TEAM_VAULT_NAME) no other database on the server uses: the store's per-vault roles
   * (`credctl_<name>_reader`…) are cluster-wide too. drop() drops those roles as well.
   */
  vaultName(): string
  /** One statement as the superuser in this database; its rows. */
  sql(text: string, values?: unknown[]): Promise<Record<string, unknown>[]>
  /** DROP DATABASE … WITH (FORCE) (ends every session in it), then every role made for it. Safe to call twice. */
  drop(): Promise<void>
}

/** One statement on `url`, on a connection of its own. */
export async function query(url: string, text: string, values: unknown[] = []): Promise<Record<string, unknown>[]> {
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  try {
    return (await c.query(text, values)).rows as Record<string, unknown>[]
  } finally {
    await c.end()
  }
}

const ident = (s: string): string => `"${s.replace(/"/g, '""')}"`

/** A new database and its four login roles (alice, bob, carol, ci). Call drop() in afterAll. */
export async function freshDatabase(): Promise<FreshDatabase> {
  const name = `credctl_t_${process.pid}_${randomBytes(4).toString('hex')}`
  const admin = `${SERVER}/postgres`
  const roles = Object.fromEntries(PEOPLE.map((p) => [p, `${name}_${p}`])) as Record<PersonName, string>
  const urls = Object.fromEntries(PEOPLE.map((p) => [p, `postgresql://${roles[p]}@${HOST}/${name}`])) as Record<PersonName, string>
  const vaults: string[] = []
  await query(admin, `CREATE DATABASE ${ident(name)}`)
  for (const p of PEOPLE) await query(admin, `CREATE ROLE ${ident(roles[p])} LOGIN`)
  let dropped = false
  return {
    name,
    adminUrl: `${SERVER}/${name}`,
    roles,
    urls,
    vaultName() {
      const v = `t${randomBytes(5).toString('hex')}`
      vaults.push(v)
      return v
    },
    sql: (text, values = []) => query(`${SERVER}/${name}`, text, values),
    async drop() {
      if (dropped) return
      dropped = true
      await query(admin, `DROP DATABASE IF EXISTS ${ident(name)} WITH (FORCE)`)
      // Ours: the people's roles, and any the store made for this file's vaults (credctl_<vault>_…).
      const like = [`${name}\\_%`, ...vaults.map((v) => `credctl\\_${v}\\_%`)]
      const c = new pg.Client({ connectionString: admin })
      await c.connect()
      try {
        const { rows } = await c.query<{ rolname: string }>('SELECT rolname FROM pg_roles WHERE rolname LIKE ANY($1::text[])', [like])
        for (const r of rows) await c.query(`DROP ROLE IF EXISTS ${ident(r.rolname)}`)
      } finally {
        await c.end()
      }
    },
  }
}
