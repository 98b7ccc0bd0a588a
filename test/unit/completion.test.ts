import { readFileSync } from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { describeTree, generateCompletion, SHELLS } from '../../src/cli/commands/completion.js'
import type { Factory } from '../../src/cli/factory.js'
import { createProgram } from '../../src/cli/program.js'
import { CATEGORIES, TYPES } from '../../src/index.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
// createProgram only stores the factory; nothing here may touch it.
const f = new Proxy({} as Factory, {
  get(_t, p) {
    if (p === 'globals') return {}
    throw new Error(`unexpected factory access: ${String(p)}`)
  },
})
const program = () => createProgram(f, () => {})

describe('shell completion is generated from the command tree', () => {
  it('completions/ is up to date (run `npm run completions` after changing the tree)', () => {
    for (const shell of SHELLS) {
      const file = path.join(ROOT, 'completions', `credctl.${shell}`)
      const committed = readFileSync(file, 'utf8')
      expect(committed, `completions/credctl.${shell} is out of date: run \`npm run completions\``).toBe(generateCompletion(program(), shell))
    }
  })

  it('reads every visible command, alias, flag and choice from commander, and hides the hidden ones', () => {
    const p = program()
    const t = describeTree(p)
    const hidden = ['__names', '__clipboard-clear']
    const visible = p.commands.filter((c) => !hidden.includes(c.name())).map((c) => c.name())
    expect(t.commands.map((c) => c.name)).toEqual([...visible, 'help'])
    expect(t.commands.find((c) => c.name === 'list')?.aliases).toEqual(['ls'])
    for (const h of hidden) expect(t.commands.some((c) => c.name === h)).toBe(false)
    const create = t.commands.find((c) => c.name === 'create')!
    expect(create.options.find((o) => o.long === '--type')?.value).toEqual({ kind: 'choices', choices: TYPES.map((x) => x.type) })
    expect(create.options.find((o) => o.long === '--category')?.value).toEqual({ kind: 'choices', choices: [...CATEGORIES] })
    expect(create.options.find((o) => o.long === '--value-file')?.value).toEqual({ kind: 'file' })
    expect(create.options.find((o) => o.long === '--default')?.value).toBeUndefined()
    expect(t.globals.find((o) => o.long === '--key-source')?.value).toEqual({ kind: 'choices', choices: ['keychain', 'env', 'passphrase', 'file'] })
    expect(t.globals.find((o) => o.long === '--vault')?.value).toEqual({ kind: 'file' })
    const kinds = Object.fromEntries(t.commands.map((c) => [c.name, c.args.map((a) => a.kind)]))
    expect(kinds.get).toEqual(['names'])
    expect(kinds.validate).toEqual(['names'])
    expect(kinds.restore).toEqual(['deleted-names'])
    expect(kinds.completion).toEqual(['choices'])
    expect(kinds.run).toEqual(['command'])
    expect(kinds.help).toEqual(['subcommand'])
    expect(t.commands.find((c) => c.name === 'run')!.options.find((o) => o.long === '--only')).toMatchObject({ variadic: true, value: { kind: 'choices' } })
  })

  it('every shell script names every command, flag and type', () => {
    const t = describeTree(program())
    for (const shell of SHELLS) {
      const s = generateCompletion(program(), shell)
      for (const c of t.commands) {
        expect(s, `${shell}: ${c.name}`).toContain(c.name)
        for (const o of c.options) if (o.long) expect(s, `${shell}: ${c.name} ${o.long}`).toContain(shell === 'fish' ? `-l ${o.long.slice(2)}` : o.long)
      }
      for (const type of TYPES) expect(s).toContain(type.type)
      expect(s).toContain('__names')
      expect(s).not.toMatch(/\b__names\b.*hidden/)
    }
  })
})
