import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { constants as C, promises as fsp } from 'node:fs'
import * as path from 'node:path'
import { isCredctlSetting } from '../credentials/env-guard.js'
import { CredctlError } from '../errors.js'
import { wholeNumber } from '../lib/strict.js'

/**
 * The system clipboard, for `credctl reveal NAME --copy` (issue 12, point 4), as `pass -c` and
 * `gopass show -c` do it: the platform's own tool gets the value on its stdin (never in argv), and a
 * detached `credctl __clipboard-clear` clears it after a delay unless something else was copied meanwhile.
 *
 * One table of tools, chosen the way pass chooses (pass 1.7 `clip()`): Wayland's wl-copy when
 * WAYLAND_DISPLAY is set, else X11's xclip (or xsel, which gopass also accepts) when DISPLAY is set
 * (XWayland sessions have both); macOS pbcopy; Windows clip. The X11 selection is CLIPBOARD (what
 * Ctrl-V pastes), pass's and gopass's default.
 *
 * Clearing: the clearer receives the SHA-256 of the value over a pipe (never argv or env, both visible in
 * /proc to the user's other processes), sleeps, reads the clipboard with the tool's paste mode, and
 * clears only when the hash matches. When the clipboard cannot be read (it holds an image or files, its
 * owner is gone, the tool fails) the clearer leaves it alone: what is there is not the value, and a
 * user's later copy must never be destroyed. Clearing writes an empty text (xsel and wl-copy have a
 * clear mode), as gopass does; pass restores the previous content instead, which would keep another
 * possibly sensitive text in the clearer's memory for the whole delay.
 *
 * Known limits (README): clipboard managers (Klipper, GPaste, CopyQ) may keep their own history of the
 * value; copying the same value twice lets the first clearer clear it at the first deadline.
 */

export type ToolName = 'wl-copy' | 'xclip' | 'xsel' | 'pbcopy' | 'clip'

type Cmd = readonly [string, ...string[]]

interface Tool {
  /** argv that reads the new content from stdin. */
  copy: Cmd
  /** argv that writes the current content to stdout, exit 0; anything else means "not ours". */
  paste: Cmd
  /** argv that empties the clipboard; absent: copy an empty text. */
  clear?: Cmd
  /** Bytes for the tool's stdin. */
  encode?: (value: string) => Buffer
  /** Extra environment (macOS: the tools convert with the locale's encoding). */
  env?: (env: NodeJS.ProcessEnv) => NodeJS.ProcessEnv
}

const PS = ['powershell.exe', '-NoProfile', '-NonInteractive', '-Command'] as const

export const TOOLS: Record<ToolName, Tool> = {
  // wl-clipboard. --no-newline: the content exactly (wl-paste adds a newline otherwise).
  'wl-copy': { copy: ['wl-copy'], paste: ['wl-paste', '--no-newline'], clear: ['wl-copy', '--clear'] },
  // UTF8_STRING: what other programs paste as text; reading it back gives the bytes exactly.
  xclip: { copy: ['xclip', '-selection', 'clipboard', '-in'], paste: ['xclip', '-selection', 'clipboard', '-out', '-target', 'UTF8_STRING'] },
  xsel: { copy: ['xsel', '--clipboard', '--input'], paste: ['xsel', '--clipboard', '--output'], clear: ['xsel', '--clipboard', '--clear'] },
  pbcopy: {
    copy: ['pbcopy'],
    paste: ['pbpaste'],
    env: (e) => (e.LC_ALL || e.LC_CTYPE || e.LANG ? e : { ...e, LANG: 'en_US.UTF-8' }),
  },
  // clip.exe reads UTF-16LE when the input starts with its byte-order mark (any other encoding is
  // taken in the console's code page); Get-Clipboard reads, through a UTF-8 console.
  clip: {
    copy: ['clip.exe'],
    paste: [...PS, '[Console]::OutputEncoding=[Text.Encoding]::UTF8; [Console]::Write((Get-Clipboard -Raw))'],
    encode: (v) => Buffer.from(`\ufeff${v}`, 'utf16le'),
  },
}

const X11 = 'install xclip or xsel (Debian/Ubuntu: sudo apt install xclip)'
const WAYLAND = 'install wl-clipboard (Debian/Ubuntu: sudo apt install wl-clipboard)'

/** Is `cmd` an executable file in one of PATH's directories? */
async function onPath(cmd: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue
    const ok = await fsp.access(path.join(dir, cmd), C.X_OK).then(
      () => true,
      () => false,
    )
    if (ok) return true
  }
  return false
}

/**
 * The clipboard tool of this session, or a USAGE error (exit 2) saying what to install or why there is
 * no clipboard. Checked before the vault is opened, so a missing tool reveals nothing and records nothing.
 */
export async function findClipboardTool(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): Promise<ToolName> {
  if (platform === 'darwin') return 'pbcopy' // part of macOS
  if (platform === 'win32') return 'clip' // part of Windows since Vista
  const wayland = !!env.WAYLAND_DISPLAY
  const x11 = !!env.DISPLAY
  if (wayland && (await onPath('wl-copy', env)) && (await onPath('wl-paste', env))) return 'wl-copy'
  if (x11 && (await onPath('xclip', env))) return 'xclip'
  if (x11 && (await onPath('xsel', env))) return 'xsel'
  if (!wayland && !x11) {
    throw new CredctlError('USAGE', 'no clipboard: neither WAYLAND_DISPLAY nor DISPLAY is set (no graphical session, e.g. over SSH)', {
      hint: "pipe the value instead: credctl reveal NAME | …",
    })
  }
  throw new CredctlError('USAGE', `no clipboard tool found on PATH for ${wayland ? `Wayland (WAYLAND_DISPLAY=${env.WAYLAND_DISPLAY})` : `X11 (DISPLAY=${env.DISPLAY})`}`, {
    hint: wayland ? (x11 ? `${WAYLAND}, or ${X11}` : WAYLAND) : X11,
  })
}

/** The environment the tools and the clearer get: credctl's own settings (the master key...) never. */
export function toolEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !isCredctlSetting(k)))
}

interface Ran {
  code: number | null
  stderr: string
}

/**
 * Run one tool: `input` on its stdin, its stdout to `onStdout` (or ignored). X11 and Wayland tools fork a
 * process that keeps serving the selection: it gets no stdout, and cwd "/" so it holds no directory
 * busy. Settles at the tool's exit (plus a moment for its last stderr), or after `timeoutMs`.
 */
function runTool(argv: Cmd, env: NodeJS.ProcessEnv, input: Buffer | undefined, onStdout?: (b: Buffer) => void, timeoutMs = 10_000): Promise<Ran> {
  return new Promise((resolve) => {
    let stderr = ''
    let settled = false
    const done = (code: number | null) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      // xclip's server keeps the inherited stderr open for as long as it serves: let go of our end, or
      // credctl would wait for the next copy to end it.
      child.stderr?.destroy()
      child.stdout?.destroy()
      resolve({ code, stderr })
    }
    const child = spawn(argv[0], argv.slice(1), {
      env,
      cwd: path.parse(process.cwd()).root,
      stdio: ['pipe', onStdout ? 'pipe' : 'ignore', 'pipe'],
      windowsHide: true,
    })
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      stderr ||= `no answer within ${timeoutMs / 1000} s`
      done(null)
    }, timeoutMs)
    child.on('error', (e) => {
      stderr = (e as NodeJS.ErrnoException).code ?? String(e)
      done(null)
    })
    child.stderr!.on('data', (d: Buffer) => {
      if (stderr.length < 1000) stderr += d.toString('utf8')
    })
    if (onStdout) child.stdout!.on('data', onStdout)
    child.on('close', (code) => done(code))
    // A forked server may keep stderr open: do not wait for it longer than a moment after the exit.
    child.on('exit', (code) => void setTimeout(() => done(code), 200).unref())
    child.stdin!.on('error', () => {}) // a tool that exits without reading: its exit code tells
    child.stdin!.end(input ?? Buffer.alloc(0))
  })
}

const encode = (tool: ToolName, value: string) => (TOOLS[tool].encode ?? ((v: string) => Buffer.from(v, 'utf8')))(value)
const envFor = (tool: ToolName, env: NodeJS.ProcessEnv) => (TOOLS[tool].env ?? ((e: NodeJS.ProcessEnv) => e))(toolEnv(env))

/** The tool's first stderr line without the value (tools do not echo input; this makes sure). */
function reason(r: Ran, value?: string): string {
  let line = r.stderr.split('\n').find((l) => l.trim()) ?? `exit code ${r.code}`
  if (value && line.includes(value)) line = `exit code ${r.code}`
  return line.trim().slice(0, 200)
}

/** Put `value` on the clipboard. A tool that fails is exit 2: this session has no usable clipboard. */
export async function copyToClipboard(tool: ToolName, value: string, env: NodeJS.ProcessEnv): Promise<void> {
  const r = await runTool(TOOLS[tool].copy, envFor(tool, env), encode(tool, value))
  if (r.code !== 0) {
    throw new CredctlError('USAGE', `could not copy to the clipboard: ${TOOLS[tool].copy[0]} failed: ${reason(r, value)}`, {
      hint: 'the value was not copied; pipe it instead: credctl reveal NAME | …',
    })
  }
}

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex')

/** SHA-256 (hex) of what the clipboard holds now, or undefined when it cannot be read as text. */
export async function clipboardHash(tool: ToolName, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const h = createHash('sha256')
  const r = await runTool(TOOLS[tool].paste, envFor(tool, env), undefined, (b) => h.update(b))
  return r.code === 0 ? h.digest('hex') : undefined
}

/** The hash the clearer compares with: of the value as the paste tool gives it back (UTF-8). */
export const valueHash = (value: string) => sha256(Buffer.from(value, 'utf8'))

export async function clearClipboard(tool: ToolName, env: NodeJS.ProcessEnv): Promise<void> {
  const t = TOOLS[tool]
  await runTool(t.clear ?? t.copy, envFor(tool, env), t.clear ? undefined : encode(tool, ''))
}

/**
 * Start the clearer: `credctl __clipboard-clear --tool T --after S`, detached (its own session: closing
 * the terminal or ending credctl does not stop it), the value's hash written to its stdin. argv and
 * environment hold no secret: the hash goes over the pipe, CREDCTL_* variables are removed.
 */
export async function startClearer(tool: ToolName, seconds: number, value: string, env: NodeJS.ProcessEnv): Promise<void> {
  const script = process.argv[1]
  if (!script) throw new CredctlError('INTERNAL', 'cannot find the credctl script to start the clipboard clearer')
  const child = spawn(process.execPath, [script, '__clipboard-clear', '--tool', tool, '--after', String(seconds)], {
    env: toolEnv(env),
    cwd: path.parse(process.cwd()).root,
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
    windowsHide: true,
  })
  await new Promise<void>((resolve, reject) => {
    child.on('error', (e) => reject(new CredctlError('INTERNAL', `cannot start the clipboard clearer: ${(e as NodeJS.ErrnoException).code ?? e}`)))
    child.stdin!.end(`${valueHash(value)}\n`, () => resolve())
  })
  child.unref()
}

/** Seconds of --clear-after: a whole number from 0 (never clear) to 86400 (a day). Exit 2 otherwise. */
export const MAX_CLEAR_AFTER = 86_400
export function parseClearAfter(s: string): number {
  const n = wholeNumber(s, { max: MAX_CLEAR_AFTER, blanks: false })
  if (n === undefined) {
    throw new CredctlError('USAGE', `--clear-after must be a whole number of seconds from 0 (never clear) to ${MAX_CLEAR_AFTER}: got "${s}"`)
  }
  return n
}

/**
 * The body of the hidden `__clipboard-clear`: read the hash from stdin, wait, clear when the clipboard
 * still holds the value. Returns what it did (for tests); it has no terminal to print to.
 */
export async function runClearer(tool: string, after: string, stdin: NodeJS.ReadableStream, env: NodeJS.ProcessEnv): Promise<'cleared' | 'changed' | 'invalid'> {
  let input = ''
  for await (const chunk of stdin) {
    input += String(chunk)
    if (input.length > 200) return 'invalid'
  }
  const hash = input.trim()
  const seconds = wholeNumber(after, { max: MAX_CLEAR_AFTER, blanks: false })
  if (!(tool in TOOLS) || !/^[0-9a-f]{64}$/.test(hash) || seconds === undefined) return 'invalid'
  await new Promise((r) => setTimeout(r, seconds * 1000))
  const t = tool as ToolName
  if ((await clipboardHash(t, env)) !== hash) return 'changed'
  await clearClipboard(t, env)
  return 'cleared'
}
