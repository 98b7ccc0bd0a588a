/**
 * Many strings looked for in a text at once, in time linear in the text (plus the matches): each string
 * of at least `min` characters is filed under its first `min` characters, and the text is read through
 * a window of that width. `import --template` checks every value and comment of a .env against every
 * secret of it; one `includes` per pair was quadratic (a 1 MiB .env with 14 000 secrets took 13 s).
 * Strings shorter than `min` are not looked for: a 4-digit PIN occurs in harmless text anyway.
 */
export class StringSet {
  private readonly byPrefix = new Map<string, string[]>()
  readonly min: number

  constructor(strings: Iterable<string>, min = 8) {
    this.min = min
    for (const s of new Set(strings)) {
      if (s.length < min) continue
      const key = s.slice(0, min)
      const list = this.byPrefix.get(key)
      if (list) list.push(s)
      else this.byPrefix.set(key, [s])
    }
    // Longest first: a match covers as much of a secret as possible.
    for (const list of this.byPrefix.values()) list.sort((a, b) => b.length - a.length)
  }

  get size(): number {
    return this.byPrefix.size
  }

  /** The first occurrence at or after `from` (the longest string starting there), or undefined. */
  find(text: string, from = 0): { at: number; s: string } | undefined {
    if (this.byPrefix.size === 0) return undefined
    for (let p = from; p + this.min <= text.length; p++) {
      const list = this.byPrefix.get(text.slice(p, p + this.min))
      if (!list) continue
      for (const s of list) if (text.startsWith(s, p)) return { at: p, s }
    }
    return undefined
  }

  /** Whether the text holds any of the strings. */
  foundIn(text: string): boolean {
    return this.find(text) !== undefined
  }

  /** The text with every occurrence replaced by `by`, left to right. */
  replaceIn(text: string, by: string): string {
    let out = ''
    let at = 0
    for (let m = this.find(text); m; m = this.find(text, at)) {
      out += text.slice(at, m.at) + by
      at = m.at + m.s.length
    }
    return out + text.slice(at)
  }
}
