import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { memoryStore } from '../../src/index.js'
import { person as personIn, type Person } from './people.js'
import { makeTeamVault } from './team-vault.js'

/**
 * Short forms of the team-vault helpers (people.ts, team-vault.ts) for the SDK tests on the in-memory
 * store: a person in a directory of their own, and a team vault whose store exposes its snapshot and
 * sealed values (a database admin's view) to the test.
 */
export type { Person }

export async function person(name: string): Promise<Person> {
  return personIn(name, mkdtempSync(join(tmpdir(), `credctl-${name}-`)))
}

export async function teamVault(admin: Person, name = 'team-t') {
  const store = memoryStore(`team vault ${name} (memory)`, { values: true })
  const tv = await makeTeamVault(name, [{ person: admin, role: 'admin' }], [], { store })
  return { store, key: tv.key, client: (p: Person) => tv.client(p) }
}
