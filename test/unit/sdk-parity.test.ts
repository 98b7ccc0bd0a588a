import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createClient, CredctlError, type Client } from '../../src/index.js'
import { editVaultFile } from '../helpers/vault-file.js'

/**
 * Issue 13, point 3: what the CLI does, an SDK user does with createClient() alone. Two real vaults
 * (env-key, temp dirs, different keys); no CLI module is imported here.
 */

const PASS = 'correct horse battery staple'
const OPENAI = 'sk-proj-CANARYparity0123456789abcdefgh'
const PG = 'postgresql://app:CANARYpgParity77@db.internal:5432/wh'
const PG_PASSWORD = 'CANARYpgParity77'

let dir: string
let a: Client
let b: Client
const KEY_A = randomBytes(32).toString('base64')
const KEY_B = randomBytes(32).toString('base64')

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'credctl-sdk-parity-'))
  a = createClient({ vault: path.join(dir, 'a', 'vault.json'), env: { CREDCTL_MASTER_KEY: KEY_A } })
  b = createClient({ vault: path.join(dir, 'b', 'vault.json'), env: { CREDCTL_MASTER_KEY: KEY_B } })
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

/** Expect a CredctlError with this code (and the promise to reject). */
async function rejectsWith(p: Promise<unknown>, code: string): Promise<CredctlError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  )
  expect(e, `expected ${code}`).toBeInstanceOf(CredctlError)
  expect((e as CredctlError).code).toBe(code)
  return e as CredctlError
}

async function fillA(): Promise<void> {
  await a.credentials.create({ name: 'OpenAI Prod', type: 'openai', value: OPENAI, description: 'prod', base_url: 'https://gw.example.com/v1', expires_at: '2031-01-01' })
  await a.credentials.create({ name: 'wh', type: 'postgresql', value: PG })
  const gone = await a.credentials.create({ name: 'old', type: 'anthropic', value: 'sk-ant-api03-CANARYgone0123456789abcdef' })
  await a.credentials.delete(gone.id)
}

describe('export and import bundles through the SDK', () => {
  it('exports every active credential and imports them into a vault with another key, values and metadata kept', async () => {
    await fillA()
    let asked = 0
    const { text, credentials } = await a.credentials.exportBundle(async () => (asked++, PASS), { detail: 'to parity.credctl' })
    expect(asked).toBe(1)
    expect(credentials.map((c) => c.name).sort()).toEqual(['OpenAI Prod', 'wh'])
    expect(text.startsWith('credctl-bundle/1\n')).toBe(true)
    for (const s of [OPENAI, PG, PG_PASSWORD]) expect(text).not.toContain(s)
    expect((await a.credentials.history({ actions: ['export'] })).at(-1)).toMatchObject({ action: 'export', detail: expect.stringContaining('to parity.credctl') })

    const dry = await b.credentials.importBundle(text, PASS, { dryRun: true })
    expect(dry.dry_run).toBe(true)
    expect(dry.created.map((c) => c.credential.name).sort()).toEqual(['OpenAI Prod', 'wh'])
    expect(existsSync(path.join(dir, 'b', 'vault.json'))).toBe(false)

    const progress: number[] = []
    const report = await b.credentials.importBundle(text, PASS, { detail: 'bundle parity.credctl', onProgress: (done) => progress.push(done) })
    expect(report.skipped).toEqual([])
    expect(progress.at(-1)).toBe(2)
    expect(await b.credentials.reveal('OpenAI Prod')).toBe(OPENAI)
    expect(await b.credentials.reveal('wh')).toBe(PG)
    const got = await b.credentials.get('OpenAI Prod')
    const was = await a.credentials.get('OpenAI Prod')
    expect(got).toMatchObject({ id: was.id, description: 'prod', base_url: 'https://gw.example.com/v1', expires_at: was.expires_at, is_default: true, created_at: was.created_at })
    // Again: every name is taken now; skipped, or renamed with `rename`.
    expect((await b.credentials.importBundle(text, PASS)).skipped.map((s) => s.name).sort()).toEqual(['OpenAI Prod', 'wh'])
    const renamed = await b.credentials.importBundle(text, PASS, { rename: true })
    expect(renamed.created.map((c) => c.credential.name).sort()).toEqual(['OpenAI Prod (2)', 'wh (2)'])
  })

  it('asks for no passphrase on an empty vault or a damaged bundle; refuses a short or wrong one, writing nothing', async () => {
    const never = async (): Promise<string> => {
      throw new Error('the passphrase must not be asked')
    }
    await rejectsWith(a.credentials.exportBundle(never), 'NOT_FOUND')
    await fillA()
    await rejectsWith(a.credentials.exportBundle('short'), 'INVALID_INPUT')
    // Refused before anything was decrypted: no export entry.
    expect(await a.credentials.history({ actions: ['export'] })).toEqual([])
    const { text } = await a.credentials.exportBundle(PASS)
    await rejectsWith(b.credentials.importBundle(text.replace('credctl-bundle/1', 'credctl-bundle/9'), never), 'INVALID_INPUT')
    await rejectsWith(b.credentials.importBundle(text.slice(0, -20), never), 'INVALID_INPUT')
    await rejectsWith(b.credentials.importBundle(text, 'not the passphrase'), 'KEY_WRONG')
    expect(await b.credentials.list()).toEqual([])
  })

  it('round-trips any set of credentials byte for byte (generated names and values)', async () => {
    const name = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.-]{0,24}$/)
    const value = fc.stringMatching(/^[A-Za-z0-9_-]{20,80}$/).map((s) => `sk-proj-${s}`)
    let run = 0
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.tuple(name, value), { minLength: 1, maxLength: 6, selector: ([n]) => n }), async (creds) => {
        run++
        const src = createClient({ vault: path.join(dir, `p${run}`, 'a.json'), env: { CREDCTL_MASTER_KEY: KEY_A } })
        const dst = createClient({ vault: path.join(dir, `p${run}`, 'b.json'), env: { CREDCTL_MASTER_KEY: KEY_B } })
        for (const [n, v] of creds) await src.credentials.create({ name: n, type: 'openai', value: v })
        const { text } = await src.credentials.exportBundle(PASS)
        const report = await dst.credentials.importBundle(text, PASS)
        expect(report.created).toHaveLength(creds.length)
        for (const [n, v] of creds) expect(await dst.credentials.reveal(n)).toBe(v)
      }),
      { numRuns: 4 },
    )
  })
})

describe('recover through the SDK', () => {
  /**
   * Replace the end of the ciphertext of the named records, as an outsider would: the stored MACs stay,
   * so each edited record also fails its record MAC. By name, not position: format 2 keeps records
   * sorted by id, so the creation order is not the file's order.
   */
  const damage = (...names: string[]) =>
    editVaultFile(path.join(dir, 'a', 'vault.json'), (doc) => {
      for (const n of names) {
        const r = doc.credentials.find((c) => c.name === n)!
        r.secret = r.secret.replace(/.{8}$/, 'AAAAAAAA')
      }
    })

  it('seals what still decrypts in a bundle another vault imports; says what was lost', async () => {
    await fillA()
    damage('wh')
    // Format 2: a reader checks the head MAC and only the records it uses, so the damaged record stops
    // whoever uses it and `status` (every record); the intact one still reveals.
    await rejectsWith(a.credentials.reveal('wh'), 'VAULT_DAMAGED')
    expect(await a.credentials.reveal('OpenAI Prod')).toBe(OPENAI)
    expect((await a.status()).integrity?.status).toBe('failed')
    const { text, report, notes } = await a.credentials.recoverBundle(PASS, { detail: 'to rescue.credctl' })
    expect(report.entries.map((e) => e.name)).toEqual(['OpenAI Prod'])
    expect(notes).toEqual(expect.arrayContaining([expect.stringMatching(/^Not recovered: wh \(/), 'Left out 1 soft-deleted credential']))
    expect(JSON.stringify(notes)).not.toContain(PG_PASSWORD)
    await b.credentials.importBundle(text, PASS)
    expect(await b.credentials.reveal('OpenAI Prod')).toBe(OPENAI)
  })

  it('nothing recoverable: VAULT_DAMAGED after the lost records went to onWarning; no passphrase asked', async () => {
    await fillA()
    damage('OpenAI Prod', 'wh')
    const warned: string[] = []
    const e = await rejectsWith(
      a.credentials.recoverBundle(async () => {
        throw new Error('the passphrase must not be asked')
      }, { onWarning: (l) => warned.push(l) }),
      'VAULT_DAMAGED',
    )
    expect(e.message).toBe('nothing to recover: all 2 records are damaged; nothing was written')
    expect(warned.filter((w) => w.startsWith('Not recovered: '))).toHaveLength(2)
  })
})

describe('run planning, routing and the child environment through the SDK', () => {
  it('plans like `run`: defaults, --env as a record or pairs, env files; the view holds no value', async () => {
    await fillA()
    await a.credentials.create({ name: 'Stripe Prod', type: 'api_key', value: 'rk_live_CANARYstripe0123456789' })
    const files = [{ file: '.env.credctl', text: 'DB=credctl://wh\nWEBHOOK=https://hooks.example.com/T0/B0/CANARYhookSecret123456\nMODE=dev\n' }]
    const plan = await a.credentials.planRun({ env: { MY_KEY: 'OpenAI Prod' }, files })
    const byVar = Object.fromEntries(plan.vars.map((v) => [v.variable, [v.credential.name, v.source]]))
    expect(byVar).toMatchObject({ MY_KEY: ['OpenAI Prod', 'env'], OPENAI_API_KEY: ['OpenAI Prod', 'default'], DATABASE_URL: ['wh', 'default'], DB: ['wh', 'file'], STRIPE_PROD_API_KEY: ['Stripe Prod', 'default'] })
    expect(plan.baseUrls.map((u) => [u.variable, u.url])).toEqual([['OPENAI_BASE_URL', 'https://gw.example.com/v1']])
    expect(plan.literals.map((l) => l.variable).sort()).toEqual(['MODE', 'WEBHOOK'])
    // The same plan from `VAR=NAME` pairs (the --env form) and from { variable, ref } pairs.
    for (const env of [['MY_KEY=OpenAI Prod'], [{ variable: 'MY_KEY', ref: 'OpenAI Prod' }]]) {
      expect((await a.credentials.planRun({ env, files })).vars).toEqual(plan.vars)
    }
    const view = await a.credentials.describePlan(plan)
    const json = JSON.stringify(view)
    for (const s of [OPENAI, PG_PASSWORD, 'CANARYhookSecret123456', 'CANARYstripe']) expect(json).not.toContain(s)
    expect(view.variables.find((v) => v.variable === 'MODE')?.masked_content).toBe('dev')
    expect(view.variables.find((v) => v.variable === 'DB')?.source).toBe('.env.credctl:1')
    // --no-defaults: only what is named.
    const only = await a.credentials.planRun({ files, defaults: false })
    expect(only.vars.map((v) => v.variable)).toEqual(['DB'])
    expect(only.noDefaults).toBe(true)
  })

  it('refuses what `run` refuses, with its codes', async () => {
    await fillA()
    await rejectsWith(a.credentials.planRun({ env: { PATH: 'OpenAI Prod' } }), 'USAGE')
    await rejectsWith(a.credentials.planRun({ env: ['NOEQUALS'] }), 'USAGE')
    await rejectsWith(a.credentials.planRun({ env: { K: 'old' } }), 'NOT_FOUND')
    await rejectsWith(a.credentials.planRun({ only: ['nope'] }), 'INVALID_INPUT')
    await rejectsWith(a.credentials.planRun({ only: ['openai'], defaults: false }), 'USAGE')
    const e = await rejectsWith(a.credentials.planRun({ files: [{ file: 'x.env', text: 'A=credctl://missing\n' }] }), 'NOT_FOUND')
    expect(e.message).toContain('x.env:1')
  })

  it('prepares a run: one history entry, warnings, secrets to conceal, a scrubbed child env, temporary files removed', async () => {
    await fillA()
    await a.credentials.create({ name: 'expired', type: 'mistral', value: 'CANARYmistral0123456789abcdefghij', expires_at: '2020-01-01' })
    const plan = await a.credentials.planRun()
    const prep = await a.credentials.prepareRun(plan, { program: 'app', files: [] })
    expect(prep.credentials.map((c) => c.name).sort()).toEqual(['OpenAI Prod', 'expired', 'wh'])
    expect(prep.warnings).toEqual([expect.stringContaining('"expired" (mistral), injected as MISTRAL_API_KEY, expired on 2020-01-01')])
    expect(prep.secrets).toContain(PG_PASSWORD)
    expect(prep.secrets).toContain(OPENAI)
    expect(prep.secrets).not.toContain('db.internal')
    const h = (await a.credentials.history({ actions: ['run'] })).at(-1)!
    expect(h.detail).toMatch(/^app: /)
    expect(h.credentials.map((c) => c.name).sort()).toEqual(['OpenAI Prod', 'expired', 'wh'])
    const m = await prep.materialize()
    const env = m.childEnv({ PATH: '/usr/bin', CREDCTL_MASTER_KEY: KEY_A, CREDCTL_VAULT: 'v', OPENAI_API_KEY: 'old' })
    expect(env).toMatchObject({ PATH: '/usr/bin', OPENAI_API_KEY: OPENAI, OPENAI_BASE_URL: 'https://gw.example.com/v1', DATABASE_URL: PG })
    expect(Object.keys(env).filter((k) => k.startsWith('CREDCTL_'))).toEqual([])
    await m.cleanup()
  })

  it('a service-account JSON becomes a 0600 file that cleanup removes', async () => {
    const sa = JSON.stringify({ type: 'service_account', project_id: 'p', private_key_id: 'k', private_key: '-----BEGIN PRIVATE KEY-----\nCANARYsa\n-----END PRIVATE KEY-----\n', client_email: 'x@p.iam.gserviceaccount.com', client_id: '1', token_uri: 'https://oauth2.googleapis.com/token' })
    await a.credentials.create({ name: 'bq', type: 'bigquery', value: sa })
    const m = await (await a.credentials.prepareRun(await a.credentials.planRun(), { program: 'app' })).materialize()
    const file = m.vars.GOOGLE_APPLICATION_CREDENTIALS!
    expect(readFileSync(file, 'utf8')).toBe(sa)
    await m.cleanup()
    expect(existsSync(file)).toBe(false)
  })

  it('the routing check: a vault changed between plan and prepare hands out nothing', async () => {
    await fillA()
    const plan = await a.credentials.planRun()
    await a.credentials.update('OpenAI Prod', { base_url: 'https://other.example.com/v1' })
    await rejectsWith(a.credentials.prepareRun(plan, { program: 'app' }), 'VAULT_DAMAGED')
  })

  it('no vault at all: nothing injected, a notice naming the vault, and no vault created', async () => {
    const prep = await a.credentials.prepareRun(await a.credentials.planRun(), { program: 'app' })
    expect(prep.credentials).toEqual([])
    expect(prep.warnings).toEqual([expect.stringContaining(`no vault yet at ${path.join(dir, 'a', 'vault.json')}: app runs with nothing injected`)])
    expect(existsSync(path.join(dir, 'a'))).toBe(false)
  })
})
