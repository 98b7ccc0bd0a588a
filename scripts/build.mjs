// Build: one esbuild pass for the CLI and the SDK (ESM, code-split so every command, check and driver
// is its own lazily loaded chunk), then TypeScript declarations for the SDK. Runs from `prepare`, so a
// fresh clone is usable after `npm install` / `npm ci`.
import { build } from 'esbuild'
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs'

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
const common = {
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  define: { __VERSION__: JSON.stringify(pkg.version) },
  // CommonJS dependencies inside an ESM bundle still call require() for Node built-ins.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  legalComments: 'none',
  minify: true,
  logLevel: 'warning',
}
await build({ ...common, entryPoints: { cli: 'src/cli/main.ts' }, outdir: next, chunkNames: 'chunks/[name]-[hash]' })
await build({ ...common, entryPoints: { index: 'src/index.ts' }, outdir: next, chunkNames: 'sdk/[name]-[hash]' })

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
