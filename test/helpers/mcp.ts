import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { ElicitRequestSchema, type CallToolResult, type ElicitResult } from '@modelcontextprotocol/sdk/types.js'
import { BIN } from './cli.js'

/** How the scripted MCP client answers an elicitation (the user's approval in a host). */
export type Answer = 'accept' | 'accept-false' | 'decline' | 'cancel'

export interface McpSession {
  client: Client
  stderr: () => string
  /** Every tool result's text and every error text this session saw, for canary sweeps. */
  seen: string[]
  call(name: string, args: Record<string, unknown>): Promise<CallToolResult & { text: string; json: unknown }>
  setAnswer(a: Answer): void
  elicitations: string[]
  close(): Promise<void>
}

/**
 * The built CLI's `credctl mcp` over real stdio, driven by the MCP SDK's client. `elicitation: false`
 * makes a client without the elicitation capability (a host that cannot ask the user).
 */
export async function startMcp(args: string[], env: Record<string, string>, opts: { elicitation?: boolean; name?: string } = {}): Promise<McpSession> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [BIN, 'mcp', ...args], env, stderr: 'pipe' })
  let err = ''
  transport.stderr?.on('data', (d: Buffer) => (err += d.toString('utf8')))
  const client = new Client({ name: opts.name ?? 'credctl-test-host', version: '1.0.0' }, { capabilities: opts.elicitation === false ? {} : { elicitation: { form: {} } } })
  let answer: Answer = 'decline'
  const elicitations: string[] = []
  if (opts.elicitation !== false) {
    client.setRequestHandler(ElicitRequestSchema, async (req): Promise<ElicitResult> => {
      elicitations.push(req.params.message)
      if (answer === 'accept') return { action: 'accept', content: { approve: true } }
      if (answer === 'accept-false') return { action: 'accept', content: { approve: false } }
      return { action: answer }
    })
  }
  await client.connect(transport)
  const seen: string[] = []
  return {
    client,
    stderr: () => err,
    seen,
    elicitations,
    setAnswer: (a) => void (answer = a),
    async call(name, a) {
      const r = (await client.callTool({ name, arguments: a })) as CallToolResult
      const text = r.content.map((c) => (c.type === 'text' ? c.text : JSON.stringify(c))).join('\n')
      seen.push(text, JSON.stringify(r))
      let json: unknown
      try {
        json = JSON.parse(text)
      } catch {
        json = undefined
      }
      return { ...r, text, json }
    },
    async close() {
      await client.close()
    },
  }
}
