import { readdirSync, readFileSync } from 'node:fs'
import * as path from 'node:path'
import { describe, expect, it } from 'vitest'

/**
 * The import rule (issue 13, point 4; DESIGN section 9): no import cycles, and every arrow between the
 * layers points down. This test reads every src/**\/*.ts file, collects its relative imports and builds
 * the module graph; it fails with the offending chain on a cycle or an upward (or sideways) arrow.
 *
 * What counts as an import (all of them, on purpose):
 * - `import … from './x.js'`, `import './x.js'`, `export … from './x.js'`;
 * - dynamic `import('./x.js')`: a lazy import only changes *when* a module loads, not that the two
 *   modules depend on each other; program.ts ↔ commands/completion.ts was such a cycle;
 * - type-only imports (`import type`, `import('./x.js').T`, `typeof import('./x.js')`): erased at run
 *   time, but a reader (and the published declarations) still needs the other module to understand
 *   this one, and a shared type can always move down a layer.
 * Package imports (`node:*`, `commander`) are not part of the graph.
 */

const ROOT = path.resolve(import.meta.dirname, '../..')
const SRC = path.join(ROOT, 'src')

/**
 * The layers, top to bottom (DESIGN section 9). A module may import its own layer, or any layer of a
 * lower rank; two layers of one rank are siblings and may not import each other.
 */
const LAYERS: { name: string; rank: number; holds: (file: string) => boolean }[] = [
  { name: 'cli', rank: 4, holds: (f) => f.startsWith('src/cli/') },
  // The MCP broker (issue 15): started by the CLI, built on the SDK and the checks.
  { name: 'mcp', rank: 3.5, holds: (f) => f.startsWith('src/mcp/') },
  { name: 'sdk', rank: 3, holds: (f) => f === 'src/index.ts' || f.startsWith('src/credentials/') },
  // Key sources (one module per source behind one interface; they use the vault's cipher, format and
  // scrypt below) ...
  { name: 'keys', rank: 2, holds: (f) => f.startsWith('src/keys/') },
  // ... the storage interface and its adapters ...
  { name: 'store', rank: 2, holds: (f) => f.startsWith('src/store/') },
  // ... and validators and discoverers: none knows another, nor the SDK above them.
  { name: 'checks', rank: 2, holds: (f) => f.startsWith('src/checks/') },
  // The vault's formats and crypto (cipher, record codec and schema, scrypt, integrity): what every store
  // adapter, key source and the SDK share.
  { name: 'vault', rank: 1.5, holds: (f) => f.startsWith('src/vault/') },
  // Leaf helpers with no domain knowledge: src/lib imports only src/lib and the two modules below it.
  { name: 'lib', rank: 1, holds: (f) => f.startsWith('src/lib/') },
  // The error type and the lazy node:crypto loader: they import no module of credctl's.
  { name: 'errors', rank: 0, holds: (f) => f === 'src/errors.ts' },
  { name: 'lazy-crypto', rank: 0, holds: (f) => f === 'src/lazy-crypto.ts' },
]

/**
 * Known exceptions, each naming the issue that removes it. Keep this short: the fix is to move the
 * shared piece down a layer. Format: 'from -> to'.
 */
const ALLOWED_UPWARD: ReadonlySet<string> = new Set<string>([])

export type EdgeKind = 'static' | 'dynamic' | 'type'
export interface Edge {
  from: string
  to: string
  kind: EdgeKind
}

/** The source with comments blanked (string and template literals kept), so a commented-out import does not count. */
function withoutComments(t: string): string {
  let out = ''
  let i = 0
  while (i < t.length) {
    const c = t[i]!
    const n = t[i + 1]
    if (c === '/' && n === '/') {
      while (i < t.length && t[i] !== '\n') i++
      continue
    }
    if (c === '/' && n === '*') {
      const end = t.indexOf('*/', i + 2)
      const stop = end < 0 ? t.length : end + 2
      out += t.slice(i, stop).replace(/[^\n]/g, ' ')
      i = stop
      continue
    }
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1
      while (j < t.length && t[j] !== c) j += t[j] === '\\' ? 2 : 1
      out += t.slice(i, j + 1)
      i = j + 1
      continue
    }
    out += c
    i++
  }
  return out
}

/** The relative specifiers `text` imports, with their kind. Exported for the scanner's own test below. */
export function importsOf(text: string): { spec: string; kind: EdgeKind }[] {
  const t = withoutComments(text)
  const found: { spec: string; kind: EdgeKind }[] = []
  // import/export … from '…' at the start of a statement (a clause may span lines).
  for (const m of t.matchAll(/^[ \t]*(?:import|export)\s+(type\s+)?([^;'"`]*?)\s*from\s*(['"])([^'"]+)\3/gm)) {
    const clause = m[2]!.trim()
    const names = /^\{[^}]*\}$/.test(clause) ? clause.slice(1, -1).split(',').map((s) => s.trim()).filter(Boolean) : []
    const typeOnly = !!m[1] || (names.length > 0 && names.every((s) => s.startsWith('type ')))
    found.push({ spec: m[4]!, kind: typeOnly ? 'type' : 'static' })
  }
  // import '…' for its side effects.
  for (const m of t.matchAll(/^[ \t]*import\s*(['"])([^'"]+)\1/gm)) found.push({ spec: m[2]!, kind: 'static' })
  // import('…'): a dynamic import, or a type position (`typeof import('…')`, `import('…').Name`).
  for (const m of t.matchAll(/(typeof\s+)?\bimport\(\s*(['"])([^'"]+)\2\s*\)(\s*\.)?/g)) {
    found.push({ spec: m[3]!, kind: m[1] || m[4] ? 'type' : 'dynamic' })
  }
  return found.filter((x) => x.spec.startsWith('.'))
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const p = path.join(dir, d.name)
    return d.isDirectory() ? sourceFiles(p) : d.name.endsWith('.ts') ? [p] : []
  })
}

const rel = (p: string) => path.relative(ROOT, p).split(path.sep).join('/')

function graph(): { files: string[]; edges: Edge[] } {
  const files = sourceFiles(SRC).map(rel).sort()
  const edges: Edge[] = []
  for (const from of files) {
    for (const { spec, kind } of importsOf(readFileSync(path.join(ROOT, from), 'utf8'))) {
      // NodeNext: the specifier names the emitted .js; the source is the .ts beside it.
      const to = rel(path.resolve(path.dirname(path.join(ROOT, from)), spec.replace(/\.js$/, '.ts')))
      edges.push({ from, to, kind })
    }
  }
  return { files, edges }
}

/**
 * Every cycle's shortest witness: one chain per strongly connected component (Tarjan), written
 * `a -> b (kind) -> … -> a`.
 */
export function cycles(edges: Edge[]): string[] {
  const next = new Map<string, Edge[]>()
  for (const e of edges) {
    if (!next.has(e.from)) next.set(e.from, [])
    if (!next.has(e.to)) next.set(e.to, [])
    next.get(e.from)!.push(e)
  }
  let counter = 0
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const components: string[][] = []
  const visit = (v: string) => {
    index.set(v, counter)
    low.set(v, counter++)
    stack.push(v)
    onStack.add(v)
    for (const { to } of next.get(v)!) {
      if (!index.has(to)) {
        visit(to)
        low.set(v, Math.min(low.get(v)!, low.get(to)!))
      } else if (onStack.has(to)) low.set(v, Math.min(low.get(v)!, index.get(to)!))
    }
    if (low.get(v) === index.get(v)) {
      const c: string[] = []
      let w: string
      do {
        w = stack.pop()!
        onStack.delete(w)
        c.push(w)
      } while (w !== v)
      if (c.length > 1 || next.get(v)!.some((e) => e.to === v)) components.push(c)
    }
  }
  for (const v of [...next.keys()].sort()) if (!index.has(v)) visit(v)
  return components.map((c) => {
    // Breadth-first from the component's first module back to itself, inside the component.
    const inside = new Set(c)
    const start = [...c].sort()[0]!
    const via = new Map<string, Edge>()
    const queue = [start]
    let closing: Edge | undefined
    while (queue.length && !closing) {
      const v = queue.shift()!
      for (const e of next.get(v)!) {
        if (!inside.has(e.to)) continue
        if (e.to === start) {
          closing = e
          break
        }
        if (!via.has(e.to)) {
          via.set(e.to, e)
          queue.push(e.to)
        }
      }
    }
    const chain: Edge[] = [closing!]
    while (chain[0]!.from !== start) chain.unshift(via.get(chain[0]!.from)!)
    return `${start} ${chain.map((e) => `-> ${e.to} (${e.kind})`).join(' ')}`
  })
}

const layerOf = (f: string) => LAYERS.find((l) => l.holds(f))

describe('the import rule: no cycles, layers point down', () => {
  const { files, edges } = graph()

  it('every source file belongs to a layer, and every relative import names a source file', () => {
    expect(files.length).toBeGreaterThan(100)
    expect(files.filter((f) => !layerOf(f))).toEqual([])
    const known = new Set(files)
    expect(edges.filter((e) => !known.has(e.to)).map((e) => `${e.from} -> ${e.to}`)).toEqual([])
  })

  it('no import cycle (static, dynamic and type-only imports all count)', () => {
    expect(cycles(edges)).toEqual([])
  })

  it('no arrow runs up or sideways between layers', () => {
    const bad = edges
      .filter((e) => {
        const a = layerOf(e.from)!
        const b = layerOf(e.to)!
        return a !== b && b.rank >= a.rank && !ALLOWED_UPWARD.has(`${e.from} -> ${e.to}`)
      })
      .map((e) => `${e.from} (${layerOf(e.from)!.name}) -> ${e.to} (${layerOf(e.to)!.name}, ${e.kind})`)
    expect(bad).toEqual([])
  })

  it('the SDK reaches files only through the storage interface: src/credentials imports no node:fs, node:path or node:os', () => {
    // Issue 13, point 1: storage is a VaultStore (src/store), path rules and private temp files are leaf
    // helpers (src/lib). A file the SDK needs to touch goes through one of them.
    const bad = files
      .filter((f) => f.startsWith('src/credentials/'))
      .flatMap((f) => {
        const t = withoutComments(readFileSync(path.join(ROOT, f), 'utf8'))
        return [...t.matchAll(/(?:from\s+|import\(\s*)(['"])(node:(?:fs|fs\/promises|path|os))\1/g)].map((m) => `${f} imports ${m[2]}`)
      })
    expect(bad).toEqual([])
  })

  it('the allow-list holds only arrows that still exist', () => {
    const present = new Set(edges.map((e) => `${e.from} -> ${e.to}`))
    expect([...ALLOWED_UPWARD].filter((a) => !present.has(a))).toEqual([])
  })
})

describe('the scanner and the cycle finder themselves', () => {
  it('finds every kind of relative import and skips comments and packages', () => {
    const src = [
      "import { a } from './a.js'",
      "import type { B } from '../b.js'",
      "import { type C, type D } from './c.js'",
      "import {\n  e,\n  type E,\n} from './e.js'",
      "export { f } from './f.js'",
      "export type { G } from './g.js'",
      "export * from './h.js'",
      "import './side.js'",
      "const i = await import('./i.js')",
      "type J = import('./j.js').J",
      "type K = typeof import('./k.js')",
      "import { l } from 'node:fs'",
      "// import { m } from './m.js'",
      "/* import('./n.js') */",
      "const s = \"import('./o.js') is only text\"",
    ].join('\n')
    const got = importsOf(src).map((x) => `${x.spec} ${x.kind}`)
    expect(got.sort()).toEqual(
      [
        './a.js static', '../b.js type', './c.js type', './e.js static', './f.js static', './g.js type', './h.js static',
        './side.js static', './i.js dynamic', './j.js type', './k.js type',
        // A string is kept as text (the scanner is not a parser): only a module that writes such a string is affected.
        './o.js dynamic',
      ].sort(),
    )
  })

  it('reports a cycle with its chain, and nothing for a DAG', () => {
    const e = (from: string, to: string, kind: EdgeKind = 'static'): Edge => ({ from, to, kind })
    expect(cycles([e('a', 'b'), e('b', 'c'), e('a', 'c')])).toEqual([])
    expect(cycles([e('a', 'b'), e('b', 'c', 'dynamic'), e('c', 'a', 'type'), e('c', 'd')])).toEqual(['a -> b (static) -> c (dynamic) -> a (type)'])
    expect(cycles([e('x', 'x')])).toEqual(['x -> x (static)'])
  })
})
