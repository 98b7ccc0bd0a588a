import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BIN, ROOT, runCli, tempVault } from '../helpers/cli.js'
import { mustRun } from '../helpers/keyring.js'

/**
 * Completion in real shells. bash: the generated script is sourced in `bash -c` and its function is
 * called with COMP_WORDS/COMP_CWORD set as readline would set them. zsh: an interactive zsh in tmux,
 * Tab pressed, screen read (zsh completion only runs inside the line editor). fish: `complete -C`.
 * Names come from the real `credctl __names` of the built CLI, through a `credctl` on PATH.
 */
const has = (cmd: string, args = ['--version']) => spawnSync(cmd, args).status === 0
const hasZsh = has('zsh') && has('tmux', ['-V'])
const hasFish = has('fish')
const hasBashCompletion = existsSync('/usr/share/bash-completion/bash_completion')
if (mustRun && (!hasZsh || !hasFish || !hasBashCompletion)) throw new Error('zsh, fish, tmux and bash-completion are required in CI for the completion tests (.ci/run installs them)')

const FILE = (shell: string) => path.join(ROOT, 'completions', `credctl.${shell}`)

let t: ReturnType<typeof tempVault>
let other: ReturnType<typeof tempVault>
let binDir: string
let env: Record<string, string>

beforeAll(async () => {
  t = tempVault('credctl-comp')
  other = tempVault('credctl-comp-other')
  binDir = path.join(t.dir, 'bin')
  mkdirSync(binDir)
  symlinkSync(BIN, path.join(binDir, 'credctl'))
  const mk = async (v: typeof t, name: string, type: string, value: string) =>
    expect((await runCli(['create', '--name', name, '--type', type, '--value-stdin'], { env: v.env, input: value })).code).toBe(0)
  await mk(t, 'OpenAI Prod', 'openai', 'sk-proj-0123456789abcdefghij')
  await mk(t, 'OpenAI Dev', 'openai', 'sk-proj-0123456789abcdefghik')
  await mk(t, 'anthropic', 'anthropic', 'sk-ant-0123456789abcdefghij')
  await mk(t, 'Old Key', 'anthropic', 'sk-ant-0123456789abcdefghik')
  expect((await runCli(['delete', 'Old Key'], { env: t.env })).code).toBe(0)
  await mk(other, 'elsewhere', 'groq', 'gsk_0123456789abcdefghij')
  writeFileSync(path.join(t.dir, 'key.txt'), 'x')
  // The completion scripts never need the key: CREDCTL_MASTER_KEY is deliberately absent.
  env = { PATH: `${binDir}:${process.env.PATH ?? ''}`, HOME: t.dir, CREDCTL_VAULT: t.vault, NO_COLOR: '1' }
})
afterAll(() => {
  t.cleanup()
  other.cleanup()
})

describe('completion scripts', () => {
  it('`credctl completion SHELL` prints exactly the committed completions/ files', async () => {
    for (const shell of ['bash', 'zsh', 'fish']) {
      const r = await runCli(['completion', shell], { env })
      expect(r.code).toBe(0)
      expect(r.stdout, `completions/credctl.${shell} is out of date: run \`npm run completions\``).toBe(readFileSync(FILE(shell), 'utf8'))
    }
    const bad = await runCli(['completion', 'powershell'], { env })
    expect(bad.code).toBe(2)
  })

  it('the hidden __names command reads names without the key, fast, and is not in --help', async () => {
    const started = Date.now()
    const r = await runCli(['__names'], { env })
    expect(Date.now() - started).toBeLessThan(3000)
    expect(r).toMatchObject({ code: 0, stdout: 'anthropic\nOpenAI Dev\nOpenAI Prod\n', stderr: '' })
    expect((await runCli(['__names', '--deleted'], { env })).stdout).toBe('Old Key\n')
    expect((await runCli(['--vault', other.vault, '__names'], { env })).stdout).toBe('elsewhere\n')
    expect((await runCli(['__names'], { env: { ...env, CREDCTL_VAULT: path.join(t.dir, 'none.json') } })).stdout).toBe('')
    expect((await runCli(['--help'], { env })).stdout).not.toContain('__names')
  })
})

describe('bash (real bash, COMP_WORDS as readline sets them)', () => {
  const complete = (words: string[]): string[] => {
    const script = `
source ${JSON.stringify(FILE('bash'))}
[[ $(complete -p credctl) == 'complete -F _credctl credctl' ]] || { echo "not registered: $(complete -p credctl)"; exit 9; }
COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMP_LINE="$*"; COMP_POINT=\${#COMP_LINE}
_credctl credctl "\${COMP_WORDS[COMP_CWORD]}" "\${COMP_WORDS[COMP_CWORD-1]}"
printf '%s\\n' "\${COMPREPLY[@]}"`
    const out = execFileSync('bash', ['--norc', '--noprofile', '-c', script, 'bash', ...words], { env, cwd: t.dir, encoding: 'utf8' })
    return out.split('\n').filter(Boolean).sort()
  }

  it('completes commands, aliases and the implicit help, never the hidden command', () => {
    const all = complete(['credctl', ''])
    for (const c of ['create', 'list', 'ls', 'get', 'run', 'import', 'export', 'completion', 'history', 'status', 'help']) expect(all).toContain(c)
    expect(all).not.toContain('__names')
    expect(complete(['credctl', 'se'])).toEqual(['set-default'])
    expect(complete(['credctl', '--vault', 'x.json', 'hi'])).toEqual(['history'])
    expect(complete(['credctl', 'help', 'imp'])).toEqual(['import'])
  })

  it('completes flags, global flags after the command, and flag values with choices', () => {
    expect(complete(['credctl', 'list', '--'])).toEqual(expect.arrayContaining(['--category', '--type', '--deleted', '--json', '--vault', '--key-source']))
    expect(complete(['credctl', 'run', '--d'])).toEqual(['--debug', '--dotenv', '--dry-run'])
    expect(complete(['credctl', 'list', '--type', 'op'])).toEqual(['openai', 'openai_audio', 'openai_image', 'openrouter'])
    expect(complete(['credctl', 'list', '--type', '=', 'anth'])).toEqual(['anthropic']) // --type=anth
    expect(complete(['credctl', 'create', '--category', 'd'])).toEqual(['data_warehouse'])
    expect(complete(['credctl', 'create', '--schema-type', 'my'])).toEqual(['mysql'])
    expect(complete(['credctl', '--key-source', ''])).toEqual(['env', 'file', 'keychain', 'passphrase'])
    // --only is variadic: every word after it is another type, until the next flag or --
    expect(complete(['credctl', 'run', '--only', 'openai', 'anth'])).toEqual(['anthropic'])
    expect(complete(['credctl', 'run', '--only', 'openai', '--dry-run', '--env', 'X=a', '--js'])).toEqual(['--json'])
    expect(complete(['credctl', 'completion', ''])).toEqual(['bash', 'fish', 'zsh'])
    expect(complete(['credctl', 'create', '--value-file', 'ke'])).toEqual(['key.txt'])
    expect(complete(['credctl', 'create', '--name', ''])).toEqual([]) // free text: nothing to offer
  })

  it('completes credential names, quoting names with spaces for the shell', () => {
    expect(complete(['credctl', 'get', ''])).toEqual(['OpenAI\\ Dev', 'OpenAI\\ Prod', 'anthropic'])
    expect(complete(['credctl', 'get', 'OpenAI\\ P'])).toEqual(['OpenAI\\ Prod'])
    // Inside an opening quote readline closes the quote itself: the raw name is the match.
    expect(complete(['credctl', 'reveal', "'OpenAI P"])).toEqual(['OpenAI Prod'])
    expect(complete(['credctl', 'update', '"Open'])).toEqual(['OpenAI Dev', 'OpenAI Prod'])
    expect(complete(['credctl', 'validate', 'anthropic', 'Open'])).toEqual(['OpenAI\\ Dev', 'OpenAI\\ Prod']) // variadic
    expect(complete(['credctl', 'get', 'anthropic', ''])).toEqual([]) // one name only
    expect(complete(['credctl', 'restore', ''])).toEqual(['Old\\ Key']) // deleted ones
    expect(complete(['credctl', '--vault', other.vault, 'get', ''])).toEqual(['elsewhere'])
    expect(complete(['credctl', '--vault', '=', other.vault, 'get', ''])).toEqual(['elsewhere'])
  })

  it('after `run --`, completes a command line', () => {
    expect(complete(['credctl', 'run', '--only', 'openai', '--', 'bas'])).toContain('bash')
    expect(complete(['credctl', 'run', '--', 'cat', 'ke'])).toEqual(['key.txt'])
  })
})

describe.skipIf(!hasFish)('fish (complete -C)', () => {
  const complete = (line: string): string[] => {
    const out = execFileSync('fish', ['--no-config', '-c', `source ${FILE('fish')}; complete -C ${JSON.stringify(line).replace(/\$/g, '\\$')}`], { env, cwd: t.dir, encoding: 'utf8' })
    return out
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t')[0]!)
      .sort()
  }

  it('completes commands, flags, choices and names with spaces', () => {
    expect(complete('credctl ')).toEqual(expect.arrayContaining(['create', 'list', 'ls', 'run', 'completion']))
    expect(complete('credctl ')).not.toContain('__names')
    expect(complete('credctl list --ty')).toEqual(['--type'])
    expect(complete('credctl list --type op')).toEqual(['openai', 'openai_audio', 'openai_image', 'openrouter'])
    expect(complete('credctl create --category d')).toEqual(['data_warehouse'])
    expect(complete('credctl get Open')).toEqual(['OpenAI Dev', 'OpenAI Prod'])
    expect(complete('credctl restore ')).toEqual(['Old Key'])
    expect(complete(`credctl --vault ${other.vault} get `)).toEqual(['elsewhere'])
    expect(complete('credctl completion ')).toEqual(['bash', 'fish', 'zsh'])
    expect(complete('credctl run -- bas')).toContain('bash')
  })
})

describe.skipIf(!hasZsh)('zsh (interactive, in tmux)', () => {
  let sockDir: string
  let n = 0
  beforeAll(() => {
    sockDir = mkdtempSync(path.join(tmpdir(), 'credctl-zsh-'))
    const fdir = path.join(sockDir, 'functions')
    mkdirSync(fdir)
    writeFileSync(path.join(fdir, '_credctl'), readFileSync(FILE('zsh')))
    writeFileSync(
      path.join(sockDir, '.zshrc'),
      `PS1='%% '\nfpath=(${fdir} $fpath)\nautoload -U compinit && compinit -u -d ${sockDir}/.zcompdump\nzstyle ':completion:*' list-rows-first true\n`,
    )
  })
  afterAll(() => rmSync(sockDir, { recursive: true, force: true }))

  /** Type `line`, press Tab (twice when `list`), return the screen. */
  const tab = async (line: string, list = false): Promise<string> => {
    const sock = path.join(sockDir, `s${++n}`)
    const tmux = (...a: string[]) => execFileSync('tmux', ['-S', sock, ...a], { encoding: 'utf8', env: { ...env, ZDOTDIR: sockDir, TERM: 'xterm-256color' } })
    try {
      tmux('new-session', '-d', '-x', '200', '-y', '50', 'zsh', '-i')
      const wait = async (re: RegExp) => {
        for (let i = 0; i < 150; i++) {
          const s = tmux('capture-pane', '-p')
          if (re.test(s)) return s
          await new Promise((r) => setTimeout(r, 100))
        }
        throw new Error(`zsh: timed out waiting for ${re}:\n${tmux('capture-pane', '-p')}`)
      }
      await wait(/^%/m)
      tmux('send-keys', '-l', line)
      tmux('send-keys', 'Tab')
      if (list) {
        await new Promise((r) => setTimeout(r, 700))
        tmux('send-keys', 'Tab')
      }
      await new Promise((r) => setTimeout(r, 1200))
      return tmux('capture-pane', '-p')
    } finally {
      try {
        tmux('kill-server')
      } catch {
        /* already gone */
      }
    }
  }

  it('completes commands, choices and names with spaces', async () => {
    expect(await tab('credctl set-d')).toContain('% credctl set-default')
    expect(await tab('credctl list --type anth')).toContain('% credctl list --type anthropic')
    expect(await tab('credctl get OpenAI\\ P')).toContain('% credctl get OpenAI\\ Prod')
    const listed = await tab('credctl get Open', true)
    expect(listed).toContain('OpenAI\\ Dev')
    expect(listed).toContain('OpenAI\\ Prod')
    expect(await tab('credctl restore O')).toContain('% credctl restore Old\\ Key')
    expect(await tab(`credctl --vault ${other.vault} get e`)).toContain('get elsewhere')
  })
})

describe('completion SHELL --install', () => {
  const install = (shell: string, home: string, extra: Record<string, string> = {}, args: string[] = []) =>
    runCli(['completion', shell, '--install', ...args], { env: { ...env, HOME: home, ...extra } })

  it("writes each shell's standard per-user file (creating directories), the same script as `completion SHELL`, 0644", async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'credctl-inst-'))
    try {
      const where = {
        bash: path.join(home, '.local/share/bash-completion/completions/credctl'),
        zsh: path.join(home, '.zfunc/_credctl'),
        fish: path.join(home, '.config/fish/completions/credctl.fish'),
      }
      for (const shell of ['bash', 'zsh', 'fish'] as const) {
        const r = await install(shell, home)
        expect(r.code, r.stderr).toBe(0)
        expect(r.stdout).toBe('')
        expect(r.stderr.split('\n')[0]).toBe(`wrote the ${shell} completion to ${where[shell]}`)
        expect(readFileSync(where[shell], 'utf8')).toBe(readFileSync(FILE(shell), 'utf8'))
        expect(statSync(where[shell]).mode & 0o777).toBe(0o644)
      }
      // Idempotent: the same content is not rewritten, and says so.
      const mtime = statSync(where.fish).mtimeMs
      const again = await install('fish', home)
      expect(again).toMatchObject({ code: 0, stderr: `the fish completion in ${where.fish} is already up to date\nfish loads it in new shells\n` })
      expect(statSync(where.fish).mtimeMs).toBe(mtime)
      // An older credctl script is replaced; no temp file is left beside it.
      writeFileSync(where.bash, '# credctl completion for bash. Generated from the command tree by an older credctl\n')
      expect((await install('bash', home)).stderr).toMatch(/^updated the bash completion in /)
      expect(readdirSync(path.dirname(where.bash))).toEqual(['credctl'])
    } finally {
      rmSync(home, { recursive: true, force: true })
    }
  })

  it('follows BASH_COMPLETION_USER_DIR, XDG_DATA_HOME, XDG_CONFIG_HOME and ZDOTDIR; ignores relative XDG values', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'credctl-inst-'))
    try {
      const x = (p: string) => path.join(home, p)
      expect((await install('bash', home, { BASH_COMPLETION_USER_DIR: `${x('bc1')}:${x('bc2')}` })).stderr).toContain(`to ${x('bc1/completions/credctl')}\n`)
      expect((await install('bash', home, { XDG_DATA_HOME: x('data') })).stderr).toContain(`to ${x('data/bash-completion/completions/credctl')}\n`)
      expect((await install('fish', home, { XDG_CONFIG_HOME: x('cfg') })).stderr).toContain(`to ${x('cfg/fish/completions/credctl.fish')}\n`)
      expect((await install('fish', home, { XDG_CONFIG_HOME: 'relative' })).stderr).toContain(`to ${x('.config/fish/completions/credctl.fish')}\n`)
      mkdirSync(x('zdot'))
      const z = await install('zsh', home, { ZDOTDIR: x('zdot') })
      expect(z.stderr).toContain(`to ${x('zdot/.zfunc/_credctl')}\n`)
      expect(z.stderr).toContain('add this line to $ZDOTDIR/.zshrc, before compinit runs (or before oh-my-zsh.sh is sourced): fpath=("$ZDOTDIR/.zfunc" $fpath)\n')
      // A .zshrc that already has both lines: nothing more to add.
      writeFileSync(x('.zshrc'), 'fpath=(~/.zfunc $fpath)\nautoload -Uz compinit && compinit\n')
      expect((await install('zsh', home)).stderr).toBe(`wrote the zsh completion to ${x('.zfunc/_credctl')}\nthen open a new zsh\n`)
    } finally {
      rmSync(home, { recursive: true, force: true })
    }
  })

  it('refuses to replace a file credctl did not write (exit 2, file unchanged) unless --force; a directory never', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'credctl-inst-'))
    try {
      const file = path.join(home, '.config/fish/completions/credctl.fish')
      mkdirSync(path.dirname(file), { recursive: true })
      writeFileSync(file, '# my own completion\n')
      const r = await install('fish', home)
      expect(r).toMatchObject({ code: 2, stdout: '', stderr: `credctl: ${file} exists and was not written by credctl: nothing was written (pass --force to replace it)\n` })
      expect(readFileSync(file, 'utf8')).toBe('# my own completion\n')
      expect((await install('fish', home, {}, ['--force'])).code).toBe(0)
      expect(readFileSync(file, 'utf8')).toBe(readFileSync(FILE('fish'), 'utf8'))
      const zdir = path.join(home, '.zfunc/_credctl')
      mkdirSync(zdir, { recursive: true })
      expect((await install('zsh', home, {}, ['--force'])).code).toBe(2)
      expect((await runCli(['completion', 'bash', '--force'], { env })).code).toBe(2)
    } finally {
      rmSync(home, { recursive: true, force: true })
    }
  })
})

/**
 * The README's lines in real interactive shells, each in a fresh HOME, in tmux: type `credctl se`, press
 * Tab, and the line must read `credctl set-default`; type `credctl ` and Tab twice (zsh, fish: once) for
 * the list of commands.
 */
describe.skipIf(!hasZsh || !hasFish)("the README's installation lines, in real interactive shells (tmux)", () => {
  let n = 0
  const session = async (home: string, argv: string[], prompt: RegExp, steps: (keys: (...k: string[]) => void) => Promise<void>): Promise<string> => {
    const sock = path.join(home, `tmux${++n}`)
    const tmux = (...a: string[]) => execFileSync('tmux', ['-S', sock, ...a], { encoding: 'utf8', env: { ...env, HOME: home, TERM: 'xterm-256color' } })
    try {
      tmux('new-session', '-d', '-x', '160', '-y', '40', ...argv)
      for (let i = 0; i < 150 && !prompt.test(tmux('capture-pane', '-p')); i++) await new Promise((r) => setTimeout(r, 100))
      await steps((...k) => void tmux('send-keys', ...k))
      await new Promise((r) => setTimeout(r, 1500))
      return tmux('capture-pane', '-p')
    } finally {
      try {
        tmux('kill-server')
      } catch {
        /* already gone */
      }
    }
  }
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms))
  const typeTab = (line: string, tabs = 1) => async (keys: (...k: string[]) => void) => {
    keys('-l', line)
    for (let i = 0; i < tabs; i++) {
      await pause(600)
      keys('Tab')
    }
  }
  const withHome = async (fn: (home: string) => Promise<void>) => {
    const home = mkdtempSync(path.join(tmpdir(), 'credctl-rc-'))
    try {
      await fn(home)
    } finally {
      rmSync(home, { recursive: true, force: true })
    }
  }

  it("bash without the bash-completion package: `source <(credctl completion bash)` in ~/.bashrc", async () => {
    await withHome(async (home) => {
      writeFileSync(path.join(home, '.bashrc'), `PS1='$ '\nsource <(credctl completion bash)\n`)
      const one = await session(home, ['bash', '-i'], /^\$/m, typeTab('credctl se'))
      expect(one).toMatch(/^\$ credctl set-default\s*$/m)
      const list = await session(home, ['bash', '-i'], /^\$/m, typeTab('credctl ', 2))
      for (const c of ['completion', 'create', 'reveal', 'set-default', 'status']) expect(list).toMatch(new RegExp(`\\b${c}\\b`))
    })
  })

  it.skipIf(!hasBashCompletion)('bash with the bash-completion package: `credctl completion bash --install`, nothing to add', async () => {
    await withHome(async (home) => {
      // A fresh HOME has no ~/.bashrc, so nothing loads bash-completion in an interactive bash: it says so.
      const fresh = await runCli(['completion', 'bash', '--install'], { env: { ...env, HOME: home } })
      expect(fresh.stderr).toMatch(/bash-completion is installed but your ~\/\.bashrc does not load it: add this line to ~\/\.bashrc: \[ -f \S+ \] && \. \S+/)
      // What Debian's /etc/skel/.bashrc does to enable programmable completion.
      writeFileSync(path.join(home, '.bashrc'), `PS1='$ '\n. /usr/share/bash-completion/bash_completion\n`)
      const r = await runCli(['completion', 'bash', '--install'], { env: { ...env, HOME: home } })
      expect(r.stderr).toBe(`the bash completion in ${home}/.local/share/bash-completion/completions/credctl is already up to date\nbash-completion loads it in new shells\n`)
      const one = await session(home, ['bash', '-i'], /^\$/m, typeTab('credctl se'))
      expect(one).toMatch(/^\$ credctl set-default\s*$/m)
    })
  })

  it('zsh: `credctl completion zsh --install` and the lines it prints, in ~/.zshrc', async () => {
    await withHome(async (home) => {
      const r = await runCli(['completion', 'zsh', '--install'], { env: { ...env, HOME: home } })
      expect(r.code).toBe(0)
      // The lines it asks for, taken from its own output: they are what a user would paste.
      const lines = r.stderr.split('\n').filter((l) => /^(add|and) /.test(l)).map((l) => l.slice(l.lastIndexOf('): ') >= 0 ? l.lastIndexOf('): ') + 3 : l.indexOf(': ') + 2))
      expect(lines).toEqual(['fpath=(~/.zfunc $fpath)', 'autoload -Uz compinit && compinit'])
      writeFileSync(path.join(home, '.zshrc'), `PS1='%% '\n${lines.join('\n')}\n`)
      const one = await session(home, ['zsh', '-i'], /^%/m, typeTab('credctl se'))
      expect(one).toContain('% credctl set-default')
      const list = await session(home, ['zsh', '-i'], /^%/m, typeTab('credctl ', 2))
      for (const c of ['completion', 'create', 'reveal', 'set-default', 'status']) expect(list).toMatch(new RegExp(`\\b${c}\\b`))
    })
  })

  it('fish: `credctl completion fish --install`, nothing to add', async () => {
    await withHome(async (home) => {
      expect((await runCli(['completion', 'fish', '--install'], { env: { ...env, HOME: home } })).code).toBe(0)
      const fishArgs = ['fish', '-i', '-C', "function fish_prompt; echo -n '> '; end; set -g fish_greeting; set -g fish_autosuggestion_enabled 0"]
      const one = await session(home, fishArgs, /^>/m, typeTab('credctl se'))
      expect(one).toMatch(/^> credctl set-default/m)
      // fish pages a long list: the first rows are enough
      const list = await session(home, fishArgs, /^>/m, typeTab('credctl ', 1))
      for (const c of ['completion', 'create', 'delete', 'discover']) expect(list).toMatch(new RegExp(`\\b${c}\\b`))
    })
  })
})
