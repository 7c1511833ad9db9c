import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { inTempDir, makeApp, makeKeys } from "./auth-helpers.js";

// characters a header value may carry on the wire (visible ASCII, space, tab, obs-text)
const headerChar = fc
  .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.constant(0x09), fc.integer({ min: 0x80, max: 0xff }))
  .map((c) => String.fromCharCode(c));
const headerValue = fc.array(headerChar, { maxLength: 200 }).map((a) => a.join(""));
const basicValue = fc
  .tuple(fc.constantFrom("Basic ", "basic ", "BASIC\t", "Basic  ", "Bearer "), fc.uint8Array({ maxLength: 120 }))
  .map(([scheme, bytes]) => scheme + Buffer.from(bytes).toString("base64"));
const offsetValue = fc.oneof(fc.nat().map(String), fc.bigInt({ min: 0n, max: 10n ** 30n }).map(String), fc.string({ maxLength: 20 }));

describe("auth plugin: random credentials", () => {
  it("never answers 500: every refusal is a documented status with a one-line body", () =>
    inTempDir(async (dir) => {
      const { file, token } = makeKeys(dir, { alice: { dailyLimit: 1_000_000, offsetMax: 1000, burst: { size: 1_000_000, window: 1 } } });
      const app = await makeApp({ keysFile: file });
      try {
        await fc.assert(
          fc.asyncProperty(
            fc.constantFrom("/q", "/pdns/q", "/ping", "/dnsdb/v2/rate_limit"),
            fc.option(fc.oneof(headerValue, fc.constant(token.alice ?? "")), { nil: undefined }),
            fc.option(fc.oneof(headerValue, basicValue), { nil: undefined }),
            fc.option(offsetValue, { nil: undefined }),
            async (url, apiKey, authorization, offset) => {
              const headers: Record<string, string> = {};
              if (apiKey !== undefined) headers["x-api-key"] = apiKey;
              if (authorization !== undefined) headers.authorization = authorization;
              const query = offset === undefined ? "" : `?offset=${encodeURIComponent(offset)}`;
              const r = await app.inject({ url: url + query, headers });
              expect([200, 401, 403, 416]).toContain(r.statusCode);
              if (r.statusCode !== 200) {
                expect(r.headers["content-type"]).toMatch(/^text\/plain/);
                expect(r.body).toMatch(/^[^\n]+\n$/);
              }
            },
          ),
          { numRuns: 300 },
        );
      } finally {
        await app.close();
      }
    }));
});
