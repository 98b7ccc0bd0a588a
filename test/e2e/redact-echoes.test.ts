import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, tempVault } from '../helpers/cli.js'
import { startServer, type TestServer } from '../helpers/http-server.js'

// Security review, finding 1, through the built CLI and a real local HTTP server: a server whose error
// message echoes the key in two pieces, or percent-encoded, must leave no readable part of the key in
// validate's stdout, in `get --json`, or in the vault file's bytes (validation_message is stored in
// the clear).
const KEY = 'kAbCdEfGhIjKlMnOpQrStUvWxYz0123456789xyzW'
const hexAll = (s: string) => [...Buffer.from(s)].map((b) => `%${b.toString(16).padStart(2, '0')}`).join('')

/** Every 5-character piece of the key: none may show anywhere (the old code let 19 in a row through). */
function expectNoPiece(where: string, text: string) {
  for (let i = 0; i + 5 <= KEY.length; i++) expect(text.includes(KEY.slice(i, i + 5)), `${where} holds ${KEY.slice(i, i + 5)}`).toBe(false)
  for (let i = 0; i + 15 <= hexAll(KEY).length; i += 3) expect(text.toLowerCase().includes(hexAll(KEY).slice(i, i + 15)), `${where} holds encoded key`).toBe(false)
}

describe('a server echoing the key in pieces or encoded leaks none of it (built CLI)', () => {
  const v = tempVault('credctl-echoes')
  let server: TestServer

  beforeAll(async () => {
    server = await startServer((req) => {
      const sent = (req.headers.authorization ?? '').replace(/^Bearer /, '')
      const echo = req.path === '/halves' ? `${sent.slice(0, 19)} ... ${sent.slice(20, 39)}` : req.path === '/lower' ? hexAll(sent) : hexAll(sent).toUpperCase()
      return { status: 401, body: { error: { message: `bad key ${echo}` } } }
    })
  })
  afterAll(async () => {
    await server.close()
    v.cleanup()
  })

  it.each([
    ['halves', 'bad key **** ... ****'],
    ['lower', 'bad key ****'],
    ['upper', 'bad key ****'],
  ])('%s: stdout, get --json and the vault file', async (path, shown) => {
    const name = `echo-${path}`
    const made = await runCli(['create', '--name', name, '--type', 'api_key', '--check-url', `${server.url}/${path}`, '--value-stdin'], { env: v.env, input: KEY })
    expect(made.code, made.stderr).toBe(0)
    const checked = await runCli(['validate', name], { env: v.env })
    expect(checked.code, checked.stderr).toBe(1)
    // The server was reached and its words are quoted, with the key gone.
    expect(checked.stdout).toContain(shown)
    const got = await runCli(['get', name, '--json'], { env: v.env })
    expect(got.code, got.stderr).toBe(0)
    expect((JSON.parse(got.stdout) as { validation_message: string }).validation_message).toContain(shown)
    const file = readFileSync(v.vault).toString('latin1')
    expect(file).toContain(shown)
    // The mask shows a quarter of the key by design (kAbCd...xyzW): everything else must hold none of it.
    const masked = (JSON.parse(got.stdout) as { masked_content: string }).masked_content
    expect(masked).toBe('kAbCd...xyzW')
    for (const [where, text] of [['validate stdout', checked.stdout], ['validate stderr', checked.stderr], ['get --json', got.stdout], ['vault file', file]] as const) expectNoPiece(where, text.replaceAll(masked, '<mask>'))
  })
})
