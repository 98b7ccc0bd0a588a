import { readFileSync } from 'node:fs'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * The provider reference (a copy of ../shared/reference/providers.json, kept in the repo so a fresh
 * clone's tests read nothing outside it). Tests build the expected requests from it, not from
 * src/checks/providers.ts, so they prove the table sends what the reference says.
 */
export interface RefRow {
  type: string
  base_url: string
  method: string
  path: string
  query?: Record<string, string>
  auth: { header: string; scheme_prefix: string }
  extra_headers?: Record<string, string>
  valid_status: number
  invalid_status: number[]
}

export const REF_PATH = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/reference/providers.json')
export const REF = JSON.parse(readFileSync(REF_PATH, 'utf8')) as RefRow[]
export const ref = (type: string): RefRow => REF.find((r) => r.type === type)!
