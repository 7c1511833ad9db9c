/** Error codes, named after libdnstable's dnstable_res / decoding failures. */
export const DnstableErrorCode = {
  ERR_FAILURE: "ERR_FAILURE",
  ERR_CORRUPTION: "ERR_CORRUPTION",
  ERR_INVALID: "ERR_INVALID",
} as const;
export type DnstableErrorCode = (typeof DnstableErrorCode)[keyof typeof DnstableErrorCode];

export class DnstableError extends Error {
  readonly code: DnstableErrorCode;
  /** For ERR_CORRUPTION: the key of the entry that does not decode, when one is to blame. */
  readonly key: Uint8Array | undefined;
  constructor(code: DnstableErrorCode, message: string, key?: Uint8Array) {
    super(message);
    this.name = "DnstableError";
    this.code = code;
    this.key = key;
  }
}

export function isDnstableError(e: unknown): e is DnstableError {
  return e instanceof DnstableError;
}
