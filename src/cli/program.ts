import { Argument, Command, Option } from 'commander'
import { CATEGORIES, TYPE_NAMES, WAREHOUSE_TYPES } from '../credentials/catalogue.js'
import { DEFAULT_SOURCE, KEY_SOURCES, keySourceEnv } from '../keys/index.js'
import type { CompletionOptions } from './commands/completion.js'
import type { Factory } from './factory.js'
import type { Output } from './output.js'
import type { TeamRole } from '../vault/team-header.js'

declare const __VERSION__: string
export const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev'

/**
 * The command tree (commander). Actions only lazy-load their command module and hand it the parsed
 * flags; the module returns an Output, and main.ts prints it. Completion scripts are generated from this
 * tree, so every flag and choice lives here.
 */
type Runner = (f: Factory, ...args: never[]) => Promise<Output>
type Loader = () => Promise<{ run: Runner }>

/** `member add --role` choices, spelled here so that building the tree loads no team module. */
const TEAM_ROLES = ['reader', 'writer', 'admin'] as const satisfies readonly TeamRole[]

/** One help line: the name padded to a column, or on its own when longer (as the lines below read). */
const envLine = (name: string, doc: string) => `  ${name.length < 22 ? name.padEnd(22) : `${name} `} ${doc}`

export const ENV_HELP = `
Environment:
  CREDCTL_VAULT          vault file (default: the user data dir, e.g. ~/.local/share/credctl/vault.json),
                         or a team vault name from \`credctl vault list\`
  CREDCTL_KEY_SOURCE     key source for a new vault: ${KEY_SOURCES.map((s) => (s === DEFAULT_SOURCE ? `${s} (default)` : s)).join(', ')}
${keySourceEnv()
  .map((e) => envLine(e.name, e.doc))
  .join('\n')}
  CREDCTL_LOCK_TIMEOUT_MS     how long a writer waits for the vault lock, in ms (default 10000, at most 600000)
  CREDCTL_IDENTITY       this device's age identity (AGE-SECRET-KEY-1…), overriding the keychain (CI)
  CREDCTL_IDENTITY_FILE  a 0600 file holding it, instead
  CREDCTL_TEAMS_DIR      where this device keeps its team vault list (teams.json) and what it has seen of each
  CREDCTL_NO_PROMPT      never prompt, even on a terminal
  CREDCTL_EXPORT_PASSPHRASE  passphrase of export bundles (export, import --bundle; otherwise a hidden prompt)
  NO_COLOR, FORCE_COLOR, CLICOLOR  turn colour off or on

Exit codes:
  0 ok, 1 a check failed, 2 usage or input error, 3 not found,
  4 vault or key error, 5 service unreachable or timed out, 130 cancelled`

/**
 * The command named first on the command line, skipping the global options (and their values); used
 * to build only that command. `help` and anything unknown build the whole tree.
 */
export function commandOf(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--') return undefined
    if (a === '--vault' || a === '--key-source') {
      i++
      continue
    }
    if (a.startsWith('-')) continue
    return a === 'help' ? undefined : a
  }
  return undefined
}

export function createProgram(f: Factory, onResult: (o: Output) => void, only?: string): Command {
  const defs: { names: string[]; build: () => void }[] = []
  const define = (names: string[], build: () => unknown) => void defs.push({ names, build: () => void build() })
  const program = new Command('credctl')
  // Set before any subcommand is added: commander copies these settings into each subcommand.
  program.exitOverride().configureOutput({
    // Through the one writer: commander's errors quote what the user typed (an unknown option, a bad choice).
    writeOut: (s) => void f.io.term.out(s),
    // commander's own usage errors, as one line prefixed like ours
    // A mistyped value flag (`--vaule=sk-...`) must not echo what follows "=": only the option's name.
    writeErr: (s) => void f.io.term.err((s.startsWith('error: ') ? `credctl: ${s.slice(7)}` : s).replace(/(unknown option '[^'=]*)=[^']*'/g, "$1=…'")),
  })
  program
    .description('Credentials for LLM and data work: encrypted at rest, shown masked, checked against the real service.')
    .version(VERSION, '-V, --version')
    .option('--vault <path>', 'vault file, or a team vault name from `credctl vault list` (env: CREDCTL_VAULT)')
    .addOption(new Option('--key-source <source>', 'key source for a new vault (env: CREDCTL_KEY_SOURCE)').choices(KEY_SOURCES))
    .option('--debug', 'more detail on errors (never a secret)')
    .addHelpText('after', ENV_HELP)
    .hook('preAction', () => {
      const g = program.opts<{ vault?: string; keySource?: string; debug?: boolean }>()
      f.globals.vault = g.vault
      f.globals.keySource = g.keySource
      f.globals.debug = g.debug
    })

  const act =
    (load: Loader) =>
    async (...args: unknown[]) => {
      // commander passes (...positionals, options, command)
      const cmdArgs = args.slice(0, -1)
      const { run } = await load()
      onResult(await (run as (f: Factory, ...a: unknown[]) => Promise<Output>)(f, ...cmdArgs))
    }

  const json = () => new Option('--json', 'print JSON (never a value)')
  const typeOpt = (d = 'credential type (see `credctl types`)') => new Option('--type <type>', d).choices(TYPE_NAMES)
  const catOpt = (d = 'category') => new Option('--category <category>', d).choices(CATEGORIES)
  const valueOpts = (c: Command) =>
    c
      .option('--value-stdin', 'read the value from stdin (recommended)')
      .option('--value-file <path>', 'read the value from a file')
      .option('--value <value>', 'the value itself (visible in ps and shell history: prefer --value-stdin)')

  const examples = (c: Command, lines: string[]) => c.addHelpText('after', `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}`)

  define(['create'], () =>
    examples(
      valueOpts(
        program
          .command('create')
          .description('store a new credential (the value is encrypted; only a masked form is ever shown)')
          .option('--name <name>', 'unique name')
          .addOption(typeOpt())
          .addOption(catOpt('category (optional: implied by --type)'))
          .option('--description <text>', 'free text'),
      )
        .option('--base-url <url>', 'replace the provider base URL (proxies, gateways, self-hosted APIs)')
        .addOption(new Option('--schema-type <type>', 'engine of a tools/database credential').choices(WAREHOUSE_TYPES))
        .option('--default', 'make it the default of its type')
        .option('--expires <date>', 'expiry date, YYYY-MM-DD')
        .option('--check-url <url>', 'api_key/oauth: URL that validate sends a GET to')
        .option('--auth-header <header>', "api_key: header template, e.g. 'Authorization: Bearer {value}'")
        .option('--expect <field=value>', "api_key/oauth: a JSON field and the value a good answer has there, e.g. 'ok=true'")
        .addOption(new Option('--token-auth <method>', 'oauth: client authentication at the token endpoint (default: Basic, then the body form)').choices(['client_secret_basic', 'client_secret_post']))
        .option('--project <id>', "bigquery: project that runs the queries (default: the key's project_id)")
        .option('--location <region>', 'bigquery: region of datasets whose listing does not say (US, EU, europe-west1)')
        .addOption(json())
        .action(act(() => import('./commands/create.js'))),
      [
        "printf %s \"$OPENAI_API_KEY\" | credctl create --name 'OpenAI Prod' --type openai --value-stdin",
        "credctl create --name analytics --type postgresql --value-file ./db-url.txt --description 'read-only'",
      ],
    )
  )

  define(['list', 'ls'], () =>
    examples(
      program
        .command('list')
        .alias('ls')
        .description('list credentials (masked values)')
        .addOption(catOpt('only this category'))
        .addOption(typeOpt('only this type'))
        .option('--deleted', 'include soft-deleted credentials')
        .addOption(json())
        .action(act(() => import('./commands/list.js'))),
      ['credctl list', 'credctl list --category llm --json', 'credctl list | cut -f1'],
    )
  )

  define(['get'], () =>
    examples(
      program.command('get').argument('<name>', 'name or id').description('show one credential (masked)').addOption(json()).action(act(() => import('./commands/get.js'))),
      ["credctl get 'OpenAI Prod' --json"],
    )
  )

  define(['update'], () =>
    examples(
      valueOpts(
        program
          .command('update')
          .argument('[name]', 'name or id')
          .description('change a credential: a new value replaces the old one for good')
          .option('--name <new-name>', 'rename')
          .option('--description <text>', 'free text'),
      )
        .option('--base-url <url>', "replace the provider base URL ('' to clear)")
        .option('--expires <date>', "expiry date, YYYY-MM-DD ('' to clear)")
        .option('--check-url <url>', 'api_key/oauth: URL that validate sends a GET to')
        .option('--auth-header <header>', 'api_key: header template with {value}')
        .option('--expect <field=value>', "api_key/oauth: a JSON field and the value a good answer has there ('' to clear)")
        .addOption(new Option('--token-auth <method>', "oauth: client authentication at the token endpoint ('' to clear)").choices(['client_secret_basic', 'client_secret_post', '']))
        .option('--project <id>', "bigquery: project that runs the queries ('' to clear)")
        .option('--location <region>', "bigquery: default dataset region ('' to clear)")
        .addOption(json())
        .action(act(() => import('./commands/update.js'))),
      ["credctl update 'OpenAI Prod' --value-stdin < new-key.txt", "credctl update analytics --name warehouse"],
    )
  )

  for (const [name, desc, ex] of [
    ['delete', 'soft-delete: hidden and never used, until restored', "credctl delete 'OpenAI Old'"],
    ['restore', 'bring back a soft-deleted credential', "credctl restore 'OpenAI Old'"],
    ['set-default', 'make a credential the default of its type', "credctl set-default 'OpenAI Prod'"],
  ] as const) {
    define([name], () => examples(
      // restore's argument is named deleted-name so completion offers deleted credentials there.
      program.command(name).argument(name === 'delete' ? '[name]' : name === 'restore' ? '<deleted-name>' : '<name>', 'name or id').description(desc).addOption(json()).action(act(() => import('./commands/lifecycle.js').then((m) => ({ run: m[name === 'set-default' ? 'runSetDefault' : name === 'delete' ? 'runDelete' : 'runRestore'] as Runner })))),
      [ex],
    ))
  }

  define(['purge'], () =>
    examples(
      program
        .command('purge')
        .argument('<name>', 'name or id')
        .description('remove a credential and its ciphertext for good (asks first on a terminal)')
        .option('-y, --yes', 'do not ask for confirmation')
        .addOption(json())
        .action(act(() => import('./commands/lifecycle.js').then((m) => ({ run: m.runPurge as Runner })))),
      ["credctl purge 'OpenAI Old' --yes"],
    )
  )

  define(['validate'], () =>
    examples(
      program
        .command('validate')
        .argument('[names...]', 'names or ids')
        .description('check credentials against the real service')
        .option('--all', 'every credential (with --category/--type to narrow)')
        .addOption(catOpt('every credential of this category (implies --all)'))
        .addOption(typeOpt('every credential of this type (implies --all)'))
        .option('--timeout <seconds>', 'per-check timeout in seconds, 0.1 to 600', '10')
        .option('--concurrency <n>', 'checks run at once, 1 to 256 (default 32)')
        .option('--per-host <n>', 'checks run at once against one host:port, 1 to 256 (default 8)')
        .addOption(json())
        .action(act(() => import('./commands/validate.js'))),
      ["credctl validate 'OpenAI Prod'", 'credctl validate --category llm --json'],
    )
  )

  define(['mcp'], () => {
    const more = (v: string, prev: string[] | undefined) => [...(prev ?? []), v]
    return examples(
      program
        .command('mcp')
        .description('serve an MCP broker over stdio: agents use the scoped credentials through six tools and never see a value')
        .option('--credential <name>', 'a credential in scope (repeatable)', more)
        .addOption(new Option('--category <category>', 'every credential of this category is in scope (repeatable)').choices(CATEGORIES).argParser(more))
        .option('--allow-privileged-query <name>', 'query may run under a superuser or file/program-reading role for this in-scope credential (repeatable)', more)
        .action(act(() => import('./commands/mcp.js'))),
      ["credctl mcp --credential 'Analytics DB' --credential 'OpenAI Prod'", 'credctl mcp --category data_warehouse'],
    )
  })

  define(['discover'], () =>
    examples(
      program
        .command('discover')
        .argument('<name>', 'name or id')
        .description('discover the tables and columns behind a warehouse credential')
        .option('--schemas <list>', 'comma-separated schemas to read (default: all visible)')
        .option('--max-tables <n>', 'stop after this many tables')
        .option('--timeout <seconds>', 'timeout in seconds, 0.1 to 600', '30')
        .addOption(json())
        .action(act(() => import('./commands/discover.js').then((m) => ({ run: m.runDiscover as Runner })))),
      ['credctl discover analytics --schemas public,sales'],
    )
  )

  define(['schema'], () =>
    examples(
      program
        .command('schema')
        .argument('<name>', 'name or id')
        .description('show the discovered schema')
        .option('--table <pattern>', 'only tables whose name matches (* and ? wildcards)')
        .addOption(json())
        .action(act(() => import('./commands/discover.js').then((m) => ({ run: m.runSchema as Runner })))),
      ['credctl schema analytics', "credctl schema analytics --table 'order*' --json"],
    )
  )

  define(['types'], () =>
    examples(
      program.command('types').description('list the credential types credctl knows').addOption(catOpt('only this category')).addOption(json()).action(act(() => import('./commands/types.js'))),
      ['credctl types --category llm'],
    )
  )

  define(['reveal'], () =>
    examples(
      program
        .command('reveal')
        .argument('<name>', 'name or id')
        .description('print the raw value (for pipes), or put it on the clipboard with --copy; recorded in history')
        .option('--copy', 'put the value on the clipboard (wl-copy, xclip or xsel, pbcopy, clip) instead of printing it; cleared after 45 s')
        .option('--clear-after <seconds>', 'with --copy: clear the clipboard after this many seconds, 0 (never) to 86400, unless something else was copied meanwhile')
        .action(act(() => import('./commands/reveal.js'))),
      ["psql \"$(credctl reveal analytics)\"", "credctl reveal 'OpenAI Prod' --copy", "credctl reveal 'OpenAI Prod' --copy --clear-after 10"],
    )
  )

  // Hidden: started detached by `reveal --copy`; reads the value's SHA-256 from stdin (never argv).
  define(['__clipboard-clear'], () =>
    program
      .command('__clipboard-clear', { hidden: true })
      .option('--tool <tool>', 'the clipboard tool that copied')
      .option('--after <seconds>', 'wait this long, then clear')
      .action(act(() => import('./commands/reveal.js').then((m) => ({ run: m.runClear as Runner })))),
  )

  define(['history'], () =>
    examples(
      program
        .command('history')
        .argument('[name]', 'only entries about this credential')
        .description('what was done, when, to which credential (never a value)')
        .option('--limit <n>', 'last N entries')
        .option('--since <when>', 'only entries since an ISO time or a duration back from now (2h, 7d)')
        .option('--action <actions>', 'only these actions (repeatable or comma-separated: run,reveal)', (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
        .option('--actor <who>', 'team vault: only entries by this member or database role (the database stamps who)')
        .addOption(json())
        .action(act(() => import('./commands/history.js'))),
      ['credctl history --limit 20', "credctl history 'OpenAI Prod' --json", 'credctl history --since 7d --action run,reveal', 'credctl --vault team-prod history --actor bob --action reveal'],
    )
  )

  define(['rotate-key'], () =>
    examples(
      program
        .command('rotate-key')
        .description('replace the vault key: every value re-encrypted, one atomic write; the old key opens nothing after')
        .addOption(json())
        .addHelpText(
          'after',
          '\nThe new key: env source CREDCTL_NEW_MASTER_KEY; passphrase source CREDCTL_NEW_PASSPHRASE or a prompt;\nkeychain and file sources: generated and stored by credctl (old keychain entry removed after the write).',
        )
        .action(act(() => import('./commands/rotate-key.js'))),
      ['CREDCTL_NEW_MASTER_KEY=$(openssl rand -base64 32) credctl rotate-key', 'credctl rotate-key --json'],
    )
  )

  define(['status'], () =>
    examples(
      program.command('status').description('vault path, key source, keychain reachability, integrity, counts, expiry').addOption(json()).action(act(() => import('./commands/status.js'))),
      ['credctl status --json'],
    )
  )

  define(['run'], () =>
    examples(
      program
        .command('run')
        .argument('[command...]', 'the command to run, after --')
        .description("run a command with each type's default credential in its conventional variables (OPENAI_API_KEY, DATABASE_URL, ...)")
        .addOption(new Option('--only <types...>', 'inject only the defaults of these types').choices(TYPE_NAMES))
        .option('--env <var=name...>', 'also inject credential NAME under VAR (repeatable; overrides a default and the env files)')
        .option('--dotenv <file...>', 'set every variable of a dotenv file, credctl://NAME values from the vault (repeatable; later files win)')
        .option('--no-defaults', "inject no type's default: only the env files' variables and --env")
        .option('--dry-run', 'show which variables would be set (names and masked values), run nothing')
        .option('--mask', "conceal injected values in the command's output on a terminal too")
        .option('--no-masking', "never conceal injected values in the command's output")
        .addOption(json())
        .addHelpText(
          'after',
          `
  Variables: each type's default fills the variables listed by \`credctl types\` (ENV column), and a credential
  with a base URL also sets its SDK's base-URL variable (BASE URL ENV column: OPENAI_BASE_URL, ...); tools/database
  fills its schema_type's; api_key/oauth get one derived from the name ('Stripe Prod' -> STRIPE_PROD_API_KEY,
  'github' oauth -> GITHUB_TOKEN); a BigQuery service account goes to a 0600 temporary file, removed when the
  command ends, whose path is in GOOGLE_APPLICATION_CREDENTIALS. When several defaults want one variable, the
  type listed first by \`credctl types\` wins (openai over openai_audio and openai_image for OPENAI_API_KEY);
  --env picks another. Soft-deleted credentials are never injected; CREDCTL_* variables are never passed on.
  Env files (dotenv syntax): a value credctl://NAME (the name or id, percent-encoded: credctl://OpenAI%20Prod;
  in quotes a raw space is accepted too) is replaced by that credential's value (a service account: the path
  of a 0600 temporary file), every other value is passed as written. Precedence: --env, then the env files
  (the later file wins), then the defaults. A reference to a missing or deleted credential is exit 3 naming
  FILE:LINE, and nothing is run. CREDCTL_*, PATH, LD_*, NODE_OPTIONS and the other variables credctl never
  sets are refused in an env file (exit 2): set your own in the shell, it reaches the command unchanged.
  Output: when stdout or stderr is not a terminal (a pipe, a file, a CI log), the command's output on it
  passes through a filter that replaces every injected secret with <concealed by credctl>; a terminal gets it
  directly unless --mask. The exit code is the command's (128+N when a signal N ends it, 127 when it is not
  found, 126 when it cannot be executed). SIGTERM and SIGHUP are forwarded; SIGINT and SIGQUIT too, except
  on a terminal, which already sent them to the command (one Ctrl-C reaches it once).`,
        )
        .action(act(() => import('./commands/run.js'))),
      [
        'credctl run -- python train.py',
        'credctl run --only openai anthropic -- node agent.js',
        "credctl run --env OPENAI_API_KEY='OpenAI Audio' -- python tts.py",
        'credctl run --dotenv .env.credctl --no-defaults -- npm start',
        'credctl run --dotenv .env.credctl --dotenv .env.local --dry-run',
        'credctl run --dry-run',
      ],
    )
  )

  define(['inject'], () =>
    examples(
      program
        .command('inject')
        .description('fill in the {{ credctl://NAME }} placeholders of a template (YAML, JSON, TOML, any text) with credential values')
        .option('-i, --input <file>', 'the template (- for stdin)')
        .option('-o, --output <file>', 'write here, mode 0600, atomically (default: stdout)')
        .option('--force', 'replace an existing --output file')
        .addOption(json())
        .addHelpText(
          'after',
          `
  A placeholder is {{ credctl://NAME }}: NAME is a credential's name or id, percent-encoded (a raw space is
  accepted between the braces); blanks next to the braces are optional. Other {{ ... }} (Helm, Jinja) and
  everything else is kept byte for byte. An oauth credential gives its access token, a service account its
  JSON. Every placeholder is checked first: a malformed one is exit 2, one naming a missing or deleted
  credential exit 3 (naming FILE:LINE), and then nothing is written. Recorded in \`credctl history\`.`,
        )
        .action(act(() => import('./commands/inject.js'))),
      [
        'credctl inject -i config.yaml.tpl -o config.yaml',
        'credctl inject -i settings.toml.tpl -o settings.toml --force',
        'credctl inject -i secrets.json.tpl | jq .',
      ],
    )
  )

  define(['import'], () =>
    examples(
      program
        .command('import')
        .description('import credentials from a .env file or an encrypted export bundle')
        .option('--from-env <file>', 'a .env file (- for stdin): variables that hold secrets become credentials named after them')
        .option('--template <file>', 'with --from-env: also write FILE, the .env with each secret replaced by credctl://NAME (no secret: safe to commit)')
        .option('--force', 'replace an existing --template file')
        .option('--bundle <file>', 'a bundle written by `credctl export` (- for stdin; passphrase: CREDCTL_EXPORT_PASSPHRASE or a prompt)')
        .option('--dry-run', 'show what would be imported, write nothing')
        .option('--rename', 'import name clashes as "NAME (2)" instead of skipping them')
        .addOption(json())
        .addHelpText(
          'after',
          `
  Exit code 1 when a variable that holds a secret was not imported (a name clash, a value its type refuses):
  nothing is lost if the .env is then removed only on success. With --template it is all or nothing: either
  every secret is imported and the template written, or nothing is written.`,
        )
        .action(act(() => import('./commands/import.js'))),
      [
        'credctl import --from-env .env --template .env.credctl --dry-run',
        'credctl import --from-env .env --template .env.credctl && credctl run --dotenv .env.credctl --no-defaults -- npm start',
        'CREDCTL_EXPORT_PASSPHRASE=... credctl import --bundle team.credctl --rename',
      ],
    )
  )

  define(['export'], () =>
    examples(
      program
        .command('export')
        .description('write every credential (values and metadata) to a passphrase-encrypted bundle (scrypt, AES-256-GCM)')
        .option('--output <file>', 'the bundle to write (0600); - for stdout')
        .option('--force', 'replace an existing --output file')
        .addOption(json())
        .action(act(() => import('./commands/export.js'))),
      ['credctl export --output team.credctl', 'CREDCTL_EXPORT_PASSPHRASE="$PASS" credctl export --output - | aws s3 cp - s3://backups/credctl.bundle'],
    )
  )

  define(['recover'], () =>
    examples(
      program
        .command('recover')
        .description('save every value that still decrypts from a vault that no longer opens (exit 4) into an export bundle; never changes the vault')
        .option('--output <file>', 'the bundle to write (0600); - for stdout')
        .option('--force', 'replace an existing --output file')
        .addOption(json())
        .addHelpText(
          'after',
          `
  For a vault that every command refuses (damaged, edited outside credctl, or written by an older
  credctl that today's reader refuses): with the vault's key, every record whose sealed value still
  authenticates goes into a bundle, and the ones that do not are listed. Names, types and settings come
  from the damaged file and are not authenticated: check them after importing. Soft-deleted records are
  left out, as export leaves them out. Exit 0 when every record was recovered; 1 when some were not, two
  shared an id, or the file was cut short. --output never names the vault or a file beside it.
  Then: move the damaged vault aside and \`credctl import --bundle FILE\` into a new one.`,
        )
        .action(act(() => import('./commands/recover.js'))),
      ['credctl recover --output rescued.credctl', 'mv ~/.local/share/credctl/vault.json vault.damaged && credctl import --bundle rescued.credctl'],
    )
  )

  define(['completion'], () =>
    examples(
      program
        .command('completion')
        .addArgument(new Argument('<shell>', 'bash, zsh or fish').choices(['bash', 'zsh', 'fish']))
        .description('print the shell completion script (commands, flags, types, credential names), or install it')
        .option('--install', "write it where the shell loads it from (creating the directory), and say what to add to the shell's rc file, if anything")
        .option('--force', 'with --install: replace a file credctl did not write')
        .action(
          act(async () => {
            const m = await import('./commands/completion.js')
            // The script is generated from the whole tree (the one being run may hold only `completion`).
            const run = (f: Factory, shell: string, o: CompletionOptions) => m.run(f, shell, o, () => createProgram(f, () => {}))
            return { run: run as Runner }
          }),
        ),
      [
        "echo 'source <(credctl completion bash)' >> ~/.bashrc",
        'credctl completion bash --install',
        'credctl completion zsh --install',
        'credctl completion fish --install',
      ],
    )
  )

  define(['identity'], () => {
    const identity = program.command('identity').description("this device's age identity for team vaults (the private key stays in the OS keychain)")
    examples(
      identity
        .command('new')
        .description('a fresh age X25519 identity for this device, into the OS keychain; prints its recipient (age1…) and fingerprint')
        .option('--force', 'replace the identity the keychain already holds (asks first on a terminal)')
        .option('-y, --yes', 'with --force: do not ask for confirmation')
        .option('--print', 'for CI: print the private key (AGE-SECRET-KEY-1…) once on stdout and store nothing')
        .addOption(json())
        .action(act(() => import('./commands/identity.js').then((m) => ({ run: m.runNew as Runner })))),
      ['credctl identity new', 'credctl identity new --print > ci-identity.txt   # then CREDCTL_IDENTITY in the CI secret store'],
    )
    examples(
      identity
        .command('show')
        .description("this device's recipient (age1…), fingerprint and where the identity comes from; never the private key")
        .addOption(json())
        .action(act(() => import('./commands/identity.js').then((m) => ({ run: m.runShow as Runner })))),
      ['credctl identity show', 'CREDCTL_IDENTITY_FILE=ci-identity.txt credctl identity show --json'],
    )
  })

  define(['vault'], () => {
    const vault = program
      .command('vault')
      .description('team vaults (shared in PostgreSQL, end-to-end encrypted): create, attach, list, status, verify, members via `credctl member`')
    const sub = (name: string, fn: string) => act(() => import('./commands/vault.js').then((m) => ({ run: m[fn as keyof typeof m] as Runner })))
    examples(
      vault
        .command('create')
        .argument('<name>', 'the team vault name (a-z first, then a-z 0-9 and -, up to 40)')
        .description('create a team vault in PostgreSQL (its tables too, when the database role may) and make this device its admin')
        .requiredOption('--backend <url>', 'postgresql://USER@HOST/DB, without a password (~/.pgpass, PGPASSFILE or PGPASSWORD keep it)')
        .option('--member <who>', "this device's member name (default: the backend's database user)")
        .option('--no-install', 'do not run the DDL: a DBA ran `credctl vault init-sql NAME` already')
        .addOption(new Option('--offline <policy>', "whether members' devices may keep sealed values for offline reads (default allow)").choices(['allow', 'deny']))
        .addOption(json())
        .action(sub('create', 'runCreate')),
      ['credctl vault create team-prod --backend postgresql://alice@db.internal/credctl', 'credctl vault init-sql team-prod | psql -U postgres credctl && credctl vault create team-prod --backend postgresql://alice@db.internal/credctl --no-install'],
    )
    examples(
      vault
        .command('init-sql')
        .argument('<name>', 'the team vault name')
        .description('print the SQL (tables, functions, grants) a DBA runs for a team vault, so credctl needs no DDL rights; connects nowhere')
        .action(sub('init-sql', 'runInitSql')),
      ['credctl vault init-sql team-prod | psql -U postgres credctl'],
    )
    examples(
      vault
        .command('attach')
        .argument('<name>', 'the team vault name')
        .description('make an existing team vault known on this device (it opens once an admin adds this identity); prints the key id to compare')
        .requiredOption('--backend <url>', 'postgresql://USER@HOST/DB, without a password')
        .addOption(json())
        .action(sub('attach', 'runAttach')),
      ['credctl vault attach team-prod --backend postgresql://bob@db.internal/credctl'],
    )
    examples(
      vault.command('list').description('the team vaults this device knows (no network)').addOption(json()).action(sub('list', 'runList')),
      ['credctl vault list', 'credctl vault list --json'],
    )
    examples(
      vault
        .command('status')
        .argument('[name]', 'the team vault (default: --vault / CREDCTL_VAULT)')
        .description('backend, epoch, sequence, key id, members, your role, offline policy, counts and every integrity check; fetches no value')
        .addOption(json())
        .action(sub('status', 'runStatus')),
      ['credctl vault status team-prod', 'credctl --vault team-prod vault status --json'],
    )
    examples(
      vault
        .command('verify')
        .argument('[name]', 'the team vault (default: --vault / CREDCTL_VAULT)')
        .description('check every MAC, member row and key epoch link; exit 4 naming the first that fails; fetches no value')
        .addOption(json())
        .action(sub('verify', 'runVerify')),
      ['credctl vault verify team-prod'],
    )
    examples(
      vault
        .command('detach')
        .argument('<name>', 'the team vault name')
        .description('forget a team vault on this device (the database and its members are unchanged)')
        .addOption(json())
        .action(sub('detach', 'runDetach')),
      ['credctl vault detach team-prod'],
    )
    examples(
      vault
        .command('import')
        .description("move a local vault file's credentials (ids, defaults, deleted ones, verdicts, schemas) into a team vault; the file is left as it was")
        .requiredOption('--from <path>', 'the local vault file')
        .requiredOption('--to <name>', 'the team vault')
        .addOption(json())
        .action(sub('import', 'runImport')),
      ['credctl vault import --from ~/.local/share/credctl/vault.json --to team-prod'],
    )
    examples(
      vault
        .command('set')
        .addArgument(new Argument('<setting>', 'what to set').choices(['offline']))
        .addArgument(new Argument('<value>', 'allow or deny').choices(['allow', 'deny']))
        .description("admin: a team vault setting (offline: may members' devices keep sealed values for offline reads)")
        .addOption(json())
        .action(sub('set', 'runSet')),
      ['credctl --vault team-prod vault set offline deny'],
    )
  })

  define(['member'], () => {
    const member = program.command('member').description('the members of a team vault (--vault NAME): add, list, remove')
    const sub = (fn: 'runAdd' | 'runList' | 'runRemove') => act(() => import('./commands/member.js').then((m) => ({ run: m[fn] as Runner })))
    examples(
      member
        .command('add')
        .argument('<who>', "the member's name: a person, device or CI job (alice, alice@laptop, ci-deploy)")
        .description('admin: let an age identity open the vault (wraps the vault key for it; re-encrypts nothing); prints the fingerprint to compare')
        .requiredOption('--recipient <age1…>', 'their recipient, from their `credctl identity show` (never from the database)')
        .addOption(new Option('--role <role>', 'what they may do (default reader)').choices(TEAM_ROLES))
        .option('--ci', 'a CI job (its identity from `credctl identity new --print`), not a person')
        .option('--recovery', 'a recovery identity kept offline (a safe); its wrap opens with any age tool')
        .option('--db-role <role>', 'the database login role they connect as (default: WHO, when it is a plain identifier)')
        .addOption(json())
        .action(sub('runAdd')),
      [
        'credctl --vault team-prod member add bob --recipient age1… --role writer',
        'credctl --vault team-prod member add ci-deploy --recipient age1… --ci --db-role ci_deploy',
      ],
    )
    examples(
      member.command('list').description('members, roles, fingerprints and database roles; "you" marks this device').addOption(json()).action(sub('runList')),
      ['credctl --vault team-prod member list', 'credctl --vault team-prod member list --json'],
    )
    examples(
      member
        .command('remove')
        .argument('<who>', 'the member')
        .description('admin: remove a member and rotate the vault key (every value re-encrypted, one transaction); lists the credentials to change at their providers')
        .option('--no-rotate', 'keep the vault key: the removed device can still open every value stored now')
        .option('-y, --yes', 'do not ask for confirmation')
        .addOption(json())
        .action(sub('runRemove')),
      ['credctl --vault team-prod member remove carol', 'credctl --vault team-prod member remove carol --yes --json'],
    )
  })

  // Hidden: credential names, one per line, read from the vault file without the key (for completion).
  define(['__names'], () =>
    program
      .command('__names', { hidden: true })
      .option('--deleted', 'names of deleted credentials')
      .action(act(() => import('./commands/completion.js').then((m) => ({ run: m.runNames as Runner })))),
  )

  // Build only the command being run: constructing all twenty commands and their options costs a
  // few milliseconds that every invocation would pay. Help, completion and an unknown or missing
  // command get the whole tree.
  const wanted = only !== undefined ? defs.filter((d) => d.names.includes(only)) : []
  for (const d of wanted.length ? wanted : defs) d.build()
  return program
}
