/**
 * Typed errors with stable codes. Every error the SDK throws on purpose is a CredctlError; the CLI maps
 * `exitCode` straight to the process exit code (DESIGN section 8), so the table lives here, once.
 */
export const EXIT = {
  ok: 0,
  checkFailed: 1,
  usage: 2,
  notFound: 3,
  vault: 4,
  unreachable: 5,
  cancelled: 130,
} as const

export type ErrorCode =
  | 'USAGE'
  | 'INVALID_INPUT'
  | 'NOT_FOUND'
  | 'NAME_TAKEN'
  | 'AMBIGUOUS'
  | 'VAULT_DAMAGED'
  | 'VAULT_VERSION'
  | 'VAULT_LOCKED'
  | 'VAULT_IO'
  | 'KEY_WRONG'
  | 'KEY_UNAVAILABLE'
  | 'KEY_INVALID'
  | 'NO_CHECK'
  | 'CHECK_FAILED'
  | 'UNREACHABLE'
  | 'CANCELLED'
  | 'INTERNAL'
  // Team vaults (issue 14): each "cannot use this vault now" is exit 4, told apart by its code.
  | 'NOT_A_MEMBER'
  | 'VAULT_FORBIDDEN'
  | 'VAULT_CONFLICT'
  | 'VAULT_OFFLINE'

const EXIT_BY_CODE: Record<ErrorCode, number> = {
  USAGE: EXIT.usage,
  INVALID_INPUT: EXIT.usage,
  NOT_FOUND: EXIT.notFound,
  NAME_TAKEN: EXIT.usage,
  AMBIGUOUS: EXIT.usage,
  VAULT_DAMAGED: EXIT.vault,
  VAULT_VERSION: EXIT.vault,
  VAULT_LOCKED: EXIT.vault,
  VAULT_IO: EXIT.vault,
  KEY_WRONG: EXIT.vault,
  KEY_UNAVAILABLE: EXIT.vault,
  KEY_INVALID: EXIT.vault,
  NO_CHECK: EXIT.usage,
  CHECK_FAILED: EXIT.checkFailed,
  UNREACHABLE: EXIT.unreachable,
  CANCELLED: EXIT.cancelled,
  INTERNAL: 1,
  NOT_A_MEMBER: EXIT.vault,
  VAULT_FORBIDDEN: EXIT.vault,
  VAULT_CONFLICT: EXIT.vault,
  VAULT_OFFLINE: EXIT.vault,
}

export class CredctlError extends Error {
  readonly code: ErrorCode
  readonly hint: string | undefined
  constructor(code: ErrorCode, message: string, opts: { hint?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause })
    this.name = 'CredctlError'
    this.code = code
    this.hint = opts.hint
  }
  get exitCode(): number {
    return EXIT_BY_CODE[this.code]
  }
}

