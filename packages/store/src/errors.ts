/** The store's error class, with a closed set of codes the ingest layer maps to HTTP statuses. */
export const StoreErrorCode = {
  /** flushes have fallen behind: try again later (HTTP 503 + Retry-After) */
  BUSY: "BUSY",
  /** the disk is full; nothing of the batch was applied (HTTP 507) */
  NOSPACE: "NOSPACE",
  /** the store is closed (or closing) */
  CLOSED: "CLOSED",
  /** a malformed observation: the batch is refused whole (HTTP 400) */
  INVALID: "INVALID",
  /** the directory is held by another open store */
  LOCKED: "LOCKED",
  /** a damaged manifest or WAL that recovery cannot get past */
  CORRUPTION: "CORRUPTION",
  /** any other I/O failure */
  IO: "IO",
} as const;
export type StoreErrorCode = (typeof StoreErrorCode)[keyof typeof StoreErrorCode];

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreError";
    this.code = code;
  }
}

export function isStoreError(e: unknown): e is StoreError {
  return e instanceof StoreError;
}

/** A system error as a StoreError: ENOSPC (and EDQUOT) become NOSPACE, the rest IO. */
export function fromSystemError(e: unknown, what: string): StoreError {
  if (e instanceof StoreError) return e;
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const msg = e instanceof Error ? e.message : String(e);
  // the mtbl Writer wraps system errors in MtblError ERR_IO, keeping Node's message ("ENOSPC: …")
  if (code === "ENOSPC" || code === "EDQUOT" || /\b(ENOSPC|EDQUOT)\b/.test(msg))
    return new StoreError(StoreErrorCode.NOSPACE, `${what}: no space left on device`, { cause: e });
  return new StoreError(StoreErrorCode.IO, `${what}: ${msg}`, { cause: e });
}
