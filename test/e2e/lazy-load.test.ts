import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BIN, runCli, tempVault } from '../helpers/cli.js'

/**
 * DESIGN section 9: `credctl list` never imports a driver, the prompt library or a check. Proven on the
 * built CLI with a module-resolution hook that records every module Node loads.
 */
let t: ReturnType<typeof tempVault>
beforeEach(() => (t = tempVault('credctl-lazy')))
afterEach(() => t.cleanup())

function loadedModules(args: string[], extraEnv: Record<string, string> = {}): string[] {
  const log = path.join(t.dir, 'loaded.txt')
  const hook = path.join(t.dir, 'hook.mjs')
  const register = path.join(t.dir, 'register.mjs')
  writeFileSync(
    hook,
    `import { appendFileSync } from 'node:fs'
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context)
  appendFileSync(${JSON.stringify(log)}, r.url + '\\n')
  return r
}`,
  )
  writeFileSync(register, `import { register } from 'node:module'\nregister(${JSON.stringify(`file://${hook}`)})\n`)
  writeFileSync(log, '')
  const r = spawnSync(process.execPath, ['--import', register, BIN, ...args], { env: { ...t.env, ...extraEnv }, encoding: 'utf8' })
  expect(r.status, r.stderr).toBe(0)
  return readFileSync(log, 'utf8').split('\n').filter(Boolean)
}

const FORBIDDEN = /\/(pg|mysql2|mssql|tedious|@clickhouse|@duckdb|@inquirer|@napi-rs|nodemailer|execa|age-encryption|@noble|@scure|@modelcontextprotocol|zod)\/|chunks\/(identity|vault|member|team|team-config|team-cache)-|chunks\/(mcp|serve|registry|http|postgresql|mysql|mssql|clickhouse|bigquery|snowflake|static_file|redshift|api_key|oauth|smtp|prompter|input|bulk|bundle|completion|rotate)-/

describe('lazy loading (the built CLI)', () => {
  it('list and get load no driver, no check, no prompt library, no keychain binding', async () => {
    for (let i = 0; i < 3; i++) {
      await runCli(['create', '--name', `c${i}`, '--type', i ? 'openai' : 'postgresql', '--value-stdin'], { env: t.env, input: i ? 'sk-0123456789abcdefghij' : 'postgresql://u:p@h/db' })
    }
    for (const args of [['list', '--json'], ['list'], ['get', 'c1', '--json'], ['types']]) {
      const loaded = loadedModules(args)
      expect(loaded.length, args.join(' ')).toBeGreaterThan(0)
      expect(loaded.filter((u) => FORBIDDEN.test(u)), args.join(' ')).toEqual([])
    }
  })

  it('the MCP SDK loads for `credctl mcp` only (issue 15): list does not load it, mcp does', async () => {
    await runCli(['create', '--name', 'k', '--type', 'openai', '--value-stdin'], { env: t.env, input: 'sk-0123456789abcdefghij' })
    for (const args of [['list'], ['list', '--json']]) expect(loadedModules(args).filter((u) => /\/@modelcontextprotocol\/|\/zod\/|chunks\/(mcp|serve)-/.test(u)), args.join(' ')).toEqual([])
    // stdin is closed at once: the server starts, sees the end of its input and exits 0.
    const loaded = loadedModules(['mcp', '--credential', 'k'])
    expect(loaded.some((u) => /\/@modelcontextprotocol\/sdk\//.test(u))).toBe(true)
  })

  it('the age library loads for identity commands only', async () => {
    const id = (await runCli(['identity', 'new', '--print'], { env: t.env })).stdout.trim()
    const loaded = loadedModules(['identity', 'show', '--json'], { CREDCTL_IDENTITY: id })
    expect(loaded.some((u) => /\/age-encryption\//.test(u))).toBe(true)
    expect(loaded.some((u) => /chunks\/identity-/.test(u))).toBe(true)
  })

  it('the hook itself sees lazy modules when a command does need them', async () => {
    await runCli(['create', '--name', 'pg', '--type', 'postgresql', '--value-stdin'], { env: t.env, input: 'postgresql://postgres@127.0.0.1:5432/postgres' })
    const loaded = loadedModules(['validate', 'pg', '--json'])
    expect(loaded.some((u) => /chunks\/registry-/.test(u))).toBe(true)
    expect(loaded.some((u) => /\/pg\//.test(u))).toBe(true)
  })
})
