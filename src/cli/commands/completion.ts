import type { Argument, Command, Option } from 'commander'
import * as path from 'node:path'
import { CredctlError } from '../../errors.js'
import type { Factory } from '../factory.js'
import type { Output } from '../output.js'

/**
 * Shell completion for bash, zsh and fish, generated from the commander tree (program.ts), never
 * written by hand per command: a new command, flag or choice shows up in every shell once the tree has
 * it. `scripts/gen-completions.mjs` writes the same scripts to completions/, and a test fails when those
 * files differ from what the tree generates.
 *
 * What is completed: commands and aliases; flags (global ones everywhere, as commander accepts them
 * after the command); the values of flags with choices (--type, --category, --key-source, --only);
 * file names for flags whose value is a <path> or <file>; credential names for arguments called
 * `name`/`names` (active credentials) or `deleted-name` (deleted ones); and after `run ... --`, a
 * command line. Names come from the hidden `credctl __names` command, which reads only the vault file
 * (no key, no keychain), so Tab stays fast and never prompts. A name is quoted for the shell and for
 * the quote the user opened (bash: our own quoting; zsh: compadd; fish: complete), so a name holding
 * quotes, `$(...)`, backquotes, backslashes or spaces completes to exactly itself and runs nothing
 * (test/e2e/completion-quoting.test.ts types them in real shells).
 */

export const SHELLS = ['bash', 'zsh', 'fish'] as const
export type Shell = (typeof SHELLS)[number]

type ValueKind = { kind: 'choices'; choices: string[] } | { kind: 'file' } | { kind: 'text' }
type ArgKind = 'names' | 'deleted-names' | 'choices' | 'command' | 'subcommand' | 'none'

export interface OptSpec {
  long?: string
  short?: string
  description: string
  /** undefined: a boolean flag. */
  value?: ValueKind
  variadic: boolean
}

export interface ArgSpec {
  name: string
  kind: ArgKind
  choices?: string[]
  variadic: boolean
}

export interface CmdSpec {
  name: string
  aliases: string[]
  description: string
  options: OptSpec[]
  args: ArgSpec[]
}

export interface TreeSpec {
  name: string
  globals: OptSpec[]
  commands: CmdSpec[]
}

function optSpec(o: Option): OptSpec {
  const placeholder = /[<[]([^>\]]+)[>\]]/.exec(o.flags)?.[1]?.replace(/\.\.\.$/, '')
  let value: ValueKind | undefined
  if (o.required || o.optional) {
    if (o.argChoices?.length) value = { kind: 'choices', choices: [...o.argChoices] }
    else if (placeholder && /^(path|file|dir)$/.test(placeholder)) value = { kind: 'file' }
    else value = { kind: 'text' }
  }
  return {
    ...(o.long ? { long: o.long } : {}),
    ...(o.short ? { short: o.short } : {}),
    description: o.description,
    ...(value ? { value } : {}),
    variadic: o.variadic,
  }
}

function argSpec(cmd: Command, a: Argument): ArgSpec {
  const name = a.name()
  let kind: ArgKind = 'none'
  if (a.argChoices?.length) kind = 'choices'
  else if (name === 'name' || name === 'names') kind = 'names'
  else if (name === 'deleted-name') kind = 'deleted-names'
  else if (name === 'command' && a.variadic) kind = 'command'
  else if (cmd.name() === 'help') kind = 'subcommand'
  return { name, kind, ...(a.argChoices?.length ? { choices: [...a.argChoices] } : {}), variadic: a.variadic }
}

/** The parts of the tree completion needs, read through commander's public API (Help lists only visible ones). */
export function describeTree(program: Command): TreeSpec {
  const help = program.createHelp()
  const globals = help.visibleOptions(program).map(optSpec)
  const commands = help.visibleCommands(program).map((c) => {
    // A command group (`identity new|show`): its subcommands complete as the first word's choices; their
    // own flags are not completed (the tree spec has one level of commands).
    const subs = c.commands.length ? help.visibleCommands(c).map((s) => s.name()).filter((n) => n !== 'help') : []
    const args = c.registeredArguments.length
      ? c.registeredArguments.map((a) => argSpec(c, a))
      : c.name() === 'help'
        ? [{ name: 'command', kind: 'subcommand' as const, variadic: false }]
        : subs.length
          ? [{ name: 'subcommand', kind: 'choices' as const, choices: subs, variadic: false }]
          : []
    return {
      name: c.name(),
      aliases: c.aliases(),
      description: c.description(),
      options: help.visibleOptions(c).map(optSpec),
      args,
    }
  })
  return { name: program.name(), globals, commands }
}

const HEADER = (shell: string) =>
  `credctl completion for ${shell}. Generated from the command tree by \`credctl completion ${shell}\` (scripts/gen-completions.mjs); do not edit.`

const flagsOf = (o: OptSpec) => [o.long, o.short].filter((x): x is string => !!x)
const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`

// ---------------------------------------------------------------- bash

function bash(t: TreeSpec): string {
  const fn = `_${t.name}`
  const valueOpts = (opts: OptSpec[]) => opts.filter((o) => o.value).flatMap(flagsOf)
  const globalValue = valueOpts(t.globals)
  const all = (c: CmdSpec) => [...c.options, ...t.globals.filter((g) => !c.options.some((o) => o.long === g.long))]
  const valueCase = (opts: OptSpec[]) => {
    const lines: string[] = []
    for (const o of opts.filter((x) => x.value)) {
      const pat = flagsOf(o).join('|')
      if (o.value!.kind === 'choices') lines.push(`      ${pat}) COMPREPLY=($(compgen -W ${sq(o.value!.choices.join(' '))} -- "$cur")); return ;;`)
      else if (o.value!.kind === 'file') lines.push(`      ${pat}) ${fn}_files; return ;;`)
      else lines.push(`      ${pat}) return ;;`)
    }
    return lines.join('\n')
  }
  const posCase = (c: CmdSpec) => {
    const lines: string[] = []
    c.args.forEach((a, i) => {
      const pat = a.variadic ? '*' : String(i)
      let action = ''
      if (a.kind === 'names') action = `${fn}_names "$cur"`
      else if (a.kind === 'deleted-names') action = `${fn}_names "$cur" --deleted`
      else if (a.kind === 'choices') action = `COMPREPLY=($(compgen -W ${sq(a.choices!.join(' '))} -- "$cur"))`
      else if (a.kind === 'subcommand') action = `COMPREPLY=($(compgen -W "$${fn}_commands" -- "$cur"))`
      else if (a.kind === 'command') {
        // before `--`: the command name first, then its arguments (files)
        lines.push(`        0) COMPREPLY=($(compgen -c -- "$cur")) ;;`)
        action = `${fn}_files`
      }
      if (action) lines.push(`        ${pat}) ${action} ;;`)
    })
    return lines.join('\n')
  }
  const cmdFns = t.commands
    .map((c) => {
      const opts = all(c)
      return `${fn}_cmd_${c.name.replace(/-/g, '_')}() {
  case $prev in
${valueCase(opts)}
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W ${sq(opts.flatMap(flagsOf).join(' '))} -- "$cur"))
    return
  fi
  case $npos in
${posCase(c)}
  esac
}`
    })
    .join('\n\n')
  const vopts = t.commands
    .map((c) => {
      const variadic = all(c).filter((o) => o.value && o.variadic).flatMap(flagsOf)
      return `    ${[c.name, ...c.aliases].join('|')}) vopts=${sq(` ${valueOpts(all(c)).join(' ')} `)}${variadic.length ? ` varopts=${sq(` ${variadic.join(' ')} `)}` : ''} ;;`
    })
    .join('\n')
  const dispatch = t.commands.map((c) => `    ${[c.name, ...c.aliases].join('|')}) ${fn}_cmd_${c.name.replace(/-/g, '_')} ;;`).join('\n')
  const commandWords = t.commands.flatMap((c) => [c.name, ...c.aliases]).join(' ')
  return `# ${HEADER('bash')}
# Install: credctl completion bash --install   (loaded by the bash-completion package)
#      or: echo 'source <(credctl completion bash)' >> ~/.bashrc   (without that package)

${fn}_commands=${sq(commandWords)}

${fn}_files() {
  # Let readline complete file names (quoting them itself); outside a completion run (tests), list them.
  compopt -o default 2>/dev/null || COMPREPLY=($(compgen -f -- "$cur"))
}

# Credential names from \`credctl __names\` (reads only the vault file). The word typed so far is read
# the way bash will read it (bare with backslash escapes, or after an opening ' or "), and each match
# is quoted for that context, so a name holding $(...), backquotes, quotes, backslashes, spaces or !
# completes to exactly that name: nothing runs, and the quote readline closes stays balanced. A word
# mixing quotes (ab'c'd) gets no names rather than a wrong guess.
${fn}_names() {
  local cur=$1 val= q= i c n sq="'\\\\''"
  local -a args=()
  [[ -n $${fn}_vault ]] && args=(--vault "$${fn}_vault")
  case $cur in
    [\\'\\"]*) q=\${cur:0:1}; cur=\${cur:1} ;;
  esac
  for ((i = 0; i < \${#cur}; i++)); do
    c=\${cur:i:1}
    if [[ $q == \\' ]]; then
      [[ $c == \\' ]] && return
    elif [[ $c == \\\\ ]] && [[ -z $q || \${cur:i+1:1} == [\\$\\\`\\"\\\\] ]]; then
      i=$((i + 1)); c=\${cur:i:1}
    elif [[ $c == [\\'\\"] ]]; then
      return
    fi
    val+=$c
  done
  while IFS= read -r n; do
    [[ -n $n && $n == "$val"* ]] || continue
    case $q in
      \\') n=\${n//\\'/$sq} ;;
      \\") n=\${n//\\\\/\\\\\\\\}; n=\${n//\\$/\\\\\\$}; n=\${n//\\\`/\\\\\\\`}; n=\${n//\\"/\\\\\\"}; n=\${n//!/\\"\\'!\\'\\"} ;;
      *) printf -v n '%q' "$n" ;;
    esac
    # readline closes the quote after the one match, unless the match ends with that quote character:
    # then close it here (it'\\'' -> it'\\''' reads back as it').
    [[ -n $q && $n == *"$q" ]] && n+=$q
    COMPREPLY+=("$n")
  done < <("$${fn}_bin" "\${args[@]}" __names "\${@:2}" 2>/dev/null)
}

${cmdFns}

${fn}() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]} cword=$COMP_CWORD
  local -a words=("\${COMP_WORDS[@]}")
  COMPREPLY=()
  # COMP_WORDBREAKS splits --flag=value into three words: treat "=" as a separator.
  if [[ $cur == = ]]; then cur=; elif [[ $prev == = && $cword -ge 2 ]]; then prev=\${words[cword-2]}; fi
  local ${fn}_bin=\${words[0]} ${fn}_vault= cmd= vopts=${sq(` ${globalValue.join(' ')} `)} varopts= invar= npos=0 i w dashdash=
  [[ $${fn}_bin == "~/"* ]] && ${fn}_bin=$HOME/\${${fn}_bin#"~/"}
  for ((i = 1; i < cword; i++)); do
    w=\${words[i]}
    if [[ -n $dashdash ]]; then npos=$((npos + 1)); continue; fi
    if [[ $w == -- ]]; then dashdash=$i; continue; fi
    if [[ $w == --vault ]]; then
      if [[ \${words[i+1]} == = ]]; then ${fn}_vault=\${words[i+2]}; else ${fn}_vault=\${words[i+1]}; fi
    fi
    # A variadic flag (run --only A B) takes every following word up to the next flag.
    if [[ -n $invar && $w != -* ]]; then continue; fi
    invar=
    if [[ $vopts == *" $w "* ]]; then
      [[ $varopts == *" $w "* ]] && invar=$w
      # the flag's value is the next word (or the one after "=")
      if [[ \${words[i+1]} == = ]]; then i=$((i + 2)); else i=$((i + 1)); fi
      continue
    fi
    [[ $w == -* || $w == = ]] && continue
    if [[ -z $cmd ]]; then
      cmd=$w
      case $cmd in
${vopts}
      esac
    else
      npos=$((npos + 1))
    fi
  done
  [[ -n $invar && $cur != -* ]] && prev=$invar
  if [[ -n $dashdash ]]; then
    # run ... -- CMD ARGS: a command name first, then whatever that command takes.
    if [[ $((cword - dashdash)) -eq 1 ]]; then COMPREPLY=($(compgen -c -- "$cur")); else ${fn}_files; fi
    return
  fi
  if [[ -z $cmd ]]; then
    case $prev in
${valueCase(t.globals)}
    esac
    if [[ $cur == -* ]]; then
      COMPREPLY=($(compgen -W ${sq(t.globals.flatMap(flagsOf).join(' '))} -- "$cur"))
    else
      COMPREPLY=($(compgen -W "$${fn}_commands" -- "$cur"))
    fi
    return
  fi
  case $cmd in
${dispatch}
  esac
}

complete -F ${fn} ${t.name}
`
}

// ---------------------------------------------------------------- zsh

function zsh(t: TreeSpec): string {
  const fn = `_${t.name}`
  // _arguments specs: brackets and colons in descriptions must be escaped.
  const desc = (s: string) => s.replace(/\\/g, '\\\\').replace(/([[\]:])/g, '\\$1')
  const optLine = (o: OptSpec): string => {
    const flags = flagsOf(o)
    let action = ''
    if (o.value) {
      const label = o.value.kind === 'file' ? 'file' : 'value'
      if (o.value.kind === 'choices') action = `:${label}:(${o.value.choices.join(' ')})`
      else if (o.value.kind === 'file') action = `:${label}:_files`
      else action = `:${label}: `
    }
    const eq = o.value && o.long ? '=' : ''
    const rep = o.variadic ? '*' : ''
    if (flags.length === 2) {
      const excl = `(${flags.join(' ')})`
      return `    ${sq(`${rep}${rep ? '' : excl}`)}{${flags.map((f) => (f.startsWith('--') ? `${f}${eq}` : f)).join(',')}}${sq(`[${desc(o.description)}]${action}`)}`
    }
    return `    ${sq(`${rep}${flags[0]}${eq}[${desc(o.description)}]${action}`)}`
  }
  const argLine = (a: ArgSpec, i: number): string => {
    const pos = a.variadic ? '*' : String(i + 1)
    let action = ' '
    if (a.kind === 'names') action = `${fn}_names`
    else if (a.kind === 'deleted-names') action = `${fn}_names --deleted`
    else if (a.kind === 'choices') action = `(${a.choices!.join(' ')})`
    else if (a.kind === 'subcommand') action = `${fn}_commands`
    else if (a.kind === 'command') return `    '*:: :_normal'`
    return `    ${sq(`${pos}:${a.name}:${action}`)}`
  }
  const cmdCases = t.commands
    .map((c) => {
      const opts = [...c.options, ...t.globals.filter((g) => !c.options.some((o) => o.long === g.long))]
      const lines = [...opts.map(optLine), ...c.args.map(argLine)]
      const dashdash = c.args.some((a) => a.kind === 'command') ? ' -S' : ''
      return `      (${[c.name, ...c.aliases].join('|')})\n        _arguments -s${dashdash} \\\n${lines.map((l) => `    ${l}`).join(' \\\n')} && ret=0\n        ;;`
    })
    .join('\n')
  const cmdList = t.commands.flatMap((c) => [c.name, ...c.aliases].map((n) => `    ${sq(`${n.replace(/:/g, '\\:')}:${c.description}`)}`)).join('\n')
  return `#compdef ${t.name}
# ${HEADER('zsh')}
# Install: credctl completion zsh --install   (~/.zfunc/_credctl; it prints the fpath line for ~/.zshrc)
#      or: source <(credctl completion zsh)   (in ~/.zshrc, after compinit)

${fn}_commands() {
  local -a commands
  commands=(
${cmdList}
  )
  _describe -t commands 'credctl command' commands
}

# Credential names from \`credctl __names\` (reads only the vault file); compadd quotes them.
# _arguments adds compadd options to the call: of the arguments, only --deleted is ours.
${fn}_names() {
  local -a names extra expl
  (( \${@[(I)--deleted]} )) && extra=(--deleted)
  names=("\${(@f)$(\${~${fn}_bin} "\${${fn}_vault[@]}" __names "\${extra[@]}" 2>/dev/null)}")
  names=(\${names:#})
  _wanted names expl 'credential' compadd -a names
}

${fn}() {
  local curcontext="$curcontext" state line ret=1
  local ${fn}_bin=\${words[1]} i
  local -a ${fn}_vault
  # --vault anywhere on the line selects the vault the names come from (before _arguments shifts words).
  for (( i = 2; i < CURRENT; i++ )); do
    case \${words[i]} in
      (--vault) ${fn}_vault=(--vault "\${words[i+1]}") ;;
      (--vault=*) ${fn}_vault=(--vault "\${words[i]#--vault=}") ;;
    esac
  done
  typeset -A opt_args
  _arguments -C \\
${t.globals.map(optLine).join(' \\\n')} \\
    '1: :${fn}_commands' \\
    '*:: :->args' && ret=0
  case $state in
    (args)
      case \${words[1]} in
${cmdCases}
      esac
      ;;
  esac
  return ret
}

if [[ \${funcstack[1]} == ${fn} ]]; then
  ${fn} "$@"
else
  compdef ${fn} ${t.name}
fi
`
}

// ---------------------------------------------------------------- fish

function fish(t: TreeSpec): string {
  const c = `complete -c ${t.name}`
  const fq = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
  const optLine = (o: OptSpec, cond: string): string => {
    const parts = [c, `-n ${fq(cond)}`]
    if (o.long) parts.push(`-l ${o.long.replace(/^--/, '')}`)
    if (o.short) parts.push(`-s ${o.short.replace(/^-/, '')}`)
    if (o.value?.kind === 'choices') parts.push(`-x -a ${fq(o.value.choices.join(' '))}`)
    else if (o.value?.kind === 'file') parts.push('-r -F')
    else if (o.value) parts.push('-x')
    parts.push(`-d ${fq(o.description)}`)
    return parts.join(' ')
  }
  const lines: string[] = [
    `# ${HEADER('fish')}`,
    '# Install: credctl completion fish --install   (~/.config/fish/completions/credctl.fish)',
    '',
    '# Credential names from `credctl __names` (reads only the vault file); fish quotes them.',
    `function __${t.name}_names`,
    '    set -l tokens (commandline -opc)',
    '    set -l args',
    '    for i in (seq (count $tokens))',
    '        switch $tokens[$i]',
    '            case --vault',
    '                set args --vault $tokens[(math $i + 1)]',
    "            case '--vault=*'",
    "                set args --vault (string replace -- '--vault=' '' $tokens[$i])",
    '        end',
    '    end',
    '    $tokens[1] $args __names $argv 2>/dev/null',
    'end',
    '',
    `function __${t.name}_after_dashdash`,
    '    contains -- -- (commandline -opc)',
    'end',
    '',
    '# run ... -- CMD ARGS: complete CMD ARGS as a command line of its own.',
    `function __${t.name}_complete_command`,
    '    set -l tokens (commandline -opc)',
    '    set -l i (contains -i -- -- $tokens)',
    '    set -l rest',
    '    if test $i -lt (count $tokens)',
    '        set rest (string escape -- $tokens[(math $i + 1)..-1])',
    '    end',
    "    complete -C (string join ' ' -- $rest '')(commandline -ct)",
    'end',
    '',
    `${c} -f`,
    ...t.globals.map((g) => optLine(g, `not __${t.name}_after_dashdash`)),
  ]
  const names = (c2: CmdSpec) => [c2.name, ...c2.aliases].join(' ')
  for (const cmd of t.commands) {
    lines.push(`${c} -n __fish_use_subcommand -a ${fq(cmd.name)} -d ${fq(cmd.description)}`)
    for (const a of cmd.aliases) lines.push(`${c} -n __fish_use_subcommand -a ${fq(a)} -d ${fq(`alias of ${cmd.name}`)}`)
  }
  for (const cmd of t.commands) {
    const seen = `__fish_seen_subcommand_from ${names(cmd)}`
    const cond = `${seen}; and not __${t.name}_after_dashdash`
    for (const o of cmd.options) if (!t.globals.some((g) => g.long === o.long)) lines.push(optLine(o, cond))
    for (const a of cmd.args) {
      if (a.kind === 'names') lines.push(`${c} -n ${fq(cond)} -a '(__${t.name}_names)'`)
      else if (a.kind === 'deleted-names') lines.push(`${c} -n ${fq(cond)} -a '(__${t.name}_names --deleted)'`)
      else if (a.kind === 'choices') lines.push(`${c} -n ${fq(cond)} -a ${fq(a.choices!.join(' '))}`)
      else if (a.kind === 'subcommand') lines.push(`${c} -n ${fq(cond)} -a ${fq(t.commands.map((x) => x.name).join(' '))}`)
      else if (a.kind === 'command') lines.push(`${c} -n ${fq(`${seen}; and __${t.name}_after_dashdash`)} -a '(__${t.name}_complete_command)'`)
    }
  }
  return `${lines.join('\n')}\n`
}

export function generateCompletion(program: Command, shell: Shell): string {
  const t = describeTree(program)
  return shell === 'bash' ? bash(t) : shell === 'zsh' ? zsh(t) : fish(t)
}

export interface CompletionOptions {
  /** Write the script where the shell loads it from (installTarget) instead of printing it. */
  install?: boolean
  /** With install: replace a file that credctl did not write. */
  force?: boolean
}

/** Where `--install` writes, and what the user must add (if anything) for the shell to load it. */
export interface InstallTarget {
  file: string
  /** Lines for stderr after "wrote ...": what loads the file, or the one line to add to an rc file. */
  then: string[]
}

/** The places bash-completion's main script is installed by Debian/Ubuntu, Fedora, Arch and Homebrew. */
export const BASH_COMPLETION_SCRIPTS = [
  '/usr/share/bash-completion/bash_completion',
  '/etc/bash_completion',
  '/usr/local/share/bash-completion/bash_completion',
  '/opt/homebrew/etc/profile.d/bash_completion.sh',
  '/usr/local/etc/profile.d/bash_completion.sh',
]

const SOURCE_LINE = 'source <(credctl completion bash)'

/**
 * The standard per-user location of each shell, read the way the shell reads it:
 * - bash: bash-completion (`__load_completion`) looks in BASH_COMPLETION_USER_DIR (2.12 and later read
 *   it as a colon-separated list; we take the first directory), else ${XDG_DATA_HOME:-~/.local/share}/bash-completion, plus
 *   /completions/credctl, when credctl is first completed. Without the bash-completion package nothing
 *   reads that directory (a fresh Debian has no package): then the line to add to ~/.bashrc.
 * - zsh: a function `_credctl` in a directory on $fpath, loaded by compinit. zsh has no per-user
 *   directory on fpath by default; ~/.zfunc is the one rustup and poetry document (under $ZDOTDIR when
 *   set), so the note names the fpath line for ~/.zshrc unless that file already puts .zfunc on fpath.
 * - fish: ${XDG_CONFIG_HOME:-~/.config}/fish/completions/credctl.fish, autoloaded by fish; nothing to add.
 * Relative XDG_* values are ignored, as the XDG base directory specification says.
 */
export async function installTarget(shell: Shell, env: NodeJS.ProcessEnv, probe: { exists(file: string): Promise<boolean>; read(file: string): Promise<string | undefined> }): Promise<InstallTarget> {
  const { homedir } = await import('node:os')
  const home = env.HOME || homedir()
  const xdg = (v: string | undefined, fallback: string) => (v && path.isAbsolute(v) ? v : path.join(home, fallback))
  if (shell === 'bash') {
    const userDir = (env.BASH_COMPLETION_USER_DIR ?? '').split(':').find((d) => path.isAbsolute(d)) ?? path.join(xdg(env.XDG_DATA_HOME, '.local/share'), 'bash-completion')
    let found: string | undefined
    for (const f of BASH_COMPLETION_SCRIPTS) if (await probe.exists(f)) { found = f; break }
    // Installed is not loaded: an interactive bash loads bash-completion only if ~/.bashrc (Debian's
    // /etc/skel copy does) or /etc/bash.bashrc (commented out on Debian) sources it. A fresh HOME has neither.
    const loads = async (rc: string) => /^[^#\n]*bash_completion/m.test((await probe.read(rc)) ?? '')
    const loaded = found !== undefined && ((await loads(path.join(home, '.bashrc'))) || (await loads('/etc/bash.bashrc')))
    return {
      file: path.join(userDir, 'completions', 'credctl'),
      then: loaded
        ? ['bash-completion loads it in new shells']
        : found
          ? [`bash-completion is installed but your ~/.bashrc does not load it: add this line to ~/.bashrc: [ -f ${found} ] && . ${found}   (or, instead of --install, this one: ${SOURCE_LINE})`]
          : [`bash-completion, which loads that file, is not installed: install it (Debian/Ubuntu: sudo apt install bash-completion), or add this line to ~/.bashrc instead: ${SOURCE_LINE}`],
    }
  }
  if (shell === 'zsh') {
    const zdot = env.ZDOTDIR && path.isAbsolute(env.ZDOTDIR) ? env.ZDOTDIR : undefined
    const base = zdot ?? home
    const rcShown = zdot ? '$ZDOTDIR/.zshrc' : '~/.zshrc'
    const dirShown = zdot ? '"$ZDOTDIR/.zfunc"' : '~/.zfunc'
    const rc = (await probe.read(path.join(base, '.zshrc'))) ?? ''
    const then: string[] = []
    if (!/^[^#\n]*fpath.*\.zfunc/m.test(rc)) then.push(`add this line to ${rcShown}, before compinit runs (or before oh-my-zsh.sh is sourced): fpath=(${dirShown} $fpath)`)
    // oh-my-zsh runs compinit itself (in oh-my-zsh.sh)
    if (!/^[^#\n]*(compinit|oh-my-zsh\.sh)/m.test(rc)) then.push(`and this one after it (${rcShown} does not run compinit yet): autoload -Uz compinit && compinit`)
    then.push('then open a new zsh')
    return { file: path.join(base, '.zfunc', '_credctl'), then }
  }
  return { file: path.join(xdg(env.XDG_CONFIG_HOME, '.config'), 'fish', 'completions', 'credctl.fish'), then: ['fish loads it in new shells'] }
}

/** Every script credctl writes starts with its header; a file without it is someone else's. */
const isOurs = (text: string) => /^(#compdef credctl\n)?# credctl completion for (bash|zsh|fish)\. Generated from the command tree/.test(text)

/**
 * Write `script` to `file`, creating its directory: atomically (lib/atomic-file.ts), 0644 (the shell
 * reads it; it holds no secret), and idempotently (the same content is not rewritten). A file credctl
 * did not write, or something other than a regular file (a symbolic link into a dotfiles repository),
 * is refused without --force: it may be the user's own completion.
 */
async function install(file: string, script: string, force: boolean): Promise<'written' | 'updated' | 'unchanged'> {
  const { promises: fsp } = await import('node:fs')
  const { describeErrno } = await import('../../lib/errno.js')
  const fail = (e: unknown, what: string) => new CredctlError('INVALID_INPUT', `cannot ${what} ${file}: ${describeErrno(e)}`)
  const st = await fsp.lstat(file).catch(() => undefined)
  if (st?.isDirectory()) throw new CredctlError('USAGE', `${file} is a directory: nothing was written`, { hint: 'move it away and run the command again' })
  if (st && !st.isFile() && !force) throw new CredctlError('USAGE', `${file} exists and is not a regular file: nothing was written`, { hint: 'pass --force to replace it' })
  if (st?.isFile()) {
    const { readRegularFile } = await import('../../lib/regular-file.js')
    const old = await readRegularFile(file).catch((e: unknown) => {
      throw fail(e, 'read')
    })
    if (old === script) return 'unchanged'
    if (!isOurs(old) && !force) throw new CredctlError('USAGE', `${file} exists and was not written by credctl: nothing was written`, { hint: 'pass --force to replace it' })
  }
  try {
    await fsp.mkdir(path.dirname(file), { recursive: true })
    const { writeFileAtomic } = await import('../../lib/atomic-file.js')
    await writeFileAtomic(file, script, 0o644)
  } catch (e) {
    throw fail(e, 'write')
  }
  return st ? 'updated' : 'written'
}

/**
 * `completion SHELL [--install]`. `tree` builds the whole command tree: program.ts passes it in (the
 * tree being run holds only this command), so this module never imports program.ts, which loads it.
 */
export async function run(f: Factory, shell: string, o: CompletionOptions, tree: () => Command): Promise<Output> {
  if (!(SHELLS as readonly string[]).includes(shell)) throw new CredctlError('USAGE', `unknown shell "${shell}": one of ${SHELLS.join(', ')}`)
  if (o.force && !o.install) throw new CredctlError('USAGE', '--force goes with --install')
  const script = generateCompletion(tree(), shell as Shell)
  // Exempt from escaping: the script is generated by credctl from its own command tree (no vault data).
  if (!o.install) return { exempt: { text: script, why: 'completion script: generated by credctl' } }
  const { promises: fsp } = await import('node:fs')
  const target = await installTarget(shell as Shell, f.env, {
    exists: (file) => fsp.access(file).then(() => true, () => false),
    // Never blocks on a FIFO or reads a device (regular-file.ts): a ~/.zshrc that is a pipe is no hint.
    read: async (file) => (await import('../../lib/regular-file.js')).readRegularFile(file).catch(() => undefined),
  })
  const done = await install(target.file, script, !!o.force)
  const what = done === 'unchanged' ? `the ${shell} completion in ${target.file} is already up to date` : done === 'updated' ? `updated the ${shell} completion in ${target.file}` : `wrote the ${shell} completion to ${target.file}`
  return { notes: [what, ...target.then] }
}

/** Hidden `__names`: one credential name per line, from the vault file alone (for completion scripts). */
export async function runNames(f: Factory, o: { deleted?: boolean }): Promise<Output> {
  const { credentialNames } = await import('../../credentials/names.js')
  const names = await credentialNames({ vault: f.globals.vault, env: f.env, deleted: !!o.deleted })
  // One name per line, through the writer like everything else. A name holding a control or bidi
  // character (credctl refuses newlines and controls, but the file may have been edited, and bidi
  // marks are allowed) is left out: escaped, it would complete to a different name; raw, it would
  // reach the terminal in the shell's list of matches.
  const { hasUnsafeChars } = await import('../../lib/text.js')
  return { text: names.filter((n) => !hasUnsafeChars(n)).map((n) => `${n}\n`).join('') }
}
