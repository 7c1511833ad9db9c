/**
 * The acceptance scenario of issue 26, shared by the mock-server and the real-server tests: the
 * built shipper tails a dnsmasq log that a writer keeps appending to; the server goes away for
 * `outageMs` in the middle and comes back (its dedupe state kept), the log is rotated by rename
 * during the outage; at the end the server's totals must equal a single-pass `parse` of every line
 * written (old file then new): nothing lost, nothing counted twice.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { appendFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { memoryIo, runCommand } from "@dnsrep/cli";
import { run } from "../src/dnsrep-shipper.js";
import { dnsmasqLines } from "./dnsmasq-lines.js";

export const SHIPPER_BIN = join(dirname(fileURLToPath(import.meta.url)), "../bin/dnsrep-shipper.js");

export type Totals = Record<string, { count: number; first: number; last: number }>;

export interface ScenarioServer {
  url(): string;
  key: string;
  kill(): Promise<void>;
  restart(): Promise<void>;
  /** Totals for the given keys (rrname|rrtype|rdata). */
  totals(keys: string[]): Promise<Totals>;
}

export interface ScenarioResult {
  expected: Totals;
  got: Totals;
  shipperExit: number | null;
  shipperStderr: string;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Single-pass reference: `dnsrep-shipper parse` over the files in order. */
export async function parseTotals(files: string[]): Promise<Totals> {
  const io = memoryIo();
  const code = await runCommand("dnsrep-shipper", run, ["parse", "--format", "dnsmasq", "--year", "2025", "-q", ...files], io);
  if (code !== 0) throw new Error(`parse failed: ${io.err()}`);
  const out: Totals = {};
  for (const l of io.out().split("\n")) {
    if (!l) continue;
    const o = JSON.parse(l) as { rrname: string; rrtype: string; rdata: string; count: number; time_first: number; time_last: number };
    out[`${o.rrname}|${o.rrtype}|${o.rdata}`] = { count: o.count, first: o.time_first, last: o.time_last };
  }
  return out;
}

export async function runScenario(dir: string, server: ScenarioServer, o: { outageMs: number; names?: number }): Promise<ScenarioResult> {
  const log = join(dir, "dnsmasq.log");
  writeFileSync(log, "");
  writeFileSync(join(dir, "key"), `${server.key}\n`);
  const child: ChildProcess = spawn(
    process.execPath,
    [
      SHIPPER_BIN,
      "run",
      "--server",
      server.url(),
      "--key-file",
      join(dir, "key"),
      "--spool",
      join(dir, "spool"),
      "--window",
      "1",
      "--poll-ms",
      "100",
      "--retry-max",
      "2",
      "--batch-size",
      "40",
      "-f",
      "dnsmasq",
      "--year",
      "2025",
      log,
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("close", (c) => resolve(c)));
  let i = 0;
  const names = o.names ?? 40;
  const write = async (ms: number): Promise<void> => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      appendFileSync(log, dnsmasqLines(25, i, names));
      i += 25;
      await sleep(100);
    }
  };
  try {
    await write(3000);
    await server.kill();
    await write(o.outageMs / 3);
    // rotation by rename during the outage: the shipper drains the old file, starts on the new one
    renameSync(log, `${log}.1`);
    writeFileSync(log, "");
    await write((2 * o.outageMs) / 3);
    await server.restart();
    await write(2000);
    const expected = await parseTotals([`${log}.1`, log]);
    const keys = Object.keys(expected);
    const sum = (t: Totals): number => Object.values(t).reduce((a, x) => a + x.count, 0);
    const want = sum(expected);
    let got: Totals = {};
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      got = await server.totals(keys);
      if (sum(got) >= want) break;
      await sleep(500);
    }
    // a little longer: anything counted twice would arrive now
    await sleep(1500);
    got = await server.totals(keys);
    child.kill("SIGTERM");
    const killer = setTimeout(() => child.kill("SIGKILL"), 30_000);
    const code = await exited;
    clearTimeout(killer);
    return { expected, got, shipperExit: code, shipperStderr: stderr };
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
}

/** The keys whose totals differ, as readable lines (empty when equal). */
export function diffTotals(got: Totals, expected: Totals): string[] {
  const out: string[] = [];
  for (const k of new Set([...Object.keys(got), ...Object.keys(expected)]))
    if (JSON.stringify(got[k]) !== JSON.stringify(expected[k]))
      out.push(`${k}: got ${JSON.stringify(got[k])}, expected ${JSON.stringify(expected[k])}`);
  return out.sort();
}
