import { CredctlError } from '../../errors.js'
import type { Factory } from '../factory.js'
import type { Output } from '../output.js'

// Replaced by the build (scripts/build.mjs), as in program.ts; importing program.ts would be a cycle.
declare const __VERSION__: string
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev'

export interface McpOptions {
  credential?: string[]
  category?: string[]
  allowPrivilegedQuery?: string[]
}

/**
 * `credctl mcp`: the narrow MCP broker (src/mcp, docs/mcp.md). The MCP SDK is imported here, from the
 * command's action, so no other command loads it. Runs until the host closes stdin; prints nothing on
 * stdout itself (stdout is the protocol), one start line on stderr.
 */
export async function run(f: Factory, o: McpOptions): Promise<Output> {
  const scope = { credentials: o.credential ?? [], categories: o.category ?? [], allowPrivileged: o.allowPrivilegedQuery ?? [] }
  if (scope.credentials.length === 0 && scope.categories.length === 0) {
    throw new CredctlError('USAGE', 'credctl mcp needs a scope: --credential NAME or --category CATEGORY (repeatable); there is no implicit "all"', {
      hint: "e.g. credctl mcp --credential 'Analytics DB'",
    })
  }
  // A key in the environment came from the MCP host's configuration: say so once (stderr; stdout is the protocol).
  for (const v of ['CREDCTL_MASTER_KEY', 'CREDCTL_PASSPHRASE'] as const) {
    if (f.env[v]) await f.io.term.err(`credctl mcp: warning: the vault key comes from ${v}, so the MCP host's configuration holds it and every process the host starts can read it; prefer the keychain key source\n`)
  }
  const client = await f.client()
  const { serveStdio } = await import('../../mcp/serve.js')
  await serveStdio(client.credentials, scope, VERSION, (line) => void f.io.term.err(`${line}\n`))
  return {}
}
