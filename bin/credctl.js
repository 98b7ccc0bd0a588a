#!/usr/bin/env node
// Shebang shim: load the bundled CLI. `--version` is answered here, before any module loads, because
// scripts and shell prompts call it often.
import { readFileSync } from 'node:fs'

const argv = process.argv.slice(2)
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  process.stdout.write(`${pkg.version}\n`)
} else {
  let mod
  try {
    mod = await import('../dist/cli.js')
  } catch (e) {
    if (e && e.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('dist/cli.js')) {
      process.stderr.write('credctl: the CLI is not built yet; run `npm install` (or `npm run build`) in the credctl directory\n')
      process.exit(1)
    }
    throw e
  }
  process.exitCode = await mod.main(argv)
}
