# credctl completion for bash. Generated from the command tree by `credctl completion bash` (scripts/gen-completions.mjs); do not edit.
# Install: credctl completion bash --install   (loaded by the bash-completion package)
#      or: echo 'source <(credctl completion bash)' >> ~/.bashrc   (without that package)

_credctl_commands='create list ls get update delete restore set-default purge validate mcp discover schema types reveal history rotate-key status run inject import export recover completion identity vault member help'

_credctl_files() {
  # Let readline complete file names (quoting them itself); outside a completion run (tests), list them.
  compopt -o default 2>/dev/null || COMPREPLY=($(compgen -f -- "$cur"))
}

# Credential names from `credctl __names` (reads only the vault file). The word typed so far is read
# the way bash will read it (bare with backslash escapes, or after an opening ' or "), and each match
# is quoted for that context, so a name holding $(...), backquotes, quotes, backslashes, spaces or !
# completes to exactly that name: nothing runs, and the quote readline closes stays balanced. A word
# mixing quotes (ab'c'd) gets no names rather than a wrong guess.
_credctl_names() {
  local cur=$1 val= q= i c n sq="'\\''"
  local -a args=()
  [[ -n $_credctl_vault ]] && args=(--vault "$_credctl_vault")
  case $cur in
    [\'\"]*) q=${cur:0:1}; cur=${cur:1} ;;
  esac
  for ((i = 0; i < ${#cur}; i++)); do
    c=${cur:i:1}
    if [[ $q == \' ]]; then
      [[ $c == \' ]] && return
    elif [[ $c == \\ ]] && [[ -z $q || ${cur:i+1:1} == [\$\`\"\\] ]]; then
      i=$((i + 1)); c=${cur:i:1}
    elif [[ $c == [\'\"] ]]; then
      return
    fi
    val+=$c
  done
  while IFS= read -r n; do
    [[ -n $n && $n == "$val"* ]] || continue
    case $q in
      \') n=${n//\'/$sq} ;;
      \") n=${n//\\/\\\\}; n=${n//\$/\\\$}; n=${n//\`/\\\`}; n=${n//\"/\\\"}; n=${n//!/\"\'!\'\"} ;;
      *) printf -v n '%q' "$n" ;;
    esac
    # readline closes the quote after the one match, unless the match ends with that quote character:
    # then close it here (it'\'' -> it'\''' reads back as it').
    [[ -n $q && $n == *"$q" ]] && n+=$q
    COMPREPLY+=("$n")
  done < <("$_credctl_bin" "${args[@]}" __names "${@:2}" 2>/dev/null)
}

_credctl_cmd_create() {
  case $prev in
      --name) return ;;
      --type) COMPREPLY=($(compgen -W 'openai anthropic gemini deepseek fireworks xai openrouter together_ai mistral cohere groq perplexity elevenlabs deepgram openai_audio fal replicate stability openai_image runway pika luma postgresql mysql bigquery snowflake redshift mssql clickhouse static_file api_key oauth database smtp' -- "$cur")); return ;;
      --category) COMPREPLY=($(compgen -W 'llm speech image video data_warehouse tools' -- "$cur")); return ;;
      --description) return ;;
      --value-file) _credctl_files; return ;;
      --value) return ;;
      --base-url) return ;;
      --schema-type) COMPREPLY=($(compgen -W 'postgresql mysql bigquery snowflake redshift mssql clickhouse static_file' -- "$cur")); return ;;
      --expires) return ;;
      --check-url) return ;;
      --auth-header) return ;;
      --expect) return ;;
      --token-auth) COMPREPLY=($(compgen -W 'client_secret_basic client_secret_post' -- "$cur")); return ;;
      --project) return ;;
      --location) return ;;
      --vault) _credctl_files; return ;;
      --key-source) COMPREPLY=($(compgen -W 'keychain env passphrase file' -- "$cur")); return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W '--name --type --category --description --value-stdin --value-file --value --base-url --schema-type --default --expires --check-url --auth-header --expect --token-auth --project --location --json --help -h --version -V --vault --key-source --debug' -- "$cur"))
    return
  fi
  case $npos in

  esac
}

_credctl_cmd_list() {
  case $prev in
      --category) COMPREPLY=($(compgen -W 'llm speech image video data_warehouse tools' -- "$cur")); return ;;
      --type) COMPREPLY=($(compgen -W 'openai anthropic gemini deepseek fireworks xai openrouter together_ai mistral cohere groq perplexity elevenlabs deepgram openai_audio fal replicate stability openai_image runway pika luma postgresql mysql bigquery snowflake redshift mssql clickhouse static_file api_key oauth database smtp' -- "$cur")); return ;;
      --vault) _credctl_files; return ;;
      --key-source) COMPREPLY=($(compgen -W 'keychain env passphrase file' -- "$cur")); return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W '--category --type --deleted --json --help -h --version -V --vault --key-source --debug' -- "$cur"))
    return
  fi
  case $npos in

  esac
}

_credctl_cmd_get() {
  case $prev in
      --vault) _credctl_files; return ;;
      --key-source) COMPREPLY=($(compgen -W 'keychain env passphrase file' -- "$cur")); return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W '--json --help -h --version -V --vault --key-source --debug' -- "$cur"))
    return
  fi
  case $npos in
        0) _credctl_names "$cur" ;;
  esac
}

_credctl_cmd_update() {
  case $prev in
      --name) return ;;
      --description) return ;;
      --value-file) _credctl_files; return ;;
      --value) return ;;
      --base-url) return ;;
      --expires) return ;;
      --check-url) return ;;
      --auth-header) return ;;
      --expect) return ;;
      --token-auth) COMPREPLY=($(compgen -W 'client_secret_basic client_secret_post ' -- "$cur")); return ;;
      --project) return ;;
      --location) return ;;
      --vault) _credctl_files; return ;;
      --key-source) COMPREPLY=($(compgen -W 'keychain env passphrase file' -- "$cur")); return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W '--name --description --value-stdin --value-file --value --base-url --expires --check-url --auth-header --expect --token-auth --project --location --json --help -h --version -V --vault --key-source --debug' -- "$cur"))
    return
  fi
  case $npos in
        0) _credctl_names "$cur" ;;
  esac
}

_credctl_cmd_delete() {
  case $prev in
      --vault) _credctl_files; return ;;
      --key-source) COMPREPLY=($(compgen -W 'keychain env passphrase file' -- "$cur")); return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W '--json --help -h --version -V --vault --key-source --debug' -- "$cur"))
    return
  fi
  case $npos in
        0) _credctl_names "$cur" ;;
  esac
}

_credctl_cmd_restore() {
  case $prev in
      --vault) _credctl_files; return ;;
      --key-source) COMPREPLY=($(compgen -W 'keychain env passphrase file' -- "$cur")); return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W '--json --help -h --version -V --vault --key-source --debug' -- "$cur"))
    return
  fi
  case $npos in
        0) _credctl_names "$cur" --deleted ;;
  esac
}

_credctl_cmd_set_default() {
  case $prev in
      --vault) _credctl_files; return ;;
      --key-source) COMPREPLY=($(compgen -W 'keychain env passphrase file' -- "$cur")); return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W '--json --help -h --version -V --vault --key-source --debug' -- "$cur"))
    return
  fi
  case $npos in
        0) _credctl_names "$cur" ;;
  esac
}

_credctl_cmd_purge() {
  case $prev in
      --vault) _credctl_files; return ;;
      --key-source) COMPREPLY=($(compgen -W 'keychain env passphrase file' -- "$cur")); return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W '--yes -y --json --help -h --version -V --vault --key-source --debug' -- "$cur"))
    return
  fi
  case $npos in
        0) _credctl_names "$cur" ;;
  esac
}

_credctl_cmd_validate() {
  case $prev in
      --category) COMPREPLY=($(compgen -W 'llm speech image video data_warehouse tools' -- "$cur")); return ;;
      --type) COMPREPLY=($(compgen -W 'openai anthropic gemini deepseek fireworks xai openrouter together_ai mistral cohere groq perplexity elevenlabs deepgram openai_audio fal replicate stability openai_image runway pika luma postgresql mysql bigquery snowflake redshift mssql clickhouse static_file api_key oauth database smtp' -- "$cur")); return ;;
      --timeout) return ;;
      --concurrency) return ;;
      --per-host) return ;;
      --vault) _credctl_files; return ;;
      --key-source) COMPREPLY=($(compgen -W 'keychain env passphrase file' -- "$cur")); return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W '--all --category --type --timeout --concurrency --per-host --json --help -h --version -V --vault --key-source --debug' -- "$cur"))
    return
  fi
  case $npos in
        *) _credctl_names "$cur" ;;
  esac
}

_credctl_cmd_mcp() {
  case $prev in
      --credential) return ;;
      --category) COMPREPLY=($(compgen -W 'llm speech image video data_warehouse tools' -- "$cur")); return ;;
      --allow-privileged-query) return ;;
      --vault) _credctl_files; return ;;
      --key-source) COMPREPLY=($(compgen -W 'keychain env passphrase file' -- "$cur")); return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W '--credential --category --allow-privileged-query --help -h --version -V --vault --key-source --debug' -- "$cur"))
    return
  fi
  case $npos in

  esac
}

_credctl_cmd_discover() {
  case $prev in
      --schemas) return ;;
      --max-tables) return ;;
      --timeout) return ;;
      --vault) _credctl_files; return ;;
      --key-source) COMPREPLY=($(compgen -W 'keychain env passphrase file' -- "$cur")); return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W '--schemas --max-tables --timeout --json --help -h --version -V --vault --key-source --debug' -- "$cur"))
    return
  fi
  case $npos in
        0) _credctl_names "$cur" ;;
  esac
}

_credctl_cmd_schema() {
  case $prev in
      --table) return ;;
      --vault) _credctl_files; return ;;
      --key-source) COMPREPLY=($(compgen -W 'keychain env passphrase file' -- "$cur")); return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W '--table --json --help -h --version -V --vault --key-source --debug' -- "$cur"))
    return
  fi
  case $npos in
        0) _credctl_names "$cur" ;;
  esac
}

_credctl_cmd_types() {
  case $prev in
      --category) COMPREPLY=($(compgen -W 'llm speech image video data_warehouse tools' -- "$cur")); return ;;
      --vault) _credctl_files; return ;;
      --key-source) COMPREPLY=($(compgen -W 'keychain env passphrase file' -- "$cur")); return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W '--category --json --help -h --version -V --vault --key-source --debug' -- "$cur"))
    return
  fi
  case $npos in

  esac
}

_credctl_cmd_reveal() {
  case $prev in
      --clear-after) return ;;
      --vault) _credctl_files; return ;;
      --key-source) COMPREPLY=($(compgen -W 'keychain env passphrase file' -- "$cur")); return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W '--copy --clear-after --help -h --version -V --vault --key-source --debug' -- "$cur"))
    return
  fi
  case $npos in
        0) _credctl_names "$cur" ;;
  esac
}

_credctl_cmd_history() {
  case $prev in
      --limit) return ;;
      --since) return ;;
      --action) return ;;
      --actor) return ;;
      --vault) _credctl_files; return ;;
      --key-source) COMPREPLY=($(compgen -W 'keychain env passphrase file' -- "$cur")); return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W '--limit --since --action --actor --json --help -h --version -V --vault --key-source --debug' -- "$cur"))
    return
  fi
  case $npos in
        0) _credctl_names "$cur" ;;
  esac
}

_credctl_cmd_rotate_key() {
  case $prev in
      --vault) _credctl_files; return ;;
      --key-source) COMPREPLY=($(compgen -W 'keychain env passphrase file' -- "$cur")); return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W '--json --help -h --version -V --vault --key-source --debug' -- "$cur"))
    return
  fi
  case $npos in

  esac
}

_credctl_cmd_status() {
  case $prev in
      --vault) _credctl_files; return ;;
      --key-source) COMPREPLY=($(compgen -W 'keychain env passphrase file' -- "$cur")); return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W '--json --help -h --version -V --vault --key-source --debug' -- "$cur"))
    return
  fi
  case $npos in

  esac
}

_credctl_cmd_run() {
  case $prev in
      --only) COMPREPLY=($(compgen -W 'openai anthropic gemini deepseek fireworks xai openrouter together_ai mistral cohere groq perplexity elevenlabs deepgram openai_audio fal replicate stability openai_image runway pika luma postgresql mysql bigquery snowflake redshift mssql clickhouse static_file api_key oauth database smtp' -- "$cur")); return ;;
      --env) return ;;
      --dotenv) _credctl_files; return ;;
      --vault) _credctl_files; return ;;
      --key-source) COMPREPLY=($(compgen -W 'keychain env passphrase file' -- "$cur")); return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W '--only --env --dotenv --no-defaults --dry-run --mask --no-masking --json --help -h --version -V --vault --key-source --debug' -- "$cur"))
    return
  fi
  case $npos in
        0) COMPREPLY=($(compgen -c -- "$cur")) ;;
        *) _credctl_files ;;
  esac
}

_credctl_cmd_inject() {
  case $prev in
      --input|-i) _credctl_files; return ;;
      --output|-o) _credctl_files; return ;;
      --vault) _credctl_files; return ;;
      --key-source) COMPREPLY=($(compgen -W 'keychain env passphrase file' -- "$cur")); return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W '--input -i --output -o --force --json --help -h --version -V --vault --key-source --debug' -- "$cur"))
    return
  fi
  case $npos in

  esac
}

_credctl_cmd_import() {
  case $prev in
      --from-env) _credctl_files; return ;;
      --template) _credctl_files; return ;;
      --bundle) _credctl_files; return ;;
      --vault) _credctl_files; return ;;
      --key-source) COMPREPLY=($(compgen -W 'keychain env passphrase file' -- "$cur")); return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W '--from-env --template --force --bundle --dry-run --rename --json --help -h --version -V --vault --key-source --debug' -- "$cur"))
    return
  fi
  case $npos in

  esac
}

_credctl_cmd_export() {
  case $prev in
      --output) _credctl_files; return ;;
      --vault) _credctl_files; return ;;
      --key-source) COMPREPLY=($(compgen -W 'keychain env passphrase file' -- "$cur")); return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W '--output --force --json --help -h --version -V --vault --key-source --debug' -- "$cur"))
    return
  fi
  case $npos in

  esac
}

_credctl_cmd_recover() {
  case $prev in
      --output) _credctl_files; return ;;
      --vault) _credctl_files; return ;;
      --key-source) COMPREPLY=($(compgen -W 'keychain env passphrase file' -- "$cur")); return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W '--output --force --json --help -h --version -V --vault --key-source --debug' -- "$cur"))
    return
  fi
  case $npos in

  esac
}

_credctl_cmd_completion() {
  case $prev in
      --vault) _credctl_files; return ;;
      --key-source) COMPREPLY=($(compgen -W 'keychain env passphrase file' -- "$cur")); return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W '--install --force --help -h --version -V --vault --key-source --debug' -- "$cur"))
    return
  fi
  case $npos in
        0) COMPREPLY=($(compgen -W 'bash zsh fish' -- "$cur")) ;;
  esac
}

_credctl_cmd_identity() {
  case $prev in
      --vault) _credctl_files; return ;;
      --key-source) COMPREPLY=($(compgen -W 'keychain env passphrase file' -- "$cur")); return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W '--help -h --version -V --vault --key-source --debug' -- "$cur"))
    return
  fi
  case $npos in
        0) COMPREPLY=($(compgen -W 'new show' -- "$cur")) ;;
  esac
}

_credctl_cmd_vault() {
  case $prev in
      --vault) _credctl_files; return ;;
      --key-source) COMPREPLY=($(compgen -W 'keychain env passphrase file' -- "$cur")); return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W '--help -h --version -V --vault --key-source --debug' -- "$cur"))
    return
  fi
  case $npos in
        0) COMPREPLY=($(compgen -W 'create init-sql attach list status verify detach import set' -- "$cur")) ;;
  esac
}

_credctl_cmd_member() {
  case $prev in
      --vault) _credctl_files; return ;;
      --key-source) COMPREPLY=($(compgen -W 'keychain env passphrase file' -- "$cur")); return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W '--help -h --version -V --vault --key-source --debug' -- "$cur"))
    return
  fi
  case $npos in
        0) COMPREPLY=($(compgen -W 'add list remove' -- "$cur")) ;;
  esac
}

_credctl_cmd_help() {
  case $prev in
      --vault) _credctl_files; return ;;
      --key-source) COMPREPLY=($(compgen -W 'keychain env passphrase file' -- "$cur")); return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W '--version -V --vault --key-source --debug --help -h' -- "$cur"))
    return
  fi
  case $npos in
        0) COMPREPLY=($(compgen -W "$_credctl_commands" -- "$cur")) ;;
  esac
}

_credctl() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cword=$COMP_CWORD
  local -a words=("${COMP_WORDS[@]}")
  COMPREPLY=()
  # COMP_WORDBREAKS splits --flag=value into three words: treat "=" as a separator.
  if [[ $cur == = ]]; then cur=; elif [[ $prev == = && $cword -ge 2 ]]; then prev=${words[cword-2]}; fi
  local _credctl_bin=${words[0]} _credctl_vault= cmd= vopts=' --vault --key-source ' varopts= invar= npos=0 i w dashdash=
  [[ $_credctl_bin == "~/"* ]] && _credctl_bin=$HOME/${_credctl_bin#"~/"}
  for ((i = 1; i < cword; i++)); do
    w=${words[i]}
    if [[ -n $dashdash ]]; then npos=$((npos + 1)); continue; fi
    if [[ $w == -- ]]; then dashdash=$i; continue; fi
    if [[ $w == --vault ]]; then
      if [[ ${words[i+1]} == = ]]; then _credctl_vault=${words[i+2]}; else _credctl_vault=${words[i+1]}; fi
    fi
    # A variadic flag (run --only A B) takes every following word up to the next flag.
    if [[ -n $invar && $w != -* ]]; then continue; fi
    invar=
    if [[ $vopts == *" $w "* ]]; then
      [[ $varopts == *" $w "* ]] && invar=$w
      # the flag's value is the next word (or the one after "=")
      if [[ ${words[i+1]} == = ]]; then i=$((i + 2)); else i=$((i + 1)); fi
      continue
    fi
    [[ $w == -* || $w == = ]] && continue
    if [[ -z $cmd ]]; then
      cmd=$w
      case $cmd in
    create) vopts=' --name --type --category --description --value-file --value --base-url --schema-type --expires --check-url --auth-header --expect --token-auth --project --location --vault --key-source ' ;;
    list|ls) vopts=' --category --type --vault --key-source ' ;;
    get) vopts=' --vault --key-source ' ;;
    update) vopts=' --name --description --value-file --value --base-url --expires --check-url --auth-header --expect --token-auth --project --location --vault --key-source ' ;;
    delete) vopts=' --vault --key-source ' ;;
    restore) vopts=' --vault --key-source ' ;;
    set-default) vopts=' --vault --key-source ' ;;
    purge) vopts=' --vault --key-source ' ;;
    validate) vopts=' --category --type --timeout --concurrency --per-host --vault --key-source ' ;;
    mcp) vopts=' --credential --category --allow-privileged-query --vault --key-source ' ;;
    discover) vopts=' --schemas --max-tables --timeout --vault --key-source ' ;;
    schema) vopts=' --table --vault --key-source ' ;;
    types) vopts=' --category --vault --key-source ' ;;
    reveal) vopts=' --clear-after --vault --key-source ' ;;
    history) vopts=' --limit --since --action --actor --vault --key-source ' ;;
    rotate-key) vopts=' --vault --key-source ' ;;
    status) vopts=' --vault --key-source ' ;;
    run) vopts=' --only --env --dotenv --vault --key-source ' varopts=' --only --env --dotenv ' ;;
    inject) vopts=' --input -i --output -o --vault --key-source ' ;;
    import) vopts=' --from-env --template --bundle --vault --key-source ' ;;
    export) vopts=' --output --vault --key-source ' ;;
    recover) vopts=' --output --vault --key-source ' ;;
    completion) vopts=' --vault --key-source ' ;;
    identity) vopts=' --vault --key-source ' ;;
    vault) vopts=' --vault --key-source ' ;;
    member) vopts=' --vault --key-source ' ;;
    help) vopts=' --vault --key-source ' ;;
      esac
    else
      npos=$((npos + 1))
    fi
  done
  [[ -n $invar && $cur != -* ]] && prev=$invar
  if [[ -n $dashdash ]]; then
    # run ... -- CMD ARGS: a command name first, then whatever that command takes.
    if [[ $((cword - dashdash)) -eq 1 ]]; then COMPREPLY=($(compgen -c -- "$cur")); else _credctl_files; fi
    return
  fi
  if [[ -z $cmd ]]; then
    case $prev in
      --vault) _credctl_files; return ;;
      --key-source) COMPREPLY=($(compgen -W 'keychain env passphrase file' -- "$cur")); return ;;
    esac
    if [[ $cur == -* ]]; then
      COMPREPLY=($(compgen -W '--version -V --vault --key-source --debug --help -h' -- "$cur"))
    else
      COMPREPLY=($(compgen -W "$_credctl_commands" -- "$cur"))
    fi
    return
  fi
  case $cmd in
    create) _credctl_cmd_create ;;
    list|ls) _credctl_cmd_list ;;
    get) _credctl_cmd_get ;;
    update) _credctl_cmd_update ;;
    delete) _credctl_cmd_delete ;;
    restore) _credctl_cmd_restore ;;
    set-default) _credctl_cmd_set_default ;;
    purge) _credctl_cmd_purge ;;
    validate) _credctl_cmd_validate ;;
    mcp) _credctl_cmd_mcp ;;
    discover) _credctl_cmd_discover ;;
    schema) _credctl_cmd_schema ;;
    types) _credctl_cmd_types ;;
    reveal) _credctl_cmd_reveal ;;
    history) _credctl_cmd_history ;;
    rotate-key) _credctl_cmd_rotate_key ;;
    status) _credctl_cmd_status ;;
    run) _credctl_cmd_run ;;
    inject) _credctl_cmd_inject ;;
    import) _credctl_cmd_import ;;
    export) _credctl_cmd_export ;;
    recover) _credctl_cmd_recover ;;
    completion) _credctl_cmd_completion ;;
    identity) _credctl_cmd_identity ;;
    vault) _credctl_cmd_vault ;;
    member) _credctl_cmd_member ;;
    help) _credctl_cmd_help ;;
  esac
}

complete -F _credctl credctl
