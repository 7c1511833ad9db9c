/// <reference lib="dom" />
/**
 * The dashboard (issue 28) in Debian's Chromium against the real dnstable-server with a live
 * store (--store) over the demo data, after two shipped log samples (dnsmasq and kresd logs parsed
 * by `dnsrep-shipper parse`, POSTed to /api/v1/ingest with an ingest key): every panel renders,
 * the numbers in the panels equal the same counts from the lookup API, clicking a top name, an
 * address and a new domain runs its lookup, the range switch works, a silent source is flagged.
 * Screenshots: packages/web/test-output/dashboard*.png and docs/web-ui-dashboard.png.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, repoRoot } from "../../../tools/server/test/spawn-server.js";
import { apiCount, cspViolations, launchBrowser, logIn, newPage, outPath, resultCount, startUi, type Ui, type User } from "./harness.js";

const alice: User = { name: "alice", password: "correct horse battery" };
const SHIPPER = join(repoRoot, "tools/shipper/bin/dnsrep-shipper.js");
const LOGS = join(repoRoot, "tools/shipper/test/fixtures/logs");
const SAMPLES = [
  { format: "dnsmasq", file: join(LOGS, "dnsmasq/dnsmasq.log") },
  { format: "kresd", file: join(LOGS, "kresd/kresd.log") },
];
const SILENT_AFTER = 4;

let browser: Browser | null = null;
let ui: Ui;
let ingestKey = "";
/** observations accepted per source */
const shipped = new Map<string, number>();

function keysAdd(keys: string, name: string, role: string): string {
  const r = spawnSync(process.execPath, [BIN, "keys", "add", "--keys", keys, "--role", role, name], { encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0) throw new Error(`keys add ${name}: ${r.stderr}`);
  return r.stdout.trim();
}

beforeAll(async () => {
  browser = await launchBrowser();
  if (!browser) return;
  ui = await startUi([alice], (dir) => {
    const keys = join(dir, "keys.json");
    ingestKey = keysAdd(keys, "shipper", "ingest");
    mkdirSync(join(dir, "store"));
    return ["--keys", keys, "--store", join(dir, "store"), "--silent-after", String(SILENT_AFTER)];
  });
  for (const s of SAMPLES) {
    const p = spawnSync(process.execPath, [SHIPPER, "parse", "--format", s.format, "--year", "2026", "--utc", s.file], {
      encoding: "utf8",
      timeout: 60_000,
    });
    if (p.status !== 0) throw new Error(`parse ${s.file}: ${p.stderr}`);
    const res = await fetch(`${ui.url}/api/v1/ingest`, {
      method: "POST",
      headers: { "content-type": "application/x-ndjson", "x-api-key": ingestKey },
      body: p.stdout,
    });
    if (res.status !== 200) throw new Error(`ingest ${s.format}: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { accepted: number };
    shipped.set(s.format, body.accepted);
  }
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await ui?.stop();
});

async function dashboard(path = "/dashboard"): Promise<Page> {
  const { page } = await newPage(browser as Browser, ui);
  await page.goto(path);
  await logIn(page, alice);
  await page.locator("[data-panel=ingest]").waitFor();
  return page;
}

/** The rows of a panel's table: each cell's text by column key. */
async function rows(page: Page, panel: string): Promise<Record<string, string>[]> {
  return page
    .locator(`[data-panel=${panel}] tbody tr`)
    .evaluateAll((trs) =>
      trs.map((tr) =>
        Object.fromEntries([...tr.querySelectorAll("td")].map((td) => [td.dataset.col ?? "", (td.textContent ?? "").trim()])),
      ),
    );
}

/** The sum of the counts a lookup returns (a name's or an address's total). */
async function sumCounts(page: Page, path: string): Promise<number> {
  const res = await page.request.get(`/dnsdb/v2${path}?limit=1000000`, { headers: { Accept: "application/x-ndjson" } });
  expect(res.status()).toBe(200);
  let n = 0;
  for (const l of (await res.text()).split("\n")) if (l.startsWith('{"obj"')) n += (JSON.parse(l) as { obj: { count: number } }).obj.count;
  return n;
}

describe("dashboard in Chromium", { timeout: 180_000 }, () => {
  it("renders every panel on the demo data and the shipped logs", async (ctx) => {
    if (!browser) return ctx.skip();
    const page = await dashboard();
    // both time series drew (uPlot canvases), per source
    for (const p of ["observations", "new-names"]) expect(await page.locator(`[data-panel=${p}] canvas`).count()).toBeGreaterThan(0);
    expect(await page.locator("[data-panel=new-domains] li").count()).toBeGreaterThan(0);
    for (const p of ["rrtypes", "names", "addresses"]) expect((await rows(page, p)).length).toBeGreaterThan(0);
    for (const p of ["asns", "countries"])
      await expect(page.locator(`[data-panel=${p}]`).textContent()).resolves.toMatch(/No enrichment stamps/);
    const contacts = await rows(page, "ingest");
    expect(contacts.map((r) => r.source?.replace(/\s*silent$/, ""))).toEqual(["dnsmasq", "kresd"]);
    for (const c of contacts) expect(Number(c.observations)).toBe(shipped.get(c.source?.replace(/\s*silent$/, "") ?? ""));
    await expect(page.locator("[data-lag]").textContent()).resolves.toMatch(/^\d+ s$/);
    await page.screenshot({ path: outPath("dashboard.png"), fullPage: true });
    copyFileSync(outPath("dashboard.png"), join(repoRoot, "docs/web-ui-dashboard.png"));
    expect(await cspViolations(page)).toEqual([]);
    await page.context().close();
  });

  it("shows numbers equal to the lookup API's counts", async (ctx) => {
    if (!browser) return ctx.skip();
    const page = await dashboard();
    const names = (await rows(page, "names")).filter((r) => !r.count?.includes("≤")).slice(0, 4);
    expect(names.length).toBeGreaterThan(0);
    // a name's count covers every type: the plain lookup (ANY leaves DNSSEC types out) plus ANY-DNSSEC
    for (const r of names) {
      const n = encodeURIComponent(r.name as string);
      expect(
        (await sumCounts(page, `/lookup/rrset/name/${n}`)) + (await sumCounts(page, `/lookup/rrset/name/${n}/ANY-DNSSEC`)),
        r.name,
      ).toBe(Number(r.count));
    }
    const addrs = (await rows(page, "addresses")).filter((r) => !r.count?.includes("≤")).slice(0, 4);
    expect(addrs.length).toBeGreaterThan(0);
    for (const r of addrs)
      expect(await sumCounts(page, `/lookup/rdata/ip/${encodeURIComponent(r.address as string)}`), r.address).toBe(Number(r.count));
    // the page shows what the dashboard API says, the per-source totals included
    const api = (await (await page.request.get("/ui/api/dashboard?range=24h")).json()) as {
      series: { sources: { source: string; observations: number[] }[] };
      rrtypes: { rrtype: string; count: number }[];
    };
    const totals = await rows(page, "new-names");
    for (const s of api.series.sources)
      expect(Number(totals.find((t) => t.source === s.source)?.observations)).toBe(s.observations.reduce((a, b) => a + b, 0));
    const types = await rows(page, "rrtypes");
    for (const t of api.rrtypes) expect(Number(types.find((r) => r.rrtype === t.rrtype)?.count)).toBe(t.count);
    await page.context().close();
  });

  it("runs the lookup behind a top name, an address and a new domain; sorts; switches range", async (ctx) => {
    if (!browser) return ctx.skip();
    const page = await dashboard();
    const name = page.locator("[data-panel=names] tbody tr a").first();
    const nameText = (await name.textContent()) as string;
    await name.click();
    await page.waitForURL(/\/lookup\/rrset\/name\//);
    expect(decodeURIComponent(new URL(page.url()).pathname)).toBe(`/lookup/rrset/name/${nameText}`);
    expect(await resultCount(page)).toBe(await apiCount(page, `/lookup/rrset/name/${encodeURIComponent(nameText)}`));
    await page.goBack();
    const addr = page.locator("[data-panel=addresses] tbody tr a").first();
    const addrText = (await addr.textContent()) as string;
    await addr.click();
    await page.waitForURL(/\/lookup\/rdata\/ip\//);
    expect(await resultCount(page)).toBe(await apiCount(page, `/lookup/rdata/ip/${encodeURIComponent(addrText)}`));
    await page.goBack();
    const dom = page.locator("[data-panel=new-domains] li a").first();
    const domText = (await dom.textContent()) as string;
    await dom.click();
    await page.waitForURL(/\/lookup\/rrset\/name\//);
    expect(decodeURIComponent(new URL(page.url()).pathname)).toBe(`/lookup/rrset/name/*.${domText}`);
    expect(await resultCount(page)).toBeGreaterThan(0);
    await page.goBack();
    // sort the names by name, ascending after descending
    await page.locator("[data-panel=names] button.sort[data-col=name]").click();
    await page.locator("[data-panel=names] button.sort[data-col=name]").click();
    const sorted = (await rows(page, "names")).map((r) => r.name as string);
    expect(sorted).toEqual([...sorted].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    await page.locator("button[data-range='7d']").click();
    await page.waitForURL(/range=7d/);
    await expect(page.locator("button[data-range='7d']").getAttribute("aria-pressed")).resolves.toBe("true");
    await page.locator("[data-panel=observations] canvas").first().waitFor();
    await page.screenshot({ path: outPath("dashboard-7d.png"), fullPage: true });
    await page.context().close();
  });

  it("asks lookups with enrich=1 and shows ASN / AS organisation / country columns only when they come", async (ctx) => {
    if (!browser) return ctx.skip();
    const { page, dialogs } = await newPage(browser, ui);
    await page.goto("/lookup/rdata/ip/127.0.0.12");
    await logIn(page, alice);
    expect(await resultCount(page)).toBeGreaterThan(0);
    // this server has no enrichment yet: no such fields, no such columns
    expect(await page.locator("th[data-enrich]").count()).toBe(0);
    // the enrichment fields as the enrich branch adds them (here added to the real answer on its way)
    const asked: string[] = [];
    await page.route("**/dnsdb/v2/lookup/**", async (route) => {
      asked.push(route.request().url());
      const res = await route.fetch();
      const body = (await res.text())
        .split("\n")
        .map((l) =>
          l.startsWith('{"obj"')
            ? JSON.stringify({ obj: { ...JSON.parse(l).obj, asn: 64496, as_org: "<img src=x onerror=alert(1)>", country: "ZZ" } })
            : l,
        )
        .join("\n");
      await route.fulfill({ response: res, body });
    });
    await page.goto("/lookup/rdata/ip/127.0.0.13");
    expect(await resultCount(page)).toBeGreaterThan(0);
    expect(new URL(asked[0] as string).searchParams.get("enrich")).toBe("1");
    expect(await page.locator("th[data-enrich]").allTextContents()).toEqual(["ASN", "AS organisation", "Country"]);
    expect(await page.locator("td[data-enrich=as_org]").first().textContent()).toBe("<img src=x onerror=alert(1)>");
    expect(await page.locator("td[data-enrich=asn]").first().textContent()).toBe("64496");
    expect(await page.locator("main img").count()).toBe(0);
    expect(dialogs).toEqual([]);
    await page.screenshot({ path: outPath("results-enriched.png") });
    await page.context().close();
  });

  it("flags a source that went silent", async (ctx) => {
    if (!browser) return ctx.skip();
    await new Promise((r) => setTimeout(r, (SILENT_AFTER + 1) * 1000));
    const page = await dashboard();
    await expect(page.locator(".silent-alert").textContent()).resolves.toMatch(/Silent: dnsmasq, kresd/);
    expect(await page.locator("[data-panel=ingest] .silent-flag").count()).toBe(2);
    await page.locator("[data-panel=ingest]").screenshot({ path: outPath("dashboard-silent.png") });
    await page.context().close();
  });
});
