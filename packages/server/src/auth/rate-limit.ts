import type { KeyRecord } from "./keys-file.js";
import type { Quotas } from "./quota.js";
import { nextUtcMidnight } from "./time.js";

type RateValue = number | "n/a" | "unlimited";

/**
 * The body of `GET /dnsdb/v2/rate_limit` for a key (null: no auth), as DNSDB answers it and
 * dnsdbq -I prints it: every value an integer, "n/a" or "unlimited". burst_size and
 * burst_window appear only for a key with a burst limit: dnsdbq takes them as integers only.
 */
export function rateLimitBody(key: KeyRecord | null, quotas: Quotas, nowMs: number): string {
  const rate: Record<string, RateValue> = {};
  if (key === null) {
    Object.assign(rate, { reset: "n/a", expires: "n/a", limit: "unlimited", remaining: "n/a", results_max: "n/a", offset_max: "n/a" });
  } else {
    const used = quotas.usedToday(key.name, nowMs);
    rate.reset = key.dailyLimit === null ? "n/a" : nextUtcMidnight(nowMs);
    rate.expires = key.expires ?? "n/a";
    rate.limit = key.dailyLimit ?? "unlimited";
    rate.remaining = key.dailyLimit === null ? "n/a" : Math.max(0, key.dailyLimit - used);
    rate.results_max = key.resultsMax ?? "n/a";
    rate.offset_max = key.offsetMax ?? "n/a";
    if (key.burst !== null) {
      rate.burst_size = key.burst.size;
      rate.burst_window = key.burst.window;
    }
  }
  return `${JSON.stringify({ rate })}\n`;
}
