/** The closed set of @dnsrep/server error codes. */
export const ServerErrorCode = {
  /** a query path or parameter that is not valid (HTTP 400) */
  BAD_QUERY: "ERR_BAD_QUERY",
  /** the data (mtbl files, set files) cannot be opened */
  DATA: "ERR_DATA",
  /** a server option that is not valid */
  INVALID: "ERR_INVALID",
} as const;
export type ServerErrorCode = (typeof ServerErrorCode)[keyof typeof ServerErrorCode];

export class ServerError extends Error {
  override readonly name = "ServerError";
  readonly code: ServerErrorCode;
  constructor(code: ServerErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

export function isServerError(e: unknown): e is ServerError {
  return e instanceof ServerError;
}

/** A ServerError for a bad query: its message is the one-line body of the 400. */
export function badQuery(message: string): ServerError {
  return new ServerError(ServerErrorCode.BAD_QUERY, message);
}
