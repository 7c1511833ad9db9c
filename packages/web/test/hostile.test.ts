/// <reference lib="dom" />
// (page.evaluate callbacks run in the browser: their code is typed with the DOM library)
/**
 * Hostile DNS data in the page (DNS data is attacker-controlled): names and TXT records holding
 * <script>, "><img onerror>, javascript: URLs, <style>/<svg onload>, a right-to-left override,
 * 63-byte labels, a 255-byte name and \000 escapes are shown as text. No dialog opens, no injected
 * element exists, the layout does not overflow, and the only CSP violation is the one this test
 * causes itself (to show the recorder works).
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HOSTILE, NAME255, RLO_IDN } from "./fixtures.js";
import { cspViolations, launchBrowser, logIn, newPage, outPath, resultCount, startUi, type Ui, type User } from "./harness.js";

const bob: User = { name: "bob", password: "hostile data tester" };
let browser: Browser | null = null;
let ui: Ui;

beforeAll(async () => {
  browser = await launchBrowser();
  if (browser) ui = await startUi([bob]);
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await ui?.stop();
});

/** Elements or attributes that would mean markup from the data reached the DOM. */
async function injected(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const bad: string[] = [];
    for (const el of document.querySelectorAll("*")) {
      const tag = el.tagName.toLowerCase();
      if (tag === "img" || tag === "style" || tag === "iframe" || tag === "object" || tag === "embed") bad.push(tag);
      if (tag === "script" && !(el as HTMLScriptElement).src.endsWith("/assets/app.js")) bad.push("script");
      if (tag === "svg" && !el.classList.contains("graph-svg") && !el.closest(".graph-svg")) bad.push("svg");
      for (const a of el.getAttributeNames()) if (a.startsWith("on")) bad.push(`${tag}[${a}]`);
      const href = tag === "a" || tag === "area" || tag === "base" ? el.getAttribute("href") : null;
      if (href && !href.startsWith("/")) bad.push(`href=${href}`);
    }
    return bad;
  });
}

describe("hostile DNS data", { timeout: 180_000 }, () => {
  it("is rendered as text in the table, the timeline and the graph, under a strict CSP", async (ctx) => {
    if (!browser) return ctx.skip();
    const { page, dialogs } = await newPage(browser, ui);
    const res = await page.goto("/lookup/rrset/name/*.evil.test");
    const csp = res?.headers()["content-security-policy"] ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe");
    await logIn(page, bob);
    const n = await resultCount(page);
    expect(n).toBeGreaterThanOrEqual(HOSTILE.length - 1);
    const text = (await page.locator("tbody").textContent()) ?? "";
    expect(text).toContain("<script>alert(1)</script>.evil.test.");
    expect(text).toContain('"<script>alert(2)</script>"');
    expect(text).toContain("onerror=alert(4)");
    expect(text).toContain("a\\000b\\226\\128\\174gpj.evil.test.");
    expect(text).not.toContain("\u202e");
    // the RLO IDN is shown in its xn-- form only, never decoded
    expect(text).toContain(RLO_IDN);
    // javascript: in a name is a pivot to a search, never a javascript: URL
    const hrefs = await page.locator("a").evaluateAll((as) => as.map((a) => a.getAttribute("href") ?? ""));
    expect(hrefs.filter((h) => !h.startsWith("/"))).toEqual([]);
    await page.screenshot({ path: outPath("hostile.png"), fullPage: true });
    // click the pivots of the hostile names: still nothing executes
    await page.getByRole("link", { name: "javascript:alert(5).evil.test." }).first().click();
    await page.waitForURL("**/lookup/rrset/name/javascript%3Aalert(5).evil.test.");
    await resultCount(page);
    await page.goto(`/lookup/rrset/name/${encodeURIComponent(NAME255)}`);
    expect(await resultCount(page)).toBe(1);
    expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
    await page.goto("/lookup/rrset/name/*.evil.test");
    await resultCount(page);
    await page.getByRole("tab", { name: "Timeline" }).click();
    await page.locator(".timeline-plot canvas").waitFor();
    await page.goto("/graph");
    await page.locator("g.node").first().waitFor();
    const labels = await page.locator("g.node text").allTextContents();
    expect(labels.some((l) => l.startsWith("<script>"))).toBe(true);
    expect(await injected(page)).toEqual([]);
    expect(dialogs).toEqual([]);
    expect(await cspViolations(page)).toEqual([]);
    // the recorder works: an inline script the test itself inserts is blocked and reported
    await page.evaluate(() => {
      const s = document.createElement("script");
      s.textContent = "window.__ran = 1";
      document.body.append(s);
    });
    await page.waitForFunction(() => (window as unknown as { __csp: string[] }).__csp.length > 0);
    const v = await cspViolations(page);
    expect(v).toHaveLength(1);
    expect(v[0]).toMatch(/^script-src-elem inline/);
    expect(await page.evaluate(() => (window as unknown as { __ran?: number }).__ran)).toBeUndefined();
    expect(dialogs).toEqual([]);
  });
});
