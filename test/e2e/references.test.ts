import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { assertNoLeak, runCli, tempVault } from '../helpers/cli.js'

/**
 * `run --dotenv` and `inject` through the built CLI: a realistic .env reproduced byte for byte in a
 * real child process, exit 3 before anything starts on a missing reference, inject's 0600 atomic write.
 * The child writes what it received to a file outside the vault's directory (never to credctl's
 * stdout), so credctl's own stdout, stderr, history and vault are checked for the canaries.
 */
const OPENAI = 'sk-proj-CANARYrefsE2E0123456789abcdefghij'
const PG = 'postgresql://app:CANARYrefsPG@db.internal:5432/app'
const STRIPE = 'sk_live_CANARYrefsStripe0123456789abcd'
const GH = 'ghp_CANARYrefsGitHub0123456789abcdefghij'
const SECRETS = [OPENAI, 'CANARYrefsPG', STRIPE, GH]

let t: ReturnType<typeof tempVault>
let scratch: string
beforeEach(() => {
  t = tempVault('credctl-refs')
  scratch = mkdtempSync(path.join(tmpdir(), 'credctl-refs-out-'))
})
afterEach(() => {
  t.cleanup()
  rmSync(scratch, { recursive: true, force: true })
})

const outputs: string[] = []
const cli = async (args: string[], input?: string) => {
  const r = await runCli(args, { env: t.env, ...(input !== undefined ? { input } : {}) })
  outputs.push(r.stdout, r.stderr)
  return r
}
const create = async (name: string, type: string, value: string) => expect((await cli(['create', '--name', name, '--type', type, '--value-stdin'], value)).code).toBe(0)
const history = async () => JSON.parse((await cli(['history', '--json'])).stdout) as { action: string; credentials: { name: string }[]; detail?: string }[]

/** CMD: writes its whole environment as JSON to argv[1]. */
const DUMP = "require('node:fs').writeFileSync(process.argv[1], JSON.stringify(process.env))"

/** The child's environment minus what the test harness gave credctl (which passes it on unchanged). */
function received(file: string): Record<string, string> {
  const env = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>
  rmSync(file)
  for (const k of Object.keys(t.env)) if (!k.startsWith('CREDCTL_')) delete env[k]
  return env
}

describe('run --dotenv and inject (built CLI)', () => {
  afterEach(() => assertNoLeak(SECRETS, outputs.splice(0), t.dir))

  it('reproduces a realistic .env (quotes, multi-line, comments, export, CRLF, encoded and raw names) byte for byte', async () => {
    await create('OpenAI Prod', 'openai', OPENAI)
    await create('analytics db', 'postgresql', PG)
    await create('Stripe 100% live', 'api_key', STRIPE)
    await create('gh', 'api_key', GH)
    const ghId = (JSON.parse((await cli(['get', 'gh', '--json'])).stdout) as { id: string }).id
    const envFile = path.join(scratch, '.env.credctl')
    const lines = [
      '# app settings',
      'NODE_ENV=production',
      'export PORT=3000',
      'LOG_LEVEL = info   # trailing comment',
      'GREETING="hello \\"world\\"\\tand a tab"',
      "SINGLE='$HOME stays \\n literal'",
      'MULTI="line one',
      'line two"',
      'EMPTY=',
      'PUBLIC_URL=https://example.com/path?q=1#frag',
      '',
      'OPENAI_API_KEY=credctl://OpenAI%20Prod',
      'export DATABASE_URL="credctl://analytics db"   # raw space, in quotes',
      "STRIPE_SECRET_KEY='credctl://Stripe%20100%25%20live'",
      `GITHUB_TOKEN=credctl://${ghId}`,
      'MENTION=not a ref: credctl://OpenAI%20Prod',
    ]
    writeFileSync(envFile, `${lines.join('\r\n')}\r\n`)
    const local = path.join(scratch, '.env.local')
    writeFileSync(local, 'LOG_LEVEL=debug\nPORT=4000\n')
    const dump = path.join(scratch, 'env.json')
    const r = await cli(['run', '--no-defaults', '--dotenv', envFile, '--dotenv', local, '--', process.execPath, '-e', DUMP, dump])
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' })
    expect(received(dump)).toEqual({
      NODE_ENV: 'production',
      PORT: '4000', // the later file wins
      LOG_LEVEL: 'debug',
      GREETING: 'hello "world"\tand a tab',
      SINGLE: '$HOME stays \\n literal',
      MULTI: 'line one\nline two',
      EMPTY: '',
      PUBLIC_URL: 'https://example.com/path?q=1#frag',
      OPENAI_API_KEY: OPENAI,
      DATABASE_URL: PG,
      STRIPE_SECRET_KEY: STRIPE,
      GITHUB_TOKEN: GH,
      MENTION: 'not a ref: credctl://OpenAI%20Prod',
    })

    // With the defaults (no --no-defaults): POSTGRES_URL comes from the postgresql default; --env overrides a file.
    const r2 = await cli(['run', '--dotenv', envFile, '--env', 'DATABASE_URL=OpenAI Prod', '--', process.execPath, '-e', DUMP, dump])
    expect(r2.code).toBe(0)
    expect(received(dump)).toMatchObject({ DATABASE_URL: OPENAI, POSTGRES_URL: PG, OPENAI_API_KEY: OPENAI, NODE_ENV: 'production' })

    // One history entry for the run, listing its credentials, naming the variables, the program and the files; never a value.
    const runs = (await history()).filter((e) => e.action === 'run')
    expect(runs[0]!.credentials.map((c) => c.name).sort()).toEqual(['OpenAI Prod', 'Stripe 100% live', 'analytics db', 'gh'].sort())
    expect(runs[0]!.detail).toMatch(/^node: /)
    expect(runs[0]!.detail).toContain(`(env files ${envFile}, ${local})`)
    for (const v of ['OPENAI_API_KEY', 'DATABASE_URL', 'STRIPE_SECRET_KEY', 'GITHUB_TOKEN']) expect(runs[0]!.detail).toContain(v)

    // --dry-run lists the files' variables with masked values and where each comes from, never a value.
    const dry = await cli(['run', '--no-defaults', '--dotenv', envFile, '--dry-run', '--json'])
    expect(dry.code).toBe(0)
    const vars = (JSON.parse(dry.stdout) as { variables: { variable: string; source: string; masked_content: string }[] }).variables
    expect(Object.fromEntries(vars.map((v) => [v.variable, v.source]))).toMatchObject({ OPENAI_API_KEY: `${envFile}:12`, DATABASE_URL: `${envFile}:13`, NODE_ENV: `${envFile}:2`, MULTI: `${envFile}:7` })
    // Configuration is shown as written; only what the secret rule calls a secret is masked (F6).
    expect(vars.find((v) => v.variable === 'NODE_ENV')!.masked_content).toBe('production')
  })

  it('never takes --env-file, which Node.js itself reads before credctl starts: exit 2 pointing to --dotenv; after -- it is the command\'s', async () => {
    const f = path.join(scratch, 'plain.env')
    writeFileSync(f, 'A=1\n')
    for (const args of [['run', '--env-file', f, '--', 'true'], ['run', `--env-file=${f}`, '--', 'true'], ['run', '--env-file-if-exists', f, '--', 'true']]) {
      const r = await cli(args)
      expect(r.code).toBe(2)
      expect(r.stderr).toMatch(/^credctl: --env-file[a-z-]* is read by Node\.js itself.*use `credctl run --dotenv FILE`/)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
    }
    const dump = path.join(scratch, 'argv.json')
    // (not a node child: Node would read the argument itself there too)
    const r = await cli(['run', '--dotenv', f, '--', 'sh', '-c', 'printf "%s\\n" "$@" > "$0"', dump, '--env-file', 'x'])
    expect(r.code).toBe(0)
    expect(readFileSync(dump, 'utf8')).toBe('--env-file\nx\n')
  })

  it('a missing or deleted reference stops everything before CMD starts: exit 3 naming the reference and FILE:LINE', async () => {
    await create('OpenAI Prod', 'openai', OPENAI)
    await create('old', 'api_key', STRIPE)
    expect((await cli(['delete', 'old'])).code).toBe(0)
    const marker = path.join(scratch, 'started')
    const START = `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'x')`
    const before = (await history()).length
    for (const [text, message] of [
      ['A=1\nOPENAI_API_KEY=credctl://OpenAI%20Prod\nGONE=credctl://Nope%20Here\n', ':3: credctl://Nope%20Here: no credential named "Nope Here"'],
      ['\n\nOLD="credctl://old"\n', ':3: credctl://old: no credential named "old" (it is deleted, and deleted credentials are never injected)'],
    ] as const) {
      const f = path.join(scratch, 'f.env')
      writeFileSync(f, text)
      const r = await cli(['run', '--dotenv', f, '--', process.execPath, '-e', START])
      expect(r.code).toBe(3)
      expect(r.stdout).toBe('')
      expect(r.stderr).toBe(`credctl: ${f}${message} (see \`credctl list\`)\n`)
      expect(existsSync(marker)).toBe(false)
    }
    // A variable credctl never sets, even as a literal: exit 2, nothing run.
    const g = path.join(scratch, 'g.env')
    writeFileSync(g, 'OK=1\nLD_PRELOAD=/tmp/x.so\n')
    const r = await cli(['run', '--dotenv', g, '--', process.execPath, '-e', START])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(new RegExp(`^credctl: ${g.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:2: LD_PRELOAD changes how programs are loaded or found`))
    expect(existsSync(marker)).toBe(false)
    // Nothing was handed out, so nothing was recorded.
    expect((await history()).length).toBe(before)
  })

  it('with no vault yet, a file of literals runs as it is and creates nothing; a reference is exit 3', async () => {
    const f = path.join(scratch, 'ci.env')
    writeFileSync(f, 'CI=true\nREGION="eu west"\n')
    const dump = path.join(scratch, 'env.json')
    const r = await cli(['run', '--dotenv', f, '--', process.execPath, '-e', DUMP, dump])
    expect(r).toMatchObject({ code: 0, stdout: '', stderr: '' })
    expect(received(dump)).toEqual({ CI: 'true', REGION: 'eu west' })
    expect(existsSync(path.dirname(t.vault))).toBe(false)
    writeFileSync(f, 'CI=true\nKEY=credctl://OpenAI%20Prod\n')
    expect(await cli(['run', '--dotenv', f, '--', process.execPath, '-e', DUMP, dump])).toMatchObject({ code: 3, stderr: `credctl: ${f}:2: credctl://OpenAI%20Prod: no credential named "OpenAI Prod" (see \`credctl list\`)\n` })
    expect(existsSync(dump)).toBe(false)
  })

  it('an output never replaces the vault\'s key file (file key source), even with --force', async () => {
    const keyFile = path.join(scratch, 'keys', 'credctl.key')
    const env = { ...t.env, CREDCTL_KEY_FILE: keyFile }
    delete (env as Record<string, string | undefined>).CREDCTL_MASTER_KEY
    expect((await runCli(['create', '--name', 'OpenAI Prod', '--type', 'openai', '--value-stdin'], { env, input: OPENAI })).code).toBe(0)
    const key = readFileSync(keyFile, 'utf8')
    const tpl = path.join(scratch, 't.tpl')
    writeFileSync(tpl, 'k: {{ credctl://OpenAI%20Prod }}\n')
    // Later commands find the key file from the vault's header, without CREDCTL_KEY_FILE.
    const later = { ...env }
    delete (later as Record<string, string | undefined>).CREDCTL_KEY_FILE
    for (const e of [env, later]) {
      for (const args of [['inject', '-i', tpl, '-o', keyFile, '--force'], ['inject', '-i', tpl, '-o', `${keyFile}.next`, '--force'], ['export', '--output', keyFile, '--force']]) {
        const r = await runCli(args, { env: { ...e, CREDCTL_EXPORT_PASSPHRASE: 'a long enough passphrase' } })
        expect(r.code, r.stderr).toBe(2)
        expect(r.stderr).toMatch(/is the vault's key file/)
      }
    }
    expect(readFileSync(keyFile, 'utf8')).toBe(key)
    // Refused before anything was decrypted: no inject was recorded (checkOutputTarget runs first).
    const hist = JSON.parse((await runCli(['history', '--json'], { env: later })).stdout) as { action: string }[]
    expect(hist.filter((h) => h.action === 'inject')).toEqual([])
    expect((await runCli(['reveal', 'OpenAI Prod'], { env: later })).stdout).toBe(OPENAI)
  })

  it('inject writes 0600 atomically, refuses to overwrite without --force, writes nothing on a missing reference', async () => {
    await create('OpenAI Prod', 'openai', OPENAI)
    await create('analytics db', 'postgresql', PG)
    const tpl = path.join(scratch, 'config.yaml.tpl')
    const text = 'openai:\r\n  key: "{{ credctl://OpenAI%20Prod }}"\r\ndb: {{credctl://analytics db}}\t# {{ .Values.keep }}\r\n'
    writeFileSync(tpl, text)
    const expected = `openai:\r\n  key: "${OPENAI}"\r\ndb: ${PG}\t# {{ .Values.keep }}\r\n`
    const out = path.join(scratch, 'config.yaml')
    const listing = () => readdirSync(scratch).sort()

    const r = await cli(['inject', '-i', tpl, '-o', out])
    expect(r).toMatchObject({ code: 0, stdout: '' })
    expect(r.stderr).toBe(`Wrote ${out} (mode 0600): 2 credentials filled in (OpenAI Prod, analytics db)\n`)
    expect(readFileSync(out, 'utf8')).toBe(expected)
    expect(statSync(out).mode & 0o777).toBe(0o600)
    expect(listing()).toEqual(['config.yaml', 'config.yaml.tpl'])

    // No --force: refused, the file unchanged.
    writeFileSync(out, 'mine')
    chmodSync(out, 0o644)
    const again = await cli(['inject', '-i', tpl, '-o', out])
    expect(again).toMatchObject({ code: 2, stdout: '', stderr: `credctl: --output ${out} already exists: pass --force to replace it\n` })
    expect(readFileSync(out, 'utf8')).toBe('mine')
    // --force: replaced by a new 0600 file.
    expect((await cli(['inject', '-i', tpl, '-o', out, '--force'])).code).toBe(0)
    expect(readFileSync(out, 'utf8')).toBe(expected)
    expect(statSync(out).mode & 0o777).toBe(0o600)
    // The template itself is never the output.
    expect((await cli(['inject', '-i', tpl, '-o', tpl, '--force'])).code).toBe(2)
    expect(readFileSync(tpl, 'utf8')).toBe(text)

    // A missing reference: exit 3 naming FILE:LINE, nothing written (also with --force), no temp file left.
    const bad = path.join(scratch, 'bad.tpl')
    writeFileSync(bad, 'a: {{ credctl://OpenAI%20Prod }}\nb: {{ credctl://missing }}\n')
    const before = listing()
    const missing = await cli(['inject', '-i', bad, '-o', path.join(scratch, 'new.yaml')])
    expect(missing).toMatchObject({ code: 3, stdout: '', stderr: `credctl: ${bad}:2: {{ credctl://missing }}: no credential named "missing" (see \`credctl list\`)\n` })
    expect((await cli(['inject', '-i', bad, '-o', out, '--force'])).code).toBe(3)
    expect(readFileSync(out, 'utf8')).toBe(expected)
    expect(listing()).toEqual(before)
    // Nor to stdout.
    expect(await cli(['inject', '-i', bad])).toMatchObject({ code: 3, stdout: '' })

    // stdout: the filled-in template byte for byte (read here, not added to the canary-checked outputs).
    const piped = await runCli(['inject', '-i', '-'], { env: t.env, input: text })
    expect(piped).toMatchObject({ code: 0, stdout: expected, stderr: '' })

    const injects = (await history()).filter((e) => e.action === 'inject')
    // One entry per inject, listing its credentials and the lines of each one's placeholders.
    const both = ['OpenAI Prod', 'analytics db']
    expect(injects.map((e) => [e.credentials.map((c) => c.name), e.detail])).toEqual([
      [both, `${tpl}: "OpenAI Prod" at line 2; "analytics db" at line 3 to config.yaml`],
      [both, `${tpl}: "OpenAI Prod" at line 2; "analytics db" at line 3 to config.yaml`],
      [both, 'stdin: "OpenAI Prod" at line 2; "analytics db" at line 3 to stdout'],
    ])
  })
})
