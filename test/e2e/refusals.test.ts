import { readFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { assertNoLeak, runCli, tempVault } from '../helpers/cli.js'

/**
 * Issue 12, point 9: a --key-source (or CREDCTL_KEY_SOURCE) that contradicts the vault is refused by
 * every command, reads included; `schema` on a type without discovery says so.
 */

const V1 = 'sk-proj-CANARYrefusals0123456789abcdefg'
const V2 = 'sk-proj-CANARYrefusalsNEW0123456789abcd'

let t: ReturnType<typeof tempVault>
const outputs: string[] = []
beforeEach(() => (t = tempVault('credctl-refusals')))
afterEach(() => {
  assertNoLeak([V1, V2], outputs.splice(0))
  t.cleanup()
})
const cli = async (args: string[], input?: string, extra: Record<string, string> = {}) => {
  const r = await runCli(args, { env: { ...t.env, ...extra }, ...(input !== undefined ? { input } : {}) })
  outputs.push(r.stdout, r.stderr)
  return r
}

describe('--key-source that contradicts the vault', () => {
  it('is refused for reads and writes alike (flag and CREDCTL_KEY_SOURCE), exit 2, file unchanged', async () => {
    expect((await cli(['create', '--name', 'K', '--type', 'openai', '--value-stdin'], V1)).code).toBe(0)
    const before = readFileSync(t.vault)
    for (const args of [['list'], ['reveal', 'K'], ['history'], ['status'], ['get', 'K'], ['create', '--name', 'K2', '--type', 'openai', '--value-stdin']]) {
      for (const how of ['flag', 'env'] as const) {
        const r = how === 'flag' ? await cli(['--key-source', 'passphrase', ...args], V2) : await cli(args, V2, { CREDCTL_KEY_SOURCE: 'passphrase' })
        expect(r.code, `${how} ${args.join(' ')}: ${r.stderr}`).toBe(2)
        expect(r.stdout).toBe('')
        expect(r.stderr).toMatch(how === 'flag' ? /keeps its key in the env source; --key-source passphrase applies only to a new vault/ : /keeps its key in the env source; CREDCTL_KEY_SOURCE=passphrase applies only to a new vault/)
      }
    }
    expect(readFileSync(t.vault).equals(before)).toBe(true)
    // The vault's own source is fine.
    expect((await cli(['--key-source', 'env', 'list'])).code).toBe(0)
  })
})

describe('schema on a type without discovery', () => {
  it('says the type has no schema discovery (exit 2) instead of suggesting discover', async () => {
    expect((await cli(['create', '--name', 'K', '--type', 'openai', '--value-stdin'], V1)).code).toBe(0)
    for (const cmd of [['schema', 'K'], ['discover', 'K']]) {
      const r = await cli(cmd)
      expect(r.code, r.stderr).toBe(2)
      expect(r.stderr).toMatch(/openai has no schema discovery \("K" is a openai credential\)/)
      expect(r.stderr).not.toMatch(/run: credctl discover/)
    }
    // A warehouse type without a schema yet still gets the advice.
    expect((await cli(['create', '--name', 'W', '--type', 'postgresql', '--value-stdin'], 'postgresql://u:CANARYpw@127.0.0.1:1/db')).code).toBe(0)
    const w = await cli(['schema', 'W'])
    expect(w.code).toBe(3)
    expect(w.stderr).toMatch(/no schema discovered yet for "W"[\s\S]*credctl discover/)
  })
})
