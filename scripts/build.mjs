// Build: one esbuild pass for the CLI and the SDK (ESM, code-split so every command, check and driver
// is its own lazily loaded chunk), then TypeScript declarations for the SDK. Runs from `prepare`, so a
// fresh clone is usable after `npm install` / `npm ci`.
import { build } from 'esbuild'
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
// Bundled (small, pure JS, on the startup path): resolving them from node_modules at run time costs
// more than reading them from the bundle. Everything else (native modules, database drivers) stays
// external and is only imported by the check that needs it.
const BUNDLED = new Set(['commander', 'chalk', 'env-paths', '@inquirer/prompts', '@inquirer/core'])
const external = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.optionalDependencies ?? {})].filter((d) => !BUNDLED.has(d))
external.push('pg-native')

// Build into a fresh directory and swap it in with renames, so a CLI started meanwhile (tests running
// while someone rebuilds) finds the old bundle or the new one, never an empty dist/.
// `--outdir DIR --no-minify` (with --no-types): a readable copy elsewhere, for bench/stages.mjs.
const outArg = process.argv.indexOf('--outdir')
const dist = outArg > 0 ? path.resolve(process.argv[outArg + 1]) : new URL('../dist', import.meta.url).pathname
const next = `${dist}.next-${process.pid}`
const old = `${dist}.old-${process.pid}`
rmSync(next, { recursive: true, force: true })
// Two builds. The CLI's startup path (main, the command tree, the SDK's read and write code) is static
// from main.ts and lands in dist/cli.js plus ONE startup chunk (oneStartupChunk below): Node's ESM
// loader pays for every file. Commands, checks, drivers, prompts and tables stay lazy chunks. The SDK
// is built separately so that sharing code with it does not split the CLI's startup path apart.
const REQUIRE_BANNER = "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);"
const common = {
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  define: { __VERSION__: JSON.stringify(pkg.version) },
  // CommonJS dependencies inside an ESM bundle still call require() for Node built-ins.
  banner: { js: REQUIRE_BANNER },
  legalComments: 'none',
  minify: !process.argv.includes('--no-minify'),
  logLevel: 'warning',
}
const cli = { ...common, entryPoints: { cli: 'src/cli/main.ts' }, outdir: next, chunkNames: 'chunks/[name]-[hash]' }
await build({ ...cli, plugins: [oneStartupChunk(await build({ ...cli, write: false, metafile: true }))] })
await build({ ...common, entryPoints: { index: 'src/index.ts' }, outdir: next, chunkNames: 'sdk/[name]-[hash]' })

/**
 * The CLI's startup graph in one chunk. esbuild groups modules by the set of entry points that reach
 * them, and every lazily imported module is an entry point: the modules main.ts loads at start are
 * each shared with a different set of lazy commands, so they were spread over ~27 chunks, and Node's
 * ESM loader pays per file (resolve, read, compile, link: measured 15 ms for those 27 files against
 * one file of the same code; bench/RESULTS.md). Given the first pass's metafile, this plugin makes
 * every lazy entry also import every startup module. They are loaded by then anyway, so nothing runs
 * that did not run before, but now each startup module is reached by every entry point alike and
 * esbuild puts them all in one chunk. Lazy code shared between commands keeps its own chunks, and
 * a lazy entry that is itself part of the startup graph is left as it is.
 */
function oneStartupChunk(probe) {
  const outputs = Object.fromEntries(Object.entries(probe.metafile.outputs).map(([k, v]) => [path.resolve(k), v]))
  const startupOutputs = new Set()
  for (const stack = [path.join(next, 'cli.js')]; stack.length; ) {
    const o = stack.pop()
    if (startupOutputs.has(o)) continue
    startupOutputs.add(o)
    for (const im of outputs[o]?.imports ?? []) if (im.kind === 'import-statement' && !im.external) stack.push(path.resolve(im.path))
  }
  const startup = new Set([...startupOutputs].flatMap((o) => Object.keys(outputs[o]?.inputs ?? {})).filter((i) => i.startsWith('src/')).map((i) => path.resolve(i)))
  startup.delete(path.resolve('src/cli/main.ts'))
  const lazy = new Set()
  for (const input of Object.values(probe.metafile.inputs)) for (const im of input.imports) if (im.kind === 'dynamic-import' && !im.external && im.path.startsWith('src/')) lazy.add(path.resolve(im.path))
  const extra = [...startup].map((f) => `import ${JSON.stringify(f)}`).join('\n')
  return {
    name: 'one-startup-chunk',
    setup(b) {
      // A lazy import of a startup module (errors.ts, keys.ts...) would make it an entry point of its
      // own, reached by a set of entries unlike its neighbours': it goes through a re-exporting stand-in
      // instead (src has no default exports, so `export *` carries everything).
      b.onResolve({ filter: /.*/ }, async (args) => {
        if (args.kind !== 'dynamic-import' || args.namespace !== 'file') return undefined
        const r = await b.resolve(args.path, { kind: 'import-statement', resolveDir: args.resolveDir, importer: args.importer })
        return startup.has(r.path) ? { path: r.path, namespace: 'startup-reexport' } : undefined
      })
      b.onLoad({ filter: /.*/, namespace: 'startup-reexport' }, (args) => ({ contents: `export * from ${JSON.stringify(args.path)}\n${extra}\n`, loader: 'js', resolveDir: path.dirname(args.path) }))
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        if (!lazy.has(args.path) || startup.has(args.path)) return undefined
        return { contents: `${readFileSync(args.path, 'utf8')}\n${extra}\n`, loader: 'ts', resolveDir: path.dirname(args.path) }
      })
    },
  }
}

// esbuild puts the banner on every output file, but only the few holding CommonJS code call require():
// in the others it is one more import of node:module to resolve and one more createRequire() to run,
// per chunk, on every start (reveal loads 28 files). Kept wherever the word `require` appears outside
// the banner (a string mentioning it keeps it too: the safe direction).
for (const entry of readdirSync(next, { recursive: true })) {
  const file = `${next}/${entry}`
  if (!file.endsWith('.js')) continue
  const text = readFileSync(file, 'utf8')
  if (text.startsWith(REQUIRE_BANNER) && !/\brequire\b/.test(text.slice(REQUIRE_BANNER.length))) writeFileSync(file, text.slice(REQUIRE_BANNER.length).replace(/^\n/, ''))
}

try {
  renameSync(dist, old)
} catch {
  /* first build: no dist yet */
}
renameSync(next, dist)
rmSync(old, { recursive: true, force: true })

if (!process.argv.includes('--no-types')) {
  const tsc = new URL('../node_modules/typescript/bin/tsc', import.meta.url).pathname
  if (!existsSync(tsc)) {
    // Declarations are for SDK users; a missing dev toolchain (production install) must not break the CLI build.
    console.error('build: TypeScript is not installed; declarations were not emitted')
  } else {
    // With TypeScript present, a failed emit is a failed build: a package without its declarations
    // (test/e2e/packed-types.test.ts) must not pass for a good one.
    execFileSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { stdio: 'inherit' })
  }
}
