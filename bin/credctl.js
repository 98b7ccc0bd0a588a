#!/usr/bin/env node
// Shebang shim. CommonJS on purpose (bin/package.json): `--version` is answered here without starting
// Node's ESM loader or loading any module, because scripts and shell prompts call it often. Everything
// else loads the bundled CLI (ESM, code-split) from dist/.
'use strict'
const argv = process.argv.slice(2)
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${require('../package.json').version}\n`)
} else {
  import('../dist/cli.js').then(
    async (mod) => {
      process.exitCode = await mod.main(argv)
    },
    (e) => {
      if (e && e.code === 'ERR_MODULE_NOT_FOUND' && String(e.message).includes('dist')) {
        process.stderr.write('credctl: the CLI is not built yet; run `npm install` (or `npm run build`) in the credctl directory\n')
        process.exitCode = 1
        return
      }
      throw e
    },
  )
}
