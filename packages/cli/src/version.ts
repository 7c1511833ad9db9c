import { readFileSync } from "node:fs";

/**
 * The version in the package.json one directory above the module at `moduleUrl` (a tool's
 * `src/` or `dist/`: both sit beside the package's package.json, in the repository and in a packed
 * tarball). Read at run time, so the version is the package's own and no build step copies it.
 */
export function packageVersion(moduleUrl: string): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", moduleUrl), "utf8")) as { version?: unknown };
    return typeof pkg.version === "string" ? pkg.version : "unknown";
  } catch {
    return "unknown";
  }
}

/** The `--version` line of a tool: `TOOL (dnsrep) VERSION`. */
export function versionLine(prog: string, version: string): string {
  return `${prog} (dnsrep) ${version}`;
}
