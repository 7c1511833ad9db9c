import { readFileSync } from "node:fs";
import { AuthError, messageOf } from "./errors.js";
import { fieldReaders, isObject, parseRecords } from "./records-file.js";
import { formatKeyTime } from "./time.js";

/** A burst limit: at most `size` queries in any `window` seconds. */
export interface Burst {
  size: number;
  window: number;
}

/** What a key may do: look up (the DNSDB and COF routes) or write (the ingest routes), never both. */
export type KeyRole = "lookup" | "ingest";

/** The limits a key may carry (null: none). */
export interface KeyLimits {
  dailyLimit: number | null;
  resultsMax: number | null;
  offsetMax: number | null;
  burst: Burst | null;
  /** epoch seconds after which the key is refused */
  expires: number | null;
}

/** One key of the keys file. The key itself is never stored: only its SHA-256 digest. */
export interface KeyRecord extends KeyLimits {
  name: string;
  /** SHA-256 of the key, 32 bytes */
  digest: Buffer;
  /** epoch seconds */
  created: number;
  revoked: boolean;
  /** "lookup" (the default, absent from the file) or "ingest" */
  role: KeyRole;
}

export const KEYS_FILE_VERSION = 1;
const FIELDS = new Set(["name", "digest", "created", "daily_limit", "results_max", "offset_max", "burst", "expires", "revoked", "role"]);

/**
 * Key names: 1 to 64 of letters, digits and `._@+-`, not `-` alone (the name of the principal
 * without auth). No `:` (the user part of HTTP basic auth), no spaces (log lines).
 */
export function checkKeyName(name: string): string | null {
  if (!/^[A-Za-z0-9._@+-]{1,64}$/.test(name)) return "a key name is 1 to 64 letters, digits or ._@+-";
  if (name === "-") return 'the key name "-" is reserved (requests without auth)';
  return null;
}

/** Parse the text of a keys file (JSON, docs/formats/keys.md). Throws an AuthError ERR_KEYS_FILE naming `path`. */
export function parseKeysFile(text: string, path: string): KeyRecord[] {
  const bad = (msg: string): AuthError => new AuthError("ERR_KEYS_FILE", `${path}: not a valid keys file: ${msg}`);
  const records = parseRecords(
    text,
    { version: KEYS_FILE_VERSION, list: "keys", what: "key", fields: FIELDS, checkName: checkKeyName },
    bad,
  );
  const digests = new Set<string>();
  const keys: KeyRecord[] = [];
  for (const { name, at, o: k } of records) {
    if (typeof k.digest !== "string" || !/^[0-9a-f]{64}$/.test(k.digest)) throw bad(`${at}: digest is not 64 lowercase hex digits`);
    if (digests.has(k.digest)) throw bad(`${at}: the same digest as another key`);
    digests.add(k.digest);
    const { time, limit } = fieldReaders(at, bad);
    let burst: Burst | null = null;
    if (k.burst !== undefined && k.burst !== null) {
      const b = k.burst;
      if (!isObject(b)) throw bad(`${at}: burst is not an object {"size":N,"window":SECONDS}`);
      burst = { size: limit("burst.size", b.size, 1) ?? 0, window: limit("burst.window", b.window, 1) ?? 0 };
      if (burst.size === 0 || burst.window === 0) throw bad(`${at}: burst needs size and window`);
    }
    if (k.revoked !== undefined && typeof k.revoked !== "boolean") throw bad(`${at}: revoked is not true or false`);
    if (k.role !== undefined && k.role !== "lookup" && k.role !== "ingest") throw bad(`${at}: role is not "lookup" or "ingest"`);
    keys.push({
      name,
      digest: Buffer.from(k.digest, "hex"),
      created: time("created", k.created),
      dailyLimit: limit("daily_limit", k.daily_limit, 0),
      resultsMax: limit("results_max", k.results_max, 1),
      offsetMax: limit("offset_max", k.offset_max, 0),
      burst,
      expires: k.expires === undefined || k.expires === null ? null : time("expires", k.expires),
      revoked: k.revoked === true,
      role: k.role === "ingest" ? "ingest" : "lookup",
    });
  }
  return keys;
}

/** The text of a keys file (pretty JSON, one field a line, newline-terminated). */
export function formatKeysFile(keys: readonly KeyRecord[]): string {
  const out = keys.map((k) => {
    const o: Record<string, unknown> = { name: k.name, digest: k.digest.toString("hex"), created: formatKeyTime(k.created) };
    if (k.dailyLimit !== null) o.daily_limit = k.dailyLimit;
    if (k.resultsMax !== null) o.results_max = k.resultsMax;
    if (k.offsetMax !== null) o.offset_max = k.offsetMax;
    if (k.burst !== null) o.burst = { size: k.burst.size, window: k.burst.window };
    if (k.expires !== null) o.expires = formatKeyTime(k.expires);
    if (k.revoked) o.revoked = true;
    if (k.role !== "lookup") o.role = k.role;
    return o;
  });
  return `${JSON.stringify({ version: KEYS_FILE_VERSION, keys: out }, null, 2)}\n`;
}

/** Read and parse a keys file; any failure is one AuthError ERR_KEYS_FILE line naming `path`. */
export function readKeysFile(path: string): KeyRecord[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new AuthError("ERR_KEYS_FILE", `${path}: cannot read the keys file: ${messageOf(e)}`);
  }
  return parseKeysFile(text, path);
}
