/** Error codes, named after libdnstable's dnstable_res / decoding failures. */
export const DnstableErrorCode = {
  ERR_FAILURE: "ERR_FAILURE",
  ERR_CORRUPTION: "ERR_CORRUPTION",
  ERR_INVALID: "ERR_INVALID",
} as const;
export type DnstableErrorCode = (typeof DnstableErrorCode)[keyof typeof DnstableErrorCode];

export class DnstableError extends Error {
  readonly code: DnstableErrorCode;
  constructor(code: DnstableErrorCode, message: string) {
    super(message);
    this.name = "DnstableError";
    this.code = code;
  }
}

export function isDnstableError(e: unknown): e is DnstableError {
  return e instanceof DnstableError;
}
