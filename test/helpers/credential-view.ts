import type { Credential } from '../../src/credentials/view.js'
import { TYPES } from '../../src/index.js'

let n = 0

/**
 * A safe view (what `list` returns) for planning tests that need no vault: a default credential of
 * `type`, named `TYPE N`, with a UUID-shaped id whose first 8 characters differ from every other one made
 * (so id prefixes stay unique), and `over` on top.
 */
export function credentialView(type: string, over: Partial<Credential> = {}): Credential {
  n++
  return {
    id: `${n.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`,
    name: `${type} ${n}`,
    type,
    category: TYPES.find((t) => t.type === type)!.category,
    description: null,
    masked_content: '****',
    is_default: true,
    is_valid: null,
    has_schema: false,
    schema_updated_at: null,
    created_at: '2025-01-01T00:00:00.000Z',
    updated_at: '2025-01-01T00:00:00.000Z',
    ...over,
  }
}
