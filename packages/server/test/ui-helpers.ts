// Helpers of the web UI tests: a users file with cheap scrypt hashes, a server with the UI on,
// and the login/cookie steps every test repeats.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { addUser, type DnstableServer, type ServerOptions, type UserLimits } from "../src/index.js";
import { testServer } from "./helpers.js";

/** scrypt at 2^4: the tests' users log in in microseconds (the format and the code path are the same). */
export const CHEAP = { ln: 4, r: 8, p: 1 } as const;
export const PASSWORD = "correct horse battery";

/** Add users (all with PASSWORD) to `dir/users.json`; returns the file. */
export async function makeUsers(dir: string, users: Record<string, Partial<UserLimits>>, nowMs?: number): Promise<string> {
  const file = join(dir, "users.json");
  for (const [name, limits] of Object.entries(users))
    await addUser(file, name, PASSWORD, limits, { scrypt: CHEAP, ...(nowMs === undefined ? {} : { nowMs }) });
  return file;
}

/** A minimal built page in `dir/web`: index.html, assets/app.js, assets/app.css. */
export function makeStatic(dir: string): string {
  const web = join(dir, "web");
  mkdirSync(join(web, "assets"), { recursive: true });
  writeFileSync(join(web, "index.html"), '<!doctype html><title>dnsrep</title><script type="module" src="/assets/app.js"></script>\n');
  writeFileSync(join(web, "assets/app.js"), 'console.log("app");\n');
  writeFileSync(join(web, "assets/app.css"), "body{margin:0}\n");
  return web;
}

/** A server with the UI on (no polling of the data; users file polled every 20 ms). */
export function uiServer(
  usersFile: string,
  extra: Partial<ServerOptions> = {},
  ui: Partial<NonNullable<ServerOptions["ui"]>> = {},
): Promise<DnstableServer> {
  return testServer({ auth: {}, ...extra, ui: { usersFile, pollMs: 20, ...ui } });
}

/** The `name=value` of a response's Set-Cookie for the session cookie (undefined when none). */
export function sessionCookieOf(headers: Record<string, unknown>): string | undefined {
  const raw = headers["set-cookie"];
  const all = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  const c = (all as string[]).find((h) => h.startsWith("dnsrep_session="));
  return c?.split(";")[0];
}

/** Log in through inject(); returns the cookie (`dnsrep_session=…`) and the CSRF token. */
export async function login(s: DnstableServer, username: string, password = PASSWORD): Promise<{ cookie: string; csrf: string }> {
  const r = await s.app.inject({ method: "POST", url: "/ui/api/login", payload: { username, password } });
  expect(r.statusCode, r.body).toBe(200);
  const cookie = sessionCookieOf(r.headers);
  if (cookie === undefined) throw new Error("no session cookie");
  return { cookie, csrf: (r.json() as { csrf: string }).csrf };
}
