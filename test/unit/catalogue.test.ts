import { describe, expect, it } from 'vitest'
import { CATEGORIES, TYPES, typeInfo, typesOf } from '../../src/credentials/catalogue.js'
import { resolveCategory } from '../../src/credentials/client.js'

describe('catalogue (DESIGN section 1)', () => {
  it('has the exact categories and 34 types with exact identifiers', () => {
    expect(CATEGORIES).toEqual(['llm', 'speech', 'image', 'video', 'data_warehouse', 'tools'])
    const by = Object.fromEntries(CATEGORIES.map((c) => [c, typesOf(c).map((t) => t.type)]))
    expect(by).toEqual({
      llm: ['openai', 'anthropic', 'gemini', 'deepseek', 'fireworks', 'xai', 'openrouter', 'together_ai', 'mistral', 'cohere', 'groq', 'perplexity'],
      speech: ['elevenlabs', 'deepgram', 'openai_audio'],
      image: ['fal', 'replicate', 'stability', 'openai_image'],
      video: ['runway', 'pika', 'luma'],
      data_warehouse: ['postgresql', 'mysql', 'bigquery', 'snowflake', 'redshift', 'mssql', 'clickhouse', 'static_file'],
      tools: ['api_key', 'oauth', 'database', 'smtp'],
    })
    expect(TYPES).toHaveLength(34)
    expect(new Set(TYPES.map((t) => t.type)).size).toBe(34)
  })

  it('carries the seed display names and descriptions', () => {
    expect(typeInfo('openai')).toMatchObject({ display_name: 'OpenAI', description: 'GPT-4, GPT-4o, GPT-3.5, etc.' })
    expect(typeInfo('gemini')).toMatchObject({ display_name: 'Google Gemini', description: 'Gemini Pro, Gemini Ultra, etc.' })
    expect(typeInfo('database')?.description).toBe('Generic database connection (with schema_type required)')
    for (const t of TYPES) {
      expect(t.display_name.length).toBeGreaterThan(1)
      expect(t.description.length).toBeGreaterThan(3)
    }
  })

  it('names the conventional variables of the providers', () => {
    expect(typeInfo('openai')?.env).toEqual(['OPENAI_API_KEY'])
    expect(typeInfo('cohere')?.env).toEqual(['CO_API_KEY', 'COHERE_API_KEY'])
    expect(typeInfo('pika')?.env).toEqual(['FAL_KEY'])
  })

  it('names the base-URL variables the official SDKs read, and only for types whose SDK reads one', () => {
    const withBase = Object.fromEntries(TYPES.filter((t) => t.base_url_env.length).map((t) => [t.type, t.base_url_env.join(',')]))
    // Each is read in the SDK's source: see BASE_URL_ENV in catalogue.ts for file and commit.
    expect(withBase).toEqual({
      openai: 'OPENAI_BASE_URL',
      anthropic: 'ANTHROPIC_BASE_URL',
      gemini: 'GOOGLE_GEMINI_BASE_URL',
      fireworks: 'FIREWORKS_BASE_URL',
      together_ai: 'TOGETHER_BASE_URL',
      cohere: 'CO_API_URL',
      groq: 'GROQ_BASE_URL',
      perplexity: 'PERPLEXITY_BASE_URL',
      openai_audio: 'OPENAI_BASE_URL',
      openai_image: 'OPENAI_BASE_URL',
      runway: 'RUNWAYML_BASE_URL',
      luma: 'LUMAAI_BASE_URL',
    })
    for (const t of TYPES) for (const v of t.base_url_env) expect(t.env).not.toContain(v)
  })

  it('implies the category from the type and lists valid pairs on a mismatch', () => {
    expect(resolveCategory('openai', undefined)).toEqual({ type: 'openai', category: 'llm' })
    expect(resolveCategory('openai', 'llm')).toEqual({ type: 'openai', category: 'llm' })
    expect(() => resolveCategory('openai', 'speech')).toThrow(/belongs to category llm, not speech \(speech has: elevenlabs, deepgram, openai_audio\)/)
    expect(() => resolveCategory('nope', undefined)).toThrow(/unknown type "nope"/)
    expect(() => resolveCategory(undefined, 'llm')).toThrow(/--type/)
  })
})
