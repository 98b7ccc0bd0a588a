import { redact, redactError } from '../checks/redact.js'
import { typeInfo } from '../credentials/catalogue.js'
import type { CredentialRecord } from '../vault/format.js'

/**
 * The secrets the one redaction (src/checks/redact.ts) hunts for in this session's output. Values are
 * decrypted per call, never all at start (a session that only lists decrypts nothing, and every value
 * decrypted is on record, per call). Each value decrypted joins the set and stays for the rest of the
 * session, so every later result, error and history line is redacted against every in-scope value this
 * process has held, not only the one of the call. A value that is a location, not a secret
 * (static_file: a path, shown as is by the mask too), is not added, as validate does.
 */
export class SessionSecrets {
  private readonly values = new Set<string>()

  add(rec: Pick<CredentialRecord, 'type' | 'schema_type'>, value: string): void {
    if (typeInfo(rec.schema_type ?? rec.type)?.mask === 'path') return
    if (value) this.values.add(value)
  }

  get list(): string[] {
    return [...this.values]
  }

  text(s: string): string {
    return redact(s, this.list)
  }

  error(e: unknown): string {
    return redactError(e, this.list)
  }

  /** Every string in a JSON-shaped value redacted (keys too); numbers, booleans and null as they are. */
  deep<T>(x: T): T {
    const walk = (v: unknown): unknown => {
      if (typeof v === 'string') return this.text(v)
      if (Array.isArray(v)) return v.map(walk)
      if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, w]) => [this.text(k), walk(w)]))
      return v
    }
    return walk(x) as T
  }
}
