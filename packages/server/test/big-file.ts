import { encodeTriplet, rrsetKey } from "@dnsrep/dnstable";
import { Writer } from "@dnsrep/mtbl";
import { nameFromString } from "@dnsrep/wdns";

/**
 * A dnstable file of `n` A RRsets `h0000000.big.test` … under bailiwick big.test (RRSET entries
 * only: enough for `*.big.test`), for streaming tests and benchmarks.
 */
export function writeBigFile(path: string, n: number): void {
  const w = Writer.create(path, { compression: "none" });
  const bw = nameFromString("big.test.");
  const value = encodeTriplet({ timeFirst: 1_700_000_000, timeLast: 1_700_003_600, count: 3 });
  try {
    for (let i = 0; i < n; i++) {
      const name = nameFromString(`h${String(i).padStart(8, "0")}.big.test.`);
      const rdata = Uint8Array.of(10, (i >> 16) & 255, (i >> 8) & 255, i & 255);
      w.add(rrsetKey(name, 1, bw, [rdata]), value);
    }
    w.close();
  } catch (e) {
    w.abort();
    throw e;
  }
}
