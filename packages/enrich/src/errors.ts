/** @dnsrep/enrich's error class: a closed set of codes, one-line messages. */
export const EnrichErrorCode = {
  /** a database file that cannot be read (missing, unreadable) */
  OPEN: "OPEN",
  /** a file that is not a usable MaxMind-format database (corrupt, truncated, wrong kind) */
  FORMAT: "FORMAT",
  /** an address that is not 4 or 16 bytes */
  INVALID: "INVALID",
} as const;
export type EnrichErrorCode = (typeof EnrichErrorCode)[keyof typeof EnrichErrorCode];

export class EnrichError extends Error {
  readonly code: EnrichErrorCode;
  constructor(code: EnrichErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "EnrichError";
    this.code = code;
  }
}

export function isEnrichError(e: unknown): e is EnrichError {
  return e instanceof EnrichError;
}
