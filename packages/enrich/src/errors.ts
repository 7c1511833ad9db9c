/** @dnsrep/enrich's error class: a closed set of codes, one-line messages. */
export const EnrichErrorCode = {
  /** a database file that cannot be read (missing, unreadable) */
  OPEN: "OPEN",
  /** a file that is not a usable MaxMind-format database (corrupt, truncated, wrong kind) */
  FORMAT: "FORMAT",
  /** an address that is not 4 or 16 bytes */
  INVALID: "INVALID",
  /** the stamp log: a block that fails its checksum or does not parse, not at the torn tail */
  CORRUPTION: "CORRUPTION",
  /** the stamp log: a read, write or sync that failed */
  IO: "IO",
  /** the stamp log: no space left on its device (the batch is refused; nothing of it is kept) */
  NOSPACE: "NOSPACE",
  /** the stamp store is closed, or failed for good (a write it could not take back) */
  CLOSED: "CLOSED",
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

/** A system error of the stamp log as an EnrichError (ENOSPC, EDQUOT: NOSPACE; others: IO). */
export function fromSystemError(e: unknown, what: string): EnrichError {
  if (e instanceof EnrichError) return e;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === "ENOSPC" || code === "EDQUOT")
    return new EnrichError(EnrichErrorCode.NOSPACE, `${what}: no space left on device`, { cause: e });
  return new EnrichError(EnrichErrorCode.IO, `${what}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}
