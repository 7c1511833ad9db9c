/**
 * Start the built dnstable-server (tools/server/bin, needs `tsc -b`) as a child process on
 * 127.0.0.1, read its `listening on` line, and stop it — for the tests that query it with real
 * clients (dnsdbq, curl) and send it signals.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "../../..");
export const BIN = join(repoRoot, "tools/server/bin/dnstable-server.js");

export interface Running {
  url: string;
  proc: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Send a signal and wait for the exit; resolves to the exit code (null: killed by a signal). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Spawn the server with `args` (add `--listen 127.0.0.1:0`); rejects if it exits or says nothing within `ms`. */
export function startServer(args: string[], ms = 30000): Promise<Running> {
  const proc = spawn(process.execPath, [BIN, "--listen", "127.0.0.1:0", ...args], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  proc.stdout?.on("data", (d: Buffer) => {
    out += d.toString();
  });
  // "close": after the exit and the last of its stdout/stderr
  const exited = new Promise<number | null>((resolve) => proc.once("close", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      reject(new Error(`dnstable-server did not start within ${ms} ms: ${err}`));
    }, ms);
    proc.stderr?.on("data", (d: Buffer) => {
      err += d.toString();
      const m = /dnstable-server: listening on (\S+)\n/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1] as string,
          proc,
          stdout: () => out,
          stderr: () => err,
          stop: async (signal = "SIGTERM") => {
            if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
            const killer = setTimeout(() => proc.kill("SIGKILL"), 20000);
            const code = await exited;
            clearTimeout(killer);
            return code;
          },
        });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`dnstable-server exited (${code}) before listening: ${err}`));
    });
  });
}

/** Whether Debian's dnsdbq is installed. On CI (CI=true) its absence fails the tests that need it. */
export function haveDnsdbq(): boolean {
  return spawnSync("dnsdbq", ["-v"], { encoding: "utf8" }).status === 0;
}

/** Run dnsdbq against a DNSDB API v2 server (a key is needed even without auth: any will do). */
export function dnsdbq(
  url: string,
  args: string[],
  opts: { key?: string; env?: Record<string, string> } = {},
): { status: number; stdout: string; stderr: string } {
  const r = spawnSync("dnsdbq", args, {
    encoding: "utf8",
    timeout: 30000,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: "/nonexistent",
      TZ: "UTC",
      DNSDB_SERVER: url,
      DNSDB_API_KEY: opts.key ?? "no-auth",
      ...opts.env,
    },
  });
  return { status: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
}
