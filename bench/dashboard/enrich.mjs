// The dashboard's ASN / country counting (issue 28), in process: its cost per observation at
// ingest and what it adds to a dashboard load.
//   node bench/dashboard/enrich.mjs [--obs N]
// 1. Aggregates.observe alone vs observe + observeStamps (the hook with enrichment on), one A
//    address per observation, over N observations: (a) with the real Enricher on @dnsrep/enrich's
//    test databases (its per-address LRU cache), (b) with a stub spreading the addresses over
//    1,000,000 ASNs and 250 countries (the sketches churn at every address: the worst case);
// 2. dashboardView with full enrichment sketches (1,000 ASNs, 1,000 (country, ASN) pairs, 250
//    countries) vs without enrichment → ms per view.
// Needs `npx tsc -b` first.
import { loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { nameFromString } from "@dnsrep/wdns";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const arg = (k, d) => {
  const i = process.argv.indexOf(k);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};
const N = arg("--obs", 300_000);
const load0 = loadavg()[0];
const { Aggregates, dashboardView } = await import(join(root, "packages/server/dist/dashboard/index.js"));
const { Enricher } = await import(join(root, "packages/enrich/dist/index.js"));
const FX = join(root, "packages/enrich/test/fixtures");
const T = 1_790_000_000;

// distinct names (as the load bench's later observations), addresses over 192.0.2/24, 198.51.100/24, 203.0.113/24, 10/8
const nets = [[192, 0, 2], [198, 51, 100], [203, 0, 113], [10, 1, 2]];
const obs = Array.from({ length: 4096 }, (_, i) => ({
  rrname: nameFromString(`h${i}.d${i % 200}.com`),
  rrtype: 1,
  rdata: [Uint8Array.of(...nets[i % 4], (i >> 2) & 255)],
  timeFirst: T - i,
  timeLast: T,
  count: 1,
}));
const run = (stampOf) => {
  const a = new Aggregates();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) {
    const o = obs[i % obs.length];
    const x = i < obs.length ? o : { ...o, rrname: nameFromString(`n${i}.d${i % 20000}.com`) };
    a.observe(x, "sensor");
    if (stampOf) a.observeStamps(x, stampOf, T);
  }
  return { us: ((performance.now() - t0) * 1000) / N, aggs: a };
};
const plain = run(null);
const enricher = new Enricher({ geoipDb: join(FX, "country-v1.mmdb"), asnDb: join(FX, "asn-v1.mmdb"), pollMs: 0 });
const real = run((a) => enricher.lookup(a));
enricher.close();
let k = 0;
const stub = run(() => {
  k = (k * 1103515245 + 12345) >>> 0;
  return { asn: 1 + (k % 1_000_000), asOrg: `Org ${k % 1_000_000}`, country: String.fromCharCode(65 + (k % 25), 65 + ((k >> 8) % 10)) };
});

const viewMs = (aggs, enriched) => {
  const L = 50;
  const t0 = performance.now();
  for (let i = 0; i < L; i++) dashboardView([{ aggs, kind: "live" }], "24h", T * 1000, 900, { state: "none", files: 0, rrsets: 0, partial: false }, enriched);
  return (performance.now() - t0) / L;
};
// warm both paths before timing them
viewMs(stub.aggs, false);
viewMs(stub.aggs, true);
const without = viewMs(stub.aggs, false);
const withE = viewMs(stub.aggs, true);
console.log(
  JSON.stringify(
    {
      observations: N,
      observeUs: +plain.us.toFixed(2),
      observeWithEnricherUs: +real.us.toFixed(2),
      observeWithChurningStampsUs: +stub.us.toFixed(2),
      viewMsWithoutEnrichment: +without.toFixed(2),
      viewMsWithFullEnrichSketches: +withE.toFixed(2),
      asnsHeld: stub.aggs.enrich.asns.size,
      countries: stub.aggs.enrich.countries.size,
      loadavgBefore: load0,
      loadavgAfter: loadavg()[0],
    },
    null,
    1,
  ),
);
