/**
 * The catalogue (DESIGN section 1): every category and type, once. Everything else (input checks,
 * masking, `run` variables, completion, `types`) reads this table; nothing else lists the types.
 * It is plain data so `credctl list` can load it without loading any check.
 */
export const CATEGORIES = ['llm', 'speech', 'image', 'video', 'data_warehouse', 'tools'] as const
export type Category = (typeof CATEGORIES)[number]

/** How a value is checked when it is entered (see input.ts). */
export type ValueKind =
  | 'api_key'
  | 'postgres_uri'
  | 'mysql_uri'
  | 'redshift_uri'
  | 'mssql'
  | 'clickhouse_uri'
  | 'snowflake_uri'
  | 'service_account_json'
  | 'path'
  | 'oauth'
  | 'smtp_url'
  | 'database'

/**
 * How a value is cut into public and secret parts, for the input check, the mask and redaction alike
 * (see mask.ts and src/lib/value-parts.ts). `any` (tools/database) reads the value's shape.
 */
export type MaskKind = 'key' | 'uri' | 'service_account' | 'path' | 'oauth' | 'ado' | 'any'

export interface TypeInfo {
  type: string
  category: Category
  display_name: string
  description: string
  value: ValueKind
  mask: MaskKind
  /** Variables `credctl run` fills from the type's default, first one is the conventional name. */
  env: readonly string[]
  /**
   * The variable the type's official SDK reads its base URL from: `credctl run` sets it from a
   * credential's base URL together with the key (see BASE_URL_ENV for the source of each). Empty when
   * no official SDK reads one.
   */
  base_url_env: readonly string[]
  /** Extra line shown by `credctl types`. */
  note?: string
  /**
   * Whether a `--base-url` means anything for this type: its check sends the key there instead of the
   * provider's default (src/checks/http.ts for the HTTP providers; bigquery.ts and snowflake.ts for
   * private endpoints and stand-ins). Every other type refuses one (records.ts, checkBaseUrlFor): a
   * base URL that nothing reads would look like configuration while changing nothing.
   */
  uses_base_url: boolean
}

const t = (
  category: Category,
  type: string,
  display_name: string,
  description: string,
  value: ValueKind,
  mask: MaskKind,
  env: readonly string[],
  note?: string,
): TypeInfo => ({ type, category, display_name, description, value, mask, env, base_url_env: BASE_URL_ENV[type] ?? [], uses_base_url: BASE_URL_CATEGORIES.has(category) || BASE_URL_WAREHOUSES.has(type), ...(note ? { note } : {}) })

/**
 * Base-URL variables, only those an official SDK really reads (read in the SDK's source, commit given),
 * and only where the SDK's base URL means what a credential's base URL means in credctl (the prefix
 * the API paths are appended to: src/checks/http.ts requestUrl). A credential's base URL that a
 * gateway serves then reaches the SDK with the key, instead of the key going to the vendor's endpoint.
 *
 * - OPENAI_BASE_URL: openai/openai-node src/client.ts `baseURL = readEnv('OPENAI_BASE_URL')` (default
 *   https://api.openai.com/v1) @7b7d6ca; openai/openai-python src/openai/_client.py @e43b422.
 * - ANTHROPIC_BASE_URL: anthropics/anthropic-sdk-typescript src/client.ts @bfa9197 (default
 *   https://api.anthropic.com); anthropics/anthropic-sdk-python src/anthropic/_client.py @009b035.
 * - GOOGLE_GEMINI_BASE_URL: googleapis/js-genai src/node/node_client.ts `getEnv('GOOGLE_GEMINI_BASE_URL')`
 *   @6e9b35c; googleapis/python-genai google/genai/_base_url.py @6680718 (default
 *   https://generativelanguage.googleapis.com/, the API version appended after it).
 * - FIREWORKS_BASE_URL: fw-ai-external/python-sdk src/fireworks/_client.py @8399c12 (default https://api.fireworks.ai).
 * - TOGETHER_BASE_URL: togethercomputer/together-typescript src/client.ts @5d7f323 (default
 *   https://api.together.ai/v1); togethercomputer/together-python src/together/client.py @eba5e5f.
 * - CO_API_URL: cohere-ai/cohere-python src/cohere/client.py `base_url = os.getenv("CO_API_URL")` @bc495da
 *   (default https://api.cohere.com; cohere-typescript reads no variable).
 * - GROQ_BASE_URL: groq/groq-typescript src/client.ts @709b1ab (default https://api.groq.com);
 *   groq/groq-python src/groq/_client.py @9620fde.
 * - PERPLEXITY_BASE_URL: perplexityai/perplexity-node src/client.ts @1110dc1 (default https://api.perplexity.ai).
 * - RUNWAYML_BASE_URL: runwayml/sdk-node src/client.ts @ecb7e33 (default https://api.dev.runwayml.com).
 * - LUMAAI_BASE_URL: lumalabs/lumaai-node src/index.ts @be2c3c4 (default https://api.lumalabs.ai/dream-machine/v1).
 *
 * None, on purpose: deepseek (no SDK of its own; its docs use the OpenAI SDK, and OPENAI_BASE_URL would
 * move an OpenAI key too), xai (xai-sdk-python speaks gRPC and reads no host variable), openrouter
 * (OpenRouterTeam/typescript-sdk reads none), mistral (client-ts, client-python: none), elevenlabs
 * (elevenlabs-js, elevenlabs-python: none), deepgram (deepgram-js-sdk, deepgram-python-sdk: none), fal
 * and pika (fal-js: none), replicate (replicate-javascript reads none; replicate-python's
 * REPLICATE_BASE_URL is the host without /v1, while a credctl base URL for replicate includes /v1 like
 * replicate-javascript's baseUrl), stability (stability-sdk's STABILITY_HOST is the gRPC host of its
 * retired v1 API), and the warehouse types (their drivers take the host from the connection string).
 */
const BASE_URL_ENV: Record<string, readonly string[]> = {
  openai: ['OPENAI_BASE_URL'],
  openai_audio: ['OPENAI_BASE_URL'],
  openai_image: ['OPENAI_BASE_URL'],
  anthropic: ['ANTHROPIC_BASE_URL'],
  gemini: ['GOOGLE_GEMINI_BASE_URL'],
  fireworks: ['FIREWORKS_BASE_URL'],
  together_ai: ['TOGETHER_BASE_URL'],
  cohere: ['CO_API_URL'],
  groq: ['GROQ_BASE_URL'],
  perplexity: ['PERPLEXITY_BASE_URL'],
  runway: ['RUNWAYML_BASE_URL'],
  luma: ['LUMAAI_BASE_URL'],
}

/** Every llm, speech, image and video type is an HTTP provider checked at `{base}{path}` (providers.ts). */
const BASE_URL_CATEGORIES = new Set<Category>(['llm', 'speech', 'image', 'video'])
/** The warehouses reached over HTTPS at an endpoint of their own; the others connect with a driver to the value's host. */
const BASE_URL_WAREHOUSES = new Set(['bigquery', 'snowflake'])

export const TYPES: readonly TypeInfo[] = [
  t('llm', 'openai', 'OpenAI', 'GPT-4, GPT-4o, GPT-3.5, etc.', 'api_key', 'key', ['OPENAI_API_KEY']),
  t('llm', 'anthropic', 'Anthropic', 'Claude 3.5, Claude 3, etc.', 'api_key', 'key', ['ANTHROPIC_API_KEY']),
  t('llm', 'gemini', 'Google Gemini', 'Gemini Pro, Gemini Ultra, etc.', 'api_key', 'key', ['GEMINI_API_KEY', 'GOOGLE_API_KEY']),
  t('llm', 'deepseek', 'DeepSeek', 'DeepSeek chat and code models', 'api_key', 'key', ['DEEPSEEK_API_KEY']),
  t('llm', 'fireworks', 'Fireworks', 'Fireworks AI hosted models', 'api_key', 'key', ['FIREWORKS_API_KEY']),
  t('llm', 'xai', 'xAI', 'Grok models', 'api_key', 'key', ['XAI_API_KEY']),
  t('llm', 'openrouter', 'OpenRouter', 'Multi-provider routing', 'api_key', 'key', ['OPENROUTER_API_KEY']),
  t('llm', 'together_ai', 'Together AI', 'Together AI hosted models', 'api_key', 'key', ['TOGETHER_API_KEY']),
  t('llm', 'mistral', 'Mistral', 'Mistral AI models', 'api_key', 'key', ['MISTRAL_API_KEY']),
  t('llm', 'cohere', 'Cohere', 'Cohere command and embed models', 'api_key', 'key', ['CO_API_KEY', 'COHERE_API_KEY']),
  t('llm', 'groq', 'Groq', 'Groq high-speed inference', 'api_key', 'key', ['GROQ_API_KEY']),
  t('llm', 'perplexity', 'Perplexity', 'Search-augmented Sonar models', 'api_key', 'key', ['PERPLEXITY_API_KEY', 'PPLX_API_KEY']),
  t('speech', 'elevenlabs', 'ElevenLabs', 'High-quality TTS voices', 'api_key', 'key', ['ELEVENLABS_API_KEY']),
  t('speech', 'deepgram', 'Deepgram', 'TTS and STT with Nova models', 'api_key', 'key', ['DEEPGRAM_API_KEY']),
  t('speech', 'openai_audio', 'OpenAI Audio', 'OpenAI TTS (tts-1) and Whisper STT', 'api_key', 'key', ['OPENAI_API_KEY']),
  t('image', 'fal', 'Fal', 'Fast image generation (FLUX, SD)', 'api_key', 'key', ['FAL_KEY']),
  t('image', 'replicate', 'Replicate', 'Run open-source models', 'api_key', 'key', ['REPLICATE_API_TOKEN']),
  t('image', 'stability', 'Stability AI', 'Stable Diffusion models', 'api_key', 'key', ['STABILITY_API_KEY']),
  t('image', 'openai_image', 'OpenAI Image', 'DALL-E 3 and DALL-E 2', 'api_key', 'key', ['OPENAI_API_KEY']),
  t('video', 'runway', 'Runway', 'Gen-3 Alpha video generation', 'api_key', 'key', ['RUNWAYML_API_SECRET']),
  t('video', 'pika', 'Pika', 'AI video generation', 'api_key', 'key', ['FAL_KEY'],
    'Pika has no first-party API; its models are served by fal, so a pika credential is a fal key and is checked as one.'),
  t('video', 'luma', 'Luma', 'Dream Machine video generation', 'api_key', 'key', ['LUMAAI_API_KEY']),
  t('data_warehouse', 'postgresql', 'PostgreSQL', 'PostgreSQL connection string', 'postgres_uri', 'uri', ['DATABASE_URL', 'POSTGRES_URL']),
  t('data_warehouse', 'mysql', 'MySQL', 'MySQL connection string', 'mysql_uri', 'uri', ['MYSQL_URL']),
  t('data_warehouse', 'bigquery', 'BigQuery', 'Google BigQuery service account', 'service_account_json', 'service_account', ['GOOGLE_APPLICATION_CREDENTIALS']),
  t('data_warehouse', 'snowflake', 'Snowflake', 'Snowflake account credentials', 'snowflake_uri', 'uri', ['SNOWFLAKE_URL']),
  t('data_warehouse', 'redshift', 'Redshift', 'Amazon Redshift connection', 'redshift_uri', 'uri', ['REDSHIFT_URL']),
  t('data_warehouse', 'mssql', 'MSSQL', 'Microsoft SQL Server', 'mssql', 'ado', ['MSSQL_URL']),
  t('data_warehouse', 'clickhouse', 'ClickHouse', 'ClickHouse connection', 'clickhouse_uri', 'uri', ['CLICKHOUSE_URL']),
  t('data_warehouse', 'static_file', 'Static File', 'File-based data access', 'path', 'path', ['STATIC_FILE_PATH']),
  t('tools', 'api_key', 'API Key', 'Generic API key authentication', 'api_key', 'key', []),
  t('tools', 'oauth', 'OAuth', 'OAuth token-based authentication', 'oauth', 'oauth', []),
  t('tools', 'database', 'Database', 'Generic database connection (with schema_type required)', 'database', 'any', []),
  t('tools', 'smtp', 'SMTP', 'SMTP server credentials', 'smtp_url', 'uri', ['SMTP_URL']),
]

const BY_TYPE = new Map(TYPES.map((x) => [x.type, x]))

export const TYPE_NAMES: readonly string[] = TYPES.map((x) => x.type)
export const WAREHOUSE_TYPES: readonly string[] = TYPES.filter((x) => x.category === 'data_warehouse').map((x) => x.type)

export function typeInfo(type: string): TypeInfo | undefined {
  return BY_TYPE.get(type)
}

export function isCategory(c: string): c is Category {
  return (CATEGORIES as readonly string[]).includes(c)
}

export function typesOf(category: Category): TypeInfo[] {
  return TYPES.filter((x) => x.category === category)
}
