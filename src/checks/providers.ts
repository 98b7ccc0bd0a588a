/**
 * One row per HTTP provider: the exact validation request of ../shared/reference/providers.json (taken from
 * each provider's official SDK and docs), and how to read the provider's answers. A verdict comes from the
 * provider's own answer, never from a status code alone (DESIGN section 7), so every row says, as data:
 *
 * - `success`: what the provider's documented success body looks like (every test holds);
 * - `error`: what the provider's documented error body looks like (any test holds);
 * - `rules`: which of the provider's own answers mean what (first match wins), each with the words that
 *   tell the user what to do;
 * - `source`: the documentation, SDK file or issue each rule was read from.
 *
 * Everything else (a captive portal's 200 page, a CDN's HTML 503, a JSON of another shape) is not the
 * provider's answer and is read by one generic rule in http.ts: never a verdict about the key.
 * test/unit/providers-table.test.ts checks every row against providers.json, so the two cannot drift apart.
 */

export type Verdict = 'valid' | 'invalid' | 'restricted' | 'exhausted' | 'unreachable' | 'error'
export type Scalar = string | number | boolean | null

/** A test on one value of the JSON body. Without `is`, `in`, `notIn` or `match` it asks "is it present?". */
export interface BodyTest {
  /** Dotted path into the body ('error.code', 'accounts.0.suspendState'); '' is the body itself. */
  path: string
  /** Its JSON type; 'truthy' is present and not null, false, 0 or ''. */
  is?: 'array' | 'object' | 'string' | 'number' | 'boolean' | 'truthy'
  /** One of these (a string also matches the same scalar written as text: 'true' matches true). */
  in?: Scalar[]
  /** Present, not null, and none of these (an enum where only some values mean "usable"). */
  notIn?: Scalar[]
  /** A string matching this case-insensitive regular expression. */
  match?: string
}

/** One kind of answer: statuses, and what of the body (all tests) makes it this kind. */
export interface AnswerRule {
  status: number[]
  when?: BodyTest[]
  /**
   * A non-JSON answer the provider itself documents (Perplexity's openresty 401 page): a regular expression
   * its text must match. Without it a rule applies only to a body of the provider's own JSON shape.
   */
  text?: string
  verdict: Verdict
  /** Why, in words, for validation_message. */
  reason: string
  /** What the user should do next; default: the verdict's advice (NEXT in http.ts). */
  next?: string
}

export interface ProviderRow {
  type: string
  /** The provider's name in messages ("not OpenAI's answer"). */
  name: string
  base_url: string
  method: 'GET' | 'POST'
  path: string
  query?: Record<string, string>
  auth_header: string
  auth_prefix: string
  headers?: Record<string, string>
  /** Statuses of the documented success answer. */
  valid: number[]
  success: BodyTest[]
  error: BodyTest[]
  rules: AnswerRule[]
  source: string
}

const bearer = { auth_header: 'Authorization', auth_prefix: 'Bearer ' } as const

// --- shared advice ---------------------------------------------------------------------------------------
const TOP_UP = 'top up the account (credits or billing) at the provider; the key itself is fine, do not rotate it'
const ALLOW_IP = "allow this machine's IP address in the provider's key or project settings, or check from an allowed place"
const GRANT = 'the key works; grant it the read permission named above if credctl should be able to check it'

// --- OpenAI (and openai_audio, openai_image: same key, same endpoint) -------------------------------------
// Error shape: {"error":{"message","type","param","code"}}. Restricted keys answer 401 or 403 with "Missing
// scopes: ..." and code null; the IP allowlist refuses a real key with a 401 about the IP; quota is a 429
// insufficient_quota (not a rate limit); overload is a 503 of the same shape.
const openai: Omit<ProviderRow, 'type'> = {
  name: 'OpenAI',
  base_url: 'https://api.openai.com/v1',
  method: 'GET',
  path: '/models',
  ...bearer,
  valid: [200],
  success: [{ path: 'object', in: ['list'] }, { path: 'data', is: 'array' }],
  error: [{ path: 'error.message', is: 'string' }],
  rules: [
    { status: [401, 403], when: [{ path: 'error.message', match: 'Missing scopes?:' }], verdict: 'restricted', reason: 'key is real but lacks a scope', next: GRANT },
    { status: [401, 403], when: [{ path: 'error.code', in: ['missing_scope'] }], verdict: 'restricted', reason: 'key is real but lacks a scope (missing_scope)', next: GRANT },
    { status: [401, 403], when: [{ path: 'error.message', match: '\\bIP\\b.*not (authori[sz]ed|allowed)|not (authori[sz]ed|allowed).*\\bIP\\b|unauthori[sz]ed IP|IP (address )?allowlist' }], verdict: 'restricted', reason: 'key is real but not allowed from this IP address', next: ALLOW_IP },
    { status: [403], when: [{ path: 'error.code', in: ['unsupported_country_region_territory'] }], verdict: 'restricted', reason: 'key is real but OpenAI does not serve this country or region', next: 'check from a supported country or region' },
    { status: [429], when: [{ path: 'error.code', in: ['insufficient_quota'] }], verdict: 'exhausted', reason: 'the account has no quota left (insufficient_quota)', next: TOP_UP },
    { status: [429], when: [{ path: 'error.type', in: ['insufficient_quota'] }], verdict: 'exhausted', reason: 'the account has no quota left (insufficient_quota)', next: TOP_UP },
    { status: [401], verdict: 'invalid', reason: 'key refused' },
  ],
  source:
    'openai/openai-node src/resources/models.ts (GET /models -> {object:"list",data}); platform.openai.com/docs/guides/error-codes (401 invalid key, 401 IP not authorized, 403 unsupported region, 429 rate limit vs 429 insufficient_quota, 503 overloaded); OpenAI restricted keys ("Missing scopes", code null); trufflehog pkg/detectors/openai',
}

// --- fal (and pika, served by fal) ------------------------------------------------------------------------
// Platform API errors: {"error":{"type","message"}}; older routes {"detail": "..."}. A locked account answers
// 403 {"detail":"User is locked. Reason: ..."}; an exhausted balance is the common reason.
const fal = (endpoint_id: string): Omit<ProviderRow, 'type'> => ({
  name: 'fal',
  base_url: 'https://api.fal.ai/v1',
  method: 'GET',
  path: '/models/pricing',
  query: { endpoint_id },
  auth_header: 'Authorization',
  auth_prefix: 'Key ',
  valid: [200],
  success: [{ path: 'prices', is: 'array' }],
  error: [{ path: 'error.message', is: 'string' }, { path: 'detail' }],
  rules: [
    { status: [403], when: [{ path: 'detail', match: 'locked.*(balance|billing|credit|payment)' }], verdict: 'exhausted', reason: 'the account is locked for its balance', next: TOP_UP },
    { status: [402], verdict: 'exhausted', reason: 'the account cannot pay', next: TOP_UP },
    { status: [403], when: [{ path: 'detail', match: 'locked' }], verdict: 'invalid', reason: 'the account is locked' , next: 'read the reason above and contact fal; a new key on the same account will not help' },
    { status: [403], when: [{ path: 'error.type', in: ['authorization_error'] }, { path: 'error.message', match: 'scope|permission|admin' }], verdict: 'restricted', reason: 'key is real but its scope does not cover the platform API', next: GRANT },
    { status: [401, 403], verdict: 'invalid', reason: 'key refused' },
  ],
  source:
    'fal-ai/fal-js libs/client/src/request.ts (Authorization: Key); fal.ai/docs/platform-apis/v1/models/pricing (200 {prices,next_cursor,has_more}; errors {error:{type,message}}); fal.ai/docs/api-reference/platform-apis/authentication (key scopes); locked accounts 403 {"detail":"User is locked. Reason: ..."} (reference notes)',
})

export const PROVIDERS: readonly ProviderRow[] = [
  { type: 'openai', ...openai },
  {
    type: 'anthropic',
    name: 'Anthropic',
    base_url: 'https://api.anthropic.com',
    method: 'GET',
    path: '/v1/models',
    auth_header: 'x-api-key',
    auth_prefix: '',
    headers: { 'anthropic-version': '2023-06-01' },
    valid: [200],
    success: [{ path: 'data', is: 'array' }],
    error: [{ path: 'type', in: ['error'] }, { path: 'error.type', is: 'string' }],
    rules: [
      { status: [401], when: [{ path: 'error.type', in: ['authentication_error'] }], verdict: 'invalid', reason: 'key refused (authentication_error)' },
      { status: [402], when: [{ path: 'error.type', in: ['billing_error'] }], verdict: 'exhausted', reason: 'the account cannot pay (billing_error)', next: TOP_UP },
      { status: [400], when: [{ path: 'error.message', match: 'credit balance is too low' }], verdict: 'exhausted', reason: 'the credit balance is too low', next: TOP_UP },
      { status: [403], when: [{ path: 'error.type', in: ['permission_error'] }], verdict: 'restricted', reason: 'key is real but not permitted to list models (permission_error)', next: GRANT },
      { status: [429], when: [{ path: 'error.type', in: ['rate_limit_error'] }], verdict: 'valid', reason: 'accepted but rate limited (rate_limit_error)', next: 'the key works; check again later for a fresh answer' },
      { status: [529], when: [{ path: 'error.type', in: ['overloaded_error'] }], verdict: 'unreachable', reason: 'Anthropic is overloaded (overloaded_error)' },
    ],
    source:
      'anthropics/anthropic-sdk-typescript src/resources/models.ts (GET /v1/models -> {data,has_more,first_id,last_id}); docs.anthropic.com/en/api/errors (401 authentication_error, 402 billing_error, 403 permission_error, 429 rate_limit_error, 500 api_error, 529 overloaded_error; body {"type":"error","error":{"type","message"}}); 400 "credit balance is too low" (anthropics/claude-code-action#1224)',
  },
  {
    type: 'gemini',
    name: 'Gemini',
    base_url: 'https://generativelanguage.googleapis.com',
    method: 'GET',
    path: '/v1beta/models',
    auth_header: 'x-goog-api-key',
    auth_prefix: '',
    valid: [200],
    success: [{ path: 'models', is: 'array' }],
    // google.rpc.Status: {"error":{"code","message","status","details":[{"@type":"...ErrorInfo","reason"}]}}
    error: [{ path: 'error.status', is: 'string' }],
    rules: [
      { status: [400], when: [{ path: 'error.details.*.reason', in: ['API_KEY_INVALID'] }], verdict: 'invalid', reason: 'key refused (API_KEY_INVALID)' },
      { status: [400], when: [{ path: 'error.status', in: ['INVALID_ARGUMENT'] }, { path: 'error.message', match: 'API key not valid|API key expired' }], verdict: 'invalid', reason: 'key refused' },
      { status: [400], when: [{ path: 'error.status', in: ['FAILED_PRECONDITION'] }, { path: 'error.message', match: 'location is not supported' }], verdict: 'error', reason: 'Gemini is not available where this check ran, so the key was not checked', next: 'check from a supported country or region; this says nothing about the key' },
      { status: [403], when: [{ path: 'error.message', match: 'reported as leaked' }], verdict: 'invalid', reason: 'Google blocked the key: it was reported as leaked', next: 'rotate it now: create a new key and store it with `credctl update NAME --value-stdin`' },
      { status: [403], when: [{ path: 'error.details.*.reason', in: ['CONSUMER_SUSPENDED'] }], verdict: 'invalid', reason: 'the key\'s consumer (project) is suspended' , next: 'rotate it to a key of a project in good standing, or appeal the suspension in the Google Cloud console' },
      { status: [403], when: [{ path: 'error.message', match: 'has been suspended' }], verdict: 'invalid', reason: 'the key\'s consumer (project) is suspended', next: 'rotate it to a key of a project in good standing, or appeal the suspension in the Google Cloud console' },
      { status: [403], when: [{ path: 'error.details.*.reason', in: ['SERVICE_DISABLED', 'API_KEY_SERVICE_BLOCKED', 'API_KEY_HTTP_REFERRER_BLOCKED', 'API_KEY_IP_ADDRESS_BLOCKED', 'API_KEY_ANDROID_APP_BLOCKED', 'API_KEY_IOS_APP_BLOCKED'] }], verdict: 'restricted', reason: 'key is real but restricted (API not enabled, or the key\'s restrictions exclude this caller)', next: 'enable the Generative Language API for the key\'s project or widen the key\'s restrictions in the Google Cloud console' },
      { status: [403], when: [{ path: 'error.status', in: ['PERMISSION_DENIED'] }], verdict: 'restricted', reason: 'key is real but has no Gemini access (PERMISSION_DENIED)', next: 'enable the Generative Language API for the key\'s project or widen the key\'s restrictions in the Google Cloud console' },
      { status: [429], when: [{ path: 'error.status', in: ['RESOURCE_EXHAUSTED'] }], verdict: 'valid', reason: 'accepted but over quota or rate limited (RESOURCE_EXHAUSTED)', next: 'the key works; check again later, or raise the project\'s quota' },
      { status: [503], when: [{ path: 'error.status', in: ['UNAVAILABLE'] }], verdict: 'unreachable', reason: 'Gemini is overloaded or unavailable (UNAVAILABLE)' },
    ],
    source:
      'googleapis/js-genai src/_api_client.ts (v1beta, x-goog-api-key); ai.google.dev/api/models#method:-models.list (200 {models,nextPageToken}); ai.google.dev/gemini-api/docs/troubleshooting (400 INVALID_ARGUMENT API_KEY_INVALID, 400 FAILED_PRECONDITION "User location is not supported", 403 PERMISSION_DENIED, 429 RESOURCE_EXHAUSTED, 503 UNAVAILABLE); google.rpc.ErrorInfo reasons (cloud.google.com/apis/design/errors); trufflehog pkg/detectors/googlegemini',
  },
  {
    type: 'deepseek',
    name: 'DeepSeek',
    base_url: 'https://api.deepseek.com',
    method: 'GET',
    path: '/models',
    ...bearer,
    valid: [200],
    success: [{ path: 'object', in: ['list'] }, { path: 'data', is: 'array' }],
    error: [{ path: 'error.message', is: 'string' }],
    rules: [
      { status: [401], verdict: 'invalid', reason: 'key refused (authentication fails)' },
      { status: [402], verdict: 'exhausted', reason: 'insufficient balance', next: TOP_UP },
      { status: [503], verdict: 'unreachable', reason: 'DeepSeek is overloaded (server overloaded)' },
    ],
    source: 'api-docs.deepseek.com/api/list-models (200 {object:"list",data}); api-docs.deepseek.com/quick_start/error_codes (401 authentication fails, 402 insufficient balance, 429 rate limit, 503 server overloaded); trufflehog pkg/detectors/deepseek',
  },
  {
    type: 'fireworks',
    name: 'Fireworks',
    base_url: 'https://api.fireworks.ai',
    method: 'GET',
    path: '/v1/accounts',
    ...bearer,
    valid: [200],
    success: [{ path: 'accounts', is: 'array' }],
    // gRPC-gateway status {"code","message"} or the OpenAI-style {"error":{...}}.
    error: [{ path: 'error' }, { path: 'message', is: 'string' }],
    rules: [
      { status: [200], when: [{ path: 'accounts.0.suspendState', in: ['CREDIT_DEPLETED', 'FAILED_PAYMENTS', 'MONTHLY_SPEND_LIMIT_EXCEEDED'] }], verdict: 'exhausted', reason: 'the account is suspended for billing', next: TOP_UP },
      { status: [200], when: [{ path: 'accounts.0.suspendState', notIn: ['UNSUSPENDED', 'SUSPEND_STATE_UNSPECIFIED'] }], verdict: 'invalid', reason: 'the account is suspended', next: 'read the suspend state above and contact Fireworks; a new key on the same account will not help' },
      { status: [401, 403], verdict: 'invalid', reason: 'key refused' },
    ],
    source: 'fw-ai-external/python-sdk src/fireworks/resources/accounts.py (GET /v1/accounts -> {accounts,nextPageToken,totalSize}); docs.fireworks.ai/api-reference/list-accounts (Account.suspendState: UNSUSPENDED, FAILED_PAYMENTS, CREDIT_DEPLETED, MONTHLY_SPEND_LIMIT_EXCEEDED, BLOCKED_BY_ABUSE_RULE)',
  },
  {
    type: 'xai',
    name: 'xAI',
    base_url: 'https://api.x.ai/v1',
    method: 'GET',
    path: '/api-key',
    ...bearer,
    valid: [200],
    success: [{ path: 'api_key_blocked', is: 'boolean' }],
    // {"code": "...", "error": "..."}
    error: [{ path: 'error', is: 'string' }],
    rules: [
      { status: [200], when: [{ path: 'api_key_blocked', in: [true] }], verdict: 'invalid', reason: 'key is blocked (api_key_blocked: true)' },
      { status: [200], when: [{ path: 'api_key_disabled', in: [true] }], verdict: 'invalid', reason: 'key is disabled (api_key_disabled: true)', next: 're-enable it in the xAI console, or rotate it' },
      { status: [200], when: [{ path: 'team_blocked', in: [true] }], verdict: 'invalid', reason: 'team is blocked (team_blocked: true)', next: 'contact xAI about the team; a new key of the same team will not help' },
      { status: [400, 401], verdict: 'invalid', reason: 'key refused' },
      { status: [403], when: [{ path: 'error', match: 'credits|spending limit' }], verdict: 'exhausted', reason: 'the team has no credits left', next: TOP_UP },
      { status: [403], verdict: 'restricted', reason: 'key is real but its permissions do not cover this endpoint', next: GRANT },
    ],
    source: 'docs.x.ai/docs/api-reference#get-api-key-info (GET /v1/api-key -> {redacted_api_key,api_key_blocked,api_key_disabled,team_blocked,acls,...}; 400 invalid API key); xAI 403 "doesn\'t have any credits yet" / "used all available credits or reached its monthly spending limit"; trufflehog pkg/detectors/xai',
  },
  {
    type: 'openrouter',
    name: 'OpenRouter',
    // Not /models: OpenRouter's model list is public and answers 200 without a key.
    base_url: 'https://openrouter.ai/api/v1',
    method: 'GET',
    path: '/key',
    ...bearer,
    valid: [200],
    success: [{ path: 'data', is: 'object' }],
    error: [{ path: 'error.message', is: 'string' }],
    rules: [
      // limit_remaining is null for a key without a limit.
      { status: [200], when: [{ path: 'data.limit_remaining', is: 'number' }, { path: 'data.limit_remaining', match: '^(0|-.*)$' }], verdict: 'exhausted', reason: 'the key has reached its credit limit (limit_remaining: 0)', next: 'raise the key\'s credit limit or top up at openrouter.ai/settings; do not rotate it' },
      { status: [401], verdict: 'invalid', reason: 'key refused' },
      { status: [402], verdict: 'exhausted', reason: 'insufficient credits', next: TOP_UP },
      { status: [403], verdict: 'restricted', reason: 'key is real but not permitted here', next: GRANT },
    ],
    source: 'openrouter.ai/docs/api/api-reference/api-keys/get-current-key (200 {data:{label,limit,usage,limit_remaining,is_free_tier,...}}); openrouter.ai/docs/api-reference/errors (body {error:{code,message}}; 401 invalid key, 402 insufficient credits, 403 moderation, 429, 502, 503); trufflehog pkg/detectors/openrouter',
  },
  {
    type: 'together_ai',
    name: 'Together AI',
    base_url: 'https://api.together.ai/v1',
    method: 'GET',
    path: '/models',
    ...bearer,
    valid: [200],
    // A bare JSON array, not {object:list,data:[]}.
    success: [{ path: '', is: 'array' }],
    error: [{ path: 'error.message', is: 'string' }, { path: 'message', is: 'string' }],
    rules: [
      { status: [401], verdict: 'invalid', reason: 'key refused' },
      { status: [402], verdict: 'exhausted', reason: 'the account has reached its credit limit', next: TOP_UP },
      { status: [403], verdict: 'restricted', reason: 'key is real but not permitted here', next: GRANT },
      { status: [503], verdict: 'unreachable', reason: 'Together AI is overloaded' },
    ],
    source: 'togethercomputer/together-typescript src/resources/models/models.ts (GET /models -> Array<ModelObject>); docs.together.ai/docs/error-codes (401 invalid key, 402 payment required / credit limit, 403, 429, 500, 503 overloaded)',
  },
  {
    type: 'mistral',
    name: 'Mistral',
    base_url: 'https://api.mistral.ai',
    method: 'GET',
    path: '/v1/models',
    ...bearer,
    valid: [200],
    success: [{ path: 'object', in: ['list'] }, { path: 'data', is: 'array' }],
    // Observed: {"message":"Unauthorized","request_id":...} and {"detail":"Unauthorized"}.
    error: [{ path: 'message', is: 'string' }, { path: 'detail' }],
    rules: [
      { status: [401], verdict: 'invalid', reason: 'key refused' },
      { status: [402], verdict: 'exhausted', reason: 'the workspace cannot pay', next: TOP_UP },
    ],
    source: 'mistralai/client-ts src/funcs/modelsList.ts (GET /v1/models -> {object:"list",data}); reference notes (401 bodies {"message":"Unauthorized"} and {"detail":"Unauthorized"})',
  },
  {
    type: 'cohere',
    name: 'Cohere',
    base_url: 'https://api.cohere.com',
    // The purpose-built endpoint; the SDK sends no body.
    method: 'POST',
    path: '/v1/check-api-key',
    ...bearer,
    valid: [200],
    success: [{ path: 'valid', is: 'boolean' }],
    error: [{ path: 'message', is: 'string' }],
    rules: [
      { status: [200], when: [{ path: 'valid', in: [false] }], verdict: 'invalid', reason: 'Cohere reports the key as not valid (valid: false)' },
      // The SDK maps 498 to InvalidTokenError.
      { status: [401, 498], verdict: 'invalid', reason: 'key refused' },
      { status: [402], verdict: 'exhausted', reason: 'the account cannot pay', next: TOP_UP },
    ],
    source: 'cohere-ai/cohere-typescript src/Client.ts (checkApiKey: POST v1/check-api-key), src/serialization/types/CheckApiKeyResponse.ts ({valid,organization_id,owner_id}); docs.cohere.com/reference/errors (body {"message"}; 401, 402, 429, 498 invalid token)',
  },
  {
    type: 'groq',
    name: 'Groq',
    base_url: 'https://api.groq.com',
    method: 'GET',
    path: '/openai/v1/models',
    ...bearer,
    valid: [200],
    success: [{ path: 'object', in: ['list'] }, { path: 'data', is: 'array' }],
    error: [{ path: 'error.message', is: 'string' }],
    rules: [
      { status: [401], verdict: 'invalid', reason: 'key refused' },
      { status: [403], verdict: 'restricted', reason: 'key is real but not permitted here (organization or project restriction)', next: GRANT },
      { status: [498, 503], verdict: 'unreachable', reason: 'Groq is over capacity' },
    ],
    source: 'groq/groq-typescript src/resources/models.ts (GET /openai/v1/models -> {object:"list",data}); console.groq.com/docs/errors (401 invalid key, 403 forbidden, 429, 498 flex tier capacity exceeded, 503 unavailable; body {error:{message,type,code}}); trufflehog pkg/detectors/groq',
  },
  {
    type: 'perplexity',
    name: 'Perplexity',
    base_url: 'https://api.perplexity.ai',
    method: 'GET',
    path: '/async/chat/completions',
    ...bearer,
    valid: [200],
    success: [{ path: 'requests', is: 'array' }],
    error: [{ path: 'error.message', is: 'string' }, { path: 'detail' }],
    rules: [
      // Perplexity documents 401 for an account out of credits as well as for a bad key: the body tells.
      { status: [401], when: [{ path: 'error.message', match: 'credit|quota|balance|billing|payment' }], verdict: 'exhausted', reason: 'the account is out of credits', next: TOP_UP },
      { status: [401], verdict: 'invalid', reason: 'key refused' },
      { status: [401], text: 'openresty', verdict: 'invalid', reason: 'key refused' },
      // The Sonar family this route belongs to was retired (27 September 2026): an answer that says so is not a verdict.
      { status: [404, 410], verdict: 'error', reason: 'Perplexity no longer serves the route credctl checks with (the Sonar API was retired), so the key was not checked', next: 'upgrade credctl; this says nothing about the key' },
    ],
    source: 'perplexityai/perplexity-node src/generated/api.ts (GET /async/chat/completions -> {requests:[...]}); docs.perplexity.ai/api-reference/async-sonar-get; docs.perplexity.ai/docs/agent-api/migrate-from-sonar (Sonar retired 2026-09-27); docs.perplexity.ai/api-reference/models-get (GET /v1/models declares no security: it cannot prove a key, so it is not used); reference notes (openresty HTML 401)',
  },
  {
    type: 'elevenlabs',
    name: 'ElevenLabs',
    base_url: 'https://api.elevenlabs.io',
    method: 'GET',
    path: '/v1/user',
    auth_header: 'xi-api-key',
    auth_prefix: '',
    valid: [200],
    success: [{ path: 'subscription', is: 'object' }],
    // {"detail":{"status":"invalid_api_key","message":"..."}}
    error: [{ path: 'detail.status', is: 'string' }, { path: 'detail', is: 'string' }],
    rules: [
      { status: [401, 403], when: [{ path: 'detail.status', in: ['missing_permissions'] }], verdict: 'restricted', reason: 'key is real but lacks a permission (missing_permissions)', next: GRANT },
      { status: [401, 402, 403], when: [{ path: 'detail.status', in: ['quota_exceeded', 'insufficient_credits', 'payment_required'] }], verdict: 'exhausted', reason: 'the account has no characters or credits left', next: TOP_UP },
      { status: [401], when: [{ path: 'detail.status', in: ['invalid_api_key', 'needs_authorization'] }], verdict: 'invalid', reason: 'key refused' },
      { status: [401], when: [{ path: 'detail.status', in: ['detected_unusual_activity'] }], verdict: 'restricted', reason: 'key is real but ElevenLabs disabled free-tier use for unusual activity', next: 'upgrade the plan or contact ElevenLabs; a new key will not help' },
      { status: [401], when: [{ path: 'detail', is: 'string' }], verdict: 'invalid', reason: 'key refused' },
    ],
    source: 'elevenlabs/elevenlabs-js src/api/resources/user/client/Client.ts (GET v1/user -> {subscription,...}); elevenlabs.io/docs/resources/errors (401 invalid_api_key, missing_permissions, quota_exceeded, detected_unusual_activity; body {detail:{status,message}}); trufflehog pkg/detectors/elevenlabs/v2',
  },
  {
    type: 'deepgram',
    name: 'Deepgram',
    // API keys use 'Token <key>' (short-lived access tokens would use Bearer). Not /v1/models: it is public.
    base_url: 'https://api.deepgram.com',
    method: 'GET',
    path: '/v1/projects',
    auth_header: 'Authorization',
    auth_prefix: 'Token ',
    valid: [200],
    success: [{ path: 'projects', is: 'array' }],
    // {"err_code":"INVALID_AUTH","err_msg":"Invalid credentials.","request_id":"..."}
    error: [{ path: 'err_code', is: 'string' }, { path: 'err_msg', is: 'string' }],
    rules: [
      { status: [402], verdict: 'exhausted', reason: 'the project has no balance left', next: TOP_UP },
      { status: [403], when: [{ path: 'err_code', in: ['INSUFFICIENT_PERMISSIONS', 'FORBIDDEN'] }], verdict: 'restricted', reason: 'key is real but lacks a permission', next: GRANT },
      { status: [401], verdict: 'invalid', reason: 'key refused' },
    ],
    source: 'deepgram/deepgram-js-sdk src/api/resources/manage/resources/v1/resources/projects/client/Client.ts (GET v1/projects -> {projects}); developers.deepgram.com/docs/errors (401 INVALID_AUTH, 402 ASR_PAYMENT_REQUIRED, 403 INSUFFICIENT_PERMISSIONS; body {err_code,err_msg,request_id}); trufflehog pkg/detectors/deepgram',
  },
  { type: 'openai_audio', ...openai },
  { type: 'fal', ...fal('fal-ai/flux/dev') },
  {
    type: 'replicate',
    name: 'Replicate',
    base_url: 'https://api.replicate.com/v1',
    method: 'GET',
    path: '/account',
    ...bearer,
    valid: [200],
    success: [{ path: 'username', is: 'string' }],
    // Problem details: {"title","detail","status"}.
    error: [{ path: 'detail', is: 'string' }, { path: 'title', is: 'string' }],
    rules: [
      { status: [401], verdict: 'invalid', reason: 'key refused' },
      { status: [402], verdict: 'exhausted', reason: 'the account has no credit left', next: TOP_UP },
    ],
    source: 'replicate/replicate-javascript lib/accounts.js (GET /account -> {type,username,name,github_url}); replicate.com/docs/topics/predictions/errors and HTTP API reference (problem+json {title,detail,status}; 401, 402 payment required); trufflehog pkg/detectors/replicate',
  },
  {
    type: 'stability',
    name: 'Stability AI',
    base_url: 'https://api.stability.ai',
    method: 'GET',
    path: '/v1/user/account',
    ...bearer,
    valid: [200],
    success: [{ path: 'id', is: 'string' }],
    // Error {id, name, message}
    error: [{ path: 'message', is: 'string' }, { path: 'name', is: 'string' }],
    rules: [
      { status: [401], verdict: 'invalid', reason: 'key refused' },
      { status: [402], verdict: 'exhausted', reason: 'the account has no credits left', next: TOP_UP },
      { status: [403], verdict: 'restricted', reason: 'key is real but not permitted here', next: GRANT },
    ],
    source: 'Stability-AI/rest-api-support generated/spec/merged.json (userAccount GET /v1/user/account -> {id,email,organizations,profile_picture}; 401 -> Error{id,name,message}); platform.stability.ai/docs/api-reference (402 insufficient credits)',
  },
  { type: 'openai_image', ...openai },
  {
    type: 'runway',
    name: 'Runway',
    // api.dev.runwayml.com is the API host (not api.runwayml.com).
    base_url: 'https://api.dev.runwayml.com',
    method: 'GET',
    path: '/v1/organization',
    ...bearer,
    headers: { 'X-Runway-Version': '2024-11-06' },
    valid: [200],
    success: [{ path: 'creditBalance', is: 'number' }],
    error: [{ path: 'error', is: 'string' }, { path: 'error.message', is: 'string' }],
    rules: [
      { status: [200], when: [{ path: 'creditBalance', match: '^(0|-.*)$' }], verdict: 'exhausted', reason: 'the organization has no credits left (creditBalance: 0)', next: TOP_UP },
      { status: [401], verdict: 'invalid', reason: 'key refused (not valid, disabled, or its organization is suspended)' },
    ],
    source: 'runwayml/sdk-node src/resources/organization.ts (GET /v1/organization -> {creditBalance,tier,usage}); docs.dev.runwayml.com/api-details/errors (401 "The provided API key is not valid"; bodies carry "error")',
  },
  { type: 'pika', ...fal('fal-ai/pika/v2.2/text-to-video') },
  {
    type: 'luma',
    name: 'Luma',
    base_url: 'https://api.lumalabs.ai/dream-machine/v1',
    method: 'GET',
    path: '/credits',
    ...bearer,
    valid: [200],
    // credit_balance is in USD cents.
    success: [{ path: 'credit_balance', is: 'number' }],
    error: [{ path: 'detail' }, { path: 'error' }, { path: 'message', is: 'string' }],
    rules: [
      { status: [200], when: [{ path: 'credit_balance', match: '^(0|-.*)$' }], verdict: 'exhausted', reason: 'the account has no credits left (credit_balance: 0)', next: TOP_UP },
      // The invalid-key status is undocumented ("may be 401 or 403"): both mean the key was refused.
      { status: [401, 403], verdict: 'invalid', reason: 'key refused' },
    ],
    source: 'lumalabs/lumaai-node src/resources/credits.ts (GET /credits -> {credit_balance}); docs.lumalabs.ai/changelog/callbacks-and-credits-balance; reference notes (invalid key 401 or 403)',
  },
]
