import type { Factory } from '../factory.js'
import type { Output } from '../output.js'
import { startProgress } from '../progress.js'

export interface RotateKeyOptions {
  json?: boolean
}

/**
 * Re-key the vault. The new key comes from CREDCTL_NEW_MASTER_KEY (env source), CREDCTL_NEW_PASSPHRASE
 * or a hidden prompt (passphrase source), or is generated (keychain and file sources). All the work is
 * in the SDK (src/credentials/rotate.ts); this only supplies the prompt and renders the result.
 */
export async function run(f: Factory, _o: RotateKeyOptions = {}): Promise<Output> {
  const askNewPassphrase = f.io.canPrompt
    ? async () => {
        const { askNewPassphrase, MIN_NEW_PASSPHRASE } = await import('../passphrase.js')
        return askNewPassphrase(f, { what: 'vault passphrase', min: MIN_NEW_PASSPHRASE, nothing: 'nothing was changed' })
      }
    : undefined
  const progress = startProgress(f.io, 're-encrypting')
  let r
  try {
    r = await (await f.client()).rotateKey({ askNewPassphrase, onProgress: progress.update })
  } finally {
    progress.stop()
  }
  const { notes, ...json } = r
  return {
    json: { ...json, notes },
    notes: [`Rotated the key of ${r.vault}: ${r.re_encrypted} value${r.re_encrypted === 1 ? '' : 's'} re-encrypted (key source ${r.key_source})`, ...notes.map((n) => `note: ${n}`)],
  }
}
