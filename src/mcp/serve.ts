import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'
import type { CredentialsApi } from '../credentials/client.js'
import { Gate } from './limits.js'
import { resolveScope, type ScopeOptions } from './scope.js'
import { SessionSecrets } from './secrets.js'
import { createMcpServer } from './server.js'

/**
 * `credctl mcp`: resolve the scope, then serve MCP over this process's stdin/stdout until the host
 * closes stdin. stdout carries only the protocol; anything else goes to stderr. No network listener.
 * Resolves with the number of in-scope credentials when the session ends.
 */
export async function serveStdio(api: CredentialsApi, o: ScopeOptions, version: string, say: (line: string) => void): Promise<number> {
  const scope = await resolveScope(api, o)
  const { server } = createMcpServer({ api, scope, secrets: new SessionSecrets(), gate: new Gate(), fetch: globalThis.fetch }, version)
  const transport = new StdioServerTransport()
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve()
    process.stdin.once('end', () => resolve())
    process.stdin.once('close', () => resolve())
  })
  await server.connect(transport)
  say(`credctl mcp: serving ${scope.ids.size} credential${scope.ids.size === 1 ? '' : 's'} over stdio (no value leaves this process)`)
  await closed
  await server.close().catch(() => {})
  return scope.ids.size
}
