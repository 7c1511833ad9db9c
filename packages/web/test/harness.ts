/// <reference lib="dom" />
// (page.evaluate callbacks run in the browser: their code is typed with the DOM library)
/**
 * The browser tests' harness: Debian's Chromium through playwright-core (never a downloaded
 * browser), the real dnstable-server (tools/server/bin, built by `tsc -b`) over the test data with a
 * users file, users made with `dnstable-server users add`, and helpers for the page.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { BIN, type Running, repoRoot, startServer } from "../../../tools/server/test/spawn-server.js";
import { webRoot } from "../src/index.js";
import { buildDemoData, buildHostileData } from "./fixtures.js";

export const CI = Boolean(process.env.CI);
export const CHROMIUM = "/usr/bin/chromium";
export const OUT = join(repoRoot, "packages/web/test-output");

/** Launches Debian's Chromium; null when it cannot (then the tests skip — on CI they fail instead). */
export async function launchBrowser(): Promise<Browser | null> {
  try {
    return await chromium.launch({ executablePath: CHROMIUM, timeout: 60_000 });
  } catch (e) {
    if (CI) throw new Error(`cannot launch ${CHROMIUM} (scripts/setup.sh installs Debian's chromium): ${(e as Error).message}`);
    return null;
  }
}

export interface User {
  name: string;
  password: string;
  dailyLimit?: number;
}

export interface Ui {
  url: string;
  server: Running;
  dir: string;
  stop(): Promise<void>;
}

function addUser(usersFile: string, u: User): void {
  const args = [BIN, "users", "add", "--users", usersFile, u.name];
  if (u.dailyLimit !== undefined) args.push("--daily-limit", String(u.dailyLimit));
  const r = spawnSync(process.execPath, args, { input: `${u.password}\n`, encoding: "utf8", timeout: 60_000 });
  if (r.status !== 0) throw new Error(`users add ${u.name}: ${r.stderr}`);
}

/** Builds the demo and hostile data, makes the users and starts the real server with --users. */
export async function startUi(users: User[]): Promise<Ui> {
  if (!existsSync(join(webRoot, "index.html")))
    throw new Error(`${webRoot}index.html is missing: run node packages/web/scripts/build.mjs (scripts/setup.sh does)`);
  const dir = mkdtempSync(join(tmpdir(), "dnsrep-web-"));
  const data = [...buildDemoData(dir), buildHostileData(dir)];
  const usersFile = join(dir, "users.json");
  for (const u of users) addUser(usersFile, u);
  const server = await startServer(["-q", "--users", usersFile, ...data]);
  return {
    url: server.url,
    server,
    dir,
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function outPath(name: string): string {
  mkdirSync(OUT, { recursive: true });
  return join(OUT, name);
}

/** A fresh context with a dialog trap and a CSP-violation recorder installed before any page script. */
export async function newPage(
  browser: Browser,
  ui: Ui,
  viewport = { width: 1280, height: 800 },
): Promise<{ context: BrowserContext; page: Page; dialogs: string[] }> {
  const context = await browser.newContext({ viewport, acceptDownloads: true, baseURL: ui.url });
  await context.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`));
  });
  const page = await context.newPage();
  page.setDefaultTimeout(45_000);
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  return { context, page, dialogs };
}

export async function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
}

/** Fills the login form and presses Enter. */
export async function logIn(page: Page, u: User): Promise<void> {
  await page.getByLabel("User name").fill(u.name);
  await page.getByLabel("Password").fill(u.password);
  await page.getByLabel("Password").press("Enter");
  await page.getByRole("button", { name: "Log out" }).waitFor();
}

/** Waits for a search's terminator line; returns the number of results it reports. */
export async function resultCount(page: Page): Promise<number> {
  const term = page.locator(".term");
  await term.waitFor();
  const text = (await term.textContent()) ?? "";
  const m = /^(\d+) results?/.exec(text);
  if (!m) throw new Error(`no result count in ${JSON.stringify(text)}`);
  return Number(m[1]);
}

/** The number of results the API itself returns for a page path (with the page's session cookie). */
export async function apiCount(page: Page, path: string): Promise<number> {
  const res = await page.request.get(`/dnsdb/v2${path}`, { headers: { Accept: "application/x-ndjson" } });
  if (res.status() !== 200) throw new Error(`${path}: ${res.status()} ${await res.text()}`);
  return (await res.text()).split("\n").filter((l) => l.startsWith('{"obj"')).length;
}
