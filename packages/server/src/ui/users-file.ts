import { readFileSync } from "node:fs";
import { messageOf } from "../auth/errors.js";
import type { Burst } from "../auth/keys-file.js";
import { fieldReaders, isObject, parseRecords } from "../auth/records-file.js";
import { formatKeyTime } from "../auth/time.js";
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
  const records = parseRecords(
    text,
    { version: USERS_FILE_VERSION, list: "users", what: "user", fields: FIELDS, checkName: checkUserName },
    bad,
  );
  const users: UserRecord[] = [];
  for (const { name, at, o: u } of records) {
    const hash = typeof u.password === "string" ? parsePasswordHash(u.password) : null;
    if (hash === null) throw bad(`${at}: password is not a scrypt hash ($scrypt$ln=N,r=N,p=N$SALT$HASH)`);
    const { time, limit } = fieldReaders(at, bad);
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
      created: time("created", u.created),
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
