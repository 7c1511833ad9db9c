/// <reference lib="dom" />
/**
 * The dashboard (issue 28) in Debian's Chromium against the real dnstable-server with a live
 * store (--store) over the demo data, after two shipped log samples (dnsmasq and kresd logs parsed
 * by `dnsrep-shipper parse`, POSTed to /api/v1/ingest with an ingest key): every panel renders,
 * and a few observations of a "probe" source in the enrichment test databases' networks, with enrichment on
 * (--geoip-db/--asn-db: @dnsrep/enrich's fixtures): every panel renders, the numbers in the panels
 * (ASNs and countries too) equal the same counts from the lookup API, clicking a top name, an
 * address, a new domain and an ASN runs its lookup, the world/ASN table sorts by each column
 * (mouse and keyboard), the range switch works, a silent source is flagged.
 * Screenshots: packages/web/test-output/dashboard*.png (and docs/web-ui-dashboard.png with DNSREP_UPDATE_DOCS=1).
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
const ENRICH_FX = join(repoRoot, "packages/enrich/test/fixtures");
const T = 1_790_000_000;
/** observations of a "probe" source in the test databases' networks (DE, FR, JP, BR, NL; one address in none) */
const SENSOR = [
  { rrname: "www.example-transit.test.", rrtype: "A", rdata: ["192.0.2.10", "192.0.2.11"], count: 40 },
  { rrname: "cdn.example-hosting.test.", rrtype: "A", rdata: "192.0.2.200", count: 25 },
  { rrname: "api.example-cloud.test.", rrtype: "A", rdata: "198.51.100.7", count: 60 },
  { rrname: "mail.exemplo.test.", rrtype: "A", rdata: "203.0.113.9", count: 3 },
  { rrname: "v6.example-ipv6.test.", rrtype: "AAAA", rdata: "2001:db8::1", count: 12 },
  { rrname: "nowhere.example.test.", rrtype: "A", rdata: "100.64.0.1", count: 7 },
].map((o) => ({ ...o, time_first: T, time_last: T + 60, source: "probe" }));

let browser: Browser | null = null;
let ui: Ui;
let ingestKey = "";
/** observations accepted per source */
const shipped = new Map<string, number>();
/** the sum over every A/AAAA observation posted of its count × its addresses */
let addressCounts = 0;
const countAddresses = (ndjson: string): void => {
  for (const l of ndjson.split("\n")) {
    if (l.trim() === "") continue;
    const o = JSON.parse(l) as { rrtype: string; rdata: string | string[]; count?: number };
    if (o.rrtype === "A" || o.rrtype === "AAAA") addressCounts += (o.count ?? 1) * (Array.isArray(o.rdata) ? o.rdata.length : 1);
  }
};

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
    return [
      "--keys",
      keys,
      "--store",
      join(dir, "store"),
      "--silent-after",
      String(SILENT_AFTER),
      "--geoip-db",
      join(ENRICH_FX, "country-v1.mmdb"),
      "--asn-db",
      join(ENRICH_FX, "asn-v1.mmdb"),
    ];
  });
  for (const s of SAMPLES) {
    const p = spawnSync(process.execPath, [SHIPPER, "parse", "--format", s.format, "--year", "2026", "--utc", s.file], {
      encoding: "utf8",
      timeout: 60_000,
    });
    if (p.status !== 0) throw new Error(`parse ${s.file}: ${p.stderr}`);
    countAddresses(p.stdout);
    const res = await fetch(`${ui.url}/api/v1/ingest`, {
      method: "POST",
      headers: { "content-type": "application/x-ndjson", "x-api-key": ingestKey },
      body: p.stdout,
    });
    if (res.status !== 200) throw new Error(`ingest ${s.format}: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { accepted: number };
    shipped.set(s.format, body.accepted);
  }
  const probe = SENSOR.map((o) => JSON.stringify(o)).join("\n");
  countAddresses(probe);
  const res = await fetch(`${ui.url}/api/v1/ingest`, {
    method: "POST",
    headers: { "content-type": "application/x-ndjson", "x-api-key": ingestKey },
    body: probe,
  });
  if (res.status !== 200) throw new Error(`ingest sensor: ${res.status} ${await res.text()}`);
  shipped.set("probe", ((await res.json()) as { accepted: number }).accepted);
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
  return (await lookupSum(page, path)).sum;
}

/** The sum of the counts a lookup returns and the names of its results. */
async function lookupSum(page: Page, path: string): Promise<{ sum: number; names: Set<string> }> {
  const res = await page.request.get(`/dnsdb/v2${path}?limit=1000000`, { headers: { Accept: "application/x-ndjson" } });
  expect(res.status()).toBe(200);
  let sum = 0;
  const names = new Set<string>();
  for (const l of (await res.text()).split("\n"))
    if (l.startsWith('{"obj"')) {
      const o = (JSON.parse(l) as { obj: { count: number; rrname: string } }).obj;
      sum += o.count;
      names.add(o.rrname);
    }
  return { sum, names };
}

/**
 * An enrichment panel's number against its rdata/asn (country) lookup. The panel counts what was
 * ingested live; the lookup also adds the counts the demo DATA files hold for the same (rrname,
 * address) pairs, which the shipped logs share with them. So: equal when every result is one of
 * the probe's names, and never more than the lookup otherwise. Returns whether it was equal.
 */
async function checkAgainstLookup(page: Page, path: string, count: number): Promise<boolean> {
  const { sum, names } = await lookupSum(page, path);
  const probeOnly = [...names].every((n) => SENSOR.some((o) => o.rrname === n));
  if (probeOnly) expect(count, path).toBe(sum);
  else expect(count, path).toBeLessThanOrEqual(sum);
  return probeOnly;
}

describe("dashboard in Chromium", { timeout: 180_000 }, () => {
  it("renders every panel on the demo data and the shipped logs", async (ctx) => {
    if (!browser) return ctx.skip();
    const page = await dashboard();
    // both time series drew (uPlot canvases), per source
    for (const p of ["observations", "new-names"]) expect(await page.locator(`[data-panel=${p}] canvas`).count()).toBeGreaterThan(0);
    expect(await page.locator("[data-panel=new-domains] li").count()).toBeGreaterThan(0);
    for (const p of ["rrtypes", "names", "addresses"]) expect((await rows(page, p)).length).toBeGreaterThan(0);
    for (const p of ["asns", "countries", "breakdown"]) {
      expect((await rows(page, p)).length, p).toBeGreaterThan(1);
      await expect(page.locator(`[data-panel=${p}] .enrich-since`).textContent()).resolves.toMatch(/^Since .* UTC \(not per range\)/);
    }
    const contacts = await rows(page, "ingest");
    expect(contacts.map((r) => r.source?.replace(/\s*silent$/, ""))).toEqual(["dnsmasq", "kresd", "probe"]);
    for (const c of contacts) expect(Number(c.observations)).toBe(shipped.get(c.source?.replace(/\s*silent$/, "") ?? ""));
    await expect(page.locator("[data-lag]").textContent()).resolves.toMatch(/^\d+ s$/);
    await page.screenshot({ path: outPath("dashboard.png"), fullPage: true });
    // the README's picture is refreshed on request only: a test run leaves tracked files as they were
    if (process.env.DNSREP_UPDATE_DOCS === "1") copyFileSync(outPath("dashboard.png"), join(repoRoot, "docs/web-ui-dashboard.png"));
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

  it("shows ASN, country and world/ASN numbers equal to the lookup API's; an ASN runs its rdata/asn lookup; the table sorts", async (ctx) => {
    if (!browser) return ctx.skip();
    const page = await dashboard();
    const api = (await (await page.request.get("/ui/api/dashboard?range=24h")).json()) as {
      topAsns: { asn: number; as_org: string; count: number }[];
      topCountries: { country: string; count: number }[];
      breakdown: { country: string; asn: number | null; count: number }[];
      enrichment: { addresses: number };
    };
    // the sensor's networks and the logs' 10/8 (US, AS64500) all show
    expect(api.topAsns.map((r) => r.asn).sort()).toEqual([64496, 64497, 64498, 64499, 64500, 64501]);
    expect(api.topCountries.map((r) => r.country).sort()).toEqual(["BR", "DE", "FR", "JP", "NL", "US", "unknown"]);
    const asns = await rows(page, "asns");
    expect(asns.map((r) => [r.asn, r.as_org, Number(r.count)])).toEqual(api.topAsns.map((r) => [`AS${r.asn}`, r.as_org, r.count]));
    let exact = 0;
    for (const r of api.topAsns) if (await checkAgainstLookup(page, `/lookup/rdata/asn/AS${r.asn}`, r.count)) exact++;
    expect(exact).toBeGreaterThanOrEqual(1); // AS64499 (203.0.113.0/24): the probe's only
    const countries = await rows(page, "countries");
    expect(countries.map((r) => [r.country, Number(r.count)])).toEqual(api.topCountries.map((r) => [r.country, r.count]));
    exact = 0;
    for (const r of api.topCountries)
      if (r.country !== "unknown" && (await checkAgainstLookup(page, `/lookup/rdata/country/${r.country}`, r.count))) exact++;
    expect(exact).toBeGreaterThanOrEqual(1); // BR
    // every address posted is counted once with its count: the countries add up to all of them
    expect(api.enrichment.addresses).toBe(addressCounts);
    expect(api.topCountries.reduce((a, r) => a + r.count, 0)).toBe(addressCounts);
    // "unknown" links nowhere: 100.64.0.1 (the probe's 7) and the logs' 127.0.0.x are in neither database
    expect(api.topCountries.find((r) => r.country === "unknown")?.count).toBeGreaterThanOrEqual(7);
    expect(await page.locator("[data-panel=countries] tbody tr").filter({ hasText: "unknown" }).locator("a").count()).toBe(0);
    // the breakdown: one row per (country, ASN), shares of all addresses counted
    const table = await rows(page, "breakdown");
    expect(table).toHaveLength(api.breakdown.length);
    for (const r of table) {
      const want = api.breakdown.find((b) => b.country === r.country && (b.asn === null ? "none" : `AS${b.asn}`) === r.asn);
      expect(want, JSON.stringify(r)).toBeDefined();
      expect(Number(r.count)).toBe(want?.count);
      expect(r.share).toBe(`${((100 * (want?.count ?? 0)) / api.enrichment.addresses).toFixed(1)} %`);
    }
    // sort: by country (click: descending, again: ascending), by count with the keyboard, by ASN, by share
    const col = (k: string) => page.locator(`[data-panel=breakdown] button.sort[data-col=${k}]`);
    const cells = async (k: string) => (await rows(page, "breakdown")).map((r) => r[k] as string);
    await col("country").click();
    expect(await cells("country")).toEqual([...(await cells("country"))].sort().reverse());
    await col("country").click();
    expect(await cells("country")).toEqual([...(await cells("country"))].sort());
    await expect(page.locator("[data-panel=breakdown] th").first().getAttribute("aria-sort")).resolves.toBe("ascending");
    await col("count").focus();
    await page.keyboard.press("Enter");
    const byCount = (await cells("count")).map(Number);
    expect(byCount).toEqual([...byCount].sort((a, b) => b - a));
    await page.keyboard.press("Space");
    expect((await cells("count")).map(Number)).toEqual([...byCount].reverse());
    await col("asn").click();
    const asnNums = (await cells("asn")).map((a) => (a === "none" ? 0 : Number(a.slice(2))));
    expect(asnNums).toEqual([...asnNums].sort((a, b) => b - a));
    await col("share").click();
    const shares = (await cells("share")).map((x) => Number.parseFloat(x));
    expect(shares).toEqual([...shares].sort((a, b) => b - a));
    await page.locator("[data-panel=breakdown]").screenshot({ path: outPath("dashboard-breakdown.png") });
    // click the heaviest ASN: its rdata/asn lookup runs, in the search form too
    const top = api.topAsns[0] as { asn: number };
    await page.locator("[data-panel=asns] tbody tr a").first().click();
    await page.waitForURL(/\/lookup\/rdata\/asn\//);
    expect(new URL(page.url()).pathname).toBe(`/lookup/rdata/asn/AS${top.asn}`);
    const n = await resultCount(page);
    expect(n).toBe(await apiCount(page, `/lookup/rdata/asn/AS${top.asn}`));
    expect(n).toBeGreaterThan(0);
    await expect(page.locator("select[name=kind]").inputValue()).resolves.toBe("rdata-asn");
    await expect.poll(() => page.locator("input[name=value]").inputValue()).toBe(`AS${top.asn}`);
    // the results show the ASN they were stamped with
    expect(new Set(await page.locator("td[data-enrich=asn]").allTextContents())).toEqual(new Set([String(top.asn)]));
    await page.screenshot({ path: outPath("dashboard-asn-lookup.png") });
    // a country row runs rdata/country; the form can run one typed in
    await page.goBack();
    const cc = api.topCountries.find((r) => r.country !== "unknown")?.country as string;
    await page.locator("[data-panel=countries] tbody tr a", { hasText: cc }).first().click();
    await page.waitForURL(/\/lookup\/rdata\/country\//);
    expect(await resultCount(page)).toBe(await apiCount(page, `/lookup/rdata/country/${cc}`));
    await page.locator("select[name=kind]").selectOption("rdata-country");
    await page.locator("input[name=value]").fill("jp");
    await page.locator("input[name=value]").press("Enter");
    await page.waitForURL(/\/lookup\/rdata\/country\/JP/);
    expect(await resultCount(page)).toBe(await apiCount(page, "/lookup/rdata/country/JP"));
    expect(await cspViolations(page)).toEqual([]);
    await page.context().close();
  });

  it("asks lookups with enrich=1 and shows ASN / AS organisation / country columns only when they come", async (ctx) => {
    if (!browser) return ctx.skip();
    const { page, dialogs } = await newPage(browser, ui);
    await page.goto("/lookup/rdata/ip/127.0.0.12");
    await logIn(page, alice);
    expect(await resultCount(page)).toBeGreaterThan(0);
    // the demo data files carry no enrichment stamps (only live ingest is stamped): no such fields, no such columns
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
    await expect(page.locator(".silent-alert").textContent()).resolves.toMatch(/Silent: dnsmasq, kresd, probe/);
    expect(await page.locator("[data-panel=ingest] .silent-flag").count()).toBe(3);
    await page.locator("[data-panel=ingest]").screenshot({ path: outPath("dashboard-silent.png") });
    await page.context().close();
  });
});
