import { defineConfig } from "vitest/config";

// Tests import sibling packages' TypeScript sources through the "dnsrep-source"
// export condition, so no build is needed for unit tests. Tests that spawn a
// tool's binary need `pnpm build` first (the README's test command does it).
const conditions = ["dnsrep-source", "import", "module", "node", "default"];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ["dnsrep-source"] } },
  test: {
    include: ["packages/*/src/**/*.test.ts", "packages/*/test/**/*.test.ts", "tools/*/src/**/*.test.ts", "tools/*/test/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
  },
});
