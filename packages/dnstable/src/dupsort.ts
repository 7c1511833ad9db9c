import type { MtblIterator } from "@dnsrep/mtbl";
import { equalBytes } from "@dnsrep/util";
import { decodeTriplet, EntryType } from "./entry.js";

/**
 * libdnstable's dupsort for unaggregated results: entries with equal keys (one per file) come out
 * ordered by time_first, then time_last (RRSET and RDATA entries; others keep the merger's order).
 */
export function dupsort(src: MtblIterator): MtblIterator {
  let group: [Uint8Array, Uint8Array][] = [];
  let i = 0;
  let pending: [Uint8Array, Uint8Array] | null = null;
  let done = false;
  const times = (v: Uint8Array): [number, number] => {
    const t = decodeTriplet(v);
    return t ? [t.timeFirst, t.timeLast] : [0, 0];
  };
  const fill = (): boolean => {
    group = [];
    i = 0;
    if (!pending) {
      if (done || !src.next()) return false;
      pending = [src.key.slice(), src.value.slice()];
    }
    group.push(pending);
    pending = null;
    while (!done) {
      if (!src.next()) {
        done = true;
        break;
      }
      const k = src.key;
      if (!equalBytes(k, group[0]![0])) {
        pending = [k.slice(), src.value.slice()];
        break;
      }
      group.push([k.slice(), src.value.slice()]);
    }
    const t0 = group[0]![0][0];
    if (group.length > 1 && (t0 === EntryType.RRSET || t0 === EntryType.RDATA)) {
      group.sort((a, b) => {
        const [fa, la] = times(a[1]);
        const [fb, lb] = times(b[1]);
        return fa - fb || la - lb;
      });
    }
    return true;
  };
  return {
    next(): boolean {
      if (i + 1 < group.length) {
        i++;
        return true;
      }
      return fill();
    },
    get key() {
      return group[i]![0];
    },
    get value() {
      return group[i]![1];
    },
  };
}
