import { spawnSync } from 'node:child_process'
import { chmodSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { Decrypter, Encrypter, identityToRecipient } from 'age-encryption'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { BIN, filesUnder, runCli, tempVault } from '../helpers/cli.js'
import { hasSecretService, mustRun, privateKeyring } from '../helpers/keyring.js'
import { hasTmux, TmuxTerminal } from '../helpers/tmux.js'

// `credctl identity new | show` (issue 14) from the built CLI against a real GNOME Keyring. Each test gets
// a keyring of its own (privateKeyring), so the fixed account identity.age never meets another test's.
const available = hasSecretService()
if (!available && mustRun) throw new Error('CI=true but no Secret Service: run the tests through scripts/with-keyring.sh (npm test does)')

const SECRET = /AGE-SECRET-KEY-1[0-9A-Z]{58}/
const ACCOUNT = 'identity.age'

let t: ReturnType<typeof tempVault>
let ring: ReturnType<typeof privateKeyring>
let env: Record<string, string | undefined>
beforeEach(() => {
  t = tempVault('credctl-identity')
  ring = privateKeyring()
  env = { ...t.env, CREDCTL_MASTER_KEY: undefined, ...ring.env, CREDCTL_KEYCHAIN_TIMEOUT_MS: '8000' }
})
afterEach(() => {
  ring.stop()
  t.cleanup()
})

const cli = (args: string[], extra: Record<string, string | undefined> = {}) => runCli(args, { env: { ...env, ...extra } })
const lookup = (): string | null => {
  const r = spawnSync('secret-tool', ['lookup', 'service', 'credctl', 'username', ACCOUNT], { encoding: 'utf8', env: { ...process.env, ...ring.env } })
  return r.status === 0 && r.stdout ? r.stdout.trim() : null
}
/** Every credctl entry in the keyring, as secret-tool prints them (attributes and secrets). */
const allEntries = () => {
  const r = spawnSync('secret-tool', ['search', '--all', '--unlock', 'service', 'credctl'], { encoding: 'utf8', env: { ...process.env, ...ring.env } })
  return `${r.stdout}${r.stderr}`
}

async function opens(recipient: string, identity: string): Promise<boolean> {
  const e = new Encrypter()
  e.addRecipient(recipient)
  const d = new Decrypter()
  d.addIdentity(identity)
  return (await d.decrypt(await e.encrypt('a vault key'), 'text').catch(() => null)) === 'a vault key'
}

describe.skipIf(!available)('credctl identity (built CLI, real GNOME Keyring)', () => {
  it('new: the private key goes to the keychain only; stdout has the recipient and fingerprint; show agrees', async () => {
    const r = await cli(['identity', 'new'])
    expect(r.code, r.stderr).toBe(0)
    const secret = lookup()
    expect(secret).toMatch(new RegExp(`^${SECRET.source}$`))
    const recipient = await identityToRecipient(secret!)
    expect(r.stdout).toMatch(new RegExp(`^recipient +${recipient}\nfingerprint +[0-9a-f]{4}( [0-9a-f]{4}){5}\n$`))
    expect(r.stderr).toContain('Created this device\'s identity in the keychain entry (service credctl, account identity.age)')
    const show = await cli(['identity', 'show', '--json'])
    expect(show.code, show.stderr).toBe(0)
    const j = JSON.parse(show.stdout)
    expect(j).toEqual({ recipient, fingerprint: r.stdout.split('\n')[1]!.replace(/^fingerprint +/, ''), source: 'keychain', where: 'keychain entry (service credctl, account identity.age)' })
    const plain = await cli(['identity', 'show'])
    expect(plain.stdout).toContain(`recipient    ${recipient}`)
    // The secret: in no output, no file under HOME (vault dir, history, config), and nowhere else in the keyring.
    for (const out of [r, show, plain]) expect(`${out.stdout}${out.stderr}`).not.toMatch(SECRET)
    for (const f of filesUnder(t.dir)) expect(f.text, f.file).not.toContain(secret!)
    expect(allEntries().split(secret!).length).toBe(2) // exactly one entry holds it
    expect(await opens(recipient, secret!)).toBe(true)
  })

  it('new again: exit 2 naming the identity, unchanged; --force without a terminal needs --yes; --force --yes replaces', async () => {
    expect((await cli(['identity', 'new'])).code).toBe(0)
    const first = lookup()!
    const recipient = await identityToRecipient(first)
    const again = await cli(['identity', 'new'])
    expect(again.code).toBe(2)
    expect(again.stderr).toContain(recipient)
    expect(again.stderr).toMatch(/--force/)
    expect(again.stdout).toBe('')
    const noYes = await cli(['identity', 'new', '--force'])
    expect(noYes.code).toBe(2)
    expect(noYes.stderr).toMatch(/pass --yes/)
    expect(lookup()).toBe(first)
    const yesAlone = await cli(['identity', 'new', '--yes'])
    expect(yesAlone.code).toBe(2)
    expect(lookup()).toBe(first)
    const forced = await cli(['identity', 'new', '--force', '--yes', '--json'])
    expect(forced.code, forced.stderr).toBe(0)
    const second = lookup()!
    expect(second).not.toBe(first)
    const j = JSON.parse(forced.stdout)
    expect(j.recipient).toBe(await identityToRecipient(second))
    expect(j.replaced.recipient).toBe(recipient)
    for (const out of [again, noYes, forced]) expect(`${out.stdout}${out.stderr}`).not.toMatch(SECRET)
  })

  it('--print: the private key once on stdout, nothing stored; it opens what is encrypted to the recipient printed on stderr', async () => {
    const r = await cli(['identity', 'new', '--print'])
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toMatch(new RegExp(`^${SECRET.source}\n$`))
    const identity = r.stdout.trim()
    const recipient = /recipient (age1[0-9a-z]+)/.exec(r.stderr)![1]!
    expect(recipient).toBe(await identityToRecipient(identity))
    expect(r.stderr).not.toMatch(SECRET)
    expect(await opens(recipient, identity)).toBe(true)
    expect(lookup()).toBeNull()
    expect(allEntries()).not.toContain(identity)
    for (const f of filesUnder(t.dir)) expect(f.text, f.file).not.toContain(identity)
    // And it is what CI then uses: CREDCTL_IDENTITY, or a 0600 file.
    const viaEnv = await cli(['identity', 'show', '--json'], { CREDCTL_IDENTITY: identity })
    expect(JSON.parse(viaEnv.stdout)).toMatchObject({ recipient, source: 'env' })
    const file = path.join(t.dir, 'ci.key')
    writeFileSync(file, r.stdout, { mode: 0o600 })
    const viaFile = await cli(['identity', 'show', '--json'], { CREDCTL_IDENTITY_FILE: file })
    expect(JSON.parse(viaFile.stdout)).toMatchObject({ recipient, source: 'file', where: `identity file ${file}` })
    chmodSync(file, 0o644)
    const loose = await cli(['identity', 'show'], { CREDCTL_IDENTITY_FILE: file })
    expect(loose.code).toBe(4)
    expect(loose.stderr).toMatch(/readable by other users \(mode 644\).*chmod 600/)
    for (const out of [viaEnv, viaFile, loose]) expect(`${out.stdout}${out.stderr}`).not.toMatch(SECRET)
    expect((await cli(['identity', 'new', '--print', '--json'])).code).toBe(2)
    expect((await cli(['identity', 'new', '--print', '--force'])).code).toBe(2)
  })

  it('the overrides win over a keychain identity, and `new` says so; no identity anywhere is exit 3 with the hint', async () => {
    const none = await cli(['identity', 'show'])
    expect(none.code).toBe(3)
    expect(none.stderr).toContain('credctl identity new')
    const printed = (await cli(['identity', 'new', '--print'])).stdout.trim()
    const r = await cli(['identity', 'new'], { CREDCTL_IDENTITY: printed })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stderr).toMatch(/CREDCTL_IDENTITY is set and overrides the keychain identity/)
    const show = await cli(['identity', 'show', '--json'], { CREDCTL_IDENTITY: printed })
    expect(JSON.parse(show.stdout)).toMatchObject({ recipient: await identityToRecipient(printed), source: 'env' })
    const both = await cli(['identity', 'show'], { CREDCTL_IDENTITY: printed, CREDCTL_IDENTITY_FILE: path.join(t.dir, 'x') })
    expect(both.code).toBe(2)
    const bad = await cli(['identity', 'show'], { CREDCTL_IDENTITY: 'AGE-SECRET-KEY-1NOTAKEYCANARY' })
    expect(bad.code).toBe(4)
    expect(bad.stderr).not.toContain('CANARY')
  })

  it.skipIf(!hasTmux)('--force on a terminal asks, naming the identity: "no" keeps it (exit 130), "yes" replaces it', async () => {
    expect((await cli(['identity', 'new'])).code).toBe(0)
    const first = lookup()!
    const recipient = await identityToRecipient(first)
    const term = new TmuxTerminal()
    try {
      const termEnv = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined))
      for (const [answer, code] of [['n', 130], ['y', 0]] as const) {
        term.start([`${process.execPath} ${BIN} identity new --force`], termEnv)
        await term.waitFor(new RegExp(`Replace this device's identity ${recipient}`))
        term.type(answer)
        term.keys('Enter')
        expect(await term.exitCode()).toBe(code)
        expect(term.screen()).not.toMatch(SECRET)
        if (code === 130) expect(lookup()).toBe(first)
      }
      expect(lookup()).not.toBe(first)
    } finally {
      term.close()
    }
  })

  it('no reachable keychain: exit 4 naming the overrides, within the keychain timeout', async () => {
    const r = await cli(['identity', 'new'], { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus', CREDCTL_KEYCHAIN_TIMEOUT_MS: '3000' })
    expect(r.code).toBe(4)
    expect(r.stderr).toMatch(/CREDCTL_IDENTITY/)
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
  })
})
