import { closeSync, fchmodSync, fchownSync, openSync, readFileSync, renameSync, type Stats, statSync, unlinkSync } from "node:fs";
import { writeTempFile } from "./atomic.js";
import { AuthError, messageOf } from "./errors.js";
import { checkKeyName, formatKeysFile, type KeyLimits, type KeyRecord, type KeyRole, parseKeysFile } from "./keys-file.js";
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
 * Change a keys file under its lock: the temporary file `FILE.tmp`, created exclusively, so two
 * commands never interleave their read-modify-write. A missing keys file starts empty. `change`
 * returns the new keys; they are written to the temporary file, which is renamed over the keys file.
 */
function updateKeysFile(path: string, change: (keys: KeyRecord[]) => KeyRecord[]): void {
  const temp = `${path}.tmp`;
  let fd: number;
  try {
    fd = openSync(temp, "wx", 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST")
      throw new AuthError("ERR_BUSY", `${temp} exists: another keys command is changing ${path} (remove ${temp} if none is)`);
    throw new AuthError("ERR_KEYS_FILE", `${temp}: cannot create: ${messageOf(e)}`);
  }
  let written = false;
  try {
    let keys: KeyRecord[] = [];
    let text: string | null = null;
    try {
      text = readFileSync(path, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT")
        throw new AuthError("ERR_KEYS_FILE", `${path}: cannot read the keys file: ${messageOf(e)}`);
    }
    if (text !== null) {
      keys = parseKeysFile(text, path);
      keepOwnerAndMode(fd, path);
    }
    const next = change(keys);
    written = true;
    writeTempFile(fd, formatKeysFile(next));
    renameSync(temp, path);
  } catch (e) {
    if (!written) closeSync(fd);
    try {
      unlinkSync(temp);
    } catch {
      // already gone
    }
    throw e;
  }
}

/**
 * Give the new file the old one's mode (and, when run as root, its owner), so a server running
 * as another user can still read it after `keys add` run as root. A new file is 0600.
 */
function keepOwnerAndMode(fd: number, path: string): void {
  let old: Stats;
  try {
    old = statSync(path);
  } catch {
    return; // gone meanwhile: the new file keeps 0600
  }
  fchmodSync(fd, old.mode & 0o777);
  if (process.getuid?.() === 0) fchownSync(fd, old.uid, old.gid);
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
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new AuthError("ERR_KEYS_FILE", `${path}: cannot read the keys file: ${messageOf(e)}`);
  }
  const keys = parseKeysFile(text, path);
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
