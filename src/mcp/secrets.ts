import { redact, redactError, secretPieces } from '../checks/redact.js'
import { CredctlError } from '../errors.js'
import { typeInfo } from '../credentials/catalogue.js'
import type { CredentialRecord } from '../vault/format.js'

/**
 * The secrets the one redaction (src/checks/redact.ts) hunts for in this session's output. Seeded ONCE,
 * before the first result of any tool, with EVERY in-scope credential's value (seedOnce: one decrypt of
 * them all, on record as one `mcp.start` entry listing them). Seeding only with the values a call had
 * used let a value the session never used leak raw (a row holding another credential's password, a
 * schema comment, a response body). Values a call decrypts later join too. A value that is a location,
 * not a secret (static_file: a path, shown as is by the mask too), is not added, as validate does.
 */
export class SessionSecrets {
  private readonly values = new Set<string>()
  private seeding: Promise<void> | undefined

  /**
   * Seed with every in-scope value, once per session: `load` decrypts them and records that (required).
   * Concurrent first calls share the one load; a failed load (history not writable) fails the call and
   * is tried again by the next one.
   */
  seedOnce(load: () => Promise<{ record: Pick<CredentialRecord, 'type' | 'schema_type'>; value: string }[]>): Promise<void> {
    this.seeding ??= load().then(
      (items) => {
        for (const i of items) this.add(i.record, i.value)
      },
      (e: unknown) => {
        this.seeding = undefined
        throw e
      },
    )
    return this.seeding
  }

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

  /**
   * Refuse a result whose text, read ACROSS its cells, holds a secret: a secret split over two cells
   * (`'ab' || …` in one column, the rest in the next), rows or fields passes the redaction of each
   * string. Checked: every leaf (strings, numbers, booleans) concatenated in order with nothing between
   * (a row's cells, then the next row's), the same with one blank between, and the serialised result.
   * A piece must be at least 8 characters (shorter ones would match ordinary data). Not seen: echoes
   * transformed otherwise (reversed, upper-cased, interleaved, split by other separators).
   * @throws CredctlError INVALID_INPUT naming no secret
   */
  refuseJoined(x: unknown): void {
    const leaves: string[] = []
    const walk = (v: unknown): void => {
      if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') leaves.push(String(v))
      else if (Array.isArray(v)) v.forEach(walk)
      else if (v !== null && typeof v === 'object') for (const [k, w] of Object.entries(v)) (leaves.push(k), walk(w))
    }
    walk(x)
    const joined = [leaves.join(''), leaves.join(' '), JSON.stringify(x) ?? '']
    // Also as a reader would decode them: JSON `\uXXXX` escapes and HTML character references (a service
    // echoing the key as `\u0073\u006b…` or `&#115;&#107;…` hands it over just the same).
    const texts = [...joined, ...joined.map(decodeEscapes)]
    for (const value of this.values) {
      for (const piece of secretPieces(value)) {
        if (piece.length < 8) continue
        const json = JSON.stringify(piece).slice(1, -1)
        if (texts.some((t) => t.includes(piece) || t.includes(json))) {
          throw new CredctlError('INVALID_INPUT', 'result withheld: read across its cells, it holds a stored secret of this session', {
            hint: 'select the columns one by one, or narrow the query',
          })
        }
      }
    }
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

/** `\uXXXX`, `&#NNN;` and `&#xHH;` decoded (other text kept): what a JSON parser or a browser would read. */
export function decodeEscapes(t: string): string {
  return t
    .replace(/\\u([0-9a-fA-F]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)))
    .replace(/&#x([0-9a-fA-F]{1,6});/g, (m, h: string) => safeChar(parseInt(h, 16), m))
    .replace(/&#([0-9]{1,7});/g, (m, d: string) => safeChar(parseInt(d, 10), m))
}

const safeChar = (n: number, keep: string): string => (n <= 0x10ffff ? String.fromCodePoint(n) : keep)
