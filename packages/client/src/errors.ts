/** The closed set of @dnsrep/client error codes. */
export const ClientErrorCode = {
  /** 400: the server refused the query (its one-line message says why) */
  BAD_REQUEST: "ERR_BAD_REQUEST",
  /** 401: no credentials, or not in a form the server takes */
  UNAUTHORIZED: "ERR_UNAUTHORIZED",
  /** 403: the key is unknown, revoked or expired */
  FORBIDDEN: "ERR_FORBIDDEN",
  /** 404: no such endpoint on this server */
  NOT_FOUND: "ERR_NOT_FOUND",
  /** 416: the offset is beyond what the key may ask for (offset_max) */
  OFFSET_RANGE: "ERR_OFFSET_RANGE",
  /** 429: a quota is used up; `retryAfter` says when to come back */
  RATE_LIMITED: "ERR_RATE_LIMITED",
  /** 503: the server is busy or closing; `retryAfter` when it said */
  UNAVAILABLE: "ERR_UNAVAILABLE",
  /** any other HTTP status that is not 200 */
  HTTP: "ERR_HTTP",
  /** the connection could not be made, or broke before a response */
  NETWORK: "ERR_NETWORK",
  /** no response headers within the connect timeout, or no data within the idle timeout */
  TIMEOUT: "ERR_TIMEOUT",
  /** the caller's AbortSignal fired */
  ABORTED: "ERR_ABORTED",
  /** the response broke the framing: a line that is not JSON, too long, not UTF-8, a record of the wrong shape */
  PROTOCOL: "ERR_PROTOCOL",
  /** the response ended (or the connection was cut) before its terminator */
  TRUNCATED: "ERR_TRUNCATED",
} as const;
export type ClientErrorCode = (typeof ClientErrorCode)[keyof typeof ClientErrorCode];

/** An error from a query: a code, the HTTP status when there was one, the server's message. */
export class ClientError extends Error {
  override readonly name = "ClientError";
  readonly code: ClientErrorCode;
  /** the HTTP status (0 when no response came) */
  readonly status: number;
  /** seconds the server asked to wait (Retry-After), when it did */
  readonly retryAfter: number | null;
  constructor(code: ClientErrorCode, message: string, opts: { status?: number; retryAfter?: number | null; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    this.status = opts.status ?? 0;
    this.retryAfter = opts.retryAfter ?? null;
  }
}

export function isClientError(e: unknown): e is ClientError {
  return e instanceof ClientError;
}

const STATUS_CODES: Record<number, ClientErrorCode> = {
  400: ClientErrorCode.BAD_REQUEST,
  401: ClientErrorCode.UNAUTHORIZED,
  403: ClientErrorCode.FORBIDDEN,
  404: ClientErrorCode.NOT_FOUND,
  416: ClientErrorCode.OFFSET_RANGE,
  429: ClientErrorCode.RATE_LIMITED,
  503: ClientErrorCode.UNAVAILABLE,
};

/** The error for an HTTP status other than 200, with the server's message (its body's first line). */
export function statusError(status: number, body: string, retryAfter: number | null): ClientError {
  const line = body.split("\n").find((l) => l.trim().length > 0) ?? "";
  const msg = printableLine(line.trim()) || "no message";
  return new ClientError(STATUS_CODES[status] ?? ClientErrorCode.HTTP, `HTTP ${status}: ${msg}`, { status, retryAfter });
}

/** A line of server text made safe to print: control characters as \xHH, at most 300 characters. */
export function printableLine(s: string): string {
  const t = s.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
  return t.length > 300 ? `${t.slice(0, 300)}…` : t;
}
