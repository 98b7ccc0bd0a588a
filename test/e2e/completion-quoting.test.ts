import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, ROOT, runCli, tempVault } from '../helpers/cli.js'
import { mustRun } from '../helpers/keyring.js'

/**
 * Hostile names through Tab in REAL interactive shells (bash with readline, zsh's line editor, fish),
 * each in tmux: type `credctl get ` + an opening (none, ' or ") + the first letters of a name, press
 * Tab, press Enter. The `credctl` on PATH is a stand-in that records its argv (and passes `__names`
 * to the built CLI), so the test sees exactly what the shell made of the completed line: it must be
 * the name itself, and the canary file that `$(touch ...)` or backquotes would create must not exist.
 * A line left with an open quote never reaches Enter's command: the shell waits for more input, and
 * the test fails for want of an argv.
 */
const has = (cmd: string, args = ['--version']) => spawnSync(cmd, args).status === 0
const hasTmux = has('tmux', ['-V'])
const shells = { bash: has('bash') && hasTmux, zsh: has('zsh') && hasTmux, fish: has('fish') && hasTmux }
if (mustRun && !Object.values(shells).every(Boolean)) throw new Error('bash, zsh, fish and tmux are required in CI for the completion tests')

let t: ReturnType<typeof tempVault>
let canary: string
let names: string[]
let binDir: string
let argvFile: string
let servedFile: string
let sessions = 0

beforeAll(async () => {
  t = tempVault('credctl-compq')
  canary = path.join(t.dir, 'pwned')
  // Distinct two-letter prefixes, so two typed letters and Tab pick one name.
  names = [
    "it's mine",
    `su $(touch ${canary}) b`,
    `bq \`touch ${canary}\` q`,
    'dq "quoted" x',
    'bs \\ back\\slash',
    'ba!ng !! x',
    'mi\'x"ed $HOME `id` \\n',
    'sp  two  spaces',
    // Ending with a quote or !: readline does not close a quote after a match ending in that quote.
    "en'd'",
    'eq "x"',
    'ex!',
  ]
  for (const name of names) {
    const r = await runCli(['create', '--name', name, '--type', 'openai', '--value-stdin'], { env: t.env, input: 'sk-proj-0123456789abcdefghij' })
    expect(r.code, r.stderr).toBe(0)
  }
  binDir = path.join(t.dir, 'bin')
  mkdirSync(binDir)
  argvFile = path.join(t.dir, 'argv.json')
  servedFile = path.join(t.dir, 'names-served')
  // The stand-in: names from the real CLI, any other command line recorded as JSON.
  writeFileSync(
    path.join(binDir, 'credctl'),
    `#!${process.execPath}
const args = process.argv.slice(2)
if (args.includes('__names')) {
  require('node:fs').appendFileSync(${JSON.stringify(servedFile)}, 's')
  require('node:child_process').execFileSync(process.execPath, [${JSON.stringify(BIN)}, ...args], { stdio: 'inherit' })
  require('node:fs').appendFileSync(${JSON.stringify(servedFile)}, 'e')
} else {
  // Written whole, then renamed: the test never reads half a file.
  require('node:fs').writeFileSync(${JSON.stringify(argvFile + '.tmp')}, JSON.stringify(args))
  require('node:fs').renameSync(${JSON.stringify(argvFile + '.tmp')}, ${JSON.stringify(argvFile)})
}
`,
  )
  chmodSync(path.join(binDir, 'credctl'), 0o755)
})
afterAll(() => t?.cleanup())

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** One interactive shell in tmux, kept for all the lines of a test. */
function shellSession(shell: 'bash' | 'zsh' | 'fish') {
  const dir = path.join(t.dir, `sh-${shell}`)
  mkdirSync(dir, { recursive: true })
  // A fresh socket per session: reusing one right after kill-server races with the old server.
  const sock = path.join(dir, `sock${++sessions}`)
  const file = path.join(ROOT, 'completions', `credctl.${shell}`)
  const env: Record<string, string> = { ...t.env, PATH: `${binDir}:${process.env.PATH ?? ''}`, TERM: 'xterm-256color', LANG: 'C.UTF-8', HOME: dir }
  delete env.CREDCTL_MASTER_KEY // completion never needs the key
  let argv: string[]
  if (shell === 'bash') {
    writeFileSync(path.join(dir, 'rc'), `PS1='% '\nsource ${JSON.stringify(file)}\n`)
    argv = ['bash', '--noprofile', '--rcfile', path.join(dir, 'rc'), '-i']
  } else if (shell === 'zsh') {
    mkdirSync(path.join(dir, 'functions'), { recursive: true })
    writeFileSync(path.join(dir, 'functions', '_credctl'), readFileSync(file))
    writeFileSync(path.join(dir, '.zshrc'), `PS1='%% '\nfpath=(${dir}/functions $fpath)\nautoload -U compinit && compinit -u -d ${dir}/.zcompdump\n`)
    env.ZDOTDIR = dir
    argv = ['zsh', '-i']
  } else {
    mkdirSync(path.join(dir, 'fish', 'completions'), { recursive: true })
    writeFileSync(path.join(dir, 'fish', 'completions', 'credctl.fish'), readFileSync(file))
    writeFileSync(path.join(dir, 'fish', 'config.fish'), `set -g fish_greeting ''\nset -g fish_autosuggestion_enabled 0\nfunction fish_prompt; echo -n '% '; end\n`)
    env.XDG_CONFIG_HOME = dir
    argv = ['fish', '-i']
  }
  const tmux = (...a: string[]) => execFileSync('tmux', ['-S', sock, ...a], { encoding: 'utf8', env })
  tmux('new-session', '-d', '-x', '200', '-y', '50', ...argv)
  const screen = () => tmux('capture-pane', '-p')
  const waitFor = async (ok: () => boolean, what: string, ms = 15000) => {
    for (let waited = 0; waited < ms; waited += 100) {
      if (ok()) return
      await sleep(100)
    }
    throw new Error(`${shell}: timed out waiting for ${what}:\n${screen()}`)
  }
  let last = ''
  return {
    /** The screen just before Enter, for failure messages. */
    lastScreen: () => last,
    ready: () => waitFor(() => /^%/m.test(screen()), 'the prompt'),
    /** Type `line`, Tab, type `after` (if any), Enter; the argv the stand-in received. */
    async complete(line: string, after = ''): Promise<string[]> {
      rmSync(argvFile, { force: true })
      rmSync(servedFile, { force: true })
      tmux('send-keys', '-l', line)
      await waitFor(() => screen().includes(line), 'the typed line')
      tmux('send-keys', 'Tab')
      // The stand-in marks each request for names (s) and its end (e): wait until every request has
      // been served and none followed for a while, then give the shell a moment to insert the match.
      const served = () => (existsSync(servedFile) ? readFileSync(servedFile, 'utf8') : '')
      await waitFor(() => served().length > 0, 'the shell to ask for names')
      for (let quiet = 0; quiet < 8; ) {
        const was = served()
        await sleep(100)
        quiet = served() === was && !was.endsWith('s') ? quiet + 1 : 0
      }
      await sleep(300)
      if (after) tmux('send-keys', '-l', after)
      last = screen()
      tmux('send-keys', 'Enter')
      try {
        await waitFor(() => existsSync(argvFile), 'the command to run', 8000)
      } catch (e) {
        tmux('send-keys', 'C-c') // an unbalanced line waits for more input: abandon it
        throw e
      }
      return JSON.parse(readFileSync(argvFile, 'utf8')) as string[]
    },
    close: () => {
      try {
        tmux('kill-server')
      } catch {
        /* already gone */
      }
    },
  }
}

for (const shell of ['bash', 'zsh', 'fish'] as const) {
  describe.skipIf(!shells[shell])(`${shell}: Tab on hostile names runs nothing and completes the exact name`, () => {
    for (const [label, open] of [
      ['bare', ''],
      ["after an opening '", "'"],
      ['after an opening "', '"'],
    ] as const) {
      it(label, async () => {
        const s = shellSession(shell)
        try {
          await s.ready()
          for (const name of names) {
            const got = await s.complete(`credctl get ${open}${name.slice(0, 2)}`)
            expect(got, `${shell} ${label}: ${name}`).toEqual(['get', name])
          }
          expect(existsSync(canary), 'a completed name ran a command').toBe(false)
        } finally {
          s.close()
        }
      }, 120_000)
    }
  })
}

// Printable names credctl accepts (no controls, trimmed), dense in what shells treat specially.
const shellChar = fc.oneof(
  fc.constantFrom("'", '"', '$', '`', '\\', ' ', '!', '(', ')', '{', '}', '*', '?', '[', ']', '~', '#', '&', ';', '|', '<', '>', '%', '^', '=', ':', ',', '$(', '${'),
  // Names may not hold controls, invisible (Cf) characters or U+FFFD, and are stored NFC (checkName).
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 2 }).filter((c) => !/[\u0000-\u001f\u007f-\u009f\p{Cf}\uFFFD]/u.test(c)).map((c) => c.normalize('NFC')),
)
const nameTail = fc.array(shellChar, { minLength: 1, maxLength: 10 }).map((a) => a.join('').normalize('NFC').trimEnd()).filter((s) => s.length > 0)

describe('generated names', () => {
  it('bash: the generated quoting, read back by bash as readline leaves the line, is the exact name (bare, after \' and ")', () => {
    // _credctl_names with a stand-in for `credctl __names`, then the line readline would leave: the
    // opening quote, the one match, the closing quote. bash itself reads that word back (eval in a
    // child bash, with a canary for anything that would run).
    const script = `
source ${JSON.stringify(path.join(ROOT, 'completions', 'credctl.bash'))}
names() { cat "$NAMES"; }
_credctl_bin=names
while IFS= read -r -d '' open && IFS= read -r -d '' prefix; do
  COMPREPLY=()
  _credctl_names "$open$prefix"
  [[ \${#COMPREPLY[@]} -eq 1 ]] || { printf 'MATCHES:%s\\0' "\${#COMPREPLY[@]}"; continue; }
  # readline adds the closing quote unless the match already ends with that character
  close=$open; [[ \${COMPREPLY[0]} == *"$open" ]] && close=
  eval "set -- $open\${COMPREPLY[0]}$close"
  printf '%s\\0' "$1"
done`
    fc.assert(
      fc.property(fc.array(nameTail, { minLength: 1, maxLength: 8 }), (tails) => {
        const names = [...new Set(tails.map((x, i) => `k${String.fromCharCode(97 + i)}${x}`))]
        const file = path.join(t.dir, 'names.txt')
        writeFileSync(file, names.map((n) => `${n}\n`).join(''))
        const cases = names.flatMap((n) => ['', "'", '"'].map((open) => ({ n, open })))
        const input = cases.map((c) => `${c.open}\0${c.n.slice(0, 2)}\0`).join('')
        const out = execFileSync('bash', ['--norc', '--noprofile', '-c', script], { input, encoding: 'utf8', cwd: t.dir, env: { PATH: process.env.PATH ?? '', NAMES: file, CANARY: canary } })
        expect(out.split('\0').slice(0, -1)).toEqual(cases.map((c) => c.n))
        expect(existsSync(canary)).toBe(false)
      }),
      { numRuns: 60 },
    )
  })

  for (const shell of ['bash', 'zsh', 'fish'] as const) {
    it.skipIf(!shells[shell])(`${shell}: random names typed in the real shell complete to exactly themselves`, async () => {
      const s = shellSession(shell)
      let run = 0
      try {
        await s.ready()
        await fc.assert(
          fc.asyncProperty(nameTail, fc.constantFrom('', "'", '"'), async (tail, open) => {
            // Unique per shell and run: the three shells share the vault.
            const prefix = `q${shell[0]}${String.fromCharCode(97 + (run % 26))}${String.fromCharCode(97 + Math.floor(run / 26))}`
            run++
            const name = `${prefix}${tail}`
            const r = await runCli(['create', '--name', name, '--type', 'openai', '--value-stdin'], { env: t.env, input: 'sk-proj-0123456789abcdefghij' })
            expect(r.code, r.stderr).toBe(0)
            // fish's own rule: after a match ending in / = @ : . , - it adds no space and leaves a quote
            // open, expecting more (safe: the line waits for the quote). The user closes it.
            const after = shell === 'fish' && open && /[/=@:.,-]$/.test(name) ? open : ''
            expect(await s.complete(`credctl get ${open}${prefix}`, after), s.lastScreen()).toEqual(['get', name])
            expect(existsSync(canary)).toBe(false)
          }),
          { numRuns: 8 },
        )
      } finally {
        s.close()
      }
    }, 180_000)
  }
})
