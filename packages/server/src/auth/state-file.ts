import { readFileSync } from "node:fs";
import { writeFileAtomic } from "@dnsrep/util";
import { AuthError, messageOf } from "./errors.js";

/** A key's daily usage: `used` queries on UTC day `day` (days since 1970-01-01). */
export interface DayUsage {
  day: number;
  used: number;
}

export const STATE_FILE_VERSION = 1;

/**
 * Read the quota state file: `{"version":1,"usage":{"NAME":{"day":D,"used":N},…}}`. A missing
 * file is an empty state (a first start); an unreadable or corrupt one is an AuthError
 * ERR_STATE_FILE naming the file.
 */
export function readStateFile(path: string): Map<string, DayUsage> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return new Map();
    throw new AuthError("ERR_STATE_FILE", `${path}: cannot read the quota state file: ${messageOf(e)}`);
  }
  const bad = (msg: string): AuthError => new AuthError("ERR_STATE_FILE", `${path}: not a valid quota state file: ${msg}`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw bad(messageOf(e));
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc)) throw bad("not a JSON object");
  const d = doc as { version?: unknown; usage?: unknown };
  if (d.version !== STATE_FILE_VERSION) throw bad(`unknown version ${JSON.stringify(d.version)}`);
  if (typeof d.usage !== "object" || d.usage === null || Array.isArray(d.usage)) throw bad('no "usage" object');
  const out = new Map<string, DayUsage>();
  for (const [name, u] of Object.entries(d.usage)) {
    const { day, used } = (u ?? {}) as { day?: unknown; used?: unknown };
    if (!Number.isSafeInteger(day) || !Number.isSafeInteger(used) || (day as number) < 0 || (used as number) < 0)
      throw bad(`usage of ${JSON.stringify(name)} is not {"day":D,"used":N}`);
    out.set(name, { day: day as number, used: used as number });
  }
  return out;
}

/** Write the quota state file atomically. */
export function writeStateFile(path: string, usage: ReadonlyMap<string, DayUsage>): void {
  const o: Record<string, DayUsage> = {};
  for (const [name, u] of usage) o[name] = { day: u.day, used: u.used };
  writeFileAtomic(path, `${JSON.stringify({ version: STATE_FILE_VERSION, usage: o })}\n`, { mode: 0o600 });
}
