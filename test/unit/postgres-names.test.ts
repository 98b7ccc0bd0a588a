import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CredctlError } from '../../src/errors.js'
import { initSql, rolesOf, schemaOf } from '../../src/store/postgres/ddl.js'
import { TEAM_VAULT_NAME } from '../../src/vault/team-header.js'

/** A team vault's database names (src/store/postgres/ddl.ts): plain identifiers within PostgreSQL's 63 bytes, or a refusal. */
const teamName = fc.stringMatching(TEAM_VAULT_NAME)

describe('team vault schema and role names', () => {
  it('every valid name gives credctl_<name> (- as _) and three roles, all plain identifiers of at most 63 bytes', () => {
    fc.assert(
      fc.property(teamName, (name) => {
        const s = schemaOf(name)
        expect(s).toBe(`credctl_${name.replace(/-/g, '_')}`)
        const r = rolesOf(name)
        expect(r).toEqual({ reader: `${s}_reader`, writer: `${s}_writer`, admin: `${s}_admin` })
        for (const id of [s, ...Object.values(r)]) {
          expect(id).toMatch(/^[a-z][a-z0-9_]*$/)
          expect(Buffer.byteLength(id)).toBeLessThanOrEqual(63)
        }
      }),
    )
  })

  it('two names never share a schema (a name has no _ of its own)', () => {
    fc.assert(fc.property(teamName, teamName, (a, b) => a === b || schemaOf(a) !== schemaOf(b)))
    expect(() => schemaOf('a_b')).toThrow(CredctlError)
  })

  it('anything else is INVALID_INPUT, before any SQL is written', () => {
    fc.assert(
      fc.property(
        fc.string().filter((x) => !TEAM_VAULT_NAME.test(x)),
        (name) => {
          for (const f of [schemaOf, rolesOf, initSql]) {
            let e: unknown
            try {
              f(name)
            } catch (x) {
              e = x
            }
            expect(e).toBeInstanceOf(CredctlError)
            expect((e as CredctlError).code).toBe('INVALID_INPUT')
          }
        },
      ),
    )
    for (const bad of ['', 'Team', '1team', 'a"; DROP SCHEMA x; --', 'a'.repeat(41), 'team.prod']) expect(() => schemaOf(bad)).toThrow(CredctlError)
  })

  it('initSql names only its own schema and roles', () => {
    const sql = initSql('team-prod')
    const quoted = new Set(sql.match(/"credctl_[a-z0-9_]+"/g))
    expect([...quoted].sort()).toEqual(['"credctl_team_prod"', '"credctl_team_prod_admin"', '"credctl_team_prod_reader"', '"credctl_team_prod_writer"'])
  })
})
