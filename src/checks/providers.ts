/**
 * One row per HTTP provider: the exact validation request of ../shared/reference/providers.json (taken from
 * each provider's official SDK and docs; see that file's "source" and "notes"). A provider's quirks live in its
 * row, never in code branches: `restricted` recognises a real key that lacks a permission, `refused` an answer
 * whose status looks fine but whose body says the key cannot be used. test/unit/providers-table.test.ts checks
 * every row against providers.json, so the two cannot drift apart.
 */

/** A condition on one answer: its status, and optionally one value of its JSON body. */
export interface BodyRule {
  status: number[]
  /** Dotted path into the JSON body ('error.code', 'accounts.0.suspendState'); none: the status alone decides. */
  path?: string
  /** The value at `path` is one of these. */
  in?: (string | number | boolean)[]
  /** The value at `path` is present and none of these (an enum where only one value means "usable"). */
  notIn?: (string | number | boolean)[]
  /** Why, in words, for validation_message. */
  reason: string
}

export interface ProviderRow {
  type: string
  base_url: string
  method: 'GET' | 'POST'
  path: string
  query?: Record<string, string>
  auth_header: string
  auth_prefix: string
  headers?: Record<string, string>
  valid: number[]
  invalid: number[]
  /** A real key lacking a permission: is_valid true, the reason in validation_message. Checked first. */
  restricted?: BodyRule[]
  /** A key the provider will not serve although the status is a success (blocked, disabled). */
  refused?: BodyRule[]
}

const bearer = { auth_header: 'Authorization', auth_prefix: 'Bearer ' } as const

// OpenAI restricted keys get 401 (sometimes 403) with error.code 'missing_scope'; 'invalid_api_key' is a bad key.
const openai: Omit<ProviderRow, 'type'> = {
  base_url: 'https://api.openai.com/v1',
  method: 'GET',
  path: '/models',
  ...bearer,
  valid: [200],
  invalid: [401],
  restricted: [{ status: [401, 403], path: 'error.code', in: ['missing_scope'], reason: 'key is real but lacks a scope (missing_scope)' }],
}

// fal's platform API needs an endpoint_id; pika has no first-party API and is served by fal (its row differs
// only by a Pika endpoint id). Locked accounts answer 403 {"detail":"User is locked..."}: unusable, so invalid.
const fal = (endpoint_id: string): Omit<ProviderRow, 'type'> => ({
  base_url: 'https://api.fal.ai/v1',
  method: 'GET',
  path: '/models/pricing',
  query: { endpoint_id },
  auth_header: 'Authorization',
  auth_prefix: 'Key ',
  valid: [200],
  invalid: [401, 403],
})

export const PROVIDERS: readonly ProviderRow[] = [
  { type: 'openai', ...openai },
  {
    type: 'anthropic',
    base_url: 'https://api.anthropic.com',
    method: 'GET',
    path: '/v1/models',
    auth_header: 'x-api-key',
    auth_prefix: '',
    headers: { 'anthropic-version': '2023-06-01' },
    // 400 is not a bad-key signal for Anthropic: it stays an error.
    valid: [200],
    invalid: [401],
  },
  {
    type: 'gemini',
    base_url: 'https://generativelanguage.googleapis.com',
    method: 'GET',
    path: '/v1beta/models',
    auth_header: 'x-goog-api-key',
    auth_prefix: '',
    valid: [200],
    // An unknown key is 400 API_KEY_INVALID (not 401); 403 PERMISSION_DENIED is a real key without Gemini access.
    invalid: [400, 403],
    restricted: [{ status: [403], reason: 'key is real but has no Gemini access (API not enabled, key restricted or reported leaked)' }],
  },
  { type: 'deepseek', base_url: 'https://api.deepseek.com', method: 'GET', path: '/models', ...bearer, valid: [200], invalid: [401] },
  {
    type: 'fireworks',
    base_url: 'https://api.fireworks.ai',
    method: 'GET',
    path: '/v1/accounts',
    ...bearer,
    valid: [200],
    invalid: [401, 403],
    // A suspended account (credit depleted, failed payments, abuse) has a real key that serves nothing.
    refused: [{ status: [200], path: 'accounts.0.suspendState', notIn: ['UNSUSPENDED', 'SUSPEND_STATE_UNSPECIFIED'], reason: 'account is suspended' }],
  },
  {
    type: 'xai',
    base_url: 'https://api.x.ai/v1',
    method: 'GET',
    path: '/api-key',
    ...bearer,
    valid: [200],
    // A bad key is 400 here, not 401.
    invalid: [400, 401],
    // GET /api-key describes the key: a 200 can still say it is blocked or disabled.
    refused: [
      { status: [200], path: 'api_key_blocked', in: [true], reason: 'key is blocked' },
      { status: [200], path: 'api_key_disabled', in: [true], reason: 'key is disabled' },
      { status: [200], path: 'team_blocked', in: [true], reason: 'team is blocked' },
    ],
  },
  // Not /models: OpenRouter's model list is public and answers 200 without a key.
  { type: 'openrouter', base_url: 'https://openrouter.ai/api/v1', method: 'GET', path: '/key', ...bearer, valid: [200], invalid: [401] },
  { type: 'together_ai', base_url: 'https://api.together.ai/v1', method: 'GET', path: '/models', ...bearer, valid: [200], invalid: [401] },
  { type: 'mistral', base_url: 'https://api.mistral.ai', method: 'GET', path: '/v1/models', ...bearer, valid: [200], invalid: [401] },
  {
    type: 'cohere',
    base_url: 'https://api.cohere.com',
    // The purpose-built endpoint; the SDK sends no body.
    method: 'POST',
    path: '/v1/check-api-key',
    ...bearer,
    valid: [200],
    // The SDK maps 498 to InvalidTokenError.
    invalid: [401, 498],
    refused: [{ status: [200], path: 'valid', in: [false], reason: 'Cohere reports the key as not valid' }],
  },
  { type: 'groq', base_url: 'https://api.groq.com', method: 'GET', path: '/openai/v1/models', ...bearer, valid: [200], invalid: [401] },
  // Sonar has no /models; listing the caller's async jobs is free, read-only and authenticated.
  { type: 'perplexity', base_url: 'https://api.perplexity.ai', method: 'GET', path: '/async/chat/completions', ...bearer, valid: [200], invalid: [401] },
  {
    type: 'elevenlabs',
    base_url: 'https://api.elevenlabs.io',
    method: 'GET',
    path: '/v1/user',
    auth_header: 'xi-api-key',
    auth_prefix: '',
    valid: [200],
    invalid: [401],
    // Scoped keys without user_read also get 401, with detail.status 'missing_permissions'.
    restricted: [{ status: [401, 403], path: 'detail.status', in: ['missing_permissions'], reason: 'key is real but lacks a permission (missing_permissions)' }],
  },
  // API keys use 'Token <key>' (short-lived access tokens would use Bearer). Not /v1/models: it is public.
  { type: 'deepgram', base_url: 'https://api.deepgram.com', method: 'GET', path: '/v1/projects', auth_header: 'Authorization', auth_prefix: 'Token ', valid: [200], invalid: [401] },
  { type: 'openai_audio', ...openai },
  { type: 'fal', ...fal('fal-ai/flux/dev') },
  { type: 'replicate', base_url: 'https://api.replicate.com/v1', method: 'GET', path: '/account', ...bearer, valid: [200], invalid: [401] },
  { type: 'stability', base_url: 'https://api.stability.ai', method: 'GET', path: '/v1/user/account', ...bearer, valid: [200], invalid: [401] },
  { type: 'openai_image', ...openai },
  {
    type: 'runway',
    // api.dev.runwayml.com is the API host (not api.runwayml.com).
    base_url: 'https://api.dev.runwayml.com',
    method: 'GET',
    path: '/v1/organization',
    ...bearer,
    headers: { 'X-Runway-Version': '2024-11-06' },
    valid: [200],
    invalid: [401],
  },
  { type: 'pika', ...fal('fal-ai/pika/v2.2/text-to-video') },
  // The invalid-key status is undocumented ("may be 401 or 403"): both mean the key was refused.
  { type: 'luma', base_url: 'https://api.lumalabs.ai/dream-machine/v1', method: 'GET', path: '/credits', ...bearer, valid: [200], invalid: [401, 403] },
]
