import { writeSync } from 'node:fs'
import { CredctlError, EXIT } from '../errors.js'
import { describeErrno, errnoOf } from '../lib/errno.js'
import { createFactory } from './factory.js'
import { systemIO, type IOStreams } from './io.js'
import type { Output } from './output.js'
import { commandOf, createProgram } from './program.js'

/**
 * The only place that prints and exits (STYLE 3): parse, run the command, render its Output, map errors
 * to the exit codes of DESIGN section 8. A user's mistake is one line on stderr, never a stack trace.
 */
function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve) => {
    if (!text) return resolve()
    try {
      stream.write(text, (e) => (e ? outputFailed(stream, e) : resolve()))
    } catch (e) {
      // A file as stdout (`> /dev/full`) writes synchronously and throws here.
      outputFailed(stream, e)
    }
  })
}

/**
 * stdout or stderr cannot be written. A closed pipe (`credctl list | head -1`) is not an error: exit
 * with the code so far. Anything else (a full disk, an I/O error) is one line on stderr and exit 1,
 * never a stack trace. process.exit, because nothing else can usefully run: the output is gone.
 * writeSync, because stderr may be the broken one, and then there is nothing left to tell.
 */
function outputFailed(stream: NodeJS.WritableStream, e: unknown): never {
  if (errnoOf(e) === 'EPIPE') process.exit(process.exitCode ?? EXIT.ok)
  const which = stream === process.stderr ? 'standard error' : 'standard output'
  try {
    writeSync(2, `credctl: cannot write to ${which}: ${describeErrno(e)}\n`)
  } catch {
    /* stderr is broken too */
  }
  process.exit(1)
}

async function render(out: Output, io: IOStreams, json: boolean): Promise<void> {
  if (json && out.json !== undefined) {
    await write(io.stdout, `${JSON.stringify(out.json, null, 2)}\n`)
  } else if (out.table) {
    const { renderTable } = await import('./render.js')
    await write(io.stdout, await renderTable(out.table, io))
  } else if (out.text !== undefined) {
    await write(io.stdout, out.text)
  }
  if (!json && out.notes?.length) await write(io.stderr, out.notes.map((n) => `${n}\n`).join(''))
}

function errorLine(e: CredctlError): string {
  return `credctl: ${e.message}${e.hint ? ` (${e.hint})` : ''}\n`
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  const env = process.env
  const io = systemIO(env)
  // Asynchronous write errors (pipes) arrive here: a closed pipe exits 0, anything else one line.
  for (const s of [process.stdout, process.stderr]) s.on('error', (e) => outputFailed(s, e))
  const warnings: string[] = []
  const f = createFactory(io, env, (m) => warnings.push(m))
  // Warnings collected during the run go to stderr before the result or the error, once.
  const flushWarnings = () => write(io.stderr, warnings.splice(0).map((w) => `${w}\n`).join(''))
  let result: Output | undefined
  const program = createProgram(f, (o) => (result = o), commandOf(argv))
  // Only credctl's own flags count: `credctl run -- tool --json` passes --json to the tool.
  const dashdash = argv.indexOf('--')
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
      await write(io.stderr, errorLine(e))
      if (f.globals.debug) {
        // More context, never a secret: our messages hold none, and causes go through redaction.
        const cause = e.cause === undefined ? '' : ` cause=${redactError(e.cause)}`
        await write(io.stderr, `debug: code=${e.code} exit=${e.exitCode}${cause}\n`)
      }
      return e.exitCode
    }
    const msg = redactError(e)
    await write(io.stderr, `credctl: internal error: ${msg} (this is a bug; rerun with --debug and report it)\n`)
    if (f.globals.debug && e instanceof Error && e.stack) {
      await write(io.stderr, `${redact(e.stack)}\n`)
    }
    return 1
  }
}
