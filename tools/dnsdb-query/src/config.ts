import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CliError } from "@dnsrep/cli";

/** The settings dnsdbq reads: from a config file of shell assignments, then the environment. */
export interface Config {
  /** DNSDB API v2 server (base URL, without /dnsdb/v2) */
  dnsdbServer: string;
  dnsdbApiKey: string | null;
  /** CIRCL query URL (…/pdns/query) and user:password */
  circlServer: string | null;
  circlAuth: string | null;
  /** the config file read, if any */
  file: string | null;
}

export const DEFAULT_SERVER = "https://api.dnsdb.info";

/** The config files dnsdbq tries, in order, when DNSDBQ_CONFIG_FILE is not set (~ is HOME). */
export const CONFIG_FILES = ["~/.isc-dnsdb-query.conf", "~/.dnsdb-query.conf", "/etc/isc-dnsdb-query.conf", "/etc/dnsdb-query.conf"];

/**
 * `NAME=value` assignments of a config file (`export` allowed; values bare, 'single' or "double"
 * quoted; `#` comments). dnsdbq has /bin/sh evaluate the file: anything beyond plain assignments
 * (variables, commands) is not understood here and is an error naming the line.
 */
export function parseConfigText(text: string, file: string): Map<string, string> {
  const vars = new Map<string, string>();
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === "" || line.startsWith("#")) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(?:"([^"$`\\]*)"|'([^']*)'|([^\s"'$`\\;|&]*))\s*(?:#.*)?$/.exec(line);
    if (!m) throw new CliError(`${file}:${i + 1}: not a plain NAME=value assignment`);
    vars.set(m[1] as string, m[2] ?? m[3] ?? m[4] ?? "");
  }
  return vars;
}

function readConfig(path: string): string | null {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new CliError(`${path}: ${(e as Error).message}`);
  }
}

/** The configuration: DNSDBQ_CONFIG_FILE or the first of CONFIG_FILES that exists, overridden by DNSDB_API_KEY / DNSDB_SERVER (and CIRCL_AUTH / CIRCL_SERVER). */
export function loadConfig(env: Record<string, string | undefined>): Config {
  let file: string | null = null;
  let vars = new Map<string, string>();
  const named = env.DNSDBQ_CONFIG_FILE;
  const candidates = named !== undefined && named !== "" ? [named] : CONFIG_FILES;
  for (const c of candidates) {
    if (c.startsWith("~/") && (env.HOME === undefined || env.HOME === "")) continue;
    const path = c.startsWith("~/") ? join(env.HOME as string, c.slice(2)) : c;
    const text = readConfig(path);
    if (text === null) {
      if (c === named) throw new CliError(`${path}: no such config file (DNSDBQ_CONFIG_FILE)`);
      continue;
    }
    vars = parseConfigText(text, path);
    file = path;
    break;
  }
  const pick = (...names: (string | undefined)[]): string | null => {
    for (const n of names) if (n !== undefined && n !== "") return n;
    return null;
  };
  const server = pick(env.DNSDB_SERVER, vars.get("DNSDB_SERVER")) ?? DEFAULT_SERVER;
  return {
    // dnsdbq adds /dnsdb/v2 when it is missing; the client adds it itself
    dnsdbServer: server.replace(/\/+$/, "").replace(/\/dnsdb\/v2$/, ""),
    dnsdbApiKey: pick(env.DNSDB_API_KEY, vars.get("DNSDB_API_KEY"), vars.get("APIKEY")),
    circlServer: pick(env.CIRCL_SERVER, vars.get("CIRCL_SERVER")),
    circlAuth: pick(env.CIRCL_AUTH, vars.get("CIRCL_AUTH")),
    file,
  };
}
