import fc from 'fast-check'
import { readFileSync } from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'
import { ENV_HELP } from '../../src/cli/program.js'
import { chooseSource, createVaultKey, DEFAULT_SOURCE, KEY_SOURCES, keySourceEnv, keySources, SOURCES, type KeyContext } from '../../src/keys/index.js'

// Issue 13 point 2: the key sources are one list (src/keys/index.ts); what names them derives from it.

const ROOT = path.resolve(import.meta.dirname, '../..')
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8')

describe('the key-source list', () => {
  it('holds one module per KEY_SOURCES name, under its own name', () => {
    expect(Object.keys(SOURCES).sort()).toEqual([...KEY_SOURCES].sort())
    for (const s of KEY_SOURCES) expect(SOURCES[s].name).toBe(s)
    expect(keySources().map((m) => m.name)).toEqual([...KEY_SOURCES])
  })

  it('the README names every environment variable of every source (the README must stay true)', () => {
    const vars = keySourceEnv()
    expect(vars.length).toBeGreaterThanOrEqual(6)
    // Named as code (`CREDCTL_X`), as the README's environment table does.
    expect(vars.filter((v) => !README.includes(`\`${v.name}\``)).map((v) => `${v.source}: ${v.name}`)).toEqual([])
  })

  it('the CLI help lists every source and every variable of every source, one line each', () => {
    for (const v of keySourceEnv()) expect(ENV_HELP).toMatch(new RegExp(`^  ${v.name} +${v.doc.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'))
    expect(ENV_HELP).toContain(`CREDCTL_KEY_SOURCE     key source for a new vault: ${KEY_SOURCES.map((s) => (s === DEFAULT_SOURCE ? `${s} (default)` : s)).join(', ')}`)
  })

  it('each source documents each variable in one line, and no variable belongs to two sources', () => {
    const names = keySourceEnv().map((v) => v.name)
    expect(new Set(names).size).toBe(names.length)
    for (const v of keySourceEnv()) {
      expect(v.name).toMatch(/^CREDCTL_[A-Z_]+$/)
      expect(v.doc).not.toMatch(/\n/)
      expect(v.doc.length).toBeGreaterThan(10)
    }
    for (const m of keySources()) {
      expect(m.summary).not.toMatch(/\n/)
      // A variable that picks a source for a new vault is one that source documents.
      if (m.chosenBy) expect(m.env.map((e) => e.name)).toContain(m.chosenBy.variable)
    }
  })

  it('the no-keychain prompt offers every source but the keychain, each once, in a fixed order', () => {
    const offered = keySources().filter((m) => m.fallback)
    expect(offered.map((m) => m.name).sort()).toEqual(KEY_SOURCES.filter((s) => !SOURCES[s].usesKeychain).sort())
    expect(new Set(offered.map((m) => m.fallback!.order)).size).toBe(offered.length)
  })
})

describe('chooseSource (a new vault): explicit choice, then the configured variables by precedence, then the keychain', () => {
  // The rule as the README states it, written out independently of the list.
  const expected = (flag: string | undefined, env: Record<string, string>) =>
    flag ?? env.CREDCTL_KEY_SOURCE ?? (env.CREDCTL_MASTER_KEY ? 'env' : env.CREDCTL_KEY_FILE ? 'file' : env.CREDCTL_PASSPHRASE ? 'passphrase' : 'keychain')

  it('matches the documented rule for every combination of settings', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.option(fc.constantFrom(...KEY_SOURCES), { nil: undefined }),
        fc.record(
          {
            CREDCTL_KEY_SOURCE: fc.constantFrom(...KEY_SOURCES),
            CREDCTL_MASTER_KEY: fc.constant('k'),
            CREDCTL_KEY_FILE: fc.constant('/k'),
            CREDCTL_PASSPHRASE: fc.constant('p'),
          },
          { requiredKeys: [] },
        ),
        async (flag, env) => {
          const ctx: KeyContext = { env, keychain: () => { throw new Error('chooseSource must not touch the keychain') }, keySource: flag }
          expect(await chooseSource(ctx)).toBe(expected(flag, env))
        },
      ),
    )
  })

  it('an unknown explicit choice is USAGE naming the sources', async () => {
    for (const bad of ['KEYCHAIN', 'constructor', '__proto__', 'toString', 'vault']) {
      const ctx: KeyContext = { env: {}, keychain: () => { throw new Error('unused') }, keySource: bad }
      await expect(chooseSource(ctx)).rejects.toMatchObject({ code: 'USAGE', message: `unknown key source "${bad}": use one of ${KEY_SOURCES.join(', ')}` })
    }
  })
})

describe('no usable keychain and no prompt: the hint names every other source, from the list', () => {
  it('KEY_UNAVAILABLE with how to choose env, passphrase and file', async () => {
    const ctx: KeyContext = { env: {}, keychain: () => ({ get: async () => null, set: async () => {}, delete: async () => false, probe: async () => 'no Secret Service' }) }
    await expect(createVaultKey('v', '/nowhere/vault.json', ctx)).rejects.toMatchObject({
      code: 'KEY_UNAVAILABLE',
      message: 'no usable OS keychain (no Secret Service)',
      hint:
        'to keep the key elsewhere, set CREDCTL_MASTER_KEY to the base64 of 32 random bytes (`openssl rand -base64 32`) for the env source, ' +
        'CREDCTL_PASSPHRASE for the passphrase source, or CREDCTL_KEY_FILE=PATH for the file source',
    })
  })
})
