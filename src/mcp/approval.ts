import type { Server } from '@modelcontextprotocol/sdk/server/index.js'
import { ElicitResultSchema, type RequestId } from '@modelcontextprotocol/sdk/types.js'

/**
 * The user's approval of one http_request, asked through MCP elicitation: the host shows the message
 * (credential, method, host, path, body size and SHA-256 prefix, every extra header's name) and the user answers in the host's own UI. Only an `accept` whose
 * content has `approve: true` is approval. A client without the elicitation capability, a decline, a
 * cancel, a timeout or any error means NO: nothing is sent. No tool argument (`confirm: true`) counts:
 * the tools have no such argument at all.
 */
export type Approval = 'approved' | 'declined' | 'cancelled' | 'unsupported'

/** How long the user has to answer, in ms. */
export const APPROVAL_TIMEOUT_MS = 5 * 60_000

export interface ApprovalAsk {
  credential: string
  method: string
  host: string
  /** Path and query, as they will be sent. */
  path: string
  /** The body's size in bytes (0 for none) and the first 16 hex digits of its SHA-256. */
  bodyBytes: number
  bodySha256: string
  /** Every header name the agent added (lower case). */
  headerNames: string[]
}

export async function askApproval(server: Server, ask: ApprovalAsk, relatedRequestId: RequestId): Promise<Approval> {
  // A client that declares `elicitation: {}` (2025-06 spec) supports form mode; one without it cannot ask.
  const cap = server.getClientCapabilities()?.elicitation
  if (!cap || (typeof cap === 'object' && 'url' in cap && !('form' in cap))) return 'unsupported'
  const message = [
    'credctl: an agent asks to send this request with a stored credential.',
    `credential: ${ask.credential}`,
    `method: ${ask.method}`,
    `host: ${ask.host}`,
    `path: ${ask.path}`,
    `body: ${ask.bodyBytes ? `${ask.bodyBytes} bytes, sha256 ${ask.bodySha256}…` : 'none'}`,
    `extra headers: ${ask.headerNames.length ? ask.headerNames.join(', ') : 'none'}`,
    'Nothing is sent unless you approve.',
  ].join('\n')
  try {
    const r = await server.request(
      {
        method: 'elicitation/create',
        params: {
          mode: 'form',
          message,
          requestedSchema: {
            type: 'object',
            properties: { approve: { type: 'boolean', title: 'Send this request', description: 'true sends it once; anything else sends nothing' } },
            required: ['approve'],
          },
        },
      },
      ElicitResultSchema,
      { relatedRequestId, timeout: APPROVAL_TIMEOUT_MS },
    )
    if (r.action === 'accept') return r.content?.approve === true ? 'approved' : 'declined'
    return r.action === 'decline' ? 'declined' : 'cancelled'
  } catch {
    return 'cancelled'
  }
}
