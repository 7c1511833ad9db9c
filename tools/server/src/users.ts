import { CliError, type CliIo, configureProgram, OutputWriter, parseIntOption, UsageError } from "@dnsrep/cli";
import {
  addUser,
  DEFAULT_SCRYPT,
  isUiError,
  listUsers,
  removeUser,
  type ScryptParams,
  setUserPassword,
  type UserLimits,
  type UserListing,
} from "@dnsrep/server";
import { Command } from "commander";
import { parseBurst } from "./keys.js";
import { readPassword } from "./read-password.js";

/**
 * `dnstable-server users add|list|remove|passwd`: the web UI's users (docs/formats/users.md).
 * Passwords are read from stdin (on a terminal: prompted for, without echo, twice) and stored as
 * scrypt hashes. The file is changed atomically; a running server picks the change up by itself
 * and ends the sessions of a user removed or given a new password.
 */

interface AddFlags {
  users: string;
  dailyLimit?: string;
  resultsMax?: string;
  offsetMax?: string;
  burst?: string;
}

/** The map from the UI part's errors to exit statuses: the user's mistakes are usage errors. */
function cliErrorOf(e: unknown): unknown {
  if (!isUiError(e)) return e;
  if (e.code === "ERR_USER_EXISTS" || e.code === "ERR_USER_NOT_FOUND" || e.code === "ERR_INVALID") return new UsageError(e.message);
  return new CliError(e.message);
}

function limitsOf(f: AddFlags): Partial<UserLimits> {
  const limits: Partial<UserLimits> = {};
  if (f.dailyLimit !== undefined) limits.dailyLimit = parseIntOption("--daily-limit", f.dailyLimit, 0);
  if (f.resultsMax !== undefined) limits.resultsMax = parseIntOption("--results-max", f.resultsMax, 1);
  if (f.offsetMax !== undefined) limits.offsetMax = parseIntOption("--offset-max", f.offsetMax, 0);
  if (f.burst !== undefined) limits.burst = parseBurst(f.burst);
  return limits;
}

const dash = (v: number | null): string => (v === null ? "-" : String(v));
const iso = (t: number): string => new Date(t * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");

/** `users list` as aligned columns, or JSON lines with -j. */
function formatListing(users: UserListing[], json: boolean): string {
  if (json)
    return users
      .map(
        (u) =>
          `${JSON.stringify({
            name: u.name,
            created: u.created,
            daily_limit: u.dailyLimit,
            used_today: u.usedToday,
            results_max: u.resultsMax,
            offset_max: u.offsetMax,
            burst: u.burst,
          })}\n`,
      )
      .join("");
  const rows = [["NAME", "DAILY_LIMIT", "USED_TODAY", "RESULTS_MAX", "OFFSET_MAX", "BURST", "CREATED"]];
  for (const u of users)
    rows.push([
      u.name,
      dash(u.dailyLimit),
      String(u.usedToday),
      dash(u.resultsMax),
      dash(u.offsetMax),
      u.burst === null ? "-" : `${u.burst.size}/${u.burst.window}`,
      iso(u.created),
    ]);
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows.map((r) => `${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join("  ")}\n`).join("");
}

/** Test hooks: the clock and the scrypt cost (the file format records the cost of each hash). */
export interface UsersEnv {
  nowMs?: number;
  scrypt?: ScryptParams;
}

/**
 * Run `users SUBCOMMAND …` (argv from the subcommand on; a leading "users" is skipped). Throws
 * UsageError (exit 2) or CliError (exit 1) like every run function; runCommand prints them.
 */
export async function runUsers(argv: string[], io: CliIo, env: UsersEnv = {}): Promise<number> {
  const args = argv[0] === "users" ? argv.slice(1) : argv;
  const nowMs = env.nowMs ?? Date.now();
  const hashing = { scrypt: env.scrypt ?? DEFAULT_SCRYPT, nowMs };
  const out = new OutputWriter(io.stdout);
  const program = configureProgram(new Command("dnstable-server"), io);
  const users = program.command("users").description("manage the web UI's users (docs/formats/users.md)");
  users
    .command("add")
    .description("add a user; the password is read from stdin (prompted for, twice, on a terminal) and stored as a scrypt hash")
    .argument("<name>", "the user name (1-64 letters, digits, ._@+-)")
    .requiredOption("--users <file>", "the users file (created if missing)")
    .option("--daily-limit <n>", "queries a day, counted from 00:00 UTC")
    .option("--results-max <n>", "most results a query returns")
    .option("--offset-max <n>", "largest offset a query may ask for (beyond: 416)")
    .option("--burst <n/seconds>", "at most N queries in any SECONDS seconds (beyond: 429)")
    .action(async (name: string, f: AddFlags) => {
      const limits = limitsOf(f);
      const password = await readPassword(io, `Password for ${name}: `, true);
      await addUser(f.users, name, password, limits, hashing);
    });
  users
    .command("passwd")
    .description("give a user a new password (read as for add); a running server ends that user's sessions")
    .argument("<name>", "the user name")
    .requiredOption("--users <file>", "the users file")
    .action(async (name: string, f: { users: string }) => {
      const password = await readPassword(io, `New password for ${name}: `, true);
      await setUserPassword(f.users, name, password, hashing);
    });
  users
    .command("list")
    .description("list the users: names, limits, today's usage; never password hashes")
    .requiredOption("--users <file>", "the users file")
    .option(
      "--state <file>",
      "the quota state file (default: the users file's name + .state; with --keys, the server keeps it beside the keys file)",
    )
    .option("-j, --json", "JSON lines")
    .action(async (f: { users: string; state?: string; json?: boolean }) => {
      await out.text(formatListing(listUsers(f.users, f.state, nowMs), f.json === true));
    });
  users
    .command("remove")
    .description("remove a user: a running server ends that user's sessions at its next poll of the file")
    .argument("<name>", "the user name")
    .requiredOption("--users <file>", "the users file")
    .action((name: string, f: { users: string }) => removeUser(f.users, name));
  try {
    await program.parseAsync(["users", ...args], { from: "user" });
  } catch (e) {
    throw cliErrorOf(e);
  }
  await out.end();
  return 0;
}
