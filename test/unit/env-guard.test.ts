import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { forbiddenVariable } from '../../src/credentials/env-guard.js'
import { childEnv, parseEnvRefs, planRun, variablesFor } from '../../src/credentials/inject.js'
import type { Credential } from '../../src/credentials/view.js'
import { CredctlError, TYPES } from '../../src/index.js'
import { credentialView } from '../helpers/credential-view.js'

// Issue 10, kind 6: `run` never hands a CREDCTL_* variable to the child (not even through a name
// derived from a credential's name), and never sets a variable that changes how programs load or are found.
const cred = (type: string, name: string) => credentialView(type, { name })

const LOADER = ['PATH', 'LD_PRELOAD', 'LD_LIBRARY_PATH', 'LD_AUDIT', 'DYLD_INSERT_LIBRARIES', 'DYLD_LIBRARY_PATH', 'NODE_OPTIONS', 'NODE_PATH', 'PYTHONPATH', 'PYTHONSTARTUP', 'PERL5OPT', 'RUBYOPT', 'JAVA_TOOL_OPTIONS', 'BASH_ENV', 'IFS', 'GCONV_PATH', 'path', 'Ld_Preload', 'HOME', 'XDG_CONFIG_HOME', 'GIT_DIR', 'npm_config_script_shell', 'KUBECONFIG']

describe('run: variables credctl never sets', () => {
  it('--env refuses loader-affecting variables and CREDCTL_*, naming the variable (exit 2)', () => {
    for (const v of [...LOADER, 'CREDCTL_MASTER_KEY', 'credctl_vault', 'CREDCTL_X']) {
      let err: unknown
      try {
        parseEnvRefs([`${v}=OpenAI Prod`])
      } catch (e) {
        err = e
      }
      expect(err, v).toBeInstanceOf(CredctlError)
      expect((err as CredctlError).exitCode).toBe(2)
      expect((err as Error).message).toContain(`--env ${v}: ${v} `)
    }
    expect(parseEnvRefs(['OPENAI_API_KEY=x', 'MY_PATH_KEY=y', 'STATIC_FILE_PATH=z'])).toHaveLength(3)
  })

  it('a derived name that would be CREDCTL_* or a loader variable is not injected, and is reported', () => {
    const master = cred('api_key', 'credctl master key')
    const vault = cred('oauth', 'credctl vault')
    const ld = cred('api_key', 'LD preload key')
    const fine = cred('api_key', 'Stripe Prod')
    expect(variablesFor(master)).toEqual(['CREDCTL_MASTER_KEY'])
    const plan = planRun([master, vault, ld, fine])
    expect(plan.vars.map((v) => v.variable)).toEqual(['STRIPE_PROD_API_KEY'])
    expect(plan.refused.map((r) => [r.variable, r.credential.name]).sort()).toEqual([
      ['CREDCTL_MASTER_KEY', 'credctl master key'],
      ['CREDCTL_VAULT_TOKEN', 'credctl vault'],
      ['LD_PRELOAD_KEY', 'LD preload key'],
    ])
  })

  it('no conventional variable of the catalogue is refused', () => {
    for (const t of TYPES) for (const v of t.env) expect(forbiddenVariable(v), `${t.type} ${v}`).toBeUndefined()
  })

  it('childEnv refuses to hand a forbidden planned variable to the child (a bug, never silent)', () => {
    expect(() => childEnv({ PATH: '/bin' }, { LD_PRELOAD: '/tmp/x.so' })).toThrow(/internal: the run plan sets LD_PRELOAD/)
    expect(() => childEnv({}, { CREDCTL_MASTER_KEY: 'k' })).toThrow(/internal/)
    // The user's own PATH passes unchanged; their CREDCTL_* settings never do.
    expect(childEnv({ PATH: '/bin', LD_LIBRARY_PATH: '/l', CREDCTL_PASSPHRASE: 'p' }, { OPENAI_API_KEY: 'k' })).toEqual({ PATH: '/bin', LD_LIBRARY_PATH: '/l', OPENAI_API_KEY: 'k' })
  })

  it('generated: --env VAR is refused exactly when VAR is forbidden; a plan from any names never sets a forbidden variable', () => {
    const risky = fc.constantFrom(...LOADER, 'CREDCTL_', 'credctl_', 'LD_', 'DYLD_', 'ld_', 'NODE_OPTIONS', 'PATH')
    const ident = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,12}$/)
    const varName = fc.oneof(ident, fc.tuple(risky, fc.stringMatching(/^[A-Za-z0-9_]{0,6}$/)).map(([a, b]) => a + b))
    fc.assert(
      fc.property(varName, (v) => {
        const why = forbiddenVariable(v)
        const refused = (() => {
          try {
            parseEnvRefs([`${v}=x`])
            return false
          } catch (e) {
            return e instanceof CredctlError && e.exitCode === 2
          }
        })()
        expect(refused).toBe(why !== undefined)
        if (/^(CREDCTL_|LD_|DYLD_)/i.test(v) || ['PATH', 'NODE_OPTIONS', 'LD_PRELOAD'].includes(v.toUpperCase())) expect(why).toBeDefined()
      }),
      { numRuns: 500 },
    )
    const credName = fc.oneof(fc.string({ maxLength: 20 }), fc.tuple(risky, fc.string({ maxLength: 8 })).map(([a, b]) => `${a.replace(/_/g, ' ')} ${b}`))
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('api_key', 'oauth'), credName), { maxLength: 6 }), (list) => {
        const plan = planRun(list.map(([type, name]) => cred(type, name)))
        for (const v of plan.vars) expect(forbiddenVariable(v.variable), v.variable).toBeUndefined()
        expect(() => childEnv({}, Object.fromEntries(plan.vars.map((v) => [v.variable, 'x'])))).not.toThrow()
      }),
      { numRuns: 300 },
    )
  })
})
