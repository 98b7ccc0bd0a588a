#compdef credctl
# credctl completion for zsh. Generated from the command tree by `credctl completion zsh` (scripts/gen-completions.mjs); do not edit.
# Install: credctl completion zsh --install   (~/.zfunc/_credctl; it prints the fpath line for ~/.zshrc)
#      or: source <(credctl completion zsh)   (in ~/.zshrc, after compinit)

_credctl_commands() {
  local -a commands
  commands=(
    'create:store a new credential (the value is encrypted; only a masked form is ever shown)'
    'list:list credentials (masked values)'
    'ls:list credentials (masked values)'
    'get:show one credential (masked)'
    'update:change a credential: a new value replaces the old one for good'
    'delete:soft-delete: hidden and never used, until restored'
    'restore:bring back a soft-deleted credential'
    'set-default:make a credential the default of its type'
    'purge:remove a credential and its ciphertext for good (asks first on a terminal)'
    'validate:check credentials against the real service'
    'mcp:serve an MCP broker over stdio: agents use the scoped credentials through six tools and never see a value'
    'discover:discover the tables and columns behind a warehouse credential'
    'schema:show the discovered schema'
    'types:list the credential types credctl knows'
    'reveal:print the raw value (for pipes), or put it on the clipboard with --copy; recorded in history'
    'history:what was done, when, to which credential (never a value)'
    'rotate-key:replace the vault key: every value re-encrypted, one atomic write; the old key opens nothing after'
    'status:vault path, key source, keychain reachability, integrity, counts, expiry'
    'run:run a command with each type'\''s default credential in its conventional variables (OPENAI_API_KEY, DATABASE_URL, ...)'
    'inject:fill in the {{ credctl://NAME }} placeholders of a template (YAML, JSON, TOML, any text) with credential values'
    'import:import credentials from a .env file or an encrypted export bundle'
    'export:write every credential (values and metadata) to a passphrase-encrypted bundle (scrypt, AES-256-GCM)'
    'recover:save every value that still decrypts from a vault that no longer opens (exit 4) into an export bundle; never changes the vault'
    'completion:print the shell completion script (commands, flags, types, credential names), or install it'
    'identity:this device'\''s age identity for team vaults (the private key stays in the OS keychain)'
    'vault:team vaults (shared in PostgreSQL, end-to-end encrypted): create, attach, list, status, verify, members via `credctl member`'
    'member:the members of a team vault (--vault NAME): add, list, remove'
    'help:display help for command'
  )
  _describe -t commands 'credctl command' commands
}

# Credential names from `credctl __names` (reads only the vault file); compadd quotes them.
# _arguments adds compadd options to the call: of the arguments, only --deleted is ours.
_credctl_names() {
  local -a names extra expl
  (( ${@[(I)--deleted]} )) && extra=(--deleted)
  names=("${(@f)$(${~_credctl_bin} "${_credctl_vault[@]}" __names "${extra[@]}" 2>/dev/null)}")
  names=(${names:#})
  _wanted names expl 'credential' compadd -a names
}

_credctl() {
  local curcontext="$curcontext" state line ret=1
  local _credctl_bin=${words[1]} i
  local -a _credctl_vault
  # --vault anywhere on the line selects the vault the names come from (before _arguments shifts words).
  for (( i = 2; i < CURRENT; i++ )); do
    case ${words[i]} in
      (--vault) _credctl_vault=(--vault "${words[i+1]}") ;;
      (--vault=*) _credctl_vault=(--vault "${words[i]#--vault=}") ;;
    esac
  done
  typeset -A opt_args
  _arguments -C \
    '(--version -V)'{--version,-V}'[output the version number]' \
    '--vault=[vault file, or a team vault name from `credctl vault list` (env\: CREDCTL_VAULT)]:file:_files' \
    '--key-source=[key source for a new vault (env\: CREDCTL_KEY_SOURCE)]:value:(keychain env passphrase file)' \
    '--debug[more detail on errors (never a secret)]' \
    '(--help -h)'{--help,-h}'[display help for command]' \
    '1: :_credctl_commands' \
    '*:: :->args' && ret=0
  case $state in
    (args)
      case ${words[1]} in
      (create)
        _arguments -s \
        '--name=[unique name]:value: ' \
        '--type=[credential type (see `credctl types`)]:value:(openai anthropic gemini deepseek fireworks xai openrouter together_ai mistral cohere groq perplexity elevenlabs deepgram openai_audio fal replicate stability openai_image runway pika luma postgresql mysql bigquery snowflake redshift mssql clickhouse static_file api_key oauth database smtp)' \
        '--category=[category (optional\: implied by --type)]:value:(llm speech image video data_warehouse tools)' \
        '--description=[free text]:value: ' \
        '--value-stdin[read the value from stdin (recommended)]' \
        '--value-file=[read the value from a file]:file:_files' \
        '--value=[the value itself (visible in ps and shell history\: prefer --value-stdin)]:value: ' \
        '--base-url=[replace the provider base URL (proxies, gateways, self-hosted APIs)]:value: ' \
        '--schema-type=[engine of a tools/database credential]:value:(postgresql mysql bigquery snowflake redshift mssql clickhouse static_file)' \
        '--default[make it the default of its type]' \
        '--expires=[expiry date, YYYY-MM-DD]:value: ' \
        '--check-url=[api_key/oauth\: URL that validate sends a GET to]:value: ' \
        '--auth-header=[api_key\: header template, e.g. '\''Authorization\: Bearer {value}'\'']:value: ' \
        '--expect=[api_key/oauth\: a JSON field and the value a good answer has there, e.g. '\''ok=true'\'']:value: ' \
        '--token-auth=[oauth\: client authentication at the token endpoint (default\: Basic, then the body form)]:value:(client_secret_basic client_secret_post)' \
        '--project=[bigquery\: project that runs the queries (default\: the key'\''s project_id)]:value: ' \
        '--location=[bigquery\: region of datasets whose listing does not say (US, EU, europe-west1)]:value: ' \
        '--json[print JSON (never a value)]' \
        '(--help -h)'{--help,-h}'[display help for command]' \
        '(--version -V)'{--version,-V}'[output the version number]' \
        '--vault=[vault file, or a team vault name from `credctl vault list` (env\: CREDCTL_VAULT)]:file:_files' \
        '--key-source=[key source for a new vault (env\: CREDCTL_KEY_SOURCE)]:value:(keychain env passphrase file)' \
        '--debug[more detail on errors (never a secret)]' && ret=0
        ;;
      (list|ls)
        _arguments -s \
        '--category=[only this category]:value:(llm speech image video data_warehouse tools)' \
        '--type=[only this type]:value:(openai anthropic gemini deepseek fireworks xai openrouter together_ai mistral cohere groq perplexity elevenlabs deepgram openai_audio fal replicate stability openai_image runway pika luma postgresql mysql bigquery snowflake redshift mssql clickhouse static_file api_key oauth database smtp)' \
        '--deleted[include soft-deleted credentials]' \
        '--json[print JSON (never a value)]' \
        '(--help -h)'{--help,-h}'[display help for command]' \
        '(--version -V)'{--version,-V}'[output the version number]' \
        '--vault=[vault file, or a team vault name from `credctl vault list` (env\: CREDCTL_VAULT)]:file:_files' \
        '--key-source=[key source for a new vault (env\: CREDCTL_KEY_SOURCE)]:value:(keychain env passphrase file)' \
        '--debug[more detail on errors (never a secret)]' && ret=0
        ;;
      (get)
        _arguments -s \
        '--json[print JSON (never a value)]' \
        '(--help -h)'{--help,-h}'[display help for command]' \
        '(--version -V)'{--version,-V}'[output the version number]' \
        '--vault=[vault file, or a team vault name from `credctl vault list` (env\: CREDCTL_VAULT)]:file:_files' \
        '--key-source=[key source for a new vault (env\: CREDCTL_KEY_SOURCE)]:value:(keychain env passphrase file)' \
        '--debug[more detail on errors (never a secret)]' \
        '1:name:_credctl_names' && ret=0
        ;;
      (update)
        _arguments -s \
        '--name=[rename]:value: ' \
        '--description=[free text]:value: ' \
        '--value-stdin[read the value from stdin (recommended)]' \
        '--value-file=[read the value from a file]:file:_files' \
        '--value=[the value itself (visible in ps and shell history\: prefer --value-stdin)]:value: ' \
        '--base-url=[replace the provider base URL ('\'''\'' to clear)]:value: ' \
        '--expires=[expiry date, YYYY-MM-DD ('\'''\'' to clear)]:value: ' \
        '--check-url=[api_key/oauth\: URL that validate sends a GET to]:value: ' \
        '--auth-header=[api_key\: header template with {value}]:value: ' \
        '--expect=[api_key/oauth\: a JSON field and the value a good answer has there ('\'''\'' to clear)]:value: ' \
        '--token-auth=[oauth\: client authentication at the token endpoint ('\'''\'' to clear)]:value:(client_secret_basic client_secret_post )' \
        '--project=[bigquery\: project that runs the queries ('\'''\'' to clear)]:value: ' \
        '--location=[bigquery\: default dataset region ('\'''\'' to clear)]:value: ' \
        '--json[print JSON (never a value)]' \
        '(--help -h)'{--help,-h}'[display help for command]' \
        '(--version -V)'{--version,-V}'[output the version number]' \
        '--vault=[vault file, or a team vault name from `credctl vault list` (env\: CREDCTL_VAULT)]:file:_files' \
        '--key-source=[key source for a new vault (env\: CREDCTL_KEY_SOURCE)]:value:(keychain env passphrase file)' \
        '--debug[more detail on errors (never a secret)]' \
        '1:name:_credctl_names' && ret=0
        ;;
      (delete)
        _arguments -s \
        '--json[print JSON (never a value)]' \
        '(--help -h)'{--help,-h}'[display help for command]' \
        '(--version -V)'{--version,-V}'[output the version number]' \
        '--vault=[vault file, or a team vault name from `credctl vault list` (env\: CREDCTL_VAULT)]:file:_files' \
        '--key-source=[key source for a new vault (env\: CREDCTL_KEY_SOURCE)]:value:(keychain env passphrase file)' \
        '--debug[more detail on errors (never a secret)]' \
        '1:name:_credctl_names' && ret=0
        ;;
      (restore)
        _arguments -s \
        '--json[print JSON (never a value)]' \
        '(--help -h)'{--help,-h}'[display help for command]' \
        '(--version -V)'{--version,-V}'[output the version number]' \
        '--vault=[vault file, or a team vault name from `credctl vault list` (env\: CREDCTL_VAULT)]:file:_files' \
        '--key-source=[key source for a new vault (env\: CREDCTL_KEY_SOURCE)]:value:(keychain env passphrase file)' \
        '--debug[more detail on errors (never a secret)]' \
        '1:deleted-name:_credctl_names --deleted' && ret=0
        ;;
      (set-default)
        _arguments -s \
        '--json[print JSON (never a value)]' \
        '(--help -h)'{--help,-h}'[display help for command]' \
        '(--version -V)'{--version,-V}'[output the version number]' \
        '--vault=[vault file, or a team vault name from `credctl vault list` (env\: CREDCTL_VAULT)]:file:_files' \
        '--key-source=[key source for a new vault (env\: CREDCTL_KEY_SOURCE)]:value:(keychain env passphrase file)' \
        '--debug[more detail on errors (never a secret)]' \
        '1:name:_credctl_names' && ret=0
        ;;
      (purge)
        _arguments -s \
        '(--yes -y)'{--yes,-y}'[do not ask for confirmation]' \
        '--json[print JSON (never a value)]' \
        '(--help -h)'{--help,-h}'[display help for command]' \
        '(--version -V)'{--version,-V}'[output the version number]' \
        '--vault=[vault file, or a team vault name from `credctl vault list` (env\: CREDCTL_VAULT)]:file:_files' \
        '--key-source=[key source for a new vault (env\: CREDCTL_KEY_SOURCE)]:value:(keychain env passphrase file)' \
        '--debug[more detail on errors (never a secret)]' \
        '1:name:_credctl_names' && ret=0
        ;;
      (validate)
        _arguments -s \
        '--all[every credential (with --category/--type to narrow)]' \
        '--category=[every credential of this category (implies --all)]:value:(llm speech image video data_warehouse tools)' \
        '--type=[every credential of this type (implies --all)]:value:(openai anthropic gemini deepseek fireworks xai openrouter together_ai mistral cohere groq perplexity elevenlabs deepgram openai_audio fal replicate stability openai_image runway pika luma postgresql mysql bigquery snowflake redshift mssql clickhouse static_file api_key oauth database smtp)' \
        '--timeout=[per-check timeout in seconds, 0.1 to 600]:value: ' \
        '--concurrency=[checks run at once, 1 to 256 (default 32)]:value: ' \
        '--per-host=[checks run at once against one host\:port, 1 to 256 (default 8)]:value: ' \
        '--json[print JSON (never a value)]' \
        '(--help -h)'{--help,-h}'[display help for command]' \
        '(--version -V)'{--version,-V}'[output the version number]' \
        '--vault=[vault file, or a team vault name from `credctl vault list` (env\: CREDCTL_VAULT)]:file:_files' \
        '--key-source=[key source for a new vault (env\: CREDCTL_KEY_SOURCE)]:value:(keychain env passphrase file)' \
        '--debug[more detail on errors (never a secret)]' \
        '*:names:_credctl_names' && ret=0
        ;;
      (mcp)
        _arguments -s \
        '--credential=[a credential in scope (repeatable)]:value: ' \
        '--category=[every credential of this category is in scope (repeatable)]:value:(llm speech image video data_warehouse tools)' \
        '--allow-privileged-query=[query may run under a superuser or file/program-reading role for this in-scope credential (repeatable)]:value: ' \
        '(--help -h)'{--help,-h}'[display help for command]' \
        '(--version -V)'{--version,-V}'[output the version number]' \
        '--vault=[vault file, or a team vault name from `credctl vault list` (env\: CREDCTL_VAULT)]:file:_files' \
        '--key-source=[key source for a new vault (env\: CREDCTL_KEY_SOURCE)]:value:(keychain env passphrase file)' \
        '--debug[more detail on errors (never a secret)]' && ret=0
        ;;
      (discover)
        _arguments -s \
        '--schemas=[comma-separated schemas to read (default\: all visible)]:value: ' \
        '--max-tables=[stop after this many tables]:value: ' \
        '--timeout=[timeout in seconds, 0.1 to 600]:value: ' \
        '--json[print JSON (never a value)]' \
        '(--help -h)'{--help,-h}'[display help for command]' \
        '(--version -V)'{--version,-V}'[output the version number]' \
        '--vault=[vault file, or a team vault name from `credctl vault list` (env\: CREDCTL_VAULT)]:file:_files' \
        '--key-source=[key source for a new vault (env\: CREDCTL_KEY_SOURCE)]:value:(keychain env passphrase file)' \
        '--debug[more detail on errors (never a secret)]' \
        '1:name:_credctl_names' && ret=0
        ;;
      (schema)
        _arguments -s \
        '--table=[only tables whose name matches (* and ? wildcards)]:value: ' \
        '--json[print JSON (never a value)]' \
        '(--help -h)'{--help,-h}'[display help for command]' \
        '(--version -V)'{--version,-V}'[output the version number]' \
        '--vault=[vault file, or a team vault name from `credctl vault list` (env\: CREDCTL_VAULT)]:file:_files' \
        '--key-source=[key source for a new vault (env\: CREDCTL_KEY_SOURCE)]:value:(keychain env passphrase file)' \
        '--debug[more detail on errors (never a secret)]' \
        '1:name:_credctl_names' && ret=0
        ;;
      (types)
        _arguments -s \
        '--category=[only this category]:value:(llm speech image video data_warehouse tools)' \
        '--json[print JSON (never a value)]' \
        '(--help -h)'{--help,-h}'[display help for command]' \
        '(--version -V)'{--version,-V}'[output the version number]' \
        '--vault=[vault file, or a team vault name from `credctl vault list` (env\: CREDCTL_VAULT)]:file:_files' \
        '--key-source=[key source for a new vault (env\: CREDCTL_KEY_SOURCE)]:value:(keychain env passphrase file)' \
        '--debug[more detail on errors (never a secret)]' && ret=0
        ;;
      (reveal)
        _arguments -s \
        '--copy[put the value on the clipboard (wl-copy, xclip or xsel, pbcopy, clip) instead of printing it; cleared after 45 s]' \
        '--clear-after=[with --copy\: clear the clipboard after this many seconds, 0 (never) to 86400, unless something else was copied meanwhile]:value: ' \
        '(--help -h)'{--help,-h}'[display help for command]' \
        '(--version -V)'{--version,-V}'[output the version number]' \
        '--vault=[vault file, or a team vault name from `credctl vault list` (env\: CREDCTL_VAULT)]:file:_files' \
        '--key-source=[key source for a new vault (env\: CREDCTL_KEY_SOURCE)]:value:(keychain env passphrase file)' \
        '--debug[more detail on errors (never a secret)]' \
        '1:name:_credctl_names' && ret=0
        ;;
      (history)
        _arguments -s \
        '--limit=[last N entries]:value: ' \
        '--since=[only entries since an ISO time or a duration back from now (2h, 7d)]:value: ' \
        '--action=[only these actions (repeatable or comma-separated\: run,reveal)]:value: ' \
        '--actor=[team vault\: only entries by this member or database role (the database stamps who)]:value: ' \
        '--json[print JSON (never a value)]' \
        '(--help -h)'{--help,-h}'[display help for command]' \
        '(--version -V)'{--version,-V}'[output the version number]' \
        '--vault=[vault file, or a team vault name from `credctl vault list` (env\: CREDCTL_VAULT)]:file:_files' \
        '--key-source=[key source for a new vault (env\: CREDCTL_KEY_SOURCE)]:value:(keychain env passphrase file)' \
        '--debug[more detail on errors (never a secret)]' \
        '1:name:_credctl_names' && ret=0
        ;;
      (rotate-key)
        _arguments -s \
        '--json[print JSON (never a value)]' \
        '(--help -h)'{--help,-h}'[display help for command]' \
        '(--version -V)'{--version,-V}'[output the version number]' \
        '--vault=[vault file, or a team vault name from `credctl vault list` (env\: CREDCTL_VAULT)]:file:_files' \
        '--key-source=[key source for a new vault (env\: CREDCTL_KEY_SOURCE)]:value:(keychain env passphrase file)' \
        '--debug[more detail on errors (never a secret)]' && ret=0
        ;;
      (status)
        _arguments -s \
        '--json[print JSON (never a value)]' \
        '(--help -h)'{--help,-h}'[display help for command]' \
        '(--version -V)'{--version,-V}'[output the version number]' \
        '--vault=[vault file, or a team vault name from `credctl vault list` (env\: CREDCTL_VAULT)]:file:_files' \
        '--key-source=[key source for a new vault (env\: CREDCTL_KEY_SOURCE)]:value:(keychain env passphrase file)' \
        '--debug[more detail on errors (never a secret)]' && ret=0
        ;;
      (run)
        _arguments -s -S \
        '*--only=[inject only the defaults of these types]:value:(openai anthropic gemini deepseek fireworks xai openrouter together_ai mistral cohere groq perplexity elevenlabs deepgram openai_audio fal replicate stability openai_image runway pika luma postgresql mysql bigquery snowflake redshift mssql clickhouse static_file api_key oauth database smtp)' \
        '*--env=[also inject credential NAME under VAR (repeatable; overrides a default and the env files)]:value: ' \
        '*--dotenv=[set every variable of a dotenv file, credctl\://NAME values from the vault (repeatable; later files win)]:file:_files' \
        '--no-defaults[inject no type'\''s default\: only the env files'\'' variables and --env]' \
        '--dry-run[show which variables would be set (names and masked values), run nothing]' \
        '--mask[conceal injected values in the command'\''s output on a terminal too]' \
        '--no-masking[never conceal injected values in the command'\''s output]' \
        '--json[print JSON (never a value)]' \
        '(--help -h)'{--help,-h}'[display help for command]' \
        '(--version -V)'{--version,-V}'[output the version number]' \
        '--vault=[vault file, or a team vault name from `credctl vault list` (env\: CREDCTL_VAULT)]:file:_files' \
        '--key-source=[key source for a new vault (env\: CREDCTL_KEY_SOURCE)]:value:(keychain env passphrase file)' \
        '--debug[more detail on errors (never a secret)]' \
        '*:: :_normal' && ret=0
        ;;
      (inject)
        _arguments -s \
        '(--input -i)'{--input=,-i}'[the template (- for stdin)]:file:_files' \
        '(--output -o)'{--output=,-o}'[write here, mode 0600, atomically (default\: stdout)]:file:_files' \
        '--force[replace an existing --output file]' \
        '--json[print JSON (never a value)]' \
        '(--help -h)'{--help,-h}'[display help for command]' \
        '(--version -V)'{--version,-V}'[output the version number]' \
        '--vault=[vault file, or a team vault name from `credctl vault list` (env\: CREDCTL_VAULT)]:file:_files' \
        '--key-source=[key source for a new vault (env\: CREDCTL_KEY_SOURCE)]:value:(keychain env passphrase file)' \
        '--debug[more detail on errors (never a secret)]' && ret=0
        ;;
      (import)
        _arguments -s \
        '--from-env=[a .env file (- for stdin)\: variables that hold secrets become credentials named after them]:file:_files' \
        '--template=[with --from-env\: also write FILE, the .env with each secret replaced by credctl\://NAME (no secret\: safe to commit)]:file:_files' \
        '--force[replace an existing --template file]' \
        '--bundle=[a bundle written by `credctl export` (- for stdin; passphrase\: CREDCTL_EXPORT_PASSPHRASE or a prompt)]:file:_files' \
        '--dry-run[show what would be imported, write nothing]' \
        '--rename[import name clashes as "NAME (2)" instead of skipping them]' \
        '--json[print JSON (never a value)]' \
        '(--help -h)'{--help,-h}'[display help for command]' \
        '(--version -V)'{--version,-V}'[output the version number]' \
        '--vault=[vault file, or a team vault name from `credctl vault list` (env\: CREDCTL_VAULT)]:file:_files' \
        '--key-source=[key source for a new vault (env\: CREDCTL_KEY_SOURCE)]:value:(keychain env passphrase file)' \
        '--debug[more detail on errors (never a secret)]' && ret=0
        ;;
      (export)
        _arguments -s \
        '--output=[the bundle to write (0600); - for stdout]:file:_files' \
        '--force[replace an existing --output file]' \
        '--json[print JSON (never a value)]' \
        '(--help -h)'{--help,-h}'[display help for command]' \
        '(--version -V)'{--version,-V}'[output the version number]' \
        '--vault=[vault file, or a team vault name from `credctl vault list` (env\: CREDCTL_VAULT)]:file:_files' \
        '--key-source=[key source for a new vault (env\: CREDCTL_KEY_SOURCE)]:value:(keychain env passphrase file)' \
        '--debug[more detail on errors (never a secret)]' && ret=0
        ;;
      (recover)
        _arguments -s \
        '--output=[the bundle to write (0600); - for stdout]:file:_files' \
        '--force[replace an existing --output file]' \
        '--json[print JSON (never a value)]' \
        '(--help -h)'{--help,-h}'[display help for command]' \
        '(--version -V)'{--version,-V}'[output the version number]' \
        '--vault=[vault file, or a team vault name from `credctl vault list` (env\: CREDCTL_VAULT)]:file:_files' \
        '--key-source=[key source for a new vault (env\: CREDCTL_KEY_SOURCE)]:value:(keychain env passphrase file)' \
        '--debug[more detail on errors (never a secret)]' && ret=0
        ;;
      (completion)
        _arguments -s \
        '--install[write it where the shell loads it from (creating the directory), and say what to add to the shell'\''s rc file, if anything]' \
        '--force[with --install\: replace a file credctl did not write]' \
        '(--help -h)'{--help,-h}'[display help for command]' \
        '(--version -V)'{--version,-V}'[output the version number]' \
        '--vault=[vault file, or a team vault name from `credctl vault list` (env\: CREDCTL_VAULT)]:file:_files' \
        '--key-source=[key source for a new vault (env\: CREDCTL_KEY_SOURCE)]:value:(keychain env passphrase file)' \
        '--debug[more detail on errors (never a secret)]' \
        '1:shell:(bash zsh fish)' && ret=0
        ;;
      (identity)
        _arguments -s \
        '(--help -h)'{--help,-h}'[display help for command]' \
        '(--version -V)'{--version,-V}'[output the version number]' \
        '--vault=[vault file, or a team vault name from `credctl vault list` (env\: CREDCTL_VAULT)]:file:_files' \
        '--key-source=[key source for a new vault (env\: CREDCTL_KEY_SOURCE)]:value:(keychain env passphrase file)' \
        '--debug[more detail on errors (never a secret)]' \
        '1:subcommand:(new show)' && ret=0
        ;;
      (vault)
        _arguments -s \
        '(--help -h)'{--help,-h}'[display help for command]' \
        '(--version -V)'{--version,-V}'[output the version number]' \
        '--vault=[vault file, or a team vault name from `credctl vault list` (env\: CREDCTL_VAULT)]:file:_files' \
        '--key-source=[key source for a new vault (env\: CREDCTL_KEY_SOURCE)]:value:(keychain env passphrase file)' \
        '--debug[more detail on errors (never a secret)]' \
        '1:subcommand:(create init-sql attach list status verify detach import set)' && ret=0
        ;;
      (member)
        _arguments -s \
        '(--help -h)'{--help,-h}'[display help for command]' \
        '(--version -V)'{--version,-V}'[output the version number]' \
        '--vault=[vault file, or a team vault name from `credctl vault list` (env\: CREDCTL_VAULT)]:file:_files' \
        '--key-source=[key source for a new vault (env\: CREDCTL_KEY_SOURCE)]:value:(keychain env passphrase file)' \
        '--debug[more detail on errors (never a secret)]' \
        '1:subcommand:(add list remove)' && ret=0
        ;;
      (help)
        _arguments -s \
        '(--version -V)'{--version,-V}'[output the version number]' \
        '--vault=[vault file, or a team vault name from `credctl vault list` (env\: CREDCTL_VAULT)]:file:_files' \
        '--key-source=[key source for a new vault (env\: CREDCTL_KEY_SOURCE)]:value:(keychain env passphrase file)' \
        '--debug[more detail on errors (never a secret)]' \
        '(--help -h)'{--help,-h}'[display help for command]' \
        '1:command:_credctl_commands' && ret=0
        ;;
      esac
      ;;
  esac
  return ret
}

if [[ ${funcstack[1]} == _credctl ]]; then
  _credctl "$@"
else
  compdef _credctl credctl
fi
