import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { MAX_CLEAR_AFTER, parseClearAfter, toolEnv, findClipboardTool } from '../../src/cli/clipboard.js'
import { BASH_COMPLETION_SCRIPTS, installTarget } from '../../src/cli/commands/completion.js'
import { CredctlError } from '../../src/errors.js'

describe('--clear-after', () => {
  it('accepts exactly the whole numbers 0..86400 (property), refusing anything else with exit 2', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.integer({ min: -10, max: 200_000 }).map(String), fc.double().map(String)), (s) => {
        const ok = /^\d+$/.test(s) && Number(s) <= MAX_CLEAR_AFTER
        if (ok) expect(parseClearAfter(s)).toBe(Number(s))
        else expect(() => parseClearAfter(s)).toThrow(expect.objectContaining({ exitCode: 2 }) as unknown as CredctlError)
      }),
      { numRuns: 2000 },
    )
  })
})

describe('clipboard tool choice', () => {
  it('macOS and Windows use their built-in tools; no display is exit 2; CREDCTL_* never reach a tool', async () => {
    expect(await findClipboardTool({}, 'darwin')).toBe('pbcopy')
    expect(await findClipboardTool({}, 'win32')).toBe('clip')
    await expect(findClipboardTool({ PATH: '/usr/bin' }, 'linux')).rejects.toMatchObject({ exitCode: 2, message: expect.stringContaining('neither WAYLAND_DISPLAY nor DISPLAY') })
    await expect(findClipboardTool({ PATH: '/nonexistent', WAYLAND_DISPLAY: 'wayland-0' }, 'linux')).rejects.toMatchObject({ exitCode: 2, hint: expect.stringContaining('wl-clipboard') })
    expect(toolEnv({ DISPLAY: ':0', CREDCTL_MASTER_KEY: 'k', credctl_passphrase: 'p' })).toEqual({ DISPLAY: ':0' })
  })
})

describe('completion install targets', () => {
  const probe = (files: Record<string, string>) => ({ exists: async (f: string) => f in files, read: async (f: string) => files[f] })
  it('bash: names the source line when no bash-completion script is found, and not when one is', async () => {
    const without = await installTarget('bash', { HOME: '/h' }, probe({}))
    expect(without).toEqual({ file: '/h/.local/share/bash-completion/completions/credctl', then: [expect.stringContaining('add this line to ~/.bashrc instead: source <(credctl completion bash)')] })
    for (const f of BASH_COMPLETION_SCRIPTS) {
      expect((await installTarget('bash', { HOME: '/h' }, probe({ [f]: '', '/h/.bashrc': `. ${f}\n` }))).then).toEqual(['bash-completion loads it in new shells'])
      // Installed but not loaded (a fresh HOME, or the line commented out as in Debian's /etc/bash.bashrc).
      for (const rc of [{}, { '/h/.bashrc': `# . ${f}\n` }] as Record<string, string>[]) expect((await installTarget('bash', { HOME: '/h' }, probe({ [f]: '', ...rc }))).then).toEqual([expect.stringContaining('does not load it')])
    }
  })
  it('zsh: asks only for the lines ~/.zshrc lacks (a commented line does not count)', async () => {
    expect((await installTarget('zsh', { HOME: '/h' }, probe({ '/h/.zshrc': '# fpath=(~/.zfunc $fpath)\n# compinit\n' }))).then).toHaveLength(3)
    expect((await installTarget('zsh', { HOME: '/h' }, probe({ '/h/.zshrc': 'fpath+=$HOME/.zfunc\nautoload -U compinit; compinit\n' }))).then).toEqual(['then open a new zsh'])
    expect((await installTarget('zsh', { HOME: '/h' }, probe({ '/h/.zshrc': 'source $ZSH/oh-my-zsh.sh\n' }))).then).toEqual([expect.stringContaining('fpath=(~/.zfunc $fpath)'), 'then open a new zsh'])
  })
})
