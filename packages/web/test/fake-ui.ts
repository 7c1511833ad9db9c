/**
 * TEMPORARY (until the web-auth branch's /ui/api routes and static serving are merged): answers the
 * contract's session routes and serves webRoot with the contract's CSP, in the browser context,
 * in front of a --no-auth dnstable-server. Removed once the real routes are in.
 */
import { readFileSync } from "node:fs";
import { extname, join } from "node:path";
import type { BrowserContext } from "playwright-core";
import { webRoot } from "../src/index.js";
import type { User } from "./harness.js";

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
const TYPES: Record<string, string> = { ".js": "text/javascript", ".css": "text/css", ".html": "text/html" };

export async function fakeUi(context: BrowserContext, base: string, users: User[]): Promise<void> {
  let session: { user: string; csrf: string; used: number; limit: number } | null = null;
  await context.route(`${base}/**`, async (route) => {
    const req = route.request();
    const u = new URL(req.url());
    const headers = { "Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer" };
    const json = (status: number, body: unknown) =>
      route.fulfill({ status, headers, contentType: "application/json", body: JSON.stringify(body) });
    if (u.pathname === "/ui/api/session")
      return session ? json(200, { user: session.user, csrf: session.csrf }) : json(401, { error: "not logged in" });
    if (u.pathname === "/ui/api/login") {
      const b = JSON.parse(req.postData() ?? "{}") as { username: string; password: string };
      const user = users.find((x) => x.name === b.username && x.password === b.password);
      if (!user) return json(401, { error: "wrong user name or password" });
      session = { user: user.name, csrf: "t0k3n", used: 0, limit: user.dailyLimit ?? 0 };
      return json(200, { user: user.name, csrf: session.csrf });
    }
    if (u.pathname === "/ui/api/logout") {
      if (req.headers()["x-csrf-token"] !== session?.csrf) return json(403, { error: "bad token" });
      session = null;
      return route.fulfill({ status: 204, headers });
    }
    if (u.pathname.startsWith("/dnsdb/v2/")) {
      if (!session) return json(401, { error: "not logged in" });
      session.used++;
      if (session.limit && session.used > session.limit)
        return route.fulfill({
          status: 429,
          headers: { ...headers, "Retry-After": "3600" },
          contentType: "text/plain",
          body: "daily quota exhausted\n",
        });
      return route.continue();
    }
    const file = u.pathname.startsWith("/assets/") ? join(webRoot, u.pathname) : join(webRoot, "index.html");
    return route.fulfill({ status: 200, headers, contentType: TYPES[extname(file)] ?? "text/plain", body: readFileSync(file) });
  });
}
