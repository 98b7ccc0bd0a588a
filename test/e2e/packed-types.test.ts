import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

/**
 * Issue 13 point 3: the SDK's declarations compile in a consumer's project as a new user sets it up:
 * the packed package installed, TypeScript 7, `strict`, `module: nodenext`, and `types` left at its
 * default (TypeScript 6+ loads no @types package by itself) and `skipLibCheck` at its default (off, so
 * every declaration file the entry reaches is checked). Offline: `npm pack` of this worktree (after
 * `npm run build`), the tarball unpacked into a temporary node_modules/credctl, and this worktree's
 * installed packages (dependencies and typescript) linked beside it, as `npm install` would place them.
 */
const ROOT = path.resolve(import.meta.dirname, '../..')
const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc')

// Uses createClient().credentials.*, the client's other methods and the exported types, under strict.
const CONSUMER = `import { createClient, CredctlError, EXIT, mask, parseReference, formatReference, typeInfo, CATEGORIES } from 'credctl'
import type { Client, ClientOptions, Credential, CreateInput, UpdateInput, ListFilter, ValidationResult, VaultStatus, ErrorCode, HistoryEntry, RotateResult, Check, Category } from 'credctl'

const opts: ClientOptions = { vault: '/tmp/v.json', env: { CREDCTL_MASTER_KEY: 'k' } }
const client: Client = createClient(opts)
const input: CreateInput = { name: 'OpenAI Prod', type: 'openai', value: 'sk-x' }
const created: Credential = await client.credentials.create(input)
const filter: ListFilter = { category: 'llm' }
const all: Credential[] = await client.credentials.list(filter)
const change: UpdateInput = { description: 'prod' }
await client.credentials.update(created.id, change)
const verdict: ValidationResult = await client.credentials.validate('OpenAI Prod')
const value: string = await client.credentials.reveal('OpenAI Prod')
const { vars, cleanup } = await client.credentials.resolveEnv([{ file: '.env.credctl', text: 'A=credctl://openai' }], { defaults: false })
await cleanup()
const history: HistoryEntry[] = await client.credentials.history()
const status: VaultStatus = await client.status()
const rotated: RotateResult = await client.rotateKey()
const place: string = await client.vaultPath()
const categories: readonly Category[] = CATEGORIES
let check: Check | undefined
try {
  await client.credentials.get('missing')
} catch (e) {
  if (e instanceof CredctlError) {
    const code: ErrorCode = e.code
    console.log(code, e.exitCode === EXIT.notFound)
  }
}
console.log(all.length, verdict.status, mask('openai', value), vars, history.length, status.keychain.used, rotated, place, categories, check)
console.log(typeInfo('openai')?.category, formatReference(parseReference('credctl://openai') ?? 'openai'))
`

let dir: string
let tarball: string

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'credctl-packed-types-'))
  // --ignore-scripts: `prepare` would rebuild; the e2e suite runs on the build `npm test` just made.
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  tarball = path.join(dir, (JSON.parse(out) as { filename: string }[])[0]!.filename)
  const modules = path.join(dir, 'consumer/node_modules')
  mkdirSync(path.join(modules, 'credctl'), { recursive: true })
  execFileSync('tar', ['-xzf', tarball, '-C', path.join(modules, 'credctl'), '--strip-components=1'])
  for (const name of readdirSync(path.join(ROOT, 'node_modules'))) {
    if (name === 'credctl' || name.startsWith('.')) continue
    symlinkSync(path.join(ROOT, 'node_modules', name), path.join(modules, name))
  }
  writeFileSync(path.join(dir, 'consumer/package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }))
  writeFileSync(path.join(dir, 'consumer/main.ts'), CONSUMER)
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function tsc(compilerOptions: Record<string, unknown>): { status: number | null; output: string } {
  writeFileSync(path.join(dir, 'consumer/tsconfig.json'), JSON.stringify({ compilerOptions: { noEmit: true, ...compilerOptions } }))
  const r = spawnSync(process.execPath, [TSC, '-p', '.'], { cwd: path.join(dir, 'consumer'), encoding: 'utf8' })
  return { status: r.status, output: `${r.stdout}${r.stderr}` }
}

describe('the packed SDK declarations in a consumer project', () => {
  it('the tarball ships the declarations and declares @types/node, which they reference, as a dependency', () => {
    const pkg = JSON.parse(readFileSync(path.join(dir, 'consumer/node_modules/credctl/package.json'), 'utf8')) as { types: string; dependencies: Record<string, string> }
    expect(pkg.types).toBe('dist/types/index.d.ts')
    const entry = readFileSync(path.join(dir, 'consumer/node_modules/credctl', pkg.types), 'utf8')
    expect(entry).toMatch(/^\/\/\/ <reference types="node"/)
    // A runtime dependency, so `npm install credctl` brings it; a range from the engines floor up, so npm
    // dedupes it with the consumer's own @types/node instead of nesting a second copy of Node's globals.
    expect(pkg.dependencies['@types/node']).toBe('>=20')
  })

  it('compiles under strict with default types and default skipLibCheck (TypeScript 7, module nodenext)', () => {
    const r = tsc({ strict: true, module: 'nodenext' })
    expect(r.output).toBe('')
    expect(r.status).toBe(0)
  })

  it('compiles too when the consumer lists Node types itself (no second copy, no conflict)', () => {
    const r = tsc({ strict: true, module: 'nodenext', types: ['node'] })
    expect(r.output).toBe('')
    expect(r.status).toBe(0)
  })

  it('is not a test that cannot fail: a type error in the consumer is reported', () => {
    writeFileSync(path.join(dir, 'consumer/bad.ts'), `import { createClient } from 'credctl'\nconst n: number = await createClient().credentials.reveal('x')\nconsole.log(n)\n`)
    try {
      const r = tsc({ strict: true, module: 'nodenext' })
      expect(r.status).not.toBe(0)
      expect(r.output).toMatch(/bad\.ts.*TS2322/)
    } finally {
      rmSync(path.join(dir, 'consumer/bad.ts'))
    }
  })
})
