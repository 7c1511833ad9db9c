/// <reference lib="dom" />
// (page.evaluate callbacks run in the browser: their code is typed with the DOM library)
/**
 * The web UI in a real browser (Debian's Chromium via playwright-core) against the real
 * dnstable-server with a users file, on the demo's data: log in (deep link kept), each kind of
 * search, IDNA, sort, page, download, pivot twice and back, timeline drawn, graph expanded, bad
 * query / quota / server-gone messages, log out, keyboard-only use, phone width. Screenshots go to
 * packages/web/test-output/.
 */
import { readFileSync, writeFileSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiCount, cspViolations, launchBrowser, logIn, newPage, outPath, resultCount, startUi, type Ui, type User } from "./harness.js";

const alice: User = { name: "alice", password: "correct horse battery" };
const quota: User = { name: "quota", password: "only two a day", dailyLimit: 2 };
const carol: User = { name: "carol", password: "carol's own password" };

let browser: Browser | null = null;
let ui: Ui;

beforeAll(async () => {
  browser = await launchBrowser();
  if (browser) ui = await startUi([alice, quota, carol]);
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await ui?.stop();
});

async function loggedIn(path = "/"): Promise<Page> {
  const { page } = await newPage(browser as Browser, ui);
  await page.goto(path);
  await logIn(page, alice);
  return page;
}

/** Runs a search through the form and returns the count the page reports. */
async function search(
  page: Page,
  kind: string,
  value: string,
  opts: { type?: string; bailiwick?: string; flexOn?: string } = {},
): Promise<number> {
  await page.locator("select[name=kind]").selectOption(kind);
  if (opts.flexOn) await page.locator("select[name=flexOn]").selectOption(opts.flexOn);
  await page.getByLabel("Value").fill(value);
  if (opts.type !== undefined) await page.getByLabel("Type").fill(opts.type);
  if (opts.bailiwick !== undefined) await page.getByLabel("Bailiwick").fill(opts.bailiwick);
  const before = page.url();
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await page.waitForURL((u) => u.toString() !== before);
  return resultCount(page);
}

const pagePath = (page: Page): string => {
  const u = new URL(page.url());
  return u.pathname + u.search;
};

// generous per-test time: the browser shares 2 cores with the rest of the suite
describe("web UI in Chromium", { timeout: 180_000 }, () => {
  it("logs in from a deep link (autocomplete hints, wrong password, Enter) and shows that search", async (ctx) => {
    if (!browser) return ctx.skip();
    const { page, dialogs } = await newPage(browser, ui);
    await page.goto("/lookup/rrset/name/*.example.test/NS");
    const user = page.getByLabel("User name");
    await expect(user.getAttribute("autocomplete")).resolves.toBe("username");
    await expect(page.getByLabel("Password").getAttribute("autocomplete")).resolves.toBe("current-password");
    await page.screenshot({ path: outPath("login.png") });
    await user.fill(alice.name);
    await page.getByLabel("Password").fill("not the password");
    await page.getByLabel("Password").press("Enter");
    await expect(page.getByRole("alert").textContent()).resolves.toMatch(/wrong user name or password/);
    await logIn(page, alice);
    expect(pagePath(page)).toBe("/lookup/rrset/name/*.example.test/NS");
    const n = await resultCount(page);
    expect(n).toBe(await apiCount(page, "/lookup/rrset/name/*.example.test/NS"));
    expect(n).toBeGreaterThan(0);
    await expect.poll(() => page.getByLabel("Value").inputValue()).toBe("*.example.test");
    expect(dialogs).toEqual([]);
    expect(await cspViolations(page)).toEqual([]);
  });

  it("says when wrong passwords have slowed an account down (429 on the login form)", async (ctx) => {
    if (!browser) return ctx.skip();
    const { page } = await newPage(browser, ui);
    await page.goto("/");
    await page.getByLabel("User name").fill(carol.name);
    let text = "";
    for (let i = 0; i < 8 && !/retry in/.test(text); i++) {
      await page.getByLabel("Password").fill(`wrong ${i}`);
      await page.getByRole("button", { name: "Log in" }).click();
      await page.locator("#login-error").waitFor();
      await page.waitForFunction(() => !(document.querySelector("button[type=submit]") as HTMLButtonElement).disabled);
      text = (await page.locator("#login-error").textContent()) ?? "";
    }
    expect(text).toMatch(/too many wrong passwords for this account: retry in \d+ s/);
  });

  it("runs each kind of search, with the URL holding the API path", async (ctx) => {
    if (!browser) return ctx.skip();
    const page = await loggedIn();
    const cases: [string, string, Parameters<typeof search>[3], string][] = [
      ["rrset-name", "www.example.test", { type: "A" }, "/lookup/rrset/name/www.example.test/A"],
      ["rrset-name", "*.example.test", { type: "" }, "/lookup/rrset/name/*.example.test"],
      ["rrset-name", "example.test", { type: "NS", bailiwick: "test" }, "/lookup/rrset/name/example.test/NS/test"],
      ["rrset-raw", "076578616d706c65047465737400", { type: "" }, "/lookup/rrset/raw/076578616d706c65047465737400"],
      ["rdata-name", "ns1.example.test", { type: "NS" }, "/lookup/rdata/name/ns1.example.test/NS"],
      ["rdata-ip", "192.0.2.10", {}, "/lookup/rdata/ip/192.0.2.10"],
      ["rdata-ip", "198.51.100.0/24", {}, "/lookup/rdata/ip/198.51.100.0%2C24"],
      ["rdata-ip", "198.51.100.10-198.51.100.30", {}, "/lookup/rdata/ip/198.51.100.10-198.51.100.30"],
      ["rdata-raw", "c633640a", { type: "A" }, "/lookup/rdata/raw/c633640a/A"],
      ["flex-glob", "*.another.test.", { type: "", flexOn: "rrnames" }, "/glob/rrnames/*.another.test."],
      ["flex-regex", "^range[0-9]\\.", { type: "A", flexOn: "rrnames" }, "/regex/rrnames/%5Erange%5B0-9%5D%5C./A"],
    ];
    for (const [kind, value, opts, path] of cases) {
      const n = await search(page, kind, value, opts);
      expect(pagePath(page), `${kind} ${value}`).toBe(path);
      expect(n, `${kind} ${value}`).toBe(await apiCount(page, path));
      expect(n, `${kind} ${value}`).toBeGreaterThan(0);
    }
    await page.screenshot({ path: outPath("search-flex.png"), fullPage: true });
    // a flex search's URL reloads as itself (the server serves the page for /glob/* and /regex/*)
    await page.reload();
    expect(await resultCount(page)).toBe(await apiCount(page, "/regex/rrnames/%5Erange%5B0-9%5D%5C./A"));
    // the back button goes to the search before, which runs again
    await page.goBack();
    await page.waitForURL("**/glob/rrnames/*.another.test.");
    await expect.poll(() => page.getByLabel("Value").inputValue()).toBe("*.another.test.");
    await resultCount(page);
    // time fences: relative choices and dates, loose and strict
    await page.goto("/lookup/rrset/name/*.example.test");
    await page.getByLabel("Seen").selectOption("7d");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.waitForURL("**time_last_after=-604800");
    await resultCount(page);
    await page.getByLabel("Seen").selectOption("custom");
    await page.getByLabel("From (UTC)").fill("2026-11-22T09:35");
    await page.getByLabel("To (UTC)").fill("2026-11-22T09:36");
    await page.getByLabel("strict (wholly inside)").check();
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await page.waitForURL("**time_first_after=1795340100&time_last_before=1795340160");
    const strict = await resultCount(page);
    expect(strict).toBe(await apiCount(page, pagePath(page)));
    expect(strict).toBeLessThan(await apiCount(page, "/lookup/rrset/name/*.example.test"));
  });

  it("searches a Unicode name in its IDNA form and shows the Unicode form beside xn-- names", async (ctx) => {
    if (!browser) return ctx.skip();
    const page = await loggedIn();
    expect(await search(page, "rrset-name", "BÜCHER.another.test", { type: "A" })).toBe(1);
    expect(pagePath(page)).toBe("/lookup/rrset/name/xn--bcher-kva.another.test/A");
    await expect(page.locator("td .unicode").first().textContent()).resolves.toBe("(bücher.another.test.)");
  });

  it("sorts, pages, and downloads JSON lines, CSV and dig text", async (ctx) => {
    if (!browser) return ctx.skip();
    const page = await loggedIn("/lookup/rrset/name/*.test");
    const n = await resultCount(page);
    expect(n).toBeGreaterThan(50);
    await expect(page.locator("tbody tr").count()).resolves.toBe(50);
    await expect(page.locator(".pageinfo").textContent()).resolves.toBe(`Rows 1–50 of ${n} (page 1 of ${Math.ceil(n / 50)})`);
    await page.getByRole("button", { name: "Next →" }).click();
    await expect(page.locator(".pageinfo").textContent()).resolves.toMatch(/^Rows 51–/);
    // sort by count, descending on the second click
    const counts = async (): Promise<number[]> => (await page.locator("tbody td.num").allTextContents()).map(Number);
    await page.locator("button.sort[data-col=count]").click();
    const asc = await counts();
    expect(asc).toEqual([...asc].sort((a, b) => a - b));
    await page.locator("button.sort[data-col=count]").click();
    const desc = await counts();
    expect(desc).toEqual([...desc].sort((a, b) => b - a));
    await expect(page.locator("th[aria-sort=descending]").count()).resolves.toBe(1);
    // epoch on hover
    const t = page.locator("tbody time").first();
    expect(await t.getAttribute("title")).toMatch(/^epoch \d+$/);
    expect(await t.textContent()).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    await page.screenshot({ path: outPath("results.png") });
    for (const [button, check] of [
      [
        "JSON lines",
        (s: string) =>
          expect(
            s
              .trimEnd()
              .split("\n")
              .map((l) => JSON.parse(l)),
          ).toHaveLength(n),
      ],
      ["CSV", (s: string) => expect(s.trimEnd().split("\r\n")).toHaveLength(n + 1)],
      ["dig text", (s: string) => expect(s.split("\n\n")).toHaveLength(n)],
    ] as const) {
      const [dl] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: button }).click()]);
      const file = outPath(dl.suggestedFilename());
      await dl.saveAs(file);
      check(readFileSync(file, "utf8"));
    }
  });

  it("shows the terminator and fetches the next results of a limited answer", async (ctx) => {
    if (!browser) return ctx.skip();
    const page = await loggedIn("/lookup/rrset/name/*.test?limit=20");
    expect(await resultCount(page)).toBe(20);
    await expect(page.locator(".term").getAttribute("data-cond")).resolves.toBe("limited");
    await expect(page.locator(".term").textContent()).resolves.toMatch(/Limited: .*there may be more/);
    await page.getByRole("button", { name: "Fetch the next results" }).click();
    await page.locator(".term").waitFor();
    await expect(page.locator(".term").textContent()).resolves.toMatch(/^40 results/);
  });

  it("pivots twice (name → address → names) and the back button returns", async (ctx) => {
    if (!browser) return ctx.skip();
    const page = await loggedIn("/lookup/rrset/name/www.another.test/A");
    await resultCount(page);
    await page.getByRole("link", { name: "198.51.100.80" }).click();
    await page.waitForURL("**/lookup/rdata/ip/198.51.100.80");
    expect(await resultCount(page)).toBe(await apiCount(page, "/lookup/rdata/ip/198.51.100.80"));
    await page.getByRole("link", { name: "www.another.test." }).first().click();
    await page.waitForURL("**/lookup/rrset/name/www.another.test.");
    expect(await resultCount(page)).toBeGreaterThan(1);
    // NS target: rrset and rdata-name pivots
    await page.goto("/lookup/rrset/name/another.test/NS");
    await resultCount(page);
    await page.locator(".rdata", { hasText: "ns1.example.test." }).first().getByRole("link", { name: "rdata name" }).click();
    await page.waitForURL("**/lookup/rdata/name/ns1.example.test.");
    expect(await resultCount(page)).toBe(await apiCount(page, "/lookup/rdata/name/ns1.example.test."));
    await page.goBack();
    await page.waitForURL("**/lookup/rrset/name/another.test/NS");
    await resultCount(page);
  });

  it("draws the timeline on its canvas", async (ctx) => {
    if (!browser) return ctx.skip();
    const page = await loggedIn("/lookup/rrset/name/*.another.test");
    await resultCount(page);
    await page.getByRole("tab", { name: "Timeline" }).click();
    const canvas = page.locator(".timeline-plot canvas");
    await canvas.waitFor();
    const painted = await canvas.evaluate((c: HTMLCanvasElement) => {
      const d = (c.getContext("2d") as CanvasRenderingContext2D).getImageData(0, 0, c.width, c.height).data;
      let blue = 0;
      for (let i = 0; i < d.length; i += 4) if ((d[i + 2] as number) > 150 && (d[i] as number) < 120 && (d[i + 3] as number) > 200) blue++;
      return blue;
    });
    expect(painted).toBeGreaterThan(500);
    const box = await canvas.boundingBox();
    if (box) await page.mouse.move(box.x + box.width / 2, box.y + 20);
    await page.screenshot({ path: outPath("timeline.png") });
  });

  it("builds the session graph and expands a node by clicking it", async (ctx) => {
    if (!browser) return ctx.skip();
    const page = await loggedIn("/lookup/rrset/name/another.test/NS");
    await resultCount(page);
    await page.getByRole("link", { name: "Graph" }).click();
    await page.waitForURL("**/graph");
    const size = async (): Promise<number> => Number(await page.locator("[data-graph-size]").getAttribute("data-graph-size"));
    const before = await size();
    expect(before).toBeGreaterThanOrEqual(3);
    const node = page.locator('g.node[data-id="ns.another.test."]');
    await node.click();
    await page.locator('g.node.expanded[data-id="ns.another.test."]').waitFor();
    expect(await size()).toBeGreaterThan(before);
    await expect(page.locator(".graph .status").textContent()).resolves.toMatch(/ns\.another\.test\.: \d+ results?/);
    await page.screenshot({ path: outPath("graph.png") });
  });

  it("says what went wrong: bad query, server gone, session expired (401), quota exhausted (429)", async (ctx) => {
    if (!browser) return ctx.skip();
    const page = await loggedIn("/lookup/rdata/ip/300.1.2.3");
    await expect(page.getByRole("alert").textContent()).resolves.toMatch(/^Bad query: /);
    await page.route("**/dnsdb/v2/**", (r) => r.abort("connectionrefused"));
    await page.goto("/lookup/rrset/name/www.example.test");
    await expect(page.getByRole("alert").textContent()).resolves.toMatch(/cannot be reached/);
    await page.unroute("**/dnsdb/v2/**");
    // the session ends under the page (cookie gone): the next search says so and asks for a login
    await page.context().clearCookies();
    await page.getByLabel("Value").fill("example.test");
    await page.getByRole("button", { name: "Search", exact: true }).click();
    await expect(page.locator(".notice").textContent()).resolves.toMatch(/session has expired/);
    await logIn(page, alice);
    expect(pagePath(page)).toBe("/lookup/rrset/name/example.test");
    await resultCount(page);
    const { page: q } = await newPage(browser, ui);
    await q.goto("/");
    await logIn(q, quota);
    await search(q, "rrset-name", "www.example.test");
    await search(q, "rrset-name", "example.test");
    await q.getByLabel("Value").fill("another.test");
    await q.getByRole("button", { name: "Search", exact: true }).click();
    await expect(q.getByRole("alert").textContent()).resolves.toMatch(/^Quota exhausted: /);
    await q.screenshot({ path: outPath("quota.png") });
  });

  it("logs out (then the API and the page ask for a login again)", async (ctx) => {
    if (!browser) return ctx.skip();
    const page = await loggedIn("/lookup/rrset/name/www.example.test");
    await resultCount(page);
    await page.getByRole("button", { name: "Log out" }).click();
    await page.getByLabel("User name").waitFor();
    expect((await page.request.get("/ui/api/session")).status()).toBe(401);
    expect((await page.request.get("/dnsdb/v2/lookup/rrset/name/www.example.test")).status()).toBe(401);
    await page.goto("/lookup/rrset/name/www.example.test");
    await page.getByLabel("User name").waitFor();
  });

  it("works from the keyboard alone: log in, search, sort, pivot, expand a graph node", async (ctx) => {
    if (!browser) return ctx.skip();
    const { page } = await newPage(browser, ui);
    await page.goto("/");
    await page.getByLabel("User name").waitFor();
    expect(await page.evaluate(() => document.activeElement?.getAttribute("name"))).toBe("username");
    await page.keyboard.type(alice.name); // the user name field has the focus
    await page.keyboard.press("Tab");
    await page.keyboard.type(alice.password);
    await page.keyboard.press("Enter");
    await page.getByRole("button", { name: "Log out" }).waitFor();
    const tabTo = async (pred: string, max = 60, key = "Tab"): Promise<void> => {
      for (let i = 0; i < max; i++) {
        await page.keyboard.press(key);
        if (await page.evaluate((p) => document.activeElement?.matches(p) ?? false, pred)) return;
      }
      throw new Error(`Tab never reached ${pred}`);
    };
    await tabTo("input[name=value]");
    await page.keyboard.type("*.another.test");
    await page.keyboard.press("Enter");
    await page.waitForURL("**/lookup/rrset/name/*.another.test");
    const n = await resultCount(page);
    await tabTo("button.sort[data-col=rrname]");
    await page.keyboard.press("Enter");
    await expect(page.locator("th[aria-sort=ascending] button").getAttribute("data-col")).resolves.toBe("rrname");
    await tabTo("tbody a");
    const target = await page.evaluate(() => (document.activeElement as HTMLAnchorElement).getAttribute("href"));
    await page.keyboard.press("Enter");
    await page.waitForURL(`**${target}`);
    expect(await resultCount(page)).toBeGreaterThan(0);
    expect(n).toBeGreaterThan(0);
    // the graph: focus a node with Tab, expand it with Enter
    await tabTo("a[href='/graph']", 10, "Shift+Tab"); // the header is above the view's start
    await page.keyboard.press("Enter");
    await page.waitForURL("**/graph");
    await tabTo("g.node:not(.expanded)");
    const id = await page.evaluate(() => document.activeElement?.getAttribute("data-id"));
    await page.keyboard.press("Enter");
    await page.locator(`g.node.expanded[data-id="${id}"]`).waitFor();
  });

  it("fits 1280×800 and a phone's width, and records the first-results paint time", async (ctx) => {
    if (!browser) return ctx.skip();
    const timings: number[] = [];
    for (const [name, vp] of [
      ["desktop", { width: 1280, height: 800 }],
      ["phone", { width: 390, height: 844 }],
    ] as const) {
      const { page } = await newPage(browser, ui, vp);
      await page.goto("/");
      await logIn(page, alice);
      for (let i = 0; i < 3; i++) {
        await page.goto(`/lookup/rrset/name/*.test?limit=${200 + i}`);
        await resultCount(page);
        await page.waitForFunction(() => performance.getEntriesByName("dnsrep:first-results").length > 0);
        timings.push(await page.evaluate(() => (performance.getEntriesByName("dnsrep:first-results")[0] as PerformanceEntry).duration));
      }
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${name}: horizontal overflow`).toBeLessThanOrEqual(0);
      await page.screenshot({ path: outPath(`results-${name}.png`) });
      await page.goto("/graph");
      await page.screenshot({ path: outPath(`graph-${name}.png`) });
    }
    // a measurement, not an assertion: the machine is shared and busy
    writeFileSync(
      outPath("first-results-paint.json"),
      `${JSON.stringify({ what: "ms from the lookup's response headers to the first results painted", samples: timings }, null, 1)}\n`,
    );
    console.log(`first results painted ${timings.map((t) => t.toFixed(1)).join(", ")} ms after the response`);
  });
});
