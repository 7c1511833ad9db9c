/** The closed set of ingest error codes, each with the HTTP status the ingest routes answer. */
export const IngestErrorCode = {
  /** a line of the batch is not a valid observation: the whole batch is refused (400) */
  BAD_BATCH: "ERR_BAD_BATCH",
  /** the body is larger than the limit, compressed or not (413) */
  TOO_LARGE: "ERR_TOO_LARGE",
  /** the body's encoding or content type is not one we take (415) */
  UNSUPPORTED: "ERR_UNSUPPORTED",
  /** the store is behind (its flushes cannot keep up): retry later (503) */
  BUSY: "ERR_BUSY",
  /** the disk is full: nothing was applied (507) */
  NOSPACE: "ERR_NOSPACE",
} as const;
export type IngestErrorCode = (typeof IngestErrorCode)[keyof typeof IngestErrorCode];

export class IngestError extends Error {
  override readonly name = "IngestError";
  readonly code: IngestErrorCode;
  constructor(code: IngestErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

export function isIngestError(e: unknown): e is IngestError {
  return e instanceof IngestError;
}

/** The HTTP status an ingest error answers with. */
export function ingestStatus(code: IngestErrorCode): number {
  switch (code) {
    case IngestErrorCode.BAD_BATCH:
      return 400;
    case IngestErrorCode.TOO_LARGE:
      return 413;
    case IngestErrorCode.UNSUPPORTED:
      return 415;
    case IngestErrorCode.BUSY:
      return 503;
    case IngestErrorCode.NOSPACE:
      return 507;
  }
}
