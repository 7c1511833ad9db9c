/**
 * Helpers of the live-ingest tests: a keys file with an ingest and a lookup key, the NMSG
 * listener addresses a started server names, POSTs and lookups over HTTP, polling with a bound,
 * and the observations a dnsdedupe nmsg file holds.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { readNmsgFile } from "@dnsrep/nmsg";
import { addKey, dedupeObservation } from "@dnsrep/server";
import { repoRoot } from "./spawn-server.js";

export function makeKeys(dir: string): { file: string; writer: string; reader: string } {
  const file = join(dir, "keys.json");
  return { file, writer: addKey(file, "shipper", { role: "ingest" }), reader: addKey(file, "analyst") };
}

/** The `reading NMSG on PROTO:HOST:PORT` addresses a server printed, as HOST/PORT for nmsg-tool. */
export function nmsgAddress(stderr: string, proto: "tcp" | "udp"): string {
  const m = new RegExp(`reading NMSG on ${proto}:([0-9.]+):(\\d+)`).exec(stderr);
  if (!m) throw new Error(`no ${proto} NMSG listener in: ${stderr}`);
  return `${m[1]}/${m[2]}`;
}

export async function post(url: string, key: string, body: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}/api/v1/ingest`, {
    method: "POST",
    headers: { "content-type": "application/x-ndjson", "x-api-key": key, ...headers },
    body,
    signal: AbortSignal.timeout(30000),
  });
}

/** The objects of a lookup (`rrset/name/NAME` …). */
export async function lookup(url: string, key: string, path: string): Promise<Record<string, unknown>[]> {
  const r = await fetch(`${url}/dnsdb/v2/lookup/${path}`, { headers: { "x-api-key": key }, signal: AbortSignal.timeout(30000) });
  if (r.status !== 200) throw new Error(`lookup ${path}: ${r.status} ${await r.text()}`);
  return (await r.text())
    .split("\n")
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as { obj?: Record<string, unknown> })
    .filter((l) => l.obj !== undefined)
    .map((l) => l.obj as Record<string, unknown>);
}

/** Call `f` until it returns a value that is not null, for at most `ms`; null if it never did. */
export async function within<T>(ms: number, f: () => Promise<T | null>, stepMs = 20): Promise<T | null> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== null) return v;
    if (Date.now() >= end) return null;
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

/** A server's counter `dnstable_server_ingest_observations_total{via=…}`. */
export async function ingested(url: string, via: string): Promise<number> {
  const t = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(30000) })).text();
  const m = new RegExp(`dnstable_server_ingest_observations_total\\{via="${via}"\\} (\\d+)`).exec(t);
  return m ? Number(m[1]) : 0;
}

/** How many observations a dnsdedupe nmsg file gives the live store (the payloads dnstable-import keeps). */
export async function dedupeObservations(path: string): Promise<number> {
  let n = 0;
  for await (const p of readNmsgFile(path)) if (dedupeObservation(p) !== null) n++;
  return n;
}

export const NMSG_TOOL = join(repoRoot, "tools/nmsg-tool/bin/nmsg-tool.js");
export const MTBL_VERIFY = join(repoRoot, "tools/mtbl/bin/mtbl-verify.js");

/** Run nmsg-tool with `args` (stdin `input`); throws unless it exits 0. */
export function nmsgTool(args: string[], input?: string): void {
  const r = spawnSync(process.execPath, [NMSG_TOOL, ...args], { input: input ?? "", encoding: "utf8", timeout: 60000 });
  if (r.status !== 0) throw new Error(`nmsg-tool ${args.join(" ")}: ${r.status}: ${r.stderr}`);
}
