/**
 * Run a built tool binary (tools/X/bin/NAME.js) as a child process, for the few
 * end-to-end tests that must see real stdio and exit codes. Needs `tsc -b`.
 */
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot: string = join(dirname(fileURLToPath(import.meta.url)), "..");

export interface ToolResult {
  status: number;
  stdout: Buffer;
  stderr: string;
}

/** Spawn `node_modules/.bin/<name>` with args; stdin from `input`. */
export function runTool(
  name: string,
  args: string[],
  opts: { input?: Uint8Array | string; cwd?: string; env?: Record<string, string> } = {},
): ToolResult {
  const r = spawnSync(join(repoRoot, "node_modules", ".bin", name), args, {
    cwd: opts.cwd ?? repoRoot,
    input: opts.input,
    env: { ...process.env, TZ: "UTC", LC_ALL: "C", ...opts.env },
    maxBuffer: 1 << 30,
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.toString("utf8") };
}
