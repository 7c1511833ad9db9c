import { CliError, type CliIo, configureProgram, OutputWriter, parseIntOption, parseOption, UsageError } from "@dnsrep/cli";
import { addKey, type Burst, isAuthError, type KeyListing, listKeys, type NewKeyLimits, parseKeyTime, revokeKey } from "@dnsrep/server";
import { Command } from "commander";

/**
 * `dnstable-server keys add|list|revoke`: the API keys of a keys file (docs/formats/keys.md).
 * `add` prints the new key, and only the key, on stdout: the file keeps its SHA-256 digest, so
 * it can never be shown again. `list` shows names, limits and today's usage, never keys or
 * digests. The file is changed atomically; a running server picks the change up by itself.
 */

interface AddFlags {
  keys: string;
  dailyLimit?: string;
  resultsMax?: string;
  offsetMax?: string;
  burst?: string;
  expires?: string;
  role: string;
}

/** `--burst N/SECONDS`: at most N queries in any SECONDS seconds. */
export function parseBurst(text: string): Burst {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  if (!m?.[1] || !m[2]) throw new UsageError(`--burst: expected N/SECONDS (as 10/60), got ${JSON.stringify(text)}`);
  return { size: parseIntOption("--burst N", m[1], 1), window: parseIntOption("--burst SECONDS", m[2], 1) };
}

/** The map from the auth part's errors to exit statuses: the user's mistakes are usage errors. */
function cliErrorOf(e: unknown): unknown {
  if (!isAuthError(e)) return e;
  if (e.code === "ERR_KEY_EXISTS" || e.code === "ERR_KEY_NOT_FOUND" || e.code === "ERR_INVALID") return new UsageError(e.message);
  return new CliError(e.message);
}

function limitsOf(f: AddFlags, nowMs: number): NewKeyLimits {
  const limits: NewKeyLimits = {};
  if (f.role !== "lookup" && f.role !== "ingest") throw new UsageError(`--role: expected lookup or ingest, got ${JSON.stringify(f.role)}`);
  limits.role = f.role;
  if (f.dailyLimit !== undefined) limits.dailyLimit = parseIntOption("--daily-limit", f.dailyLimit, 0);
  if (f.resultsMax !== undefined) limits.resultsMax = parseIntOption("--results-max", f.resultsMax, 1);
  if (f.offsetMax !== undefined) limits.offsetMax = parseIntOption("--offset-max", f.offsetMax, 0);
  if (f.burst !== undefined) limits.burst = parseBurst(f.burst);
  if (f.expires !== undefined) {
    const t = parseOption("--expires", f.expires, parseKeyTime);
    if (t * 1000 <= nowMs) throw new UsageError(`--expires: ${f.expires} is not in the future`);
    limits.expires = t;
  }
  return limits;
}

const dash = (v: number | null): string => (v === null ? "-" : String(v));
const iso = (t: number): string => new Date(t * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");

function status(k: KeyListing, nowMs: number): string {
  if (k.revoked) return "revoked";
  if (k.expires !== null && k.expires * 1000 <= nowMs) return "expired";
  return "active";
}

/** `keys list` as aligned columns, or JSON lines with -j. */
function formatListing(keys: KeyListing[], json: boolean, nowMs: number): string {
  if (json)
    return keys
      .map(
        (k) =>
          `${JSON.stringify({
            name: k.name,
            status: status(k, nowMs),
            role: k.role,
            created: k.created,
            daily_limit: k.dailyLimit,
            used_today: k.usedToday,
            results_max: k.resultsMax,
            offset_max: k.offsetMax,
            burst: k.burst,
            expires: k.expires,
          })}\n`,
      )
      .join("");
  const rows = [["NAME", "STATUS", "ROLE", "DAILY_LIMIT", "USED_TODAY", "RESULTS_MAX", "OFFSET_MAX", "BURST", "EXPIRES", "CREATED"]];
  for (const k of keys)
    rows.push([
      k.name,
      status(k, nowMs),
      k.role,
      dash(k.dailyLimit),
      String(k.usedToday),
      dash(k.resultsMax),
      dash(k.offsetMax),
      k.burst === null ? "-" : `${k.burst.size}/${k.burst.window}`,
      k.expires === null ? "-" : iso(k.expires),
      iso(k.created),
    ]);
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows.map((r) => `${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join("  ")}\n`).join("");
}

/**
 * Run `keys SUBCOMMAND …` (argv from the subcommand on; a leading "keys" is skipped). Throws
 * UsageError (exit 2) or CliError (exit 1) like every run function; runCommand prints them.
 */
export async function runKeys(argv: string[], io: CliIo, nowMs = Date.now()): Promise<number> {
  const args = argv[0] === "keys" ? argv.slice(1) : argv;
  const out = new OutputWriter(io.stdout);
  const program = configureProgram(new Command("dnstable-server"), io);
  const keys = program.command("keys").description("manage the API keys of a keys file (docs/formats/keys.md)");
  keys
    .command("add")
    .description("add a key and print it (only the key) on stdout; the file keeps only its SHA-256 digest")
    .argument("<name>", "the key's name (1-64 letters, digits, ._@+-): logs and basic auth use it")
    .requiredOption("--keys <file>", "the keys file (created if missing)")
    .option("--daily-limit <n>", "queries a day, counted from 00:00 UTC")
    .option("--results-max <n>", "most results a query returns")
    .option("--offset-max <n>", "largest offset a query may ask for (beyond: 416)")
    .option("--burst <n/seconds>", "at most N queries in any SECONDS seconds (beyond: 429)")
    .option("--expires <time>", "refuse the key from then on: epoch seconds, YYYY-MM-DD or RFC 3339")
    .option("--role <role>", "lookup (query the DNSDB and COF routes) or ingest (POST observations); never both", "lookup")
    .action(async (name: string, f: AddFlags) => {
      const limits = limitsOf(f, nowMs);
      await out.text(`${addKey(f.keys, name, limits, nowMs)}\n`);
    });
  keys
    .command("list")
    .description("list the keys: names, limits, today's usage, expiry; never keys or digests")
    .requiredOption("--keys <file>", "the keys file")
    .option("--state <file>", "the quota state file (default: the keys file's name + .state)")
    .option("-j, --json", "JSON lines")
    .action(async (f: { keys: string; state?: string; json?: boolean }) => {
      await out.text(formatListing(listKeys(f.keys, f.state, nowMs), f.json === true, nowMs));
    });
  keys
    .command("revoke")
    .description("revoke a key: a server refuses it (403) from its next poll of the file")
    .argument("<name>", "the key's name")
    .requiredOption("--keys <file>", "the keys file")
    .action((name: string, f: { keys: string }) => revokeKey(f.keys, name));
  try {
    await program.parseAsync(["keys", ...args], { from: "user" });
  } catch (e) {
    throw cliErrorOf(e);
  }
  await out.end();
  return 0;
}
