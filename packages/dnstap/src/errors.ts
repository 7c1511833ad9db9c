/** The closed set of dnstap error codes (named after fstrm's result codes where one exists). */
export const DnstapErrorCode = {
  /** the input ends inside a frame, or without a STOP frame */
  TRUNCATED: "ERR_TRUNCATED",
  /** a frame longer than the reader's maximum (a length field claiming gigabytes) */
  FRAME_TOO_LARGE: "ERR_FRAME_TOO_LARGE",
  /** a control frame that does not parse, or one of an unknown type */
  CONTROL: "ERR_CONTROL",
  /** a content type other than the one expected */
  CONTENT_TYPE: "ERR_CONTENT_TYPE",
  /** a frame where the protocol allows none (data before START, anything after STOP …) */
  PROTOCOL: "ERR_PROTOCOL",
  /** a data frame that is not a dnstap protobuf message */
  PROTOBUF: "ERR_PROTOBUF",
} as const;
export type DnstapErrorCode = (typeof DnstapErrorCode)[keyof typeof DnstapErrorCode];

export class DnstapError extends Error {
  override readonly name = "DnstapError";
  readonly code: DnstapErrorCode;
  /** byte offset in the stream where the problem was found, when known */
  readonly offset: number | undefined;
  constructor(code: DnstapErrorCode, message: string, offset?: number) {
    super(offset === undefined ? message : `${message} at offset ${offset}`);
    this.code = code;
    this.offset = offset;
  }
}

export function isDnstapError(e: unknown): e is DnstapError {
  return e instanceof DnstapError;
}
