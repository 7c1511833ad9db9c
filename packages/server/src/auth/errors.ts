/** Errors of the auth part: the keys file, the state file, key administration. */
export const AuthErrorCode = {
  /** the keys file is unreadable or not a valid keys file */
  ERR_KEYS_FILE: "ERR_KEYS_FILE",
  /** the state file (quota counters) is unreadable or corrupt */
  ERR_STATE_FILE: "ERR_STATE_FILE",
  /** a key of that name already exists */
  ERR_KEY_EXISTS: "ERR_KEY_EXISTS",
  /** no key of that name */
  ERR_KEY_NOT_FOUND: "ERR_KEY_NOT_FOUND",
  /** another writer holds the keys file's temporary file */
  ERR_BUSY: "ERR_BUSY",
  /** a bad value given to the key administration functions (a name, a limit, a time) */
  ERR_INVALID: "ERR_INVALID",
} as const;
export type AuthErrorCode = (typeof AuthErrorCode)[keyof typeof AuthErrorCode];

export class AuthError extends Error {
  readonly code: AuthErrorCode;
  constructor(code: AuthErrorCode, message: string) {
    super(message);
    this.name = "AuthError";
    this.code = code;
  }
}

export function isAuthError(e: unknown): e is AuthError {
  return e instanceof AuthError;
}

/** The first line of a thrown value's message (system errors included), never a stack. */
export function messageOf(e: unknown): string {
  const text = e instanceof Error ? e.message || e.name : String(e);
  return text.split("\n")[0] ?? "";
}
