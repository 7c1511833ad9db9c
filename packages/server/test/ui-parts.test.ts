import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clearedSessionCookie, cookieValue, SESSION_COOKIE, sessionCookie } from "../src/ui/cookies.js";
import { Limiter } from "../src/ui/limiter.js";
import { Lockout } from "../src/ui/lockout.js";
import { LoginBodyError, parseLoginBody } from "../src/ui/login-body.js";
import { hashPassword, parsePasswordHash, verifyPassword } from "../src/ui/password.js";
import { csrfMatches, SessionStore } from "../src/ui/sessions.js";
import { addUser, listUsers, removeUser, setUserPassword } from "../src/ui/users-admin.js";
import { parseUsersFile, readUsersFile } from "../src/ui/users-file.js";
import { CHEAP } from "./ui-helpers.js";

describe("cookies", () => {
  it("finds the session cookie among others, first of a name wins, quotes dropped", () => {
    expect(cookieValue(undefined, SESSION_COOKIE)).toBeNull();
    expect(cookieValue("a=1; b=2", SESSION_COOKIE)).toBeNull();
    expect(cookieValue("a=1; dnsrep_session=abc; b=2", SESSION_COOKIE)).toBe("abc");
    expect(cookieValue("dnsrep_session=one;dnsrep_session=two", SESSION_COOKIE)).toBe("one");
    expect(cookieValue('dnsrep_session="q"', SESSION_COOKIE)).toBe("q");
    expect(cookieValue("xdnsrep_session=no; dnsrep_sessionx=no", SESSION_COOKIE)).toBeNull();
    expect(cookieValue("dnsrep_session", SESSION_COOKIE)).toBeNull();
  });

  it("Set-Cookie attributes: Path=/, Max-Age, HttpOnly, SameSite=Strict, Secure only under TLS", () => {
    expect(sessionCookie("t", { maxAge: 60, secure: false })).toBe("dnsrep_session=t; Path=/; Max-Age=60; HttpOnly; SameSite=Strict");
    expect(sessionCookie("t", { maxAge: 60, secure: true })).toBe(
      "dnsrep_session=t; Path=/; Max-Age=60; HttpOnly; SameSite=Strict; Secure",
    );
    expect(clearedSessionCookie(true)).toBe("dnsrep_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict; Secure");
  });

  it("property: any header gives null or a string, never throws; a value put among random cookies is found", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (h) => {
        const v = cookieValue(h, SESSION_COOKIE);
        expect(v === null || typeof v === "string").toBe(true);
      }),
      { numRuns: 2000 },
    );
    const name = fc.stringMatching(/^[a-z_]{1,12}$/).filter((n) => n !== SESSION_COOKIE);
    const value = fc.stringMatching(/^[A-Za-z0-9_-]{0,20}$/);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(name, value), { maxLength: 6 }),
        fc.array(fc.tuple(name, value), { maxLength: 6 }),
        fc.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        (before, after, token) => {
          const parts = [...before.map(([n, v]) => `${n}=${v}`), `${SESSION_COOKIE}=${token}`, ...after.map(([n, v]) => `${n}=${v}`)];
          expect(cookieValue(parts.join("; "), SESSION_COOKIE)).toBe(token);
        },
      ),
    );
  });
});

describe("login body", () => {
  it("property: any text is a LoginBody or a LoginBodyError, nothing else", () => {
    const texts = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.json({ maxDepth: 2 }),
      fc.record({ username: fc.anything(), password: fc.anything() }).map((o) => JSON.stringify(o) ?? "x"),
    );
    fc.assert(
      fc.property(texts, (t) => {
        try {
          const b = parseLoginBody(t);
          expect(typeof b.username === "string" && b.username.length > 0 && b.username.length <= 64).toBe(true);
          expect(typeof b.password === "string" && b.password.length > 0 && b.password.length <= 1024).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(LoginBodyError);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it("property: a body built from a name and a password gives them back; bit-flipped bodies never throw anything but LoginBodyError", () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 64 }),
        fc.string({ minLength: 1, maxLength: 1024 }),
        fc.nat(),
        fc.nat(7),
        (username, password, at, bit) => {
          const text = JSON.stringify({ username, password, extra: [1] });
          expect(parseLoginBody(text)).toEqual({ username, password });
          const bytes = Buffer.from(text);
          const i = at % bytes.length;
          bytes[i] = (bytes[i] as number) ^ (1 << bit);
          try {
            parseLoginBody(bytes.toString("utf8"));
          } catch (e) {
            expect(e).toBeInstanceOf(LoginBodyError);
          }
        },
      ),
    );
  });
});

describe("password hashes", () => {
  it("verify matches the password only; the format parses; NFC and NFD forms are the same password", async () => {
    const stored = await hashPassword("caf\u00e9 au lait", CHEAP);
    expect(stored).toMatch(/^\$scrypt\$ln=4,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    const h = parsePasswordHash(stored);
    if (h === null) throw new Error("does not parse");
    expect(await verifyPassword("caf\u00e9 au lait", h)).toBe(true);
    expect(await verifyPassword("cafe\u0301 au lait", h)).toBe(true);
    expect(await verifyPassword("cafe au lait", h)).toBe(false);
    expect(await hashPassword("caf\u00e9 au lait", CHEAP)).not.toBe(stored); // a new salt each time
  });

  it("refuses hashes that are not ones, or that ask for more than 512 MiB", () => {
    const salt = "A".repeat(22);
    const hash = "B".repeat(43);
    expect(parsePasswordHash(`$scrypt$ln=15,r=8,p=1$${salt}$${hash}`)).not.toBeNull();
    for (const bad of [
      "",
      "plaintext",
      `$scrypt$ln=25,r=8,p=1$${salt}$${hash}`,
      `$scrypt$ln=20,r=8,p=1$${salt}$${hash}`,
      `$scrypt$ln=15,r=8,p=1$${salt}$${hash.slice(0, 20)}`,
      `$argon2id$ln=15,r=8,p=1$${salt}$${hash}`,
      `$scrypt$ln=15,r=8,p=1$${salt}$${hash}\n`,
    ])
      expect(parsePasswordHash(bad), bad).toBeNull();
  });
});

describe("the session store", () => {
  it("bounded: the oldest session goes first, and a user's oldest past maxPerUser", () => {
    let t = 0;
    const s = new SessionStore({ ttlMs: 1000, maxSessions: 3, maxPerUser: 2, now: () => t });
    const a1 = s.create("a", "h").token;
    const a2 = s.create("a", "h").token;
    const a3 = s.create("a", "h").token;
    expect(s.get(a1)).toBeNull();
    expect(s.get(a2)).not.toBeNull();
    const b1 = s.create("b", "h").token;
    const c1 = s.create("c", "h").token;
    expect(s.size).toBe(3);
    expect(s.get(a2)).toBeNull();
    for (const tok of [a3, b1, c1]) expect(s.get(tok)).not.toBeNull();
    expect(s.dropUser("b")).toBe(1);
    expect(s.get(b1)).toBeNull();
    t = 5;
    expect(s.get("x".repeat(43))).toBeNull();
    expect(s.get(null)).toBeNull();
  });

  it("expired sessions are refused and swept, in login order", () => {
    let t = 0;
    const s = new SessionStore({ ttlMs: 1000, now: () => t });
    const toks = Array.from({ length: 10 }, (_, i) => {
      t = i * 100;
      return s.create(`u${i % 3}`, "h").token;
    });
    t = 1450; // sessions made at 0..400 are expired
    expect(s.sweep()).toBe(5);
    expect(s.size).toBe(5);
    expect(s.get(toks[4] as string)).toBeNull();
    expect(s.get(toks[5] as string)).not.toBeNull();
    t = 10_000;
    expect(s.get(toks[9] as string)).toBeNull();
    expect(s.sweep()).toBe(4);
    expect(s.size).toBe(0);
  });

  it("the CSRF token is per session and compared exactly", () => {
    const s = new SessionStore({ ttlMs: 1000, now: () => 0 });
    const a = s.create("a", "h").session;
    const b = s.create("a", "h").session;
    expect(a.csrf).not.toBe(b.csrf);
    expect(csrfMatches(a, a.csrf)).toBe(true);
    expect(csrfMatches(a, b.csrf)).toBe(false);
    expect(csrfMatches(a, undefined)).toBe(false);
    expect(csrfMatches(a, "")).toBe(false);
  });
});

describe("lockout and the hashing limiter", () => {
  it("doubles the wait up to the maximum, and forgets the least recent accounts past maxEntries", () => {
    let t = 0;
    const l = new Lockout({ now: () => t, baseSeconds: 10, maxSeconds: 60, maxEntries: 2 });
    const fail = (n: string): void => {
      expect(l.begin(n)).toEqual({ ok: true });
      l.end(n, false);
    };
    for (let i = 0; i < 5; i++) fail("a");
    expect(l.begin("a")).toEqual({ ok: false, retryAfter: 10 });
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      t += 1_000_000;
      fail("a");
      const d = l.begin("a");
      waits.push(d.ok ? 0 : d.retryAfter);
    }
    expect(waits).toEqual([20, 40, 60, 60]);
    fail("b");
    fail("c");
    expect(l.size).toBe(2);
    t += 1_000_000;
    expect(l.begin("a")).toEqual({ ok: true }); // forgotten
  });

  it("the limiter runs at most max at once and refuses past its queue", async () => {
    const lim = new Limiter(2, 1);
    let running = 0;
    let peak = 0;
    const release: (() => void)[] = [];
    const task = () =>
      new Promise<void>((resolve) => {
        running++;
        peak = Math.max(peak, running);
        release.push(() => {
          running--;
          resolve();
        });
      });
    const p1 = lim.run(task);
    const p2 = lim.run(task);
    const p3 = lim.run(task);
    expect(lim.run(task)).toBeNull();
    await new Promise((r) => setImmediate(r));
    expect(running).toBe(2);
    release.shift()?.();
    await p1;
    await new Promise((r) => setImmediate(r));
    expect(running).toBe(2);
    while (release.length) release.shift()?.();
    await Promise.all([p2, p3]);
    expect(peak).toBe(2);
  });
});

describe("the users file and its administration", () => {
  let dir = "";
  let file = "";
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "ui-users-"));
    file = join(dir, "users.json");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("add, passwd, remove, list; the file keeps only hashes, mode 0600", async () => {
    await addUser(file, "alice", "secret password", { dailyLimit: 10, burst: { size: 2, window: 60 } }, { scrypt: CHEAP, nowMs: 0 });
    await addUser(file, "bob", "other password", {}, { scrypt: CHEAP, nowMs: 0 });
    const { readFileSync, statSync } = await import("node:fs");
    const text = readFileSync(file, "utf8");
    expect(text).not.toContain("secret password");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    await expect(addUser(file, "alice", "secret password", {}, { scrypt: CHEAP })).rejects.toMatchObject({ code: "ERR_USER_EXISTS" });
    await expect(addUser(file, "bad name", "secret password", {}, { scrypt: CHEAP })).rejects.toMatchObject({ code: "ERR_INVALID" });
    await expect(addUser(file, "carol", "short", {}, { scrypt: CHEAP })).rejects.toMatchObject({ code: "ERR_INVALID" });
    const before = readUsersFile(file)[0]?.password;
    await setUserPassword(file, "alice", "a new password", { scrypt: CHEAP });
    expect(readUsersFile(file)[0]?.password).not.toBe(before);
    await expect(setUserPassword(file, "nobody", "a new password", { scrypt: CHEAP })).rejects.toMatchObject({
      code: "ERR_USER_NOT_FOUND",
    });
    removeUser(file, "bob");
    expect(() => removeUser(file, "bob")).toThrow(/no user named "bob"/);
    writeFileSync(
      `${file}.state`,
      JSON.stringify({ version: 1, usage: { "user:alice": { day: 0, used: 4 }, alice: { day: 0, used: 9 } } }),
    );
    expect(listUsers(file, undefined, 1000)).toEqual([
      { name: "alice", created: 0, dailyLimit: 10, resultsMax: null, offsetMax: null, burst: { size: 2, window: 60 }, usedToday: 4 },
    ]);
  });

  it("a locked file (FILE.tmp exists) is ERR_BUSY and left alone", async () => {
    writeFileSync(`${file}.tmp`, "");
    await expect(addUser(file, "alice", "secret password", {}, { scrypt: CHEAP })).rejects.toMatchObject({ code: "ERR_BUSY" });
  });

  it("bad users files: one line naming the file and the problem", () => {
    const h = "$scrypt$ln=4,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";
    const user = (o: object) => JSON.stringify({ version: 1, users: [{ name: "a", password: h, created: "2026-01-01T00:00:00Z", ...o }] });
    const cases: [string, RegExp][] = [
      ["", /not a valid users file: Unexpected end/],
      ["[]", /not a JSON object/],
      ['{"version":2,"users":[]}', /unknown version 2/],
      ['{"version":1}', /no "users" array/],
      [user({ password: "plain" }), /user "a": password is not a scrypt hash/],
      [user({ name: "a b" }), /user 1: a user name is 1 to 64/],
      [user({ daily_limit: -1 }), /user "a": daily_limit is not an integer ≥ 0/],
      [user({ burst: { size: 1 } }), /user "a": burst needs size and window/],
      [user({ created: "yesterday" }), /user "a": created: not a time/],
      [user({ role: "admin" }), /user 1: unknown field "role"/],
    ];
    for (const [text, re] of cases) expect(() => parseUsersFile(text, "/x/users.json"), text).toThrow(re);
    expect(() => parseUsersFile(user({}), "/x/users.json")).not.toThrow();
  });
});
