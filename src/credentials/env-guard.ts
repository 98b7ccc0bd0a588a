/**
 * Which variables `credctl run` may set in the child's environment. One rule for every way a variable
 * is chosen (--env VAR=NAME, a name derived from an api_key or oauth credential's name, the catalogue's
 * conventional names), applied once more to the final environment (childEnv), so no route can bypass it.
 *
 * Refused:
 * - CREDCTL_*: credctl's own settings (master key, passphrase, vault path). A child that received them
 *   could open the vault; a credential named "credctl master key" must not become CREDCTL_MASTER_KEY.
 * - Variables that change how programs are loaded or where they are found: a credential's value there
 *   (or a mistyped --env) would run other code than the command asked for. The dynamic loader's
 *   (LD_*, DYLD_*, glibc's unsecure-environment list), the shells' (PATH, BASH_ENV, ENV, IFS, ...), and
 *   the runtimes' (NODE_OPTIONS, PYTHONPATH, PERL5OPT, RUBYOPT, JAVA_TOOL_OPTIONS, ...), the programs tools
 *   start for the user (EDITOR, PAGER, LESSOPEN, *_ASKPASS) and TLS trust/engines (OPENSSL_CONF, SSL_CERT_FILE).
 * - Where tools read their configuration (HOME, XDG_CONFIG_HOME, XDG_*_DIRS, npm's NPM_CONFIG_*, git's
 *   GIT_DIR and templates): a configuration can run commands (git's core.fsmonitor, npm's script-shell),
 *   so an env file that moves HOME makes a trusted `git status` run the file author's program.
 *   Proxies (HTTPS_PROXY) are allowed: a proxy URL with credentials is a credential a user may inject.
 * Names are compared upper-cased: Windows treats `Path` and `PATH` as one variable.
 */
// Whole families: the loaders', the allocators' (MALLOC_CONF, MALLOC_ARENA_MAX, ...), git's config overrides.
const PREFIXES = ['LD_', 'DYLD_', 'MALLOC_', 'GIT_CONFIG', 'NPM_CONFIG_'] as const

const LOADER = new Set([
  // search paths and shell start-up
  'PATH', 'CDPATH', 'BASH_ENV', 'ENV', 'SHELLOPTS', 'BASHOPTS', 'IFS', 'PS4', 'PROMPT_COMMAND', 'ZDOTDIR',
  // glibc's unsecure environment (ignored for setuid programs for the same reason)
  'GCONV_PATH', 'GETCONF_DIR', 'GLIBC_TUNABLES', 'HOSTALIASES', 'LOCALDOMAIN', 'LOCPATH', 'MALLOC_TRACE',
  'NIS_PATH', 'NLSPATH', 'RESOLV_HOST_CONF', 'RES_OPTIONS', 'TMPDIR', 'TZDIR',
  // runtimes
  'NODE_OPTIONS', 'NODE_PATH', 'NODE_REPL_EXTERNAL_MODULE', 'NODE_EXTRA_CA_CERTS', 'NODE_TLS_REJECT_UNAUTHORIZED',
  'PYTHONPATH', 'PYTHONHOME', 'PYTHONSTARTUP', 'PYTHONUSERBASE', 'PYTHONINSPECT', 'PYTHONBREAKPOINT', 'PYTHONEXECUTABLE',
  'PERL5LIB', 'PERLLIB', 'PERL5OPT', 'PERL5DB', 'RUBYLIB', 'RUBYOPT', 'GEM_PATH', 'GEM_HOME', 'BUNDLE_GEMFILE',
  'JAVA_TOOL_OPTIONS', '_JAVA_OPTIONS', 'JDK_JAVA_OPTIONS', 'CLASSPATH', 'GIT_EXEC_PATH', 'GIT_SSH', 'GIT_SSH_COMMAND',
  'LUA_PATH', 'LUA_CPATH', 'TCLLIBPATH', 'R_PROFILE', 'R_PROFILE_USER', 'ELECTRON_RUN_AS_NODE',
  // programs a tool runs on the user's behalf, and the TLS trust and engine configuration of OpenSSL
  // (OPENSSL_CONF can load an engine: code)
  'EDITOR', 'VISUAL', 'PAGER', 'MANPAGER', 'GIT_PAGER', 'GIT_EDITOR', 'GIT_ASKPASS', 'SSH_ASKPASS', 'SUDO_ASKPASS', 'BROWSER', 'LESSOPEN', 'LESSCLOSE',
  'OPENSSL_CONF', 'OPENSSL_ENGINES', 'OPENSSL_MODULES', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'CURL_CA_BUNDLE', 'REQUESTS_CA_BUNDLE',
  // where configuration (which can name commands to run) is read from
  'HOME', 'XDG_CONFIG_HOME', 'XDG_CONFIG_DIRS', 'XDG_DATA_HOME', 'XDG_DATA_DIRS', 'INPUTRC', 'GIT_DIR', 'GIT_WORK_TREE',
  'GIT_TEMPLATE_DIR', 'GIT_PROXY_COMMAND', 'GIT_EXTERNAL_DIFF', 'GIT_SEQUENCE_EDITOR', 'GNUPGHOME', 'DOCKER_CONFIG', 'KUBECONFIG',
])

/** credctl's own settings: never set by `run`, and scrubbed from the environment the child inherits. */
export const isCredctlSetting = (name: string) => name.toUpperCase().startsWith('CREDCTL_')

/** Why credctl run must not set `name` (a phrase for a message), or undefined when it may. */
export function forbiddenVariable(name: string): string | undefined {
  const n = name.toUpperCase()
  if (isCredctlSetting(n)) return 'is a credctl setting (CREDCTL_*), never passed to the command'
  if (PREFIXES.some((p) => n.startsWith(p)) || LOADER.has(n)) return 'changes how programs are loaded or found, so credctl never sets it'
  return undefined
}
