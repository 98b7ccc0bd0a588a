// Write completions/credctl.{bash,zsh,fish} from the command tree, through the built CLI's own
// `credctl completion <shell>` (so the files are exactly what users get from that command). Builds
// first, so the files never come from a stale dist/. Never edit the generated files by hand: change
// src/cli/program.ts (or the generator, src/cli/commands/completion.ts) and run `npm run completions`.
// `--check` writes nothing and exits 1 when a file is out of date (test/unit/completion.test.ts does
// the same comparison from the sources).
import { execFileSync } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'

const root = new URL('..', import.meta.url)
const check = process.argv.includes('--check')
execFileSync(process.execPath, [new URL('scripts/build.mjs', root).pathname, '--no-types'], { stdio: 'inherit' })
mkdirSync(new URL('completions/', root), { recursive: true })
let stale = 0
for (const shell of ['bash', 'zsh', 'fish']) {
  // A clean environment: the script must not depend on the caller's vault, colours or terminal.
  const text = execFileSync(process.execPath, [new URL('bin/credctl.js', root).pathname, 'completion', shell], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' },
  })
  const file = new URL(`completions/credctl.${shell}`, root)
  let current = ''
  try {
    current = readFileSync(file, 'utf8')
  } catch {}
  if (current === text) continue
  stale++
  if (check) console.error(`completions/credctl.${shell} is out of date: run \`npm run completions\``)
  else {
    writeFileSync(file, text)
    console.error(`wrote completions/credctl.${shell}`)
  }
}
if (check && stale) process.exit(1)
