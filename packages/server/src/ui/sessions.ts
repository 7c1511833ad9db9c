import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** One logged-in session, kept in memory only (a restart logs everyone out). */
export interface Session {
  user: string;
  /** the user's stored password hash at login: a session ends when the password changes */
  password: string;
  /** the CSRF token the page sends back in X-CSRF-Token */
  csrf: string;
  /** epoch ms */
  created: number;
  expires: number;
}

export interface SessionOptions {
  /** lifetime of a session from its login (ms) */
  ttlMs: number;
  /** sessions kept at most; the oldest go first (default 10000) */
  maxSessions?: number;
  /** sessions per user at most; that user's oldest go first (default 20) */
  maxPerUser?: number;
  now: () => number;
}

/** A session token in a cookie: 32 random bytes, base64url without padding. */
const TOKEN_RE = /^[A-Za-z0-9_-]{43}$/;

function newSecret(): string {
  return randomBytes(32).toString("base64url");
}

/** The key a session is kept under: the SHA-256 of its token (the store never holds a usable token). */
function keyOf(token: string): string {
  return createHash("sha256").update(token).digest("base64url");
}

/**
 * The sessions of the web UI, bounded in memory. Sessions are kept in login order (a Map keeps
 * insertion order) and every one lives `ttlMs`, so the expired ones are always at the front:
 * `sweep` drops them in time proportional to their number. Looked up by the SHA-256 of the
 * cookie's token, as keys are by their digest.
 */
export class SessionStore {
  readonly #sessions = new Map<string, Session>();
  readonly #byUser = new Map<string, Set<string>>();
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #maxPerUser: number;
  readonly #now: () => number;

  constructor(o: SessionOptions) {
    this.#ttlMs = o.ttlMs;
    this.#max = o.maxSessions ?? 10_000;
    this.#maxPerUser = o.maxPerUser ?? 20;
    this.#now = o.now;
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** Start a session for `user`; returns its token (for the cookie) and the session. */
  create(user: string, password: string): { token: string; session: Session } {
    this.sweep();
    const mine = this.#byUser.get(user);
    if (mine !== undefined && mine.size >= this.#maxPerUser) {
      const oldest = mine.values().next().value;
      if (oldest !== undefined) this.#drop(oldest);
    }
    if (this.#sessions.size >= this.#max) {
      const oldest = this.#sessions.keys().next().value;
      if (oldest !== undefined) this.#drop(oldest);
    }
    const token = newSecret();
    const t = this.#now();
    const session: Session = { user, password, csrf: newSecret(), created: t, expires: t + this.#ttlMs };
    const key = keyOf(token);
    this.#sessions.set(key, session);
    let set = this.#byUser.get(user);
    if (set === undefined) {
      set = new Set();
      this.#byUser.set(user, set);
    }
    set.add(key);
    return { token, session };
  }

  /** The live session of a cookie's token, or null (none, malformed, or expired: then dropped). */
  get(token: string | null): Session | null {
    if (token === null || !TOKEN_RE.test(token)) return null;
    const key = keyOf(token);
    const s = this.#sessions.get(key);
    if (s === undefined) return null;
    if (this.#now() >= s.expires) {
      this.#drop(key);
      return null;
    }
    return s;
  }

  /** End the session of `token` (logout). */
  delete(token: string): void {
    if (TOKEN_RE.test(token)) this.#drop(keyOf(token));
  }

  /** End every session of `user` (removed, or given a new password); returns how many ended. */
  dropUser(user: string): number {
    const set = this.#byUser.get(user);
    if (set === undefined) return 0;
    const n = set.size;
    for (const key of [...set]) this.#drop(key);
    return n;
  }

  /** Drop the expired sessions; returns how many. */
  sweep(): number {
    const t = this.#now();
    let n = 0;
    for (const [key, s] of this.#sessions) {
      if (s.expires > t) break;
      this.#drop(key);
      n++;
    }
    return n;
  }

  #drop(key: string): void {
    const s = this.#sessions.get(key);
    if (s === undefined) return;
    this.#sessions.delete(key);
    const set = this.#byUser.get(s.user);
    set?.delete(key);
    if (set?.size === 0) this.#byUser.delete(s.user);
  }
}

/** Whether a presented CSRF token is the session's (constant time). */
export function csrfMatches(session: Session, presented: string | undefined): boolean {
  if (presented === undefined) return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(presented);
  return a.length === b.length && timingSafeEqual(a, b);
}
