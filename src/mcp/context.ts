import type { Server } from '@modelcontextprotocol/sdk/server/index.js'
import type { RequestId } from '@modelcontextprotocol/sdk/types.js'
import type { CredentialsApi } from '../credentials/client.js'
import type { Credential } from '../credentials/view.js'
import type { Gate } from './limits.js'
import type { Scope } from './scope.js'
import type { SessionSecrets } from './secrets.js'

/** What every tool handler works with: one per server (session). */
export interface McpContext {
  api: CredentialsApi
  scope: Scope
  secrets: SessionSecrets
  gate: Gate
  /** The MCP client's name from `initialize` (cleaned: printable, at most 64 characters), for history. */
  clientName(): string
  /** The low-level server, for elicitation. */
  server: Server
  fetch: typeof fetch
}

/**
 * The history of one tool call (action `mcp.<tool>`). A call that uses a value writes its first entry
 * (outcome `started`) BEFORE the value is used, and a failed write refuses the call (`start`, or
 * CredentialsApi.useValues, which writes it); the server then writes the call's outcome as a second
 * entry. A call that uses no value writes one entry, required, before its result is returned.
 * Details name the client and what was asked (method and path; the SQL's hash and first keyword),
 * never a value and never SQL text; they pass through the session's redaction too.
 */
export class CallRecord {
  credentials: Credential[] = []
  started = false
  readonly detail: string[] = []
  readonly ctx: McpContext
  readonly tool: string
  readonly requestId: RequestId
  constructor(ctx: McpContext, tool: string, requestId: RequestId) {
    this.ctx = ctx
    this.tool = tool
    this.requestId = requestId
  }

  get action(): string {
    return `mcp.${this.tool}`
  }

  text(): string {
    return this.ctx.secrets.text([`client=${this.ctx.clientName()}`, ...this.detail].join('; '))
  }

  /** The `started` entry, for a call whose value is decrypted by an SDK call that records its own use (validate, discover). */
  async start(): Promise<void> {
    await this.ctx.api.recordAction(this.credentials, this.action, 'started', this.text(), { required: true })
    this.started = true
  }

  /** Decrypt the call's credential for use, the `started` entry written first (required). */
  async use(c: Credential): Promise<{ record: import('../vault/format.js').CredentialRecord; value: string }> {
    this.credentials = [c]
    const [item] = await this.ctx.api.useValues([c.id], { action: this.action, outcome: 'started', detail: this.text() })
    this.started = true
    this.ctx.secrets.add(item!.record, item!.value)
    return { record: item!.record, value: item!.value }
  }

  /** The closing entry: required when nothing was recorded yet and the call succeeded (its result is then held back on failure). */
  async finish(outcome: string): Promise<void> {
    const required = !this.started && outcome === 'ok'
    await this.ctx.api.recordAction(this.credentials, this.action, outcome, this.text(), { required })
  }
}
