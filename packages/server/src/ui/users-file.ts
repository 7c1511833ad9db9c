import { readFileSync } from "node:fs";
import { messageOf } from "../auth/errors.js";
import type { Burst } from "../auth/keys-file.js";
import { formatKeyTime, parseKeyTime } from "../auth/time.js";
import { UiError } from "./errors.js";
import { type PasswordHash, parsePasswordHash } from "./password.js";

/** The quota of a web UI user: the same model as an API key's (null: no limit). */
export interface UserLimits {
  dailyLimit: number | null;
  resultsMax: number | null;
  offsetMax: number | null;
  burst: Burst | null;
}

/** One user of the users file (docs/formats/users.md). The password is kept only as a scrypt hash. */
export interface UserRecord extends UserLimits {
  name: string;
  /** the stored hash as written in the file (`$scrypt$…`) */
  password: string;
  /** the same, parsed */
  hash: PasswordHash;
  /** epoch seconds */
  created: number;
}

export const USERS_FILE_VERSION = 1;
const MAX_LIMIT = 2 ** 53 - 1;
const FIELDS = new Set(["name", "password", "created", "daily_limit", "results_max", "offset_max", "burst"]);

/** User names: 1 to 64 of letters, digits and `._@+-` (they appear in logs and in the page). */
export function checkUserName(name: string): string | null {
  if (!/^[A-Za-z0-9._@+-]{1,64}$/.test(name)) return "a user name is 1 to 64 letters, digits or ._@+-";
  if (name === "-") return 'the user name "-" is reserved';
  return null;
}

/** Parse the text of a users file. Throws a UiError ERR_USERS_FILE naming `path`. */
export function parseUsersFile(text: string, path: string): UserRecord[] {
  const bad = (msg: string): UiError => new UiError("ERR_USERS_FILE", `${path}: not a valid users file: ${msg}`);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw bad(messageOf(e));
  }
  if (!isObject(doc)) throw bad("not a JSON object");
  if (doc.version !== USERS_FILE_VERSION) throw bad(`unknown version ${JSON.stringify(doc.version)} (expected ${USERS_FILE_VERSION})`);
  if (!Array.isArray(doc.users)) throw bad('no "users" array');
  const names = new Set<string>();
  const users: UserRecord[] = [];
  for (const [i, u] of doc.users.entries()) {
    if (!isObject(u)) throw bad(`user ${i + 1}: not an object`);
    for (const f of Object.keys(u)) if (!FIELDS.has(f)) throw bad(`user ${i + 1}: unknown field ${JSON.stringify(f)}`);
    const name = u.name;
    if (typeof name !== "string") throw bad(`user ${i + 1}: no name`);
    const problem = checkUserName(name);
    if (problem) throw bad(`user ${i + 1}: ${problem}`);
    if (names.has(name)) throw bad(`user ${i + 1}: duplicate name ${JSON.stringify(name)}`);
    names.add(name);
    const at = `user ${JSON.stringify(name)}`;
    const hash = typeof u.password === "string" ? parsePasswordHash(u.password) : null;
    if (hash === null) throw bad(`${at}: password is not a scrypt hash ($scrypt$ln=N,r=N,p=N$SALT$HASH)`);
    if (typeof u.created !== "string") throw bad(`${at}: created is not an RFC 3339 time string`);
    let created: number;
    try {
      created = parseKeyTime(u.created);
    } catch (e) {
      throw bad(`${at}: created: ${messageOf(e)}`);
    }
    const limit = (field: string, v: unknown, min: number): number | null => {
      if (v === undefined || v === null) return null;
      if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min || v > MAX_LIMIT)
        throw bad(`${at}: ${field} is not an integer ≥ ${min}`);
      return v;
    };
    let burst: Burst | null = null;
    if (u.burst !== undefined && u.burst !== null) {
      const b = u.burst;
      if (!isObject(b)) throw bad(`${at}: burst is not an object {"size":N,"window":SECONDS}`);
      const size = limit("burst.size", b.size, 1);
      const window = limit("burst.window", b.window, 1);
      if (size === null || window === null) throw bad(`${at}: burst needs size and window`);
      burst = { size, window };
    }
    users.push({
      name,
      password: u.password as string,
      hash,
      created,
      dailyLimit: limit("daily_limit", u.daily_limit, 0),
      resultsMax: limit("results_max", u.results_max, 1),
      offsetMax: limit("offset_max", u.offset_max, 0),
      burst,
    });
  }
  return users;
}

/** The text of a users file (pretty JSON, newline-terminated). */
export function formatUsersFile(users: readonly UserRecord[]): string {
  const out = users.map((u) => {
    const o: Record<string, unknown> = { name: u.name, password: u.password, created: formatKeyTime(u.created) };
    if (u.dailyLimit !== null) o.daily_limit = u.dailyLimit;
    if (u.resultsMax !== null) o.results_max = u.resultsMax;
    if (u.offsetMax !== null) o.offset_max = u.offsetMax;
    if (u.burst !== null) o.burst = { size: u.burst.size, window: u.burst.window };
    return o;
  });
  return `${JSON.stringify({ version: USERS_FILE_VERSION, users: out }, null, 2)}\n`;
}

/** Read and parse a users file; any failure is one UiError ERR_USERS_FILE line naming `path`. */
export function readUsersFile(path: string): UserRecord[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new UiError("ERR_USERS_FILE", `${path}: cannot read the users file: ${messageOf(e)}`);
  }
  return parseUsersFile(text, path);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
