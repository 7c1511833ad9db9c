/** The closed set of capture error codes. Packet-level damage is counted, not thrown; these are for whole inputs. */
export const CaptureErrorCode = {
  /** not a pcap or pcapng file (bad magic) */
  FORMAT: "ERR_FORMAT",
  /** the file ends inside a header or a record */
  TRUNCATED: "ERR_TRUNCATED",
  /** a record or block with impossible lengths */
  CORRUPTION: "ERR_CORRUPTION",
  /** a link type this library cannot decode */
  UNSUPPORTED: "ERR_UNSUPPORTED",
} as const;
export type CaptureErrorCode = (typeof CaptureErrorCode)[keyof typeof CaptureErrorCode];

export class CaptureError extends Error {
  override readonly name = "CaptureError";
  readonly code: CaptureErrorCode;
  /** byte offset in the input where the problem was found, when known */
  readonly offset: number | undefined;
  constructor(code: CaptureErrorCode, message: string, offset?: number) {
    super(offset === undefined ? message : `${message} at offset ${offset}`);
    this.code = code;
    this.offset = offset;
  }
}

export function isCaptureError(e: unknown): e is CaptureError {
  return e instanceof CaptureError;
}
