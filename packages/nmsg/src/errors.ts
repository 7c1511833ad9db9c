/** nmsg's closed error set (named after libnmsg's nmsg_res failures). */
export const NmsgErrorCode = {
  MAGIC: "ERR_MAGIC",
  VERSION: "ERR_VERSION",
  TRUNCATED: "ERR_TRUNCATED",
  PARSE: "ERR_PARSE_ERROR",
  DECOMPRESS: "ERR_DECOMPRESS",
  FRAGMENT: "ERR_FRAGMENT",
  NOT_IMPLEMENTED: "ERR_NOTIMPL",
  INVALID: "ERR_INVALID",
} as const;
export type NmsgErrorCode = (typeof NmsgErrorCode)[keyof typeof NmsgErrorCode];

export class NmsgError extends Error {
  override readonly name = "NmsgError";
  readonly code: NmsgErrorCode;
  /** byte offset in the input stream where the problem was found, when known */
  readonly offset: number | undefined;
  /** the message without its offset (what the constructor was given) */
  readonly detail: string;
  constructor(code: NmsgErrorCode, message: string, offset?: number) {
    super(offset === undefined ? message : `${message} at offset ${offset}`);
    this.code = code;
    this.offset = offset;
    this.detail = message;
  }
}
export function isNmsgError(e: unknown): e is NmsgError {
  return e instanceof NmsgError;
}
