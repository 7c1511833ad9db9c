/** A login request's body: `{"username":"…","password":"…"}`. */
export interface LoginBody {
  username: string;
  password: string;
}

/** The most bytes a login body may have (a 413 beyond). */
export const LOGIN_BODY_LIMIT = 4096;
const MAX_NAME = 64;
const MAX_PASSWORD = 1024;

/** A login body that is not one: its message is the 400's error. */
export class LoginBodyError extends Error {
  override readonly name = "LoginBodyError";
  readonly statusCode = 400;
}

/**
 * Parse and check a login body (the JSON text). Other fields are ignored; the user name and
 * password must be non-empty strings (at most 64 and 1024 characters). Throws LoginBodyError.
 */
export function parseLoginBody(text: string): LoginBody {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new LoginBodyError("the body is not valid JSON");
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc))
    throw new LoginBodyError('expected a JSON object {"username":…,"password":…}');
  const { username, password } = doc as { username?: unknown; password?: unknown };
  if (typeof username !== "string" || username.length === 0) throw new LoginBodyError("username: expected a non-empty string");
  if (typeof password !== "string" || password.length === 0) throw new LoginBodyError("password: expected a non-empty string");
  if (username.length > MAX_NAME) throw new LoginBodyError(`username: longer than ${MAX_NAME} characters`);
  if (password.length > MAX_PASSWORD) throw new LoginBodyError(`password: longer than ${MAX_PASSWORD} characters`);
  return { username, password };
}
