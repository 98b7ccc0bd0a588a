import { CredctlError, EXIT } from '../errors.js'
import { createFactory } from './factory.js'
import { systemIO, type IOStreams } from './io.js'
import { handleOutputErrors } from './terminal.js'
import type { Output } from './output.js'
import { commandOf, createProgram } from './program.js'

/**
 * The only place that prints and exits (STYLE 3): parse, run the command, render its Output, map errors
 * to the exit codes of DESIGN section 8. It prints through io.term (terminal.ts) only. A user's mistake is one line on stderr, never a stack trace.
 */
async function render(out: Output, io: IOStreams, json: boolean): Promise<void> {
  const { term } = io
  if (json && out.json !== undefined) {
    await term.json(out.json)
  } else if (out.table) {
    const { renderTable } = await import('./render.js')
    await term.table(await renderTable(out.table, io, new Date()))
  } else if (out.text !== undefined) {
    await term.out(out.text)
  } else if (out.exempt) {
    await term.exempt(out.exempt.text, out.exempt.why)
  }
  if (!json && out.notes?.length) await term.err(out.notes.map((n) => `${n}\n`).join(''))
}

function errorLine(e: CredctlError): string {
  return `credctl: ${e.message}${e.hint ? ` (${e.hint})` : ''}\n`
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  const env = process.env
  const io = systemIO(env)
  // A closed pipe exits quietly; any other output error is one line and exit 1 (terminal.ts).
  handleOutputErrors()
  const warnings: string[] = []
  const f = createFactory(io, env, (m) => warnings.push(m))
  // Warnings collected during the run go to stderr before the result or the error, once.
  const flushWarnings = () => io.term.err(warnings.splice(0).map((w) => `${w}\n`).join(''))
  let result: Output | undefined
  // Only credctl's own flags count: `credctl run -- tool --json` passes --json to the tool.
  const dashdash = argv.indexOf('--')
  // Node.js 20 reads `--env-file FILE` among a script's own arguments (up to `--`) before any JavaScript
  // runs, and applies the file's NODE_OPTIONS to this very process (nodejs/node#54232): a file could make
  // credctl load code of its choosing. So credctl has no option of that name (`run --dotenv`); what Node
  // did cannot be undone here, but the user learns the name to use instead of a bare "unknown option".
  const nodeEnvFile = (dashdash < 0 ? argv : argv.slice(0, dashdash)).find((a) => a.startsWith('--env-file'))
  if (nodeEnvFile !== undefined) {
    await io.term.err(errorLine(new CredctlError('USAGE', `${nodeEnvFile.split('=')[0]} is read by Node.js itself, before credctl starts, and would apply the file's NODE_OPTIONS to credctl`, { hint: 'use `credctl run --dotenv FILE`' })))
    return EXIT.usage
  }
  const program = createProgram(f, (o) => (result = o), commandOf(argv))
  const jsonRequested = (dashdash < 0 ? argv : argv.slice(0, dashdash)).includes('--json')
  try {
    await program.parseAsync(argv, { from: 'user' })
    await flushWarnings()
    if (result) {
      await render(result, io, jsonRequested)
      return result.exitCode ?? EXIT.ok
    }
    return EXIT.ok
  } catch (e) {
    await flushWarnings()
    const ce = e as { code?: string; exitCode?: number; name?: string }
    if (ce.code && typeof ce.code === 'string' && ce.code.startsWith('commander.')) {
      // help and version are exits of 0; anything else commander refuses is a usage error.
      if (ce.code === 'commander.helpDisplayed' || ce.code === 'commander.version' || ce.code === 'commander.help') return EXIT.ok
      return ce.exitCode === 0 ? EXIT.ok : EXIT.usage
    }
    // Error paths only: the redaction module is not loaded by a command that succeeds.
    const { redact, redactError } = await import('../checks/redact.js')
    if (e instanceof CredctlError) {
      await io.term.err(errorLine(e))
      if (f.globals.debug) {
        // More context, never a secret: our messages hold none, and causes go through redaction.
        const cause = e.cause === undefined ? '' : ` cause=${redactError(e.cause)}`
        await io.term.err(`debug: code=${e.code} exit=${e.exitCode}${cause}\n`)
      }
      return e.exitCode
    }
    const msg = redactError(e)
    await io.term.err(`credctl: internal error: ${msg} (this is a bug; rerun with --debug and report it)\n`)
    if (f.globals.debug && e instanceof Error && e.stack) {
      await io.term.err(`${redact(e.stack)}\n`)
    }
    return 1
  }
}
