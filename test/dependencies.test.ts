/**
 * Every workspace package declares exactly what its code imports: each bare import in a package's
 * sources (tests excepted) is a dependency in its package.json, each declared dependency is
 * imported somewhere (or loaded by a bin script), and each @dnsrep dependency is a TypeScript
 * project reference, so the dependency graph in the README, package.json and tsconfig agree.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..");

/** Dependencies that are loaded without an import statement a scanner can see, with the reason. */
const LOADED_OTHERWISE: Record<string, Record<string, string>> = {
  "@dnsrep/sensor": { pcap: "optional native package, loaded with createRequire for live capture" },
};

function packageDirs(): string[] {
  const out: string[] = [];
  for (const top of ["packages", "tools"]) {
    for (const d of readdirSync(join(root, top))) {
      const dir = join(root, top, d);
      if (existsSync(join(dir, "package.json"))) out.push(dir);
    }
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(ts|js|mjs|cjs)$/.test(e) && !/\.test\.ts$/.test(e) && !e.endsWith(".d.ts")) out.push(p);
    }
  };
  for (const sub of ["src", "bin", "native"]) if (existsSync(join(dir, sub))) walk(join(dir, sub));
  return out;
}

/** The package a bare specifier names (`@scope/name/sub` → `@scope/name`), or null for relative and node: ones. */
function packageOf(spec: string): string | null {
  if (spec.startsWith(".") || spec.startsWith("/") || spec.startsWith("node:")) return null;
  const parts = spec.split("/");
  const name = spec.startsWith("@") ? `${parts[0]}/${parts[1]}` : (parts[0] as string);
  return builtinModules.includes(name) ? null : name;
}

function importsOf(file: string): Set<string> {
  const text = readFileSync(file, "utf8");
  const found = new Set<string>();
  const re =
    /(?:^|[^.\w])(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|(?:^|[^.\w])import\s*\(\s*["']([^"']+)["']\s*\)|(?:^|[^.\w])require(?:\.resolve)?\s*\(\s*["']([^"']+)["']\s*\)|^import\s+["']([^"']+)["']/gm;
  for (const m of text.matchAll(re)) {
    const spec = m[1] ?? m[2] ?? m[3] ?? m[4];
    const pkg = spec === undefined ? null : packageOf(spec);
    if (pkg !== null) found.add(pkg);
  }
  return found;
}

describe("package dependencies match the imports", () => {
  for (const dir of packageDirs()) {
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
      name: string;
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
      peerDependencies?: Record<string, string>;
    };
    it(`${pkg.name} (${relative(root, dir)})`, () => {
      const declared = new Set([
        ...Object.keys(pkg.dependencies ?? {}),
        ...Object.keys(pkg.optionalDependencies ?? {}),
        ...Object.keys(pkg.peerDependencies ?? {}),
      ]);
      const used = new Set<string>();
      for (const f of sourceFiles(dir)) for (const p of importsOf(f)) if (p !== pkg.name) used.add(p);
      const otherwise = LOADED_OTHERWISE[pkg.name] ?? {};
      const undeclared = [...used].filter((p) => !declared.has(p)).sort();
      const unused = [...declared].filter((p) => !used.has(p) && !(p in otherwise)).sort();
      expect({ undeclared, unused }).toEqual({ undeclared: [], unused: [] });

      const tsconfig = join(dir, "tsconfig.json");
      if (existsSync(tsconfig)) {
        const refs = ((JSON.parse(readFileSync(tsconfig, "utf8")) as { references?: { path: string }[] }).references ?? []).map(
          (r) => JSON.parse(readFileSync(join(dir, r.path, "package.json"), "utf8")).name as string,
        );
        const workspaceDeps = [...declared].filter((p) => p.startsWith("@dnsrep/")).sort();
        expect(refs.sort()).toEqual(workspaceDeps);
      }
    });
  }
});
