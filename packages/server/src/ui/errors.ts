/** Errors of the web UI part: the users file and its administration. */
export const UiErrorCode = {
  /** the users file is unreadable or not a valid users file */
  ERR_USERS_FILE: "ERR_USERS_FILE",
  /** a user of that name already exists */
  ERR_USER_EXISTS: "ERR_USER_EXISTS",
  /** no user of that name */
  ERR_USER_NOT_FOUND: "ERR_USER_NOT_FOUND",
  /** another writer holds the users file's temporary file */
  ERR_BUSY: "ERR_BUSY",
  /** a bad value given to the user administration functions (a name, a password, a limit) */
  ERR_INVALID: "ERR_INVALID",
  /** the static folder cannot be served (no index.html) */
  ERR_STATIC: "ERR_STATIC",
} as const;
export type UiErrorCode = (typeof UiErrorCode)[keyof typeof UiErrorCode];

export class UiError extends Error {
  readonly code: UiErrorCode;
  constructor(code: UiErrorCode, message: string) {
    super(message);
    this.name = "UiError";
    this.code = code;
  }
}

export function isUiError(e: unknown): e is UiError {
  return e instanceof UiError;
}
