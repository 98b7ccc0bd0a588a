// Build: one esbuild pass for the CLI and the SDK (ESM, code-split so every command, check and driver
// is its own lazily loaded chunk), then TypeScript declarations for the SDK. Runs from `prepare`, so a
// fresh clone is usable after `npm install` / `npm ci`.
import { build } from 'esbuild'
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs'

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
// Bundled (small, pure JS, on the startup path): resolving them from node_modules at run time costs
// more than reading them from the bundle. Everything else (native modules, database drivers) stays
// external and is only imported by the check that needs it.
const BUNDLED = new Set(['commander', 'chalk', 'env-paths', '@inquirer/prompts', '@inquirer/core'])
const external = [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.optionalDependencies ?? {})].filter((d) => !BUNDLED.has(d))
external.push('pg-native')

// Build into a fresh directory and swap it in with renames, so a CLI started meanwhile (tests running
// while someone rebuilds) finds the old bundle or the new one, never an empty dist/.
const dist = new URL('../dist', import.meta.url).pathname
const next = `${dist}.next-${process.pid}`
const old = `${dist}.old-${process.pid}`
rmSync(next, { recursive: true, force: true })
// Two builds. The CLI's startup path (main, the command tree, the SDK's read and write code, the
// renderer) is static from main.ts and lands in dist/cli.js itself: one module to load instead of a
// dozen shared chunks, which costs Node's ESM loader a fraction of a millisecond each. Commands,
// checks, drivers, prompts and tables stay lazy chunks. The SDK is built separately so that sharing
// code with it does not split the CLI's startup path apart.
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
  minify: true,
  logLevel: 'warning',
}
await build({ ...common, entryPoints: { cli: 'src/cli/main.ts' }, outdir: next, chunkNames: 'chunks/[name]-[hash]' })
await build({ ...common, entryPoints: { index: 'src/index.ts' }, outdir: next, chunkNames: 'sdk/[name]-[hash]' })

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
