import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { assertNoLeak, BIN, runCli, tempVault } from '../helpers/cli.js'
import { hasTmux, TmuxTerminal } from '../helpers/tmux.js'
import { mustRun } from '../helpers/keyring.js'

/**
 * Interactive prompts in a REAL pseudo-terminal: tmux runs the built CLI in a detached session on a
 * private socket; the test types with send-keys and reads the screen (with scrollback) with
 * capture-pane. This is what a user sees, so "the secret never appears on the screen" is checked on
 * the actual terminal contents, not on a mocked prompt.
 */
if (!hasTmux && mustRun) throw new Error('tmux is required in CI for the prompt tests (.ci/run installs it)')

const SECRET = 'sk-proj-CANARYprompt0123456789abcdefghijk'

/** `credctl ...args` in a fresh 120x40 terminal (test/helpers/tmux.ts) with the test vault's env. */
class Term extends TmuxTerminal {
  private readonly t: ReturnType<typeof tempVault>
  constructor(t: ReturnType<typeof tempVault>) {
    super()
    this.t = t
  }

  /** With `rawFile`, every byte the program writes to the terminal is appended there too, from its first. */
  run(args: string[], extraEnv: Record<string, string> = {}, rawFile?: string): void {
    const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`
    this.start([`${q(process.execPath)} ${q(BIN)} ${args.map(q).join(' ')}`], { ...this.t.env, ...extraEnv }, rawFile ? { capture: rawFile } : {})
  }
}

let t: ReturnType<typeof tempVault>
let term: Term
beforeEach(() => {
  t = tempVault('credctl-tty')
  term = new Term(t)
})
afterEach(() => {
  term.close()
  t.cleanup()
})

const noStackTrace = (screen: string) => {
  expect(screen).not.toMatch(/^\s+at .+\(.+:\d+:\d+\)$/m)
  expect(screen).not.toMatch(/internal error|ExitPromptError|Unhandled/)
}

describe.skipIf(!hasTmux)('interactive prompts in a real terminal (tmux)', () => {
  it('create asks for category, type, name and a hidden value; the secret is stored and never on screen', async () => {
    term.run(['create'])
    await term.waitFor(/Category/)
    term.keys('Enter') // llm
    await term.waitFor(/Type/)
    expect(term.screen()).toContain('GPT-4, GPT-4o') // the type list shows descriptions
    term.keys('Enter') // openai
    await term.waitFor(/Name/)
    term.type('Prompted Key')
    term.keys('Enter')
    await term.waitFor(/Value for Prompted Key/)
    term.type(SECRET)
    expect(term.screen()).not.toMatch(/\*{10,}/) // nothing per character, not even a mask
    term.keys('Enter')
    await term.waitFor(/Description \(optional\)/)
    term.type('typed at a prompt')
    term.keys('Enter')
    // The first openai credential becomes the default anyway: no question about it.
    await term.waitFor(/Validate it now/)
    expect(term.screen()).not.toContain('Make it the default')
    term.type('n')
    term.keys('Enter')
    expect(await term.exitCode()).toBe(0)
    const screen = term.screen()
    expect(screen).toContain('Created Prompted Key (openai, sk-pr...hijk), default for its type')
    const got = JSON.parse((await runCli(['get', 'Prompted Key', '--json'], { env: t.env })).stdout)
    expect(got).toMatchObject({ description: 'typed at a prompt', is_default: true, is_valid: null })
    noStackTrace(screen)
    assertNoLeak([SECRET], [screen])
    const reveal = await runCli(['reveal', 'Prompted Key'], { env: t.env })
    expect(reveal).toMatchObject({ code: 0, stdout: SECRET })
    // And the value is stored only as ciphertext.
    assertNoLeak([SECRET], [], t.dir)
  })

  it('Ctrl-C at a prompt cancels: exit 130, nothing written, no stack trace', async () => {
    term.run(['create', '--type', 'openai', '--name', 'Half Typed'])
    await term.waitFor(/Value for Half Typed/)
    term.type(SECRET.slice(0, 20))
    await new Promise((r) => setTimeout(r, 300))
    term.keys('C-c')
    expect(await term.exitCode()).toBe(130)
    const screen = term.screen()
    noStackTrace(screen)
    expect(screen).toContain('cancelled')
    assertNoLeak([SECRET.slice(0, 20)], [screen])
    expect(existsSync(t.vault)).toBe(false)
    expect(existsSync(path.dirname(t.vault))).toBe(false)

    term.run(['create'])
    await term.waitFor(/Category/)
    term.keys('C-c')
    expect(await term.exitCode()).toBe(130)
    noStackTrace(term.screen())
    expect(existsSync(t.vault)).toBe(false)
  })

  it('purge asks for confirmation; "no" keeps the credential (exit 130), "yes" removes it', async () => {
    expect((await runCli(['create', '--name', 'Old Key', '--type', 'openai', '--value-stdin'], { env: t.env, input: SECRET })).code).toBe(0)
    term.run(['purge', 'Old Key'])
    await term.waitFor(/Remove Old Key \(openai, active, sk-pr\.\.\.\w+\) and its encrypted value for good\?/)
    term.type('n')
    term.keys('Enter')
    expect(await term.exitCode()).toBe(130)
    expect(term.screen()).toContain('not purged')
    expect((await runCli(['get', 'Old Key'], { env: t.env })).code).toBe(0)

    term.run(['purge', 'Old Key'])
    await term.waitFor(/for good\?/)
    term.type('y')
    term.keys('Enter')
    expect(await term.exitCode()).toBe(0)
    expect(term.screen()).toContain('Purged Old Key')
    expect((await runCli(['get', 'Old Key'], { env: t.env })).code).toBe(3)
  })

  it('delete without a NAME offers a selectable list', async () => {
    for (const name of ['First', 'Second']) {
      expect((await runCli(['create', '--name', name, '--type', 'anthropic', '--value-stdin'], { env: t.env, input: `sk-ant-${name}-0123456789abcdef` })).code).toBe(0)
    }
    term.run(['delete'])
    await term.waitFor(/Credential to delete/)
    term.keys('Down')
    term.keys('Enter')
    expect(await term.exitCode()).toBe(0)
    expect(term.screen()).toContain('Deleted Second')
    const list = JSON.parse((await runCli(['list', '--json'], { env: t.env })).stdout) as { name: string }[]
    expect(list.map((c) => c.name)).toEqual(['First'])
  })

  it('export asks for the bundle passphrase twice, hidden; import --bundle asks once', async () => {
    expect((await runCli(['create', '--name', 'k', '--type', 'openai', '--value-stdin'], { env: t.env, input: SECRET })).code).toBe(0)
    const PASS = 'tmux-CANARY-passphrase'
    const bundle = path.join(t.dir, 'team.credctl')
    term.run(['export', '--output', bundle])
    await term.waitFor(/New passphrase for the bundle \(at least 8 characters\)/)
    term.type('short')
    term.keys('Enter')
    await term.waitFor(/too short: at least 8 characters/)
    // A refused answer is dropped: the next one is typed on an empty line.
    term.type(PASS)
    term.keys('Enter')
    await term.waitFor(/Repeat the passphrase/)
    term.type(PASS)
    term.keys('Enter')
    expect(await term.exitCode()).toBe(0)
    const screen = term.screen()
    expect(screen).toContain('Exported 1 credential')
    assertNoLeak([PASS, SECRET], [screen])
    expect(existsSync(bundle)).toBe(true)

    const other = tempVault('credctl-tty-other')
    try {
      term.run(['--vault', other.vault, 'import', '--bundle', bundle], { CREDCTL_MASTER_KEY: other.key })
      await term.waitFor(/Bundle passphrase/)
      term.type(PASS)
      term.keys('Enter')
      expect(await term.exitCode()).toBe(0)
      assertNoLeak([PASS, SECRET], [term.screen()])
      const r = await runCli(['reveal', 'k'], { env: { ...other.env } })
      expect(r.stdout).toBe(SECRET)
    } finally {
      other.cleanup()
    }
  })

  it("a provider's message after \"validate now\" and names in a picker reach the terminal escaped", async () => {
    // The raw bytes on the terminal, not the rendered screen: an OSC 52 clipboard write is invisible
    // on the screen and would only show in the bytes.
    const OSC52 = '\u001b]52;c;cHduZWQ=\u0007'
    const server = createServer((_req, res) => res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `bad key${OSC52}\r\u001b[2Kall good` } })))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    try {
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`
      const raw = path.join(t.dir, 'create.raw')
      term.run(['create', '--type', 'openai', '--base-url', base], {}, raw)
      await term.waitFor(/Name/)
      term.type('o')
      term.keys('Enter')
      await term.waitFor(/Value for o/)
      term.type(SECRET)
      term.keys('Enter')
      await term.waitFor(/Description \(optional\)/)
      term.keys('Enter')
      await term.waitFor(/Validate it now/)
      term.keys('Enter') // yes
      expect(await term.exitCode()).toBe(0)
      expect(term.screen()).toContain('Validation: invalid: ')
      const bytes = readFileSync(raw, 'latin1')
      // (the provider check folds the \r into a space; the prompt library's own line erases are its UI)
      expect(bytes).toContain('bad key\\x1b]52;c;cHduZWQ=\\x07 \\x1b[2Kall good')
      expect(bytes).not.toContain('\u001b]52')
      expect(bytes).not.toContain('\u001b[2Kall good')

      // A picker lists names: a bidi override in one must not reorder the line it is shown on.
      // Such a name is refused at input now (exit 2); a vault written by an older credctl may still hold
      // one, so it is planted in the file (list and the picker read names without the key).
      const evil = 'gpj\u202Eexe.txt'
      expect((await runCli(['create', '--name', evil, '--type', 'anthropic', '--value-stdin'], { env: t.env, input: 'sk-ant-0123456789abcdefghij' })).code).toBe(2)
      expect((await runCli(['create', '--name', 'plain-name', '--type', 'anthropic', '--value-stdin'], { env: t.env, input: 'sk-ant-0123456789abcdefghij' })).code).toBe(0)
      writeFileSync(t.vault, readFileSync(t.vault, 'utf8').replace('"plain-name"', JSON.stringify(evil)))
      const rawPick = path.join(t.dir, 'pick.raw')
      term.run(['delete'], {}, rawPick)
      await term.waitFor(/gpj\\u202eexe\.txt/)
      term.keys('C-c')
      expect(await term.exitCode()).toBe(130)
      const pick = readFileSync(rawPick, 'utf8')
      expect(pick).toContain('gpj\\u202eexe.txt')
      expect(pick).not.toContain('\u202e')
    } finally {
      await new Promise<void>((r) => server.close(() => r()))
    }
  })
})

describe.skipIf(!hasTmux)('a past --expires on a terminal (issue 12, point 9)', () => {
  it('asks before anything is read or written: "no" is a cancel (exit 130, no vault), "yes" stores it', async () => {
    const file = path.join(t.dir, 'key.txt')
    writeFileSync(file, SECRET, { mode: 0o600 })
    const args = ['create', '--name', 'Late Key', '--type', 'openai', '--value-file', file, '--expires', '2020-01-01']
    term.run(args)
    await term.waitFor(/--expires 2020-01-01 is in the past: Late Key would show as expired at once\. Store it anyway\?/)
    term.type('n')
    term.keys('Enter')
    expect(await term.exitCode()).toBe(130)
    expect(term.screen()).toContain('not stored: --expires 2020-01-01 is in the past; nothing was written')
    expect(existsSync(t.vault)).toBe(false)
    noStackTrace(term.screen())

    term.run(args)
    await term.waitFor(/Store it anyway\?/)
    term.type('y')
    term.keys('Enter')
    expect(await term.exitCode()).toBe(0)
    const got = JSON.parse((await runCli(['get', 'Late Key', '--json'], { env: t.env })).stdout) as { expires_at: string }
    expect(got.expires_at).toBe('2020-01-01T00:00:00.000Z')
    expect(term.screen()).not.toContain(SECRET)
  })
})

/**
 * Issue 12, point 6: prompts that check each answer as it is given. Every refusal is asked again with
 * its reason under the prompt; Ctrl-C at any prompt is exit 130 with nothing written; hidden input
 * (values, passphrases, --value-stdin at a terminal) never reaches the screen.
 */
describe.skipIf(!hasTmux)('prompts check each answer as it is given (tmux)', () => {
  const create = (name: string, value = SECRET) => runCli(['create', '--name', name, '--type', 'openai', '--value-stdin'], { env: t.env, input: value })
  const names = async () => (JSON.parse((await runCli(['list', '--json'], { env: t.env })).stdout) as { name: string }[]).map((c) => c.name)
  /** The terminal echoes again after credctl ended: what is typed at the waiting shell shows. */
  const echoRestored = async () => {
    term.type('echo-is-back')
    await term.waitFor(/echo-is-back/, 5000)
  }
  const pause = (ms = 300) => new Promise((r) => setTimeout(r, ms))

  it('a taken name is refused as soon as it is typed, before the secret; a value of the wrong shape is refused with the reason and asked again', async () => {
    expect((await create('Taken')).code).toBe(0)
    term.run(['create', '--type', 'openai'])
    await term.waitFor(/Name/)
    term.type('Taken')
    term.keys('Enter')
    await term.waitFor(/a credential named "Taken" already exists/)
    expect(term.screen()).not.toContain('Value for')
    term.keys('C-u')
    term.type('-dash')
    term.keys('Enter')
    await term.waitFor(/starts with "-"/)
    term.keys('C-u')
    term.type('Fresh')
    term.keys('Enter')
    await term.waitFor(/Value for Fresh \(hidden\)/)
    const BAD = 'CANARYbadShape with spaces'
    term.type(BAD)
    term.keys('Enter')
    await term.waitFor(/invalid value for type openai: expected a non-empty key without whitespace/)
    // The refused value is dropped: the next attempt starts on an empty line.
    term.type(SECRET)
    term.keys('Enter')
    await term.waitFor(/Description \(optional\)/)
    const screen = term.screen()
    assertNoLeak([SECRET, BAD, 'CANARYbad'], [screen])
    noStackTrace(screen)
    term.keys('C-c') // at the description: nothing is written
    expect(await term.exitCode()).toBe(130)
    expect(await names()).toEqual(['Taken'])

    // A name given by flag is checked before the value is asked too.
    term.run(['create', '--type', 'openai', '--name', 'Taken'])
    expect(await term.exitCode()).toBe(2)
    expect(term.screen()).toMatch(/credctl: a credential named "Taken" already exists/)
    expect(term.screen()).not.toContain('Value for')
  })

  it('Ctrl-C at the name prompt: exit 130, nothing written', async () => {
    term.run(['create', '--type', 'openai'])
    await term.waitFor(/Name/)
    term.type('Half')
    term.keys('C-c')
    expect(await term.exitCode()).toBe(130)
    noStackTrace(term.screen())
    expect(existsSync(t.vault)).toBe(false)
  })

  it('update NAME with no flag on a terminal offers the hidden prompt (empty keeps the value); with a flag it asks nothing', async () => {
    expect((await create('k')).code).toBe(0)
    const NEW = 'sk-proj-CANARYupdated0123456789abcdefgh'
    term.run(['update', 'k'])
    await term.waitFor(/Value for k \(hidden, leave empty to keep the current one\)/)
    term.keys('Enter')
    expect(await term.exitCode()).toBe(0)
    expect(term.screen()).toContain('Nothing changed: k keeps its value')
    expect((await runCli(['reveal', 'k'], { env: t.env })).stdout).toBe(SECRET)

    term.run(['update', 'k'])
    await term.waitFor(/Value for k/)
    term.type('not a key')
    term.keys('Enter')
    await term.waitFor(/expected a non-empty key without whitespace/)
    term.type(NEW)
    term.keys('Enter')
    expect(await term.exitCode()).toBe(0)
    expect(term.screen()).toContain('Updated k')
    assertNoLeak([NEW, SECRET], [term.screen()])
    expect((await runCli(['reveal', 'k'], { env: t.env })).stdout).toBe(NEW)

    term.run(['update', 'k'])
    await term.waitFor(/Value for k/)
    term.type(SECRET.slice(0, 15))
    term.keys('C-c')
    expect(await term.exitCode()).toBe(130)
    expect((await runCli(['reveal', 'k'], { env: t.env })).stdout).toBe(NEW)

    term.run(['update', 'k', '--description', 'no question'])
    expect(await term.exitCode()).toBe(0)
    expect(term.screen()).not.toContain('Value for')
  })

  it('--value-stdin at a terminal says so, does not echo, ends with Ctrl-D; the terminal echoes again afterwards (also after Ctrl-C)', async () => {
    term.run(['create', '--type', 'openai', '--name', 's', '--value-stdin'])
    await term.waitFor(/reading the value from stdin \(Ctrl-D to end\)/)
    term.type(`${SECRET}x`)
    term.keys('BSpace') // erased, as the terminal's own line editing would
    term.keys('Enter')
    term.keys('C-d')
    expect(await term.exitCode()).toBe(0)
    assertNoLeak([SECRET], [term.screen()])
    expect(term.screen()).toContain('Created s (openai')
    expect((await runCli(['reveal', 's'], { env: t.env })).stdout).toBe(SECRET)
    await echoRestored()

    term.run(['create', '--type', 'openai', '--name', 'cancelled', '--value-stdin'])
    await term.waitFor(/Ctrl-D to end/)
    term.type(SECRET.slice(0, 20))
    await pause()
    term.keys('C-c')
    expect(await term.exitCode()).toBe(130)
    const screen = term.screen()
    noStackTrace(screen)
    expect(screen).toContain('cancelled; nothing was written')
    assertNoLeak([SECRET.slice(0, 20)], [screen])
    expect(await names()).toEqual(['s'])
    await echoRestored()
  })

  it('create --type bigquery asks for the key file path and checks the file; Ctrl-C there writes nothing', async () => {
    const KEYCANARY = 'CANARYprivateKEYmaterial0123456789'
    const sa = { type: 'service_account', project_id: 'p', client_email: 'svc@p.iam.gserviceaccount.com', private_key: `-----BEGIN PRIVATE KEY-----\n${KEYCANARY}\n-----END PRIVATE KEY-----\n` }
    const good = path.join(t.dir, 'sa.json')
    const bad = path.join(t.dir, 'not-sa.json')
    writeFileSync(good, JSON.stringify(sa, null, 2))
    writeFileSync(bad, JSON.stringify({ private_key: KEYCANARY }))
    term.run(['create', '--type', 'bigquery', '--name', 'bq'])
    await term.waitFor(/Path of the service-account JSON key file for bq/)
    term.type(path.join(t.dir, 'missing.json'))
    term.keys('Enter')
    await term.waitFor(/cannot read key file .*missing\.json: no such file or directory/)
    term.keys('C-u')
    term.type('{"private_key": "CANARYpasted')
    term.keys('Enter')
    await term.waitFor(/that looks like the key itself/)
    term.keys('C-u')
    term.type(bad)
    term.keys('Enter')
    await term.waitFor(/expected a service-account JSON key with client_email and private_key/)
    term.keys('C-u')
    term.type(good)
    term.keys('Enter')
    expect(await term.exitCode()).toBe(0)
    expect(term.screen()).toContain('Created bq (bigquery, service account svc@p.iam.gserviceaccount.com)')
    assertNoLeak([KEYCANARY, 'CANARYpasted'], [term.screen()])
    expect(JSON.parse((await runCli(['reveal', 'bq'], { env: t.env })).stdout)).toEqual(sa)

    term.run(['create', '--type', 'bigquery', '--name', 'bq2'])
    await term.waitFor(/Path of the service-account JSON key file/)
    term.keys('C-c')
    expect(await term.exitCode()).toBe(130)
    expect(await names()).toEqual(['bq'])
  })

  describe('the vault passphrase', () => {
    const PASS = 'CANARY-vault-passphrase-1'
    const passEnv = { CREDCTL_MASTER_KEY: '', CREDCTL_KEY_SOURCE: 'passphrase' }
    const valueFile = () => {
      const file = path.join(t.dir, 'value.txt')
      writeFileSync(file, SECRET, { mode: 0o600 })
      return file
    }

    it('a new one is asked twice, refused below 12 characters, asked again when the two differ; a wrong one gets three tries, then exit 4', async () => {
      term.run(['create', '--type', 'openai', '--name', 'p', '--value-file', valueFile()], passEnv)
      await term.waitFor(/New vault passphrase \(at least 12 characters\)/)
      term.type('CANARYshort')
      term.keys('Enter')
      await term.waitFor(/too short: at least 12 characters/)
      term.type(PASS)
      term.keys('Enter')
      await term.waitFor(/Repeat the vault passphrase/)
      term.type(`${PASS}-typo`)
      term.keys('Enter')
      await term.waitFor(/The two passphrases do not match; type the new one again/)
      await term.waitFor(/New vault passphrase[^\n]*\n[\s\S]*New vault passphrase/)
      term.type(PASS)
      term.keys('Enter')
      await term.waitFor(/Repeat the vault passphrase[\s\S]*Repeat the vault passphrase/)
      term.type(PASS)
      term.keys('Enter')
      expect(await term.exitCode()).toBe(0)
      assertNoLeak([PASS, 'CANARYshort', SECRET], [term.screen()])

      // Three wrong tries: one line, exit 4 (KEY_WRONG), nothing changed.
      term.run(['update', 'p', '--description', 'changed'], passEnv)
      await term.waitFor(/Vault passphrase/)
      for (const left of [2, 1]) {
        term.type('CANARY-wrong-passphrase')
        term.keys('Enter')
        // The reason, then the prompt again (typing before it is drawn could race the new prompt).
        await term.waitFor(new RegExp(`Wrong passphrase; ${left} tr(y|ies) left\\.\\s*\\n.*Vault passphrase`))
      }
      term.type('CANARY-wrong-passphrase')
      term.keys('Enter')
      expect(await term.exitCode()).toBe(4)
      let screen = term.screen()
      expect(screen).toMatch(/credctl: wrong key for vault .* \(the passphrase does not open it\)/)
      noStackTrace(screen)
      assertNoLeak(['CANARY-wrong', PASS], [screen])

      // A wrong one, then the right one: the command goes on.
      term.run(['update', 'p', '--description', 'changed'], passEnv)
      await term.waitFor(/Vault passphrase/)
      term.type('CANARY-wrong-passphrase')
      term.keys('Enter')
      await term.waitFor(/Wrong passphrase; 2 tries left\.\s*\n.*Vault passphrase/)
      term.type(PASS)
      term.keys('Enter')
      expect(await term.exitCode()).toBe(0)
      screen = term.screen()
      expect(screen).toContain('Updated p')
      assertNoLeak(['CANARY-wrong', PASS], [screen])
      const got = await runCli(['get', 'p', '--json'], { env: { ...t.env, ...passEnv, CREDCTL_PASSPHRASE: PASS } })
      expect(JSON.parse(got.stdout)).toMatchObject({ description: 'changed' })
    })

    it('Ctrl-C at the new passphrase or at its repeat: exit 130, no vault written', async () => {
      for (const at of ['first', 'repeat']) {
        term.run(['create', '--type', 'openai', '--name', 'p', '--value-file', valueFile()], passEnv)
        await term.waitFor(/New vault passphrase/)
        if (at === 'repeat') {
          term.type(PASS)
          term.keys('Enter')
          await term.waitFor(/Repeat the vault passphrase/)
        }
        term.keys('C-c')
        expect(await term.exitCode()).toBe(130)
        noStackTrace(term.screen())
        expect(existsSync(t.vault)).toBe(false)
      }
    })
  })
})
