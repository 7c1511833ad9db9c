/**
 * The built page (www/, made by scripts/build.mjs in scripts/setup.sh): gzipped JavaScript under
 * its 150 KB budget, no inline script or style in index.html (the CSP would block them), and no
 * address outside the server the page could load anything from.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { webRoot } from "../src/index.js";

describe("the built page", () => {
  it("keeps its gzipped JavaScript under 150 KB", () => {
    const assets = join(webRoot, "assets");
    const js = readdirSync(assets).filter((f) => f.endsWith(".js"));
    expect(js).toEqual(["app.js"]);
    const gz = js.reduce((n, f) => n + gzipSync(readFileSync(join(assets, f)), { level: 9 }).length, 0);
    console.log(`@dnsrep/web: ${(gz / 1024).toFixed(1)} KB of gzipped JavaScript`);
    expect(gz).toBeLessThan(150 * 1024);
  });

  it("has no inline script, style or external resource", () => {
    const html = readFileSync(join(webRoot, "index.html"), "utf8");
    for (const m of html.matchAll(/<script\b([^>]*)>/g)) expect(m[1]).toMatch(/\bsrc="\/assets\/app\.js"/);
    expect(html).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=/i);
    const js = readFileSync(join(webRoot, "assets", "app.js"), "utf8");
    const css = readFileSync(join(webRoot, "assets", "app.css"), "utf8");
    // the only absolute URLs are XML namespace names, never fetched
    const urls = new Set([...`${html}${js}${css}`.matchAll(/https?:\/\/[^\s"'`)]+/g)].map((m) => m[0]));
    for (const u of urls) expect(u).toMatch(/^http:\/\/www\.w3\.org\/(1998\/Math\/MathML|1999\/xhtml|2000\/svg)$/);
    expect(css).not.toMatch(/@import|url\(\s*["']?(https?:)?\/\//);
  });
});
