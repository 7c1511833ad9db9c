/** libwdns's closed result set (wdns_res), as a typed error. */
export const WdnsErrorCode = {
  FAILURE: "ERR_FAILURE",
  INVALID_COMPRESSION_POINTER: "ERR_INVALID_COMPRESSION_POINTER",
  INVALID_LENGTH_OCTET: "ERR_INVALID_LENGTH_OCTET",
  LEN: "ERR_LEN",
  NAME_LEN: "ERR_NAME_LEN",
  NAME_OVERFLOW: "ERR_NAME_OVERFLOW",
  OUT_OF_BOUNDS: "ERR_OUT_OF_BOUNDS",
  OVERFLOW: "ERR_OVERFLOW",
  PARSE_ERROR: "ERR_PARSE_ERROR",
} as const;
export type WdnsErrorCode = (typeof WdnsErrorCode)[keyof typeof WdnsErrorCode];

/** libwdns's wdns_res_to_str text for each code. */
const RES_TEXT: Record<WdnsErrorCode, string> = {
  ERR_FAILURE: "failure",
  ERR_INVALID_COMPRESSION_POINTER: "invalid compression pointer",
  ERR_INVALID_LENGTH_OCTET: "invalid length octet",
  ERR_LEN: "len",
  ERR_NAME_LEN: "name len",
  ERR_NAME_OVERFLOW: "name overflow",
  ERR_OUT_OF_BOUNDS: "out of bounds",
  ERR_OVERFLOW: "overflow",
  ERR_PARSE_ERROR: "parse error",
};

export class WdnsError extends Error {
  override readonly name = "WdnsError";
  readonly code: WdnsErrorCode;
  constructor(code: WdnsErrorCode, detail?: string) {
    super(detail ? `${RES_TEXT[code]}: ${detail}` : RES_TEXT[code]);
    this.code = code;
  }
  /** The wdns_res_to_str() text ("out of bounds", "parse error", …). */
  get res(): string {
    return RES_TEXT[this.code];
  }
}

export function isWdnsError(e: unknown): e is WdnsError {
  return e instanceof WdnsError;
}
