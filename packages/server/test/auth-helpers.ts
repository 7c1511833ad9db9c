// Helpers of the auth tests: a temporary keys file, a minimal fastify instance with the auth
// plugin and dummy routes carrying the route config, and a clock the tests move.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Fastify, { type FastifyInstance } from "fastify";
import { type AuthOptions, addKey, authPlugin, type NewKeyLimits } from "../src/auth/index.js";

export interface Clock {
  ms: number;
  now: () => number;
}

/** A clock at `iso` that the test moves by assigning `ms`. */
export function clockAt(iso: string): Clock {
  const c: Clock = { ms: Date.parse(iso), now: () => c.ms };
  return c;
}

/** Run `fn` in a fresh temporary directory, removed afterwards. */
export async function inTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "dnsrep-auth-"));
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Add keys to `dir/keys.json`; returns the file and each key by name. */
export function makeKeys(dir: string, keys: Record<string, NewKeyLimits>, nowMs?: number): { file: string; token: Record<string, string> } {
  const file = join(dir, "keys.json");
  const token: Record<string, string> = {};
  for (const [name, limits] of Object.entries(keys)) token[name] = addKey(file, name, limits, nowMs);
  return { file, token };
}

/** Gate a slow route waits on; open() lets every waiting request finish. */
export class Gate {
  #open!: () => void;
  readonly opened = new Promise<void>((r) => {
    this.#open = r;
  });
  entered = 0;
  open(): void {
    this.#open();
  }
}

/**
 * A fastify instance with the auth plugin and dummy routes: /q (dnsdb, quota), /pdns/q (circl,
 * quota), /ping (dnsdb, no quota), /open (no auth), /bad (dnsdb, quota, answers 400), /slow (dnsdb, quota, waits on `gate`).
 * Each answers with the request's principal as JSON.
 */
export async function makeApp(opts: AuthOptions, gate?: Gate, logs?: string[]): Promise<FastifyInstance> {
  const app = Fastify({
    logger: logs ? { level: "error", stream: { write: (s: string) => logs.push(JSON.parse(s).msg as string) } } : false,
  });
  await app.register(authPlugin, opts);
  const principal = async (request: { principal: unknown }) => ({ principal: request.principal });
  app.get("/q", { config: { auth: "dnsdb", quota: true } }, principal);
  app.get("/pdns/q", { config: { auth: "circl", quota: true } }, principal);
  app.get("/ping", { config: { auth: "dnsdb" } }, principal);
  app.get("/open", principal);
  app.get("/bad", { config: { auth: "dnsdb", quota: true } }, async (_request, reply) =>
    reply.code(400).type("text/plain").send("bad query\n"),
  );
  app.get("/slow", { config: { auth: "dnsdb", quota: true } }, async (request) => {
    if (gate) {
      gate.entered++;
      await gate.opened;
    }
    return { principal: request.principal };
  });
  await app.ready();
  return app;
}

/** Wait until `cond()` holds, polling, at most `ms` (a bounded wait, not a timed assertion). */
export async function until(cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}
