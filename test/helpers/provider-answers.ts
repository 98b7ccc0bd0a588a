/**
 * What each provider answers, written from its documentation and SDK (the same sources the provider table
 * cites): the success body, the error body shape, a refusal that echoes the key, and the documented answers
 * that are not plain refusals (quota, billing, permissions, overload). Tests replay these against a local
 * server; they are written here by hand, not derived from src/checks/providers.ts, so a wrong row fails.
 */
export type Verdict = 'valid' | 'invalid' | 'restricted' | 'exhausted' | 'unreachable' | 'error'

export interface DocumentedAnswer {
  name: string
  status: number
  body: (key: string) => unknown
  verdict: Verdict
  /** A non-secret piece of the message to expect. */
  says?: RegExp
}

type Err = (message: string, code?: string) => unknown

/** The provider's own error body for a message (and a code or type where the shape has one). */
export const ERROR: Record<string, Err> = {
  openai: (message, code) => ({ error: { message, type: code === 'insufficient_quota' ? 'insufficient_quota' : 'invalid_request_error', param: null, code: code ?? null } }),
  anthropic: (message, type) => ({ type: 'error', error: { type: type ?? 'api_error', message } }),
  gemini: (message, status) => ({ error: { code: 400, message, status: status ?? 'INVALID_ARGUMENT' } }),
  deepseek: (message) => ({ error: { message, type: 'authentication_error', param: null, code: 'invalid_request_error' } }),
  fireworks: (message) => ({ error: { object: 'error', type: 'invalid_request_error', message } }),
  xai: (message) => ({ code: 'Client specified an invalid argument', error: message }),
  openrouter: (message, code) => ({ error: { code: Number(code ?? 401), message } }),
  together_ai: (message, code) => ({ error: { message, type: 'invalid_request_error', param: null, code: code ?? null } }),
  mistral: (message) => ({ message, request_id: 'req_1' }),
  cohere: (message) => ({ message }),
  groq: (message, code) => ({ error: { message, type: 'invalid_request_error', code: code ?? 'invalid_api_key' } }),
  perplexity: (message, type) => ({ error: { message, type: type ?? 'invalid_api_key', code: 401 } }),
  elevenlabs: (message, status) => ({ detail: { status: status ?? 'invalid_api_key', message } }),
  deepgram: (message, code) => ({ err_code: code ?? 'INVALID_AUTH', err_msg: message, request_id: 'r1' }),
  fal: (message) => ({ error: { type: 'authorization_error', message } }),
  replicate: (message) => ({ title: 'Unauthenticated', detail: message, status: 401 }),
  stability: (message) => ({ id: 'e1', name: 'unauthorized', message }),
  runway: (message) => ({ error: message }),
  luma: (message) => ({ detail: message }),
}
ERROR.openai_audio = ERROR.openai!
ERROR.openai_image = ERROR.openai!
ERROR.pika = ERROR.fal!

const openaiList = { object: 'list', data: [{ id: 'gpt-4o', object: 'model', created: 1686935002, owned_by: 'openai' }] }

/** The documented success body of each provider's check request. */
export const SUCCESS: Record<string, unknown> = {
  openai: openaiList,
  openai_audio: openaiList,
  openai_image: openaiList,
  anthropic: { data: [{ type: 'model', id: 'claude-sonnet-4-5', display_name: 'Claude Sonnet 4.5', created_at: '2025-09-29T00:00:00Z' }], has_more: false, first_id: 'a', last_id: 'a' },
  gemini: { models: [{ name: 'models/gemini-2.5-flash', displayName: 'Gemini 2.5 Flash' }], nextPageToken: '' },
  deepseek: { object: 'list', data: [{ id: 'deepseek-chat', object: 'model', owned_by: 'deepseek' }] },
  fireworks: { accounts: [{ name: 'accounts/acme', displayName: 'Acme', state: 'READY', suspendState: 'UNSUSPENDED' }], totalSize: 1 },
  xai: { redacted_api_key: 'xai-****', user_id: 'u', name: 'k', team_id: 't', acls: ['api-key:model:*'], api_key_blocked: false, api_key_disabled: false, team_blocked: false },
  openrouter: { data: { label: 'sk-or-v1-ab...', limit: null, usage: 1.5, limit_remaining: null, is_free_tier: false } },
  together_ai: [{ id: 'meta-llama/Llama-3.3-70B-Instruct-Turbo', object: 'model', type: 'chat' }],
  mistral: { object: 'list', data: [{ id: 'mistral-large-latest', object: 'model' }] },
  cohere: { valid: true, organization_id: 'org', owner_id: 'own' },
  groq: { object: 'list', data: [{ id: 'llama-3.3-70b-versatile', object: 'model' }] },
  perplexity: { requests: [] },
  elevenlabs: { user_id: 'u', subscription: { tier: 'free', character_count: 10, character_limit: 10000 } },
  deepgram: { projects: [{ project_id: 'p', name: 'Default' }] },
  fal: { prices: [{ endpoint_id: 'fal-ai/flux/dev', unit_price: 0.025, unit: 'image', currency: 'USD' }], next_cursor: null, has_more: false },
  pika: { prices: [{ endpoint_id: 'fal-ai/pika/v2.2/text-to-video', unit_price: 0.2, unit: 'video', currency: 'USD' }], next_cursor: null, has_more: false },
  replicate: { type: 'user', username: 'acme', name: 'Acme', github_url: null },
  stability: { id: 'user-1', email: 'a@example.com', organizations: [], profile_picture: '' },
  runway: { creditBalance: 1200, tier: { maxMonthlyCreditSpend: 10000, models: {} }, usage: { models: {} } },
  luma: { credit_balance: 5000 },
}

/** A refusal in the provider's own shape that echoes the whole key (providers do, partly or wholly). */
export function refusal(type: string, status: number, key: string): unknown {
  // Gemini's 403 refusals are a key reported as leaked or a suspended consumer (a 403 for a key that lacks
  // access is restricted, see DOCUMENTED).
  if (type === 'gemini' && status === 403) return { error: { code: 403, message: `Your API key (${key}) was reported as leaked. Please use another API key.`, status: 'PERMISSION_DENIED' } }
  if (type === 'gemini') {
    return { error: { code: 400, message: `API key not valid (${key}). Please pass a valid API key.`, status: 'INVALID_ARGUMENT', details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' }] } }
  }
  if (type === 'elevenlabs') return ERROR.elevenlabs!(`Invalid API key: ${key}`, 'invalid_api_key')
  if (type === 'anthropic') return ERROR.anthropic!(`invalid x-api-key ${key}`, 'authentication_error')
  if (type === 'openrouter') return ERROR.openrouter!(`User not found for key ${key}`, String(status))
  return ERROR[type]!(`Incorrect API key provided: ${key}.`, type.startsWith('openai') ? 'invalid_api_key' : undefined)
}

const openaiCases: DocumentedAnswer[] = [
  {
    name: '401 "Missing scopes" with code null (restricted key)',
    status: 401,
    body: (k) => ERROR.openai!(`You have insufficient permissions for this operation (key ${k}). Missing scopes: api.model.read. Check that you have the correct role in your organization (Reader, Writer, Owner) and project.`),
    verdict: 'restricted',
    says: /lacks a scope.*Missing scopes: api\.model\.read.*Next: the key works; grant it/,
  },
  {
    name: '403 "Missing scopes" with code null (restricted key)',
    status: 403,
    body: () => ERROR.openai!('You have insufficient permissions for this operation. Missing scopes: api.model.read.'),
    verdict: 'restricted',
  },
  { name: '401 missing_scope code', status: 401, body: () => ERROR.openai!('insufficient permissions', 'missing_scope'), verdict: 'restricted' },
  {
    name: '401 IP not authorized (a real key used from the wrong place)',
    status: 401,
    body: () => ERROR.openai!('You are not authorized to access this API from your IP address (203.0.113.9). Add it to the IP allowlist.'),
    verdict: 'restricted',
    says: /not allowed from this IP address.*Next: allow this machine's IP address/,
  },
  { name: '401 "Your request is from an unauthorized IP address" (error-codes guide wording)', status: 401, body: () => ERROR.openai!('IP not authorized: your request is from an unauthorized IP address.'), verdict: 'restricted', says: /Next: allow this machine's IP/ },
  {
    name: '429 insufficient_quota (exhausted, not rate limited)',
    status: 429,
    body: () => ERROR.openai!('You exceeded your current quota, please check your plan and billing details.', 'insufficient_quota'),
    verdict: 'exhausted',
    says: /no quota left.*Next: top up the account/,
  },
  { name: '429 rate_limit_exceeded (a real key)', status: 429, body: () => ERROR.openai!('Rate limit reached for requests', 'rate_limit_exceeded'), verdict: 'valid', says: /rate limited/ },
  { name: '503 "engine is overloaded" (provider-shaped overload)', status: 503, body: () => ERROR.openai!('The engine is currently overloaded, please try again later'), verdict: 'unreachable', says: /overloaded.*Next: try again later/ },
  { name: '403 unsupported_country_region_territory', status: 403, body: () => ERROR.openai!('Country, region, or territory not supported', 'unsupported_country_region_territory'), verdict: 'restricted' },
]

const falCases: DocumentedAnswer[] = [
  { name: '403 user locked for an exhausted balance', status: 403, body: () => ({ detail: 'User is locked. Reason: Exhausted balance. Top up your balance at fal.ai/dashboard/billing.' }), verdict: 'exhausted', says: /Next: top up/ },
  { name: '403 user locked (other reason)', status: 403, body: () => ({ detail: 'User is locked. Reason: terms of service violation' }), verdict: 'invalid', says: /User is locked/ },
]

/** Each provider's documented answers beyond success and plain refusal. */
export const DOCUMENTED: Record<string, DocumentedAnswer[]> = {
  openai: openaiCases,
  openai_audio: openaiCases,
  openai_image: openaiCases,
  anthropic: [
    { name: '402 billing_error', status: 402, body: () => ERROR.anthropic!('Your credit balance is too low to access the Anthropic API.', 'billing_error'), verdict: 'exhausted', says: /billing_error.*Next: top up/ },
    { name: '400 "credit balance is too low"', status: 400, body: () => ERROR.anthropic!('Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits.', 'invalid_request_error'), verdict: 'exhausted' },
    { name: '403 permission_error', status: 403, body: () => ERROR.anthropic!('Your API key does not have permission to use the specified resource.', 'permission_error'), verdict: 'restricted' },
    { name: '429 rate_limit_error', status: 429, body: () => ERROR.anthropic!('Number of requests has exceeded your rate limit', 'rate_limit_error'), verdict: 'valid', says: /rate limited/ },
    { name: '529 overloaded_error', status: 529, body: () => ERROR.anthropic!('Overloaded', 'overloaded_error'), verdict: 'unreachable', says: /overloaded_error.*Next: try again later/ },
    { name: '400 invalid_request_error is not a bad-key signal', status: 400, body: () => ERROR.anthropic!('bad request', 'invalid_request_error'), verdict: 'error' },
  ],
  gemini: [
    {
      name: '403 key reported as leaked',
      status: 403,
      body: () => ({ error: { code: 403, message: 'Your API key was reported as leaked. Please use another API key.', status: 'PERMISSION_DENIED' } }),
      verdict: 'invalid',
      says: /reported as leaked.*Next: rotate it now/,
    },
    {
      name: '403 consumer suspended',
      status: 403,
      body: () => ({ error: { code: 403, message: "Permission denied: Consumer 'api_key:AIzaXXXX' has been suspended.", status: 'PERMISSION_DENIED', details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'CONSUMER_SUSPENDED', domain: 'googleapis.com' }] } }),
      verdict: 'invalid',
      says: /suspended/,
    },
    {
      name: '403 SERVICE_DISABLED (API not enabled: real key)',
      status: 403,
      body: () => ({ error: { code: 403, message: 'Generative Language API has not been used in project 1 before or it is disabled.', status: 'PERMISSION_DENIED', details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'SERVICE_DISABLED' }] } }),
      verdict: 'restricted',
    },
    {
      name: '403 PERMISSION_DENIED without a reason (no Gemini access)',
      status: 403,
      body: (k) => ({ error: { code: 403, message: `Method doesn't allow unregistered callers (key ${k}).`, status: 'PERMISSION_DENIED' } }),
      verdict: 'restricted',
      says: /no Gemini access/,
    },
    {
      name: '400 FAILED_PRECONDITION "User location is not supported" (not about the key)',
      status: 400,
      body: () => ({ error: { code: 400, message: 'User location is not supported for the API use.', status: 'FAILED_PRECONDITION' } }),
      verdict: 'error',
      says: /not available where this check ran.*Next: check from a supported country/,
    },
    { name: '429 RESOURCE_EXHAUSTED (rate or quota, the key is real)', status: 429, body: () => ({ error: { code: 429, message: 'Resource has been exhausted (e.g. check quota).', status: 'RESOURCE_EXHAUSTED' } }), verdict: 'valid' },
    { name: '503 UNAVAILABLE (overloaded)', status: 503, body: () => ({ error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' } }), verdict: 'unreachable' },
  ],
  deepseek: [
    { name: '402 insufficient balance', status: 402, body: () => ERROR.deepseek!('Insufficient Balance'), verdict: 'exhausted' },
    { name: '503 server overloaded', status: 503, body: () => ERROR.deepseek!('Server overloaded'), verdict: 'unreachable' },
  ],
  fireworks: [
    { name: '200 with suspendState CREDIT_DEPLETED', status: 200, body: () => ({ accounts: [{ name: 'accounts/x', suspendState: 'CREDIT_DEPLETED' }] }), verdict: 'exhausted', says: /suspended for billing.*Next: top up/ },
    { name: '200 with suspendState BLOCKED_BY_ABUSE_RULE', status: 200, body: () => ({ accounts: [{ name: 'accounts/x', suspendState: 'BLOCKED_BY_ABUSE_RULE' }] }), verdict: 'invalid', says: /suspended/ },
  ],
  xai: [
    { name: '200 with api_key_blocked', status: 200, body: () => ({ ...(SUCCESS.xai as object), api_key_blocked: true }), verdict: 'invalid', says: /blocked/ },
    { name: '200 with team_blocked', status: 200, body: () => ({ ...(SUCCESS.xai as object), team_blocked: true }), verdict: 'invalid', says: /team is blocked/ },
    {
      name: '403 out of credits',
      status: 403,
      body: () => ({ code: 'The caller does not have permission to execute the specified operation', error: 'Your team t has either used all available credits or reached its monthly spending limit. To continue making API requests, please purchase more credits or raise your spending limit.' }),
      verdict: 'exhausted',
      says: /no credits left.*Next: top up/,
    },
    { name: '403 without credits words (ACL does not cover the route)', status: 403, body: () => ERROR.xai!('The API key does not have permission to access this endpoint'), verdict: 'restricted' },
  ],
  openrouter: [
    { name: '200 with limit_remaining 0', status: 200, body: () => ({ data: { label: 'k', limit: 10, usage: 10, limit_remaining: 0, is_free_tier: false } }), verdict: 'exhausted', says: /limit_remaining: 0/ },
    { name: '200 with limit_remaining null (no limit)', status: 200, body: () => ({ data: { label: 'k', limit: null, usage: 3, limit_remaining: null } }), verdict: 'valid' },
    { name: '402 insufficient credits', status: 402, body: () => ERROR.openrouter!('Insufficient credits. Add more using https://openrouter.ai/credits', '402'), verdict: 'exhausted' },
  ],
  together_ai: [{ name: '402 credit limit reached', status: 402, body: () => ERROR.together_ai!('Credit limit exceeded', 'credit_limit') , verdict: 'exhausted' }],
  mistral: [{ name: '401 {"detail":"Unauthorized"}', status: 401, body: () => ({ detail: 'Unauthorized' }), verdict: 'invalid', says: /Unauthorized/ }],
  cohere: [
    { name: '200 with valid:false', status: 200, body: () => ({ valid: false }), verdict: 'invalid', says: /not valid/ },
    { name: '498 invalid token', status: 498, body: (k) => ({ message: `invalid api token ${k}` }), verdict: 'invalid' },
  ],
  groq: [{ name: '503 over capacity', status: 503, body: () => ERROR.groq!('Service Unavailable', 'service_unavailable'), verdict: 'unreachable' }],
  perplexity: [
    { name: '401 out of credits (same status as a bad key; the body tells)', status: 401, body: () => ERROR.perplexity!('Insufficient credits: please add credits to your account', 'insufficient_quota'), verdict: 'exhausted', says: /out of credits.*Next: top up/ },
    { name: '401 openresty HTML page (documented bad-key answer)', status: 401, body: (k) => `<html>\r\n<head><title>401 Authorization Required</title></head>\r\n<body>\r\n<center><h1>401 Authorization Required</h1></center>\r\n<hr><center>openresty</center>\r\n<!-- ${k} -->\r\n</body>\r\n</html>`, verdict: 'invalid' },
  ],
  elevenlabs: [
    { name: '401 missing_permissions (scoped key)', status: 401, body: (k) => ERROR.elevenlabs!(`The API key you used (${k}) is missing the permission user_read to execute this operation.`, 'missing_permissions'), verdict: 'restricted', says: /missing the permission user_read/ },
    { name: '401 quota_exceeded', status: 401, body: () => ERROR.elevenlabs!('This request exceeds your quota. You have 0 credits remaining.', 'quota_exceeded'), verdict: 'exhausted' },
  ],
  deepgram: [
    { name: '402 payment required', status: 402, body: () => ERROR.deepgram!('Project does not have enough balance', 'ASR_PAYMENT_REQUIRED'), verdict: 'exhausted' },
    { name: '403 insufficient permissions', status: 403, body: () => ERROR.deepgram!('Insufficient permissions', 'INSUFFICIENT_PERMISSIONS'), verdict: 'restricted' },
  ],
  fal: falCases,
  pika: falCases,
  replicate: [{ name: '402 payment required', status: 402, body: () => ({ title: 'Payment required', detail: 'You have insufficient credit to run this model.', status: 402 }), verdict: 'exhausted' }],
  stability: [{ name: '402 insufficient credits', status: 402, body: () => ({ id: 'e', name: 'insufficient_balance', message: 'You do not have enough credits' }), verdict: 'exhausted' }],
  runway: [{ name: '200 with creditBalance 0', status: 200, body: () => ({ creditBalance: 0, tier: {}, usage: {} }), verdict: 'exhausted', says: /creditBalance: 0.*Next: top up/ }],
  luma: [
    { name: '200 with credit_balance 0', status: 200, body: () => ({ credit_balance: 0 }), verdict: 'exhausted', says: /credit_balance: 0/ },
    { name: '403 (undocumented invalid)', status: 403, body: () => ({ detail: 'Invalid API key' }), verdict: 'invalid' },
  ],
}

/** A CDN's HTML error page (Cloudflare's wording), for the edge answers every provider can be behind. */
export const cloudflarePage = (status: number) =>
  `<!DOCTYPE html><html><head><title>${status} | Cloudflare</title></head><body><h1>Error ${status}</h1><p>Ray ID: 8f1e2d3c4b5a6978 &bull; Performance &amp; security by Cloudflare</p></body></html>`

/** A captive portal's 200 page. */
export const CAPTIVE_PORTAL = '<!DOCTYPE html><html><head><title>Sign in to the guest network</title></head><body><form action="/login"><input name="room"><button>Connect</button></form></body></html>'
