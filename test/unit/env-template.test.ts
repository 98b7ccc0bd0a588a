import { describe, expect, it } from 'vitest'
import { parseEnvFile, scanEnvFile } from '../../src/credentials/envfile.js'
import { REMOVED, renderTemplate, scrubComment } from '../../src/credentials/env-template.js'
import { parseReference } from '../../src/credentials/references.js'
import { StringSet } from '../../src/lib/string-set.js'

/** The span-preserving rewrite behind `import --template` (issue 12, point 2). */
const render = (text: string, refs: Record<string, string>, secrets: string[] = []) => renderTemplate(text, scanEnvFile(text), new Map(Object.entries(refs)), secrets)

describe('renderTemplate', () => {
  it('rewrites only the value spans of the variables it is given; every other byte is kept', () => {
    const text = '# head\r\nexport A = "sec\r\nret" # tail\r\nB=keep   # c\r\n\r\nC=\'x y\'\r\n'
    expect(render(text, { A: 'A' }, ['sec\nret'])).toBe('# head\r\nexport A = credctl://A # tail\r\nB=keep   # c\r\n\r\nC=\'x y\'\r\n')
  })

  it('writes references bare and percent-encoded, which parseEnvFile and parseReference read back to the name', () => {
    const names = ['OpenAI Prod', 'STRIPE (2)', 'a#b', "q'\"`", 'x=y&z', 'ünï']
    const text = names.map((_, i) => `V${i}=secret${i}secret`).join('\n')
    const out = render(text, Object.fromEntries(names.map((n, i) => [`V${i}`, n])))
    expect(parseEnvFile(out).map((e) => parseReference(e.value))).toEqual(names)
  })

  it('rewrites an overridden definition that holds a secret to what the last one says; keeps harmless ones', () => {
    const text = 'GITHUB_TOKEN=ghp_oldoldoldold1234567890abcdefABCD\nMODE=dev\nGITHUB_TOKEN=ghp_new\nMODE=prod\n'
    expect(render(text, { GITHUB_TOKEN: 'GITHUB_TOKEN' })).toBe('GITHUB_TOKEN=credctl://GITHUB_TOKEN\nMODE=dev\nGITHUB_TOKEN=credctl://GITHUB_TOKEN\nMODE=prod\n')
    // The last definition is a literal: an earlier secret becomes that literal, as written.
    expect(render('API_TOKEN=tok_0123456789abcdefABCDEF\nAPI_TOKEN="" # none\n', {})).toBe('API_TOKEN=""\nAPI_TOKEN="" # none\n')
  })

  it('removes secrets from comments: commented-out assignments, values of the file, random-looking tokens', () => {
    const none = new StringSet([])
    expect(scrubComment('#STRIPE_SECRET_KEY=sk_live_abc # old', none)).toBe(`#STRIPE_SECRET_KEY=${REMOVED} # old`)
    expect(scrubComment('# export DB_PASSWORD="a b"', none)).toBe(`# export DB_PASSWORD=${REMOVED}`)
    expect(scrubComment('# the key was hunter2hunter2 until May', new StringSet(['hunter2hunter2']))).toBe(`# the key was ${REMOVED} until May`)
    expect(scrubComment('# see ghp_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5', none)).toBe(`# see ${REMOVED}`)
    expect(scrubComment('# PORT=3000 is the default; NODE_ENV=production', none)).toBe('# PORT=3000 is the default; NODE_ENV=production')
    expect(scrubComment('# was it', new StringSet(['# was it']))).toBe(`#${REMOVED}`)
    // F2: the same rule on every word and assignment inside the comment
    expect(scrubComment('# staging db: postgres://admin:Winter2024!@staging-db.internal/app', none)).toBe(`# staging db: ${REMOVED}`)
    expect(scrubComment('# legacy: export DB_PASS=Summer2023! ; keep', none)).toBe(`# legacy: export DB_PASS=${REMOVED} ; keep`)
    expect(scrubComment('# was: Server=sql;User Id=sa;Password="Win;ter2024!";Encrypt=true', none)).toBe(`# was: Server=sql;User Id=${REMOVED}`) // the word Id=… holds a secret: its value goes whole
    expect(scrubComment('# redis: --requirepass Autumn2022! (old)', none)).toBe(`# redis: --requirepass ${REMOVED} (old)`)
    expect(scrubComment('# copy: "pa\\"ssw0rd-long-enough"', new StringSet(['"pa\\"ssw0rd-long-enough"']))).toBe(`# copy: ${REMOVED}`)
  })

  it('refuses (INTERNAL, nothing to write) a template that would still hold a secret of 8+ characters', () => {
    // Not reachable through import (planEnvImport makes such a variable a secret); the last guard.
    expect(() => render('GREETING=hello-longsecret\n', {}, ['longsecret'])).toThrow(/would hold a secret value/)
  })
})

describe('StringSet', () => {
  it('finds and replaces many strings of 8+ characters, the longest at each place, ignoring shorter ones', () => {
    const set = new StringSet(['abcdefgh', 'abcdefghij', 'zzzzzzzzz', 'short'])
    expect(set.find('xxabcdefghijxx')).toEqual({ at: 2, s: 'abcdefghij' })
    expect(set.replaceIn('abcdefgh zzzzzzzzzz short abcdefghi', '*')).toBe('* *z short *i')
    expect(set.foundIn('no short match')).toBe(false)
  })
})
