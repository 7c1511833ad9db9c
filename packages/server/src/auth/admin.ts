import { AuthError } from "./errors.js";
import { checkKeyName, formatKeysFile, type KeyLimits, type KeyRecord, type KeyRole, parseKeysFile, readKeysFile } from "./keys-file.js";
import { updateLockedFile } from "./locked-file.js";
import { readStateFile } from "./state-file.js";
import { utcDay } from "./time.js";
import { newToken, tokenDigest } from "./token.js";

/** A key as `keys list` shows it: its limits and today's usage, never the key or its digest. */
export interface KeyListing extends KeyLimits {
  name: string;
  created: number;
  revoked: boolean;
  role: KeyRole;
  /** queries used today (UTC) according to the state file */
  usedToday: number;
}

/**
 * Change a keys file under its lock (FILE.tmp, created exclusively: two commands never interleave
 * their read-modify-write). A missing keys file starts empty. `change` returns the new keys.
 */
function updateKeysFile(path: string, change: (keys: KeyRecord[]) => KeyRecord[]): void {
  updateLockedFile(
    path,
    "keys",
    (text) => formatKeysFile(change(text === null ? [] : parseKeysFile(text, path))),
    (why, msg) => new AuthError(why === "busy" ? "ERR_BUSY" : "ERR_KEYS_FILE", msg),
  );
}

/** Limits of a new key, all optional, and its role (default "lookup"). */
export type NewKeyLimits = Partial<KeyLimits> & { role?: KeyRole };

/**
 * Add a key named `name` to the keys file (created if missing) and return the new key, the only
 * time it exists anywhere: the file keeps its SHA-256 digest.
 */
export function addKey(path: string, name: string, limits: NewKeyLimits = {}, nowMs = Date.now()): string {
  const problem = checkKeyName(name);
  if (problem) throw new AuthError("ERR_INVALID", `${problem}: ${JSON.stringify(name)}`);
  const token = newToken();
  updateKeysFile(path, (keys) => {
    if (keys.some((k) => k.name === name))
      throw new AuthError("ERR_KEY_EXISTS", `a key named ${JSON.stringify(name)} already exists in ${path}`);
    const key: KeyRecord = {
      name,
      digest: tokenDigest(token),
      created: Math.floor(nowMs / 1000),
      dailyLimit: limits.dailyLimit ?? null,
      resultsMax: limits.resultsMax ?? null,
      offsetMax: limits.offsetMax ?? null,
      burst: limits.burst ?? null,
      expires: limits.expires ?? null,
      revoked: false,
      role: limits.role ?? "lookup",
    };
    return [...keys, key];
  });
  return token;
}

/** Mark the key named `name` revoked (it stays listed; a server refuses it with a 403). */
export function revokeKey(path: string, name: string): void {
  updateKeysFile(path, (keys) => {
    const i = keys.findIndex((k) => k.name === name);
    const k = keys[i];
    if (k === undefined) throw new AuthError("ERR_KEY_NOT_FOUND", `no key named ${JSON.stringify(name)} in ${path}`);
    const next = [...keys];
    next[i] = { ...k, revoked: true };
    return next;
  });
}

/** The keys of a keys file with today's usage from the state file (default `${path}.state`). */
export function listKeys(path: string, stateFile = `${path}.state`, nowMs = Date.now()): KeyListing[] {
  const keys = readKeysFile(path);
  const usage = readStateFile(stateFile);
  const today = utcDay(nowMs);
  return keys.map((k) => {
    const u = usage.get(k.name);
    return {
      name: k.name,
      created: k.created,
      dailyLimit: k.dailyLimit,
      resultsMax: k.resultsMax,
      offsetMax: k.offsetMax,
      burst: k.burst,
      expires: k.expires,
      revoked: k.revoked,
      role: k.role,
      usedToday: u !== undefined && u.day === today ? u.used : 0,
    };
  });
}
