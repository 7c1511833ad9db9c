// The store benches' observations (library.mjs, put-cpu.mjs): deterministic A RRsets whose names
// come from a pool of N/2, so about half of them repeat and merge.
import { nameFromString } from "@dnsrep/wdns";

export function observations(n, batchSize) {
  let seed = 0x2545f491;
  const rnd = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  const pool = Math.max(1, n >> 1);
  const bailiwick = nameFromString("example.com.");
  const nameOf = (i) => `h${i}.z${i % 97}.example.com.`;
  const obs = () => {
    const i = Math.floor(rnd() * pool);
    const t = 1_700_000_000 + Math.floor(rnd() * 86_400);
    return {
      rrname: nameFromString(nameOf(i)),
      rrtype: 1,
      bailiwick,
      rdata: [Uint8Array.of(10, (i >> 16) & 255, (i >> 8) & 255, i & 255)],
      timeFirst: t,
      timeLast: t + 60,
      count: 1,
    };
  };
  const batches = [];
  for (let b = 0; b < n / batchSize; b++) batches.push(Array.from({ length: batchSize }, obs));
  /** names of the pool (without the trailing dot), drawn on after the batches */
  const probe = () => nameOf(Math.floor(rnd() * pool)).slice(0, -1);
  return { batches, probe };
}
