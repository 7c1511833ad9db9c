/**
 * Inputs for the tests that stop a merge with a signal: two mtbl files of 40,000 distinct 4-byte
 * keys each (even and odd), more together than one of the tools' checkpoints (64Ki entries), so
 * the merge meets the signal mid-way.
 */
import { join } from "node:path";
import { Writer } from "@dnsrep/mtbl";

export function signalMergeInputs(dir: string): string[] {
  return [0, 1].map((par) => {
    const path = join(dir, `signal-${par}.mtbl`);
    const w = Writer.create(path, {});
    const k = new Uint8Array(4);
    const dv = new DataView(k.buffer);
    for (let i = 0; i < 40_000; i++) {
      dv.setUint32(0, 2 * i + par);
      w.add(k, k);
    }
    w.close();
    return path;
  });
}
