import { messageOf } from "../auth/errors.js";
import { fileStamp } from "../auth/file-stamp.js";
import type { KeyRecord } from "../auth/keys-file.js";
import { readUsersFile, type UserRecord } from "./users-file.js";

/**
 * The name a user's quota is counted under (in rate_limit, the quota state file, the access log
 * and /metrics' per-key sums): `user:NAME`. Key names cannot hold a `:`, so a user never shares
 * a key's counters.
 */
export function userQuotaName(name: string): string {
  return `user:${name}`;
}

/** A user as the auth plugin sees a key: its quota under userQuotaName, never expired or revoked. */
function quotaRecord(u: UserRecord): KeyRecord {
  // built apart from the return so that a field KeyRecord gains later (a key's role) is added here,
  // not silently missed: a user is a lookup principal
  const record = {
    name: userQuotaName(u.name),
    digest: Buffer.alloc(0),
    created: u.created,
    dailyLimit: u.dailyLimit,
    resultsMax: u.resultsMax,
    offsetMax: u.offsetMax,
    burst: u.burst,
    expires: null,
    revoked: false,
    role: "lookup" as const,
  };
  return record;
}

/**
 * The users of a users file, reloaded when the file changes (as the keys file is). The
 * constructor reads the file (a bad file throws: the server refuses to start); `poll` re-reads it
 * when its identity, size or mtime changed, keeps the last good users when the new file is bad
 * (reported through `onError`), and calls `onChange` with the names of the users removed or given
 * a new password, whose sessions must end.
 */
export class UserStore {
  readonly path: string;
  #byName = new Map<string, { user: UserRecord; quota: KeyRecord }>();
  #stamp = "";
  #failedStamp = "";
  readonly #onError: (line: string) => void;
  readonly #onChange: (gone: string[]) => void;

  constructor(path: string, onError: (line: string) => void, onChange: (gone: string[]) => void = () => {}) {
    this.path = path;
    this.#onError = onError;
    this.#onChange = onChange;
    const stamp = fileStamp(this.path);
    this.#set(readUsersFile(path));
    this.#stamp = stamp;
  }

  get size(): number {
    return this.#byName.size;
  }

  /** The user named `name` (undefined when none). */
  get(name: string): UserRecord | undefined {
    return this.#byName.get(name)?.user;
  }

  /** The key-like quota record of user `name` (undefined when none). */
  quota(name: string): KeyRecord | undefined {
    return this.#byName.get(name)?.quota;
  }

  /** Every user's quota record (for the per-key sums of /metrics). */
  quotas(): KeyRecord[] {
    return [...this.#byName.values()].map((e) => e.quota);
  }

  /** Any user's stored hash parameters (for the dummy hash of unknown names), or undefined. */
  first(): UserRecord | undefined {
    return this.#byName.values().next().value?.user;
  }

  #set(users: UserRecord[]): string[] {
    const next = new Map(users.map((u) => [u.name, { user: u, quota: quotaRecord(u) }]));
    const gone: string[] = [];
    for (const [name, e] of this.#byName) if (next.get(name)?.user.password !== e.user.password) gone.push(name);
    this.#byName = next;
    return gone;
  }

  /** Re-read the users file if it changed; true when new users were loaded. */
  poll(): boolean {
    const stamp = fileStamp(this.path);
    if (stamp === this.#stamp || stamp === this.#failedStamp) return false;
    let gone: string[];
    try {
      gone = this.#set(readUsersFile(this.path));
    } catch (e) {
      this.#failedStamp = stamp;
      this.#onError(`${messageOf(e)} (keeping the ${this.#byName.size} users loaded before)`);
      return false;
    }
    this.#stamp = stamp;
    this.#failedStamp = "";
    if (gone.length > 0) this.#onChange(gone);
    return true;
  }
}
