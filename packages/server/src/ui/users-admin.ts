import { updateLockedFile } from "../auth/locked-file.js";
import { readStateFile } from "../auth/state-file.js";
import { utcDay } from "../auth/time.js";
import { UiError } from "./errors.js";
import { DEFAULT_SCRYPT, hashPassword, parsePasswordHash, type ScryptParams } from "./password.js";
import { userQuotaName } from "./user-store.js";
import { checkUserName, formatUsersFile, parseUsersFile, readUsersFile, type UserLimits, type UserRecord } from "./users-file.js";

/** Passwords: 8 to 1024 characters (a longer one could not be sent to the login route). */
export const MIN_PASSWORD = 8;
export const MAX_PASSWORD = 1024;

/** A user as `users list` shows it: limits and today's usage, never the hash. */
export interface UserListing extends UserLimits {
  name: string;
  created: number;
  /** queries used today (UTC) according to the quota state file */
  usedToday: number;
}

export function checkPassword(password: string): string | null {
  if (password.length < MIN_PASSWORD) return `a password has at least ${MIN_PASSWORD} characters`;
  if (password.length > MAX_PASSWORD) return `a password has at most ${MAX_PASSWORD} characters`;
  return null;
}

function checked(name: string, password: string | null): void {
  const bad = checkUserName(name);
  if (bad) throw new UiError("ERR_INVALID", `${bad}: ${JSON.stringify(name)}`);
  const weak = password === null ? null : checkPassword(password);
  if (weak) throw new UiError("ERR_INVALID", weak);
}

function change(path: string, fn: (users: UserRecord[]) => UserRecord[]): void {
  updateLockedFile(
    path,
    "users",
    (text) => formatUsersFile(fn(text === null ? [] : parseUsersFile(text, path))),
    (why, msg) => new UiError(why === "busy" ? "ERR_BUSY" : "ERR_USERS_FILE", msg),
  );
}

/** Options of addUser / setUserPassword. */
export interface HashOptions {
  /** scrypt cost (default DEFAULT_SCRYPT) */
  scrypt?: ScryptParams;
  nowMs?: number;
}

/** Add a user to the users file (created if missing), its password stored as a scrypt hash. */
export async function addUser(
  path: string,
  name: string,
  password: string,
  limits: Partial<UserLimits> = {},
  o: HashOptions = {},
): Promise<void> {
  checked(name, password);
  // hashed before the file is locked: the lock is held only for the read-modify-write
  const stored = await hashPassword(password, o.scrypt ?? DEFAULT_SCRYPT);
  const hash = parsePasswordHash(stored);
  if (hash === null) throw new Error("internal error: a new hash does not parse");
  change(path, (users) => {
    if (users.some((u) => u.name === name))
      throw new UiError("ERR_USER_EXISTS", `a user named ${JSON.stringify(name)} already exists in ${path}`);
    const user: UserRecord = {
      name,
      password: stored,
      hash,
      created: Math.floor((o.nowMs ?? Date.now()) / 1000),
      dailyLimit: limits.dailyLimit ?? null,
      resultsMax: limits.resultsMax ?? null,
      offsetMax: limits.offsetMax ?? null,
      burst: limits.burst ?? null,
    };
    return [...users, user];
  });
}

/** Give a user a new password (a running server then ends that user's sessions). */
export async function setUserPassword(path: string, name: string, password: string, o: HashOptions = {}): Promise<void> {
  checked(name, password);
  const stored = await hashPassword(password, o.scrypt ?? DEFAULT_SCRYPT);
  const hash = parsePasswordHash(stored);
  if (hash === null) throw new Error("internal error: a new hash does not parse");
  change(path, (users) => {
    const i = users.findIndex((u) => u.name === name);
    const u = users[i];
    if (u === undefined) throw new UiError("ERR_USER_NOT_FOUND", `no user named ${JSON.stringify(name)} in ${path}`);
    const next = [...users];
    next[i] = { ...u, password: stored, hash };
    return next;
  });
}

/** Remove a user (a running server ends that user's sessions at its next poll of the file). */
export function removeUser(path: string, name: string): void {
  checked(name, null);
  change(path, (users) => {
    if (!users.some((u) => u.name === name)) throw new UiError("ERR_USER_NOT_FOUND", `no user named ${JSON.stringify(name)} in ${path}`);
    return users.filter((u) => u.name !== name);
  });
}

/** The users of a users file with today's usage from a quota state file (default `${path}.state`). */
export function listUsers(path: string, stateFile = `${path}.state`, nowMs = Date.now()): UserListing[] {
  const users = readUsersFile(path);
  const usage = readStateFile(stateFile);
  const today = utcDay(nowMs);
  return users.map((u) => {
    const d = usage.get(userQuotaName(u.name));
    return {
      name: u.name,
      created: u.created,
      dailyLimit: u.dailyLimit,
      resultsMax: u.resultsMax,
      offsetMax: u.offsetMax,
      burst: u.burst,
      usedToday: d !== undefined && d.day === today ? d.used : 0,
    };
  });
}
