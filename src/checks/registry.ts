import type { Check } from './types.js'

/**
 * Which module checks which type. Each entry is a lazy import, so listing credentials loads no check
 * and validating a postgresql credential loads only pg. A module is checked against the Check contract
 * when it loads: a broken module is a programmer error, never a silent "valid".
 */
type Loader = () => Promise<Record<string, unknown>>

const http: Loader = () => import('./http.js')

export const REGISTRY: Readonly<Record<string, Loader>> = {
  openai: http,
  anthropic: http,
  gemini: http,
  deepseek: http,
  fireworks: http,
  xai: http,
  openrouter: http,
  together_ai: http,
  mistral: http,
  cohere: http,
  groq: http,
  perplexity: http,
  elevenlabs: http,
  deepgram: http,
  openai_audio: http,
  fal: http,
  replicate: http,
  stability: http,
  openai_image: http,
  runway: http,
  pika: http,
  luma: http,
  api_key: () => import('./tools/api_key.js'),
  oauth: () => import('./tools/oauth.js'),
  smtp: () => import('./tools/smtp.js'),
  postgresql: () => import('./databases/postgresql.js'),
  redshift: () => import('./databases/redshift.js'),
  mysql: () => import('./databases/mysql.js'),
  mssql: () => import('./databases/mssql.js'),
  clickhouse: () => import('./databases/clickhouse.js'),
  bigquery: () => import('./databases/bigquery.js'),
  snowflake: () => import('./databases/snowflake.js'),
  static_file: () => import('./databases/static_file.js'),
}


export async function loadCheck(type: string): Promise<Check | undefined> {
  const loader = Object.hasOwn(REGISTRY, type) ? REGISTRY[type] : undefined
  if (!loader) return undefined
  const mod = await loader()
  if (typeof mod.validate !== 'function') throw new Error(`check module for ${type} does not export validate()`)
  if (mod.discoverSchema !== undefined && typeof mod.discoverSchema !== 'function') {
    throw new Error(`check module for ${type} exports a discoverSchema that is not a function`)
  }
  if (mod.target !== undefined && typeof mod.target !== 'function') throw new Error(`check module for ${type} exports a target that is not a function`)
  return mod as unknown as Check
}
