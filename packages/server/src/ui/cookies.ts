/** The session cookie's name. */
export const SESSION_COOKIE = "dnsrep_session";

/**
 * The value of cookie `name` in a Cookie request header (RFC 6265 §5.4: `a=1; b=2`), or null when
 * it is absent. The first of several of that name wins (the most specific path, as browsers
 * order them). A value in double quotes loses them; nothing is percent-decoded.
 */
export function cookieValue(header: string | undefined, name: string): string | null {
  if (header === undefined) return null;
  let at = 0;
  while (at < header.length) {
    let end = header.indexOf(";", at);
    if (end < 0) end = header.length;
    const eq = header.indexOf("=", at);
    if (eq >= 0 && eq < end && header.slice(at, eq).trim() === name) {
      let v = header.slice(eq + 1, end).trim();
      if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
      return v;
    }
    at = end + 1;
  }
  return null;
}

export interface CookieAttributes {
  /** seconds until the browser drops it (0: at once) */
  maxAge: number;
  /** add `Secure` (served over TLS) */
  secure: boolean;
}

/** A Set-Cookie header value for the session cookie: HttpOnly, SameSite=Strict, Path=/, Max-Age (Secure under TLS). */
export function sessionCookie(value: string, a: CookieAttributes): string {
  return `${SESSION_COOKIE}=${value}; Path=/; Max-Age=${Math.max(0, Math.floor(a.maxAge))}; HttpOnly; SameSite=Strict${a.secure ? "; Secure" : ""}`;
}

/** The Set-Cookie header value that clears the session cookie. */
export function clearedSessionCookie(secure: boolean): string {
  return sessionCookie("", { maxAge: 0, secure });
}
