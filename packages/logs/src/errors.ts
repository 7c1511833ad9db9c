/** Errors of @dnsrep/logs: a closed set of codes and a guard. */
export const LogsErrorCode = {
  /** `createParser` was given a format name that is not registered. */
  UNKNOWN_FORMAT: "ERR_UNKNOWN_FORMAT",
  /** A format option (log format definition, regex, year …) is missing or invalid. */
  BAD_OPTION: "ERR_BAD_OPTION",
} as const;
export type LogsErrorCode = (typeof LogsErrorCode)[keyof typeof LogsErrorCode];

export class LogsError extends Error {
  override readonly name = "LogsError";
  readonly code: LogsErrorCode;
  constructor(code: LogsErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

export function isLogsError(e: unknown): e is LogsError {
  return e instanceof LogsError;
}
