# credctl completion for fish. Generated from the command tree by `credctl completion fish` (scripts/gen-completions.mjs); do not edit.
# Install: credctl completion fish --install   (~/.config/fish/completions/credctl.fish)

# Credential names from `credctl __names` (reads only the vault file); fish quotes them.
function __credctl_names
    set -l tokens (commandline -opc)
    set -l args
    for i in (seq (count $tokens))
        switch $tokens[$i]
            case --vault
                set args --vault $tokens[(math $i + 1)]
            case '--vault=*'
                set args --vault (string replace -- '--vault=' '' $tokens[$i])
        end
    end
    $tokens[1] $args __names $argv 2>/dev/null
end

function __credctl_after_dashdash
    contains -- -- (commandline -opc)
end

# run ... -- CMD ARGS: complete CMD ARGS as a command line of its own.
function __credctl_complete_command
    set -l tokens (commandline -opc)
    set -l i (contains -i -- -- $tokens)
    set -l rest
    if test $i -lt (count $tokens)
        set rest (string escape -- $tokens[(math $i + 1)..-1])
    end
    complete -C (string join ' ' -- $rest '')(commandline -ct)
end

complete -c credctl -f
complete -c credctl -n 'not __credctl_after_dashdash' -l version -s V -d 'output the version number'
complete -c credctl -n 'not __credctl_after_dashdash' -l vault -r -F -d 'vault file (env: CREDCTL_VAULT)'
complete -c credctl -n 'not __credctl_after_dashdash' -l key-source -x -a 'keychain env passphrase file' -d 'key source for a new vault (env: CREDCTL_KEY_SOURCE)'
complete -c credctl -n 'not __credctl_after_dashdash' -l debug -d 'more detail on errors (never a secret)'
complete -c credctl -n 'not __credctl_after_dashdash' -l help -s h -d 'display help for command'
complete -c credctl -n __fish_use_subcommand -a 'create' -d 'store a new credential (the value is encrypted; only a masked form is ever shown)'
complete -c credctl -n __fish_use_subcommand -a 'list' -d 'list credentials (masked values)'
complete -c credctl -n __fish_use_subcommand -a 'ls' -d 'alias of list'
complete -c credctl -n __fish_use_subcommand -a 'get' -d 'show one credential (masked)'
complete -c credctl -n __fish_use_subcommand -a 'update' -d 'change a credential: a new value replaces the old one for good'
complete -c credctl -n __fish_use_subcommand -a 'delete' -d 'soft-delete: hidden and never used, until restored'
complete -c credctl -n __fish_use_subcommand -a 'restore' -d 'bring back a soft-deleted credential'
complete -c credctl -n __fish_use_subcommand -a 'set-default' -d 'make a credential the default of its type'
complete -c credctl -n __fish_use_subcommand -a 'purge' -d 'remove a credential and its ciphertext for good (asks first on a terminal)'
complete -c credctl -n __fish_use_subcommand -a 'validate' -d 'check credentials against the real service'
complete -c credctl -n __fish_use_subcommand -a 'discover' -d 'discover the tables and columns behind a warehouse credential'
complete -c credctl -n __fish_use_subcommand -a 'schema' -d 'show the discovered schema'
complete -c credctl -n __fish_use_subcommand -a 'types' -d 'list the credential types credctl knows'
complete -c credctl -n __fish_use_subcommand -a 'reveal' -d 'print the raw value (for pipes), or put it on the clipboard with --copy; recorded in history'
complete -c credctl -n __fish_use_subcommand -a 'history' -d 'what was done, when, to which credential (never a value)'
complete -c credctl -n __fish_use_subcommand -a 'rotate-key' -d 'replace the vault key: every value re-encrypted, one atomic write; the old key opens nothing after'
complete -c credctl -n __fish_use_subcommand -a 'status' -d 'vault path, key source, keychain reachability, integrity, counts, expiry'
complete -c credctl -n __fish_use_subcommand -a 'run' -d 'run a command with each type\'s default credential in its conventional variables (OPENAI_API_KEY, DATABASE_URL, ...)'
complete -c credctl -n __fish_use_subcommand -a 'inject' -d 'fill in the {{ credctl://NAME }} placeholders of a template (YAML, JSON, TOML, any text) with credential values'
complete -c credctl -n __fish_use_subcommand -a 'import' -d 'import credentials from a .env file or an encrypted export bundle'
complete -c credctl -n __fish_use_subcommand -a 'export' -d 'write every credential (values and metadata) to a passphrase-encrypted bundle (scrypt, AES-256-GCM)'
complete -c credctl -n __fish_use_subcommand -a 'recover' -d 'save every value that still decrypts from a vault that no longer opens (exit 4) into an export bundle; never changes the vault'
complete -c credctl -n __fish_use_subcommand -a 'completion' -d 'print the shell completion script (commands, flags, types, credential names), or install it'
complete -c credctl -n __fish_use_subcommand -a 'help' -d 'display help for command'
complete -c credctl -n '__fish_seen_subcommand_from create; and not __credctl_after_dashdash' -l name -x -d 'unique name'
complete -c credctl -n '__fish_seen_subcommand_from create; and not __credctl_after_dashdash' -l type -x -a 'openai anthropic gemini deepseek fireworks xai openrouter together_ai mistral cohere groq perplexity elevenlabs deepgram openai_audio fal replicate stability openai_image runway pika luma postgresql mysql bigquery snowflake redshift mssql clickhouse static_file api_key oauth database smtp' -d 'credential type (see `credctl types`)'
complete -c credctl -n '__fish_seen_subcommand_from create; and not __credctl_after_dashdash' -l category -x -a 'llm speech image video data_warehouse tools' -d 'category (optional: implied by --type)'
complete -c credctl -n '__fish_seen_subcommand_from create; and not __credctl_after_dashdash' -l description -x -d 'free text'
complete -c credctl -n '__fish_seen_subcommand_from create; and not __credctl_after_dashdash' -l value-stdin -d 'read the value from stdin (recommended)'
complete -c credctl -n '__fish_seen_subcommand_from create; and not __credctl_after_dashdash' -l value-file -r -F -d 'read the value from a file'
complete -c credctl -n '__fish_seen_subcommand_from create; and not __credctl_after_dashdash' -l value -x -d 'the value itself (visible in ps and shell history: prefer --value-stdin)'
complete -c credctl -n '__fish_seen_subcommand_from create; and not __credctl_after_dashdash' -l base-url -x -d 'replace the provider base URL (proxies, gateways, self-hosted APIs)'
complete -c credctl -n '__fish_seen_subcommand_from create; and not __credctl_after_dashdash' -l schema-type -x -a 'postgresql mysql bigquery snowflake redshift mssql clickhouse static_file' -d 'engine of a tools/database credential'
complete -c credctl -n '__fish_seen_subcommand_from create; and not __credctl_after_dashdash' -l default -d 'make it the default of its type'
complete -c credctl -n '__fish_seen_subcommand_from create; and not __credctl_after_dashdash' -l expires -x -d 'expiry date, YYYY-MM-DD'
complete -c credctl -n '__fish_seen_subcommand_from create; and not __credctl_after_dashdash' -l check-url -x -d 'api_key/oauth: URL that validate sends a GET to'
complete -c credctl -n '__fish_seen_subcommand_from create; and not __credctl_after_dashdash' -l auth-header -x -d 'api_key: header template, e.g. \'Authorization: Bearer {value}\''
complete -c credctl -n '__fish_seen_subcommand_from create; and not __credctl_after_dashdash' -l expect -x -d 'api_key/oauth: a JSON field and the value a good answer has there, e.g. \'ok=true\''
complete -c credctl -n '__fish_seen_subcommand_from create; and not __credctl_after_dashdash' -l token-auth -x -a 'client_secret_basic client_secret_post' -d 'oauth: client authentication at the token endpoint (default: Basic, then the body form)'
complete -c credctl -n '__fish_seen_subcommand_from create; and not __credctl_after_dashdash' -l project -x -d 'bigquery: project that runs the queries (default: the key\'s project_id)'
complete -c credctl -n '__fish_seen_subcommand_from create; and not __credctl_after_dashdash' -l location -x -d 'bigquery: region of datasets whose listing does not say (US, EU, europe-west1)'
complete -c credctl -n '__fish_seen_subcommand_from create; and not __credctl_after_dashdash' -l json -d 'print JSON (never a value)'
complete -c credctl -n '__fish_seen_subcommand_from list ls; and not __credctl_after_dashdash' -l category -x -a 'llm speech image video data_warehouse tools' -d 'only this category'
complete -c credctl -n '__fish_seen_subcommand_from list ls; and not __credctl_after_dashdash' -l type -x -a 'openai anthropic gemini deepseek fireworks xai openrouter together_ai mistral cohere groq perplexity elevenlabs deepgram openai_audio fal replicate stability openai_image runway pika luma postgresql mysql bigquery snowflake redshift mssql clickhouse static_file api_key oauth database smtp' -d 'only this type'
complete -c credctl -n '__fish_seen_subcommand_from list ls; and not __credctl_after_dashdash' -l deleted -d 'include soft-deleted credentials'
complete -c credctl -n '__fish_seen_subcommand_from list ls; and not __credctl_after_dashdash' -l json -d 'print JSON (never a value)'
complete -c credctl -n '__fish_seen_subcommand_from get; and not __credctl_after_dashdash' -l json -d 'print JSON (never a value)'
complete -c credctl -n '__fish_seen_subcommand_from get; and not __credctl_after_dashdash' -a '(__credctl_names)'
complete -c credctl -n '__fish_seen_subcommand_from update; and not __credctl_after_dashdash' -l name -x -d 'rename'
complete -c credctl -n '__fish_seen_subcommand_from update; and not __credctl_after_dashdash' -l description -x -d 'free text'
complete -c credctl -n '__fish_seen_subcommand_from update; and not __credctl_after_dashdash' -l value-stdin -d 'read the value from stdin (recommended)'
complete -c credctl -n '__fish_seen_subcommand_from update; and not __credctl_after_dashdash' -l value-file -r -F -d 'read the value from a file'
complete -c credctl -n '__fish_seen_subcommand_from update; and not __credctl_after_dashdash' -l value -x -d 'the value itself (visible in ps and shell history: prefer --value-stdin)'
complete -c credctl -n '__fish_seen_subcommand_from update; and not __credctl_after_dashdash' -l base-url -x -d 'replace the provider base URL (\'\' to clear)'
complete -c credctl -n '__fish_seen_subcommand_from update; and not __credctl_after_dashdash' -l expires -x -d 'expiry date, YYYY-MM-DD (\'\' to clear)'
complete -c credctl -n '__fish_seen_subcommand_from update; and not __credctl_after_dashdash' -l check-url -x -d 'api_key/oauth: URL that validate sends a GET to'
complete -c credctl -n '__fish_seen_subcommand_from update; and not __credctl_after_dashdash' -l auth-header -x -d 'api_key: header template with {value}'
complete -c credctl -n '__fish_seen_subcommand_from update; and not __credctl_after_dashdash' -l expect -x -d 'api_key/oauth: a JSON field and the value a good answer has there (\'\' to clear)'
complete -c credctl -n '__fish_seen_subcommand_from update; and not __credctl_after_dashdash' -l token-auth -x -a 'client_secret_basic client_secret_post ' -d 'oauth: client authentication at the token endpoint (\'\' to clear)'
complete -c credctl -n '__fish_seen_subcommand_from update; and not __credctl_after_dashdash' -l project -x -d 'bigquery: project that runs the queries (\'\' to clear)'
complete -c credctl -n '__fish_seen_subcommand_from update; and not __credctl_after_dashdash' -l location -x -d 'bigquery: default dataset region (\'\' to clear)'
complete -c credctl -n '__fish_seen_subcommand_from update; and not __credctl_after_dashdash' -l json -d 'print JSON (never a value)'
complete -c credctl -n '__fish_seen_subcommand_from update; and not __credctl_after_dashdash' -a '(__credctl_names)'
complete -c credctl -n '__fish_seen_subcommand_from delete; and not __credctl_after_dashdash' -l json -d 'print JSON (never a value)'
complete -c credctl -n '__fish_seen_subcommand_from delete; and not __credctl_after_dashdash' -a '(__credctl_names)'
complete -c credctl -n '__fish_seen_subcommand_from restore; and not __credctl_after_dashdash' -l json -d 'print JSON (never a value)'
complete -c credctl -n '__fish_seen_subcommand_from restore; and not __credctl_after_dashdash' -a '(__credctl_names --deleted)'
complete -c credctl -n '__fish_seen_subcommand_from set-default; and not __credctl_after_dashdash' -l json -d 'print JSON (never a value)'
complete -c credctl -n '__fish_seen_subcommand_from set-default; and not __credctl_after_dashdash' -a '(__credctl_names)'
complete -c credctl -n '__fish_seen_subcommand_from purge; and not __credctl_after_dashdash' -l yes -s y -d 'do not ask for confirmation'
complete -c credctl -n '__fish_seen_subcommand_from purge; and not __credctl_after_dashdash' -l json -d 'print JSON (never a value)'
complete -c credctl -n '__fish_seen_subcommand_from purge; and not __credctl_after_dashdash' -a '(__credctl_names)'
complete -c credctl -n '__fish_seen_subcommand_from validate; and not __credctl_after_dashdash' -l all -d 'every credential (with --category/--type to narrow)'
complete -c credctl -n '__fish_seen_subcommand_from validate; and not __credctl_after_dashdash' -l category -x -a 'llm speech image video data_warehouse tools' -d 'every credential of this category (implies --all)'
complete -c credctl -n '__fish_seen_subcommand_from validate; and not __credctl_after_dashdash' -l type -x -a 'openai anthropic gemini deepseek fireworks xai openrouter together_ai mistral cohere groq perplexity elevenlabs deepgram openai_audio fal replicate stability openai_image runway pika luma postgresql mysql bigquery snowflake redshift mssql clickhouse static_file api_key oauth database smtp' -d 'every credential of this type (implies --all)'
complete -c credctl -n '__fish_seen_subcommand_from validate; and not __credctl_after_dashdash' -l timeout -x -d 'per-check timeout in seconds, 0.1 to 600'
complete -c credctl -n '__fish_seen_subcommand_from validate; and not __credctl_after_dashdash' -l concurrency -x -d 'checks run at once, 1 to 256 (default 32)'
complete -c credctl -n '__fish_seen_subcommand_from validate; and not __credctl_after_dashdash' -l per-host -x -d 'checks run at once against one host:port, 1 to 256 (default 8)'
complete -c credctl -n '__fish_seen_subcommand_from validate; and not __credctl_after_dashdash' -l json -d 'print JSON (never a value)'
complete -c credctl -n '__fish_seen_subcommand_from validate; and not __credctl_after_dashdash' -a '(__credctl_names)'
complete -c credctl -n '__fish_seen_subcommand_from discover; and not __credctl_after_dashdash' -l schemas -x -d 'comma-separated schemas to read (default: all visible)'
complete -c credctl -n '__fish_seen_subcommand_from discover; and not __credctl_after_dashdash' -l max-tables -x -d 'stop after this many tables'
complete -c credctl -n '__fish_seen_subcommand_from discover; and not __credctl_after_dashdash' -l timeout -x -d 'timeout in seconds, 0.1 to 600'
complete -c credctl -n '__fish_seen_subcommand_from discover; and not __credctl_after_dashdash' -l json -d 'print JSON (never a value)'
complete -c credctl -n '__fish_seen_subcommand_from discover; and not __credctl_after_dashdash' -a '(__credctl_names)'
complete -c credctl -n '__fish_seen_subcommand_from schema; and not __credctl_after_dashdash' -l table -x -d 'only tables whose name matches (* and ? wildcards)'
complete -c credctl -n '__fish_seen_subcommand_from schema; and not __credctl_after_dashdash' -l json -d 'print JSON (never a value)'
complete -c credctl -n '__fish_seen_subcommand_from schema; and not __credctl_after_dashdash' -a '(__credctl_names)'
complete -c credctl -n '__fish_seen_subcommand_from types; and not __credctl_after_dashdash' -l category -x -a 'llm speech image video data_warehouse tools' -d 'only this category'
complete -c credctl -n '__fish_seen_subcommand_from types; and not __credctl_after_dashdash' -l json -d 'print JSON (never a value)'
complete -c credctl -n '__fish_seen_subcommand_from reveal; and not __credctl_after_dashdash' -l copy -d 'put the value on the clipboard (wl-copy, xclip or xsel, pbcopy, clip) instead of printing it; cleared after 45 s'
complete -c credctl -n '__fish_seen_subcommand_from reveal; and not __credctl_after_dashdash' -l clear-after -x -d 'with --copy: clear the clipboard after this many seconds, 0 (never) to 86400, unless something else was copied meanwhile'
complete -c credctl -n '__fish_seen_subcommand_from reveal; and not __credctl_after_dashdash' -a '(__credctl_names)'
complete -c credctl -n '__fish_seen_subcommand_from history; and not __credctl_after_dashdash' -l limit -x -d 'last N entries'
complete -c credctl -n '__fish_seen_subcommand_from history; and not __credctl_after_dashdash' -l since -x -d 'only entries since an ISO time or a duration back from now (2h, 7d)'
complete -c credctl -n '__fish_seen_subcommand_from history; and not __credctl_after_dashdash' -l action -x -d 'only these actions (repeatable or comma-separated: run,reveal)'
complete -c credctl -n '__fish_seen_subcommand_from history; and not __credctl_after_dashdash' -l json -d 'print JSON (never a value)'
complete -c credctl -n '__fish_seen_subcommand_from history; and not __credctl_after_dashdash' -a '(__credctl_names)'
complete -c credctl -n '__fish_seen_subcommand_from rotate-key; and not __credctl_after_dashdash' -l json -d 'print JSON (never a value)'
complete -c credctl -n '__fish_seen_subcommand_from status; and not __credctl_after_dashdash' -l json -d 'print JSON (never a value)'
complete -c credctl -n '__fish_seen_subcommand_from run; and not __credctl_after_dashdash' -l only -x -a 'openai anthropic gemini deepseek fireworks xai openrouter together_ai mistral cohere groq perplexity elevenlabs deepgram openai_audio fal replicate stability openai_image runway pika luma postgresql mysql bigquery snowflake redshift mssql clickhouse static_file api_key oauth database smtp' -d 'inject only the defaults of these types'
complete -c credctl -n '__fish_seen_subcommand_from run; and not __credctl_after_dashdash' -l env -x -d 'also inject credential NAME under VAR (repeatable; overrides a default and the env files)'
complete -c credctl -n '__fish_seen_subcommand_from run; and not __credctl_after_dashdash' -l dotenv -r -F -d 'set every variable of a dotenv file, credctl://NAME values from the vault (repeatable; later files win)'
complete -c credctl -n '__fish_seen_subcommand_from run; and not __credctl_after_dashdash' -l no-defaults -d 'inject no type\'s default: only the env files\' variables and --env'
complete -c credctl -n '__fish_seen_subcommand_from run; and not __credctl_after_dashdash' -l dry-run -d 'show which variables would be set (names and masked values), run nothing'
complete -c credctl -n '__fish_seen_subcommand_from run; and not __credctl_after_dashdash' -l mask -d 'conceal injected values in the command\'s output on a terminal too'
complete -c credctl -n '__fish_seen_subcommand_from run; and not __credctl_after_dashdash' -l no-masking -d 'never conceal injected values in the command\'s output'
complete -c credctl -n '__fish_seen_subcommand_from run; and not __credctl_after_dashdash' -l json -d 'print JSON (never a value)'
complete -c credctl -n '__fish_seen_subcommand_from run; and __credctl_after_dashdash' -a '(__credctl_complete_command)'
complete -c credctl -n '__fish_seen_subcommand_from inject; and not __credctl_after_dashdash' -l input -s i -r -F -d 'the template (- for stdin)'
complete -c credctl -n '__fish_seen_subcommand_from inject; and not __credctl_after_dashdash' -l output -s o -r -F -d 'write here, mode 0600, atomically (default: stdout)'
complete -c credctl -n '__fish_seen_subcommand_from inject; and not __credctl_after_dashdash' -l force -d 'replace an existing --output file'
complete -c credctl -n '__fish_seen_subcommand_from inject; and not __credctl_after_dashdash' -l json -d 'print JSON (never a value)'
complete -c credctl -n '__fish_seen_subcommand_from import; and not __credctl_after_dashdash' -l from-env -r -F -d 'a .env file (- for stdin): variables that hold secrets become credentials named after them'
complete -c credctl -n '__fish_seen_subcommand_from import; and not __credctl_after_dashdash' -l template -r -F -d 'with --from-env: also write FILE, the .env with each secret replaced by credctl://NAME (no secret: safe to commit)'
complete -c credctl -n '__fish_seen_subcommand_from import; and not __credctl_after_dashdash' -l force -d 'replace an existing --template file'
complete -c credctl -n '__fish_seen_subcommand_from import; and not __credctl_after_dashdash' -l bundle -r -F -d 'a bundle written by `credctl export` (- for stdin; passphrase: CREDCTL_EXPORT_PASSPHRASE or a prompt)'
complete -c credctl -n '__fish_seen_subcommand_from import; and not __credctl_after_dashdash' -l dry-run -d 'show what would be imported, write nothing'
complete -c credctl -n '__fish_seen_subcommand_from import; and not __credctl_after_dashdash' -l rename -d 'import name clashes as "NAME (2)" instead of skipping them'
complete -c credctl -n '__fish_seen_subcommand_from import; and not __credctl_after_dashdash' -l json -d 'print JSON (never a value)'
complete -c credctl -n '__fish_seen_subcommand_from export; and not __credctl_after_dashdash' -l output -r -F -d 'the bundle to write (0600); - for stdout'
complete -c credctl -n '__fish_seen_subcommand_from export; and not __credctl_after_dashdash' -l force -d 'replace an existing --output file'
complete -c credctl -n '__fish_seen_subcommand_from export; and not __credctl_after_dashdash' -l json -d 'print JSON (never a value)'
complete -c credctl -n '__fish_seen_subcommand_from recover; and not __credctl_after_dashdash' -l output -r -F -d 'the bundle to write (0600); - for stdout'
complete -c credctl -n '__fish_seen_subcommand_from recover; and not __credctl_after_dashdash' -l force -d 'replace an existing --output file'
complete -c credctl -n '__fish_seen_subcommand_from recover; and not __credctl_after_dashdash' -l json -d 'print JSON (never a value)'
complete -c credctl -n '__fish_seen_subcommand_from completion; and not __credctl_after_dashdash' -l install -d 'write it where the shell loads it from (creating the directory), and say what to add to the shell\'s rc file, if anything'
complete -c credctl -n '__fish_seen_subcommand_from completion; and not __credctl_after_dashdash' -l force -d 'with --install: replace a file credctl did not write'
complete -c credctl -n '__fish_seen_subcommand_from completion; and not __credctl_after_dashdash' -a 'bash zsh fish'
complete -c credctl -n '__fish_seen_subcommand_from help; and not __credctl_after_dashdash' -a 'create list get update delete restore set-default purge validate discover schema types reveal history rotate-key status run inject import export recover completion help'
