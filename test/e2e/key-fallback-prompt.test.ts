import { existsSync, readFileSync, statSync } from 'node:fs'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { keySources } from '../../src/keys/index.js'
import { readVaultFile } from '../helpers/vault-file.js'
import { BIN, runCli, tempVault } from '../helpers/cli.js'
import { mustRun } from '../helpers/keyring.js'
import { hasTmux, TmuxTerminal } from '../helpers/tmux.js'

/**
 * DESIGN 6: no usable keychain on a terminal offers the other key sources. The choices and what follows
 * each come from the key-source list (src/keys/index.ts); this drives the built CLI in a real terminal
 * (tmux) with no D-Bus session, so the keychain probe fails for real.
 */
if (!hasTmux && mustRun) throw new Error('tmux is required in CI for the prompt tests (.ci/run installs it)')

const SECRET = 'sk-proj-CANARYfallback0123456789abcdefghij'
let t: ReturnType<typeof tempVault>
let term: TmuxTerminal
beforeEach(() => {
  t = tempVault('credctl-fallback')
  term = new TmuxTerminal()
})
afterEach(() => {
  term.close()
  t.cleanup()
})

/** `credctl create` of a new vault with no key configured and no D-Bus session: the keychain is unusable. */
function createWithoutKeychain() {
  const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`
  const { CREDCTL_MASTER_KEY: _k, ...env } = t.env
  term.start(['unset CREDCTL_MASTER_KEY DBUS_SESSION_BUS_ADDRESS', `${q(process.execPath)} ${q(BIN)} create --type openai --name fb`], { ...env, CREDCTL_KEYCHAIN_TIMEOUT_MS: '4000' })
}

async function reachSourcePrompt(): Promise<string> {
  await term.waitFor(/Value for fb/)
  term.type(SECRET)
  term.keys('Enter')
  return term.waitFor(/Where should the vault key live\?/)
}

describe.skipIf(!hasTmux)('the no-keychain prompt (a real terminal)', () => {
  it('offers exactly the sources the list marks, in their order; "key file" asks for the path and creates a file-source vault', async () => {
    createWithoutKeychain()
    const screen = await reachSourcePrompt()
    expect(screen).toMatch(/No usable OS keychain/)
    const offered = keySources()
      .filter((m) => m.fallback)
      .sort((a, b) => a.fallback!.order - b.fallback!.order)
    expect(offered.map((m) => m.name)).toEqual(['passphrase', 'file', 'env'])
    const at = offered.map((m) => screen.indexOf(m.fallback!.label))
    expect(at.every((i) => i >= 0)).toBe(true)
    expect([...at].sort((a, b) => a - b)).toEqual(at)
    expect(screen).not.toMatch(/❯ keychain|OS keychain \(macOS/)
    term.keys('Down')
    await term.waitFor(/❯ key file/)
    expect(term.screen()).toContain(offered[1]!.summary)
    term.keys('Enter')
    await term.waitFor(/Key file path/)
    term.keys('Enter') // the default: ~/.config/credctl/credctl.key
    expect(await term.exitCode()).toBe(0)
    const keyFile = path.join(t.dir, '.config', 'credctl', 'credctl.key')
    const v = readVaultFile(t.vault)
    expect(v.key).toMatchObject({ source: 'file', file: keyFile })
    expect(statSync(keyFile).mode & 0o777).toBe(0o600)
    expect(term.screen()).not.toContain(SECRET)
    const { CREDCTL_MASTER_KEY: _k, ...env } = t.env
    expect(await runCli(['reveal', 'fb'], { env })).toMatchObject({ code: 0, stdout: SECRET })
  })

  it('"environment variable" ends with how to make a key: exit 4, nothing written', async () => {
    createWithoutKeychain()
    await reachSourcePrompt()
    term.keys('Down')
    term.keys('Down')
    await term.waitFor(/❯ environment variable/)
    term.keys('Enter')
    expect(await term.exitCode()).toBe(4)
    expect(term.screen()).toMatch(/openssl rand -base64 32/)
    expect(existsSync(t.vault)).toBe(false)
  })
})
