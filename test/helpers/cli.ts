import { execFile, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
export const BIN = path.join(ROOT, 'bin/credctl.js')

export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/** A per-test temporary vault with an env key; `cleanup()` removes it. */
export function tempVault(label = 'credctl') {
  const dir = mkdtempSync(path.join(tmpdir(), `${label}-`))
  const key = randomBytes(32).toString('base64')
  const vault = path.join(dir, 'vault', 'vault.json')
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    CREDCTL_VAULT: vault,
    CREDCTL_MASTER_KEY: key,
    NO_COLOR: '1',
  }
  return { dir, vault, key, env, cleanup: () => rmSync(dir, { recursive: true, force: true }) }
}

/** Run the built CLI in a child process (no TTY). `input` is written to stdin, else stdin is closed. */
export function runCli(args: string[], opts: { env: Record<string, string | undefined>; input?: string; timeoutMs?: number; cwd?: string }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: opts.env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'], ...(opts.cwd ? { cwd: opts.cwd } : {}) })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`credctl ${args.join(' ')} did not finish within ${opts.timeoutMs ?? 30000} ms\nstdout: ${stdout}\nstderr: ${stderr}`))
    }, opts.timeoutMs ?? 30000)
    child.on('error', reject)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr })
    })
    if (opts.input !== undefined) child.stdin.end(opts.input)
    else child.stdin.end()
  })
}

/** Every file under dir (recursively) except the given ones, with contents: for canary scans. */
export function filesUnder(dir: string): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = []
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name)
      const st = statSync(p)
      if (st.isDirectory()) walk(p)
      else out.push({ file: p, text: readFileSync(p, 'utf8') })
    }
  }
  walk(dir)
  return out
}

/**
 * Canary check: a secret must appear nowhere but in the vault's ciphertext. Scans the given outputs and
 * every file under `dir` except the vault file itself (which holds only ciphertext; checked too: the
 * plaintext must not be in it).
 */
export function assertNoLeak(secrets: string[], outputs: string[], dir?: string): void {
  const haystacks: { where: string; text: string }[] = outputs.map((text, i) => ({ where: `output #${i}`, text }))
  if (dir) for (const f of filesUnder(dir)) haystacks.push({ where: f.file, text: f.text })
  for (const s of secrets) {
    for (const h of haystacks) {
      if (h.text.includes(s)) throw new Error(`secret canary leaked into ${h.where}`)
    }
  }
}

export { execFile }
