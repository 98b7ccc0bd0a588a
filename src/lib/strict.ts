import { CredctlError } from '../errors.js'

/**
 * The one strict-parsing toolkit: reading untrusted JSON field by field, and whole numbers from text
 * (environment variables, CLI flags). Generic: it knows no credctl file, only the shapes. Each parser
 * that uses it keeps its own error type and wording: the getters report a Refusal to a callback that
 * the caller supplies (strictReader), and the value checks (isIntIn, isIsoTime, wholeNumber) only say
 * yes or no.
 *
 * Objects are rebuilt by the callers field by field from these getters, so extra keys or `__proto__`
 * in the input never reach the program's objects.
 */

/** A JSON object: not null, not an array. */
export type JsonObject = Record<string, unknown>

/** Whether `x` is a JSON object (not null, not an array): what every parser of a JSON file checks first. */
export const isJsonObject = (x: unknown): x is JsonObject => typeof x === 'object' && x !== null && !Array.isArray(x)

/** An ISO 8601 UTC time as Date.prototype.toISOString writes it (milliseconds optional, 1 to 3 digits). */
export const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/

/** Whether `x` is a string holding an ISO 8601 UTC time (ISO_TIME). */
export const isIsoTime = (x: unknown): x is string => typeof x === 'string' && ISO_TIME.test(x)

/** Whether `x` is a JSON number that is an integer from `min` to `max` (both included). */
export const isIntIn = (x: unknown, min: number, max: number): x is number =>
  typeof x === 'number' && Number.isInteger(x) && x >= min && x <= max

/**
 * What a strict getter refuses. `where` names the object in messages ("credential #3"), `key` the field
 * (absent when the object itself is refused), `kind` what went wrong, `message` the default wording:
 * `<where>: "<key>" <problem>` for a field's value, `<where>: unknown field "<key>"`,
 * `<where>: missing field "<key>"`, `<where> is not an object`.
 */
export interface Refusal {
  where: string
  key?: string
  kind: 'object' | 'unknown' | 'missing' | 'value'
  message: string
}

/** The error a StrictReader throws when its caller gave no callback. */
export class StrictError extends Error {
  readonly refusal: Refusal
  constructor(refusal: Refusal) {
    super(refusal.message)
    this.name = 'StrictError'
    this.refusal = refusal
  }
}

/** Default length limit of str(): 1 Mi characters. */
export const STR_MAX = 1 << 20

export interface StrOptions {
  /** At most this many UTF-16 units (default STR_MAX). Ignored when `why` is given. */
  max?: number
  /**
   * The caller's own rule for the text, replacing the length and NUL checks: a problem to append to
   * `<where>: "<key>" `, or undefined when the text is fine.
   */
  why?: (v: string) => string | undefined
}

type Getter<T, A extends unknown[]> = (o: JsonObject, k: string, where: string, ...rest: A) => T

/** The getters of one parser, each throwing the caller's error (see strictReader). */
export interface StrictReader {
  /** `x` as an object, or a refusal "<where> is not an object". */
  obj(x: unknown, where: string): JsonObject
  /** Refuses a key of `o` not in `allowed` (first one, cut to 40 characters), then a key of `required` that is absent. */
  only(o: JsonObject, allowed: readonly string[], where: string, required?: readonly string[]): void
  /** A string: no NUL, at most `max` characters (or the caller's `why`). */
  str(o: JsonObject, k: string, where: string, opts?: StrOptions): string
  /** An integer number from `min` to `max` (both included). */
  int(o: JsonObject, k: string, where: string, bounds: { min: number; max: number }): number
  /** true or false. */
  bool(o: JsonObject, k: string, where: string): boolean
  /** An ISO 8601 UTC time (ISO_TIME), a string of at most 40 characters. */
  isoTime(o: JsonObject, k: string, where: string): string
  /** The getter `get`, also accepting null (returned as null). */
  nullable<T, A extends unknown[]>(get: Getter<T, A>): Getter<T | null, A>
  /** Refuse field `key` of `where` with `problem` ("<where>: "<key>" <problem>"): the caller's own rules. */
  refuse(where: string, key: string, problem: string): never
}

/**
 * Getters that refuse through `toError`: it receives the Refusal and returns the error to throw (so a
 * vault parser throws its FormatError, a bundle parser its "damaged bundle" CredctlError). Without it
 * they throw StrictError.
 */
export function strictReader(toError: (r: Refusal) => Error = (r) => new StrictError(r)): StrictReader {
  const fail = (r: Refusal): never => {
    throw toError(r)
  }
  const refuse = (where: string, key: string, problem: string): never => fail({ where, key, kind: 'value', message: `${where}: "${key}" ${problem}` })
  const str = (o: JsonObject, k: string, where: string, opts: StrOptions = {}): string => {
    const v = o[k]
    if (typeof v !== 'string') return refuse(where, k, 'must be a string')
    if (opts.why) {
      const why = opts.why(v)
      if (why !== undefined) refuse(where, k, why)
      return v
    }
    const max = opts.max ?? STR_MAX
    if (v.length > max) refuse(where, k, `is too long (over ${max} characters)`)
    if (v.includes('\0')) refuse(where, k, 'contains a NUL character')
    return v
  }
  return {
    obj(x, where) {
      if (!isJsonObject(x)) return fail({ where, kind: 'object', message: `${where} is not an object` })
      return x
    },
    only(o, allowed, where, required = []) {
      for (const k of Object.keys(o)) {
        if (!allowed.includes(k)) fail({ where, key: k, kind: 'unknown', message: `${where}: unknown field "${k.slice(0, 40)}"` })
      }
      for (const k of required) if (!Object.hasOwn(o, k)) fail({ where, key: k, kind: 'missing', message: `${where}: missing field "${k}"` })
    },
    str,
    int(o, k, where, { min, max }) {
      const v = o[k]
      if (!isIntIn(v, min, max)) return refuse(where, k, `must be an integer between ${min} and ${max}`)
      return v
    },
    bool(o, k, where) {
      const v = o[k]
      if (typeof v !== 'boolean') return refuse(where, k, 'must be true or false')
      return v
    },
    isoTime(o, k, where) {
      const v = str(o, k, where, { max: 40 })
      if (!ISO_TIME.test(v)) refuse(where, k, 'must be an ISO 8601 UTC time')
      return v
    },
    nullable:
      <T, A extends unknown[]>(get: Getter<T, A>): Getter<T | null, A> =>
      (o, k, where, ...rest) =>
        o[k] === null ? null : get(o, k, where, ...rest),
    refuse,
  }
}

const WHOLE = /^\s*\d+\s*$/
const WHOLE_NO_BLANKS = /^\d+$/

/**
 * A whole number written in decimal digits (leading zeros allowed, surrounding blanks allowed unless
 * `blanks: false`), from `min` to `max` (default 0 to Number.MAX_SAFE_INTEGER); undefined for anything
 * else: a sign, a fraction, an exponent (1e3), hex (0x10), '', blanks only, or out of range. The caller
 * words the refusal.
 */
export function wholeNumber(text: string, { min = 0, max = Number.MAX_SAFE_INTEGER, blanks = true }: { min?: number; max?: number; blanks?: boolean } = {}): number | undefined {
  if (!(blanks ? WHOLE : WHOLE_NO_BLANKS).test(text)) return undefined
  const n = Number(text)
  return n >= min && n <= max ? n : undefined
}

export interface EnvWholeNumber {
  min: number
  max: number
  /** The value when the variable is unset or empty. */
  default: number
  /** What the number counts, for the message: "milliseconds", "bytes". */
  unit: string
  /** How the message writes `max` (e.g. "2^40"); default the number itself. */
  maxText?: string
}

/**
 * A whole-number setting from the environment: unset or empty means `default`; anything else that is
 * not a whole number from `min` to `max` is a usage error (CredctlError USAGE, exit 2), never a silent
 * default: "<name> must be a whole number of <unit> from <min> to <max>", hint "unset it for the default (<default>)".
 */
export function envWholeNumber(env: Readonly<Record<string, string | undefined>>, name: string, o: EnvWholeNumber): number {
  const raw = env[name]
  if (raw === undefined || raw === '') return o.default
  const n = wholeNumber(raw, { min: o.min, max: o.max })
  if (n === undefined) {
    throw new CredctlError('USAGE', `${name} must be a whole number of ${o.unit} from ${o.min} to ${o.maxText ?? o.max}`, { hint: `unset it for the default (${o.default})` })
  }
  return n
}
