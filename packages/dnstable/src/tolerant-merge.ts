/** A set file's merge that keeps going past a corrupt value, and the source that reports what it kept out. */
import type { MergeFn, MtblIterator, MtblSource } from "@dnsrep/mtbl";
import { valueProblem } from "./check.js";
import { isDnstableError } from "./errors.js";
import { dnstableMerge } from "./merge.js";
import type { CorruptEntry, Report } from "./query.js";

/**
 * The set file's merge: dnstableMerge, except that where one side's value does not decode the
 * other side is kept and the damage queued in `faults` for the query to report (libdnstable's merge
 * asserts; an empty value would lose the good side too).
 */
export function tolerantMerge(faults: CorruptEntry[]): MergeFn {
  return (key, a, b) => {
    try {
      return dnstableMerge(key, a, b);
    } catch (e) {
      if (!isDnstableError(e)) throw e;
      const badA = valueProblem(key, a);
      const badB = valueProblem(key, b);
      // both bad: the merged value stays bad, and the query reports it when it reads it
      if (badA === null || badB === null) faults.push({ key: key.slice(), reason: (badA ?? badB) as string });
      return badA === null ? a.slice() : b.slice();
    }
  };
}

/** `src` with every iterator handing the merge's queued faults to `report` after each step. */
export function reporting(src: MtblSource, faults: CorruptEntry[], report: Report): MtblSource {
  const watch = (it: MtblIterator): MtblIterator => ({
    next(): boolean {
      const more = it.next();
      while (faults.length > 0) {
        const f = faults.shift() as CorruptEntry;
        report(f.key, f.reason);
      }
      return more;
    },
    get key() {
      return it.key;
    },
    get value() {
      return it.value;
    },
  });
  return {
    iter: () => watch(src.iter()),
    get: (k) => watch(src.get(k)),
    getPrefix: (k) => watch(src.getPrefix(k)),
    getRange: (a, b) => watch(src.getRange(a, b)),
  };
}
