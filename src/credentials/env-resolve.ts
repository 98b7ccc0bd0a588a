import { CredctlError } from '../errors.js'
import { parseEnvFile } from './envfile.js'
import { forbiddenVariable } from './env-guard.js'
import { findLive, injectedValue, type FileVar } from './inject.js'
import { parseReference, scanTemplate, type TemplateRef } from './references.js'
import type { Credential } from './view.js'

/**
 * References in use (issue 12): the variables of env files (`run --dotenv`) and the placeholders of
 * templates (`inject`), checked against the vault's credentials before anything is decrypted. The
 * syntax is references.ts's; the dotenv syntax is envfile.ts's; which variables may be set is
 * env-guard.ts's. Everything here is pure: the caller reads the files and decrypts.
 */

// TextSource is public (resolveEnv, planRun, renderTemplate take it): declared in types.ts.
import type { TextSource } from './types.js'
export type { TextSource } from './types.js'

// FileVar is declared in inject.ts, which plans with it (so inject.ts needs nothing from here).
export type { FileVar } from './inject.js'

/**
 * Parse env files (dotenv syntax: envfile.ts) and merge them: a later file's definition of a variable
 * replaces an earlier one, as a later line does within one file. A value that is a `credctl://`
 * reference becomes `ref` (a raw space in the name is accepted only when the value was quoted); every
 * other value is a literal, passed byte for byte.
 *
 * Refused (INVALID_INPUT, exit 2, naming FILE:LINE and the variable, never the value):
 * - a malformed reference (`credctl://` with an empty name, a bad percent sequence, an unquoted space);
 * - any variable env-guard.ts refuses (CREDCTL_*, PATH, LD_*, NODE_OPTIONS, ...), whether its value is
 *   a reference or a literal. A reference there is what env-guard exists to stop (a credential becoming
 *   code). A literal too, because an env file is made to be committed and shared (the template of
 *   `import --template`), so it is written by whoever can write the repository, and these are exactly
 *   the variables that make any command, a trusted `psql` included, load other code while it holds the
 *   injected credentials; and a file's PATH would replace the user's whole PATH, CMD's lookup included.
 *   The user's own value is set in the shell instead (`NODE_OPTIONS=... credctl run --dotenv ...`),
 *   and passes to the command unchanged, as every inherited PATH, LD_*, ... does. One rule, and
 *   childEnv's final check needs no exception.
 */
export function readEnvFiles(sources: TextSource[]): FileVar[] {
  const merged = new Map<string, FileVar>()
  for (const s of sources) {
    for (const e of parseEnvFile(s.text, s.file)) {
      const at = `${s.file}:${e.line}`
      const why = forbiddenVariable(e.name)
      if (why) {
        throw new CredctlError('INVALID_INPUT', `${at}: ${e.name} ${why} (not from an env file either)`, {
          hint: `remove the line; set your own value in the shell instead (${e.name}=... credctl run ...): it reaches the command unchanged`,
        })
      }
      let ref: string | undefined
      try {
        ref = parseReference(e.value, { allowSpaces: e.quoted })
      } catch (err) {
        throw new CredctlError('INVALID_INPUT', `${at}: ${e.name}: ${(err as Error).message}`, {
          hint: 'write the name percent-encoded (credctl://OpenAI%20Prod), or quote the value to keep raw spaces',
        })
      }
      merged.delete(e.name) // the order of the definition that counts
      merged.set(e.name, ref !== undefined ? { variable: e.name, file: s.file, line: e.line, ref, raw: e.value } : { variable: e.name, file: s.file, line: e.line, value: e.value })
    }
  }
  return [...merged.values()]
}

/** A placeholder of a template and the credential it names. */
export interface TemplateSlot extends TemplateRef {
  credential: Credential
}

/**
 * The placeholders of a template, each matched to a live credential. A malformed placeholder is
 * INVALID_INPUT (exit 2), one naming a missing or deleted credential NOT_FOUND (exit 3); both name
 * FILE:LINE and the placeholder as written.
 */
export function planTemplate(all: Credential[], src: TextSource): TemplateSlot[] {
  let refs: TemplateRef[]
  try {
    refs = scanTemplate(src.text)
  } catch (e) {
    throw new CredctlError('INVALID_INPUT', `${src.file}:${(e as Error).message}`, { hint: 'write the name percent-encoded, e.g. {{ credctl://OpenAI%20Prod }}' })
  }
  return refs.map((r) => ({ ...r, credential: findLive(all, r.name, `${src.file}:${r.line}: ${r.text}`) }))
}

/**
 * The template with every placeholder replaced by its credential's value (an oauth JSON gives its
 * access_token, as `run` injects it; a service-account JSON is inserted as its text: a template is a
 * file already). Everything else is kept byte for byte.
 */
export function renderTemplate(text: string, slots: TemplateSlot[], values: ReadonlyMap<string, string>): string {
  let out = ''
  let at = 0
  for (const s of slots) {
    const value = values.get(s.credential.id)
    if (value === undefined) throw new Error(`internal: no value for ${s.credential.id}`)
    out += text.slice(at, s.start) + injectedValue(s.credential, value)
    at = s.end
  }
  return out + text.slice(at)
}
