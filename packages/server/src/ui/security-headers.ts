/**
 * The headers every response carries when the web UI is served: a strict Content-Security-Policy
 * (only the server's own scripts, styles and connections; no inline script, no eval, no plugin,
 * no framing), no MIME sniffing, no Referer leaving the page.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "content-security-policy": CONTENT_SECURITY_POLICY,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
});
