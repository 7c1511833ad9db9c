import { setFlagsFromString } from "node:v8";
import { decodeRdataKey, decodeRRtypeUnion, EntryType } from "@dnsrep/dnstable";
import type { MtblSource } from "@dnsrep/mtbl";
import { toHex } from "@dnsrep/util";
import { nameToString, rdataToString, rrtypeToString } from "@dnsrep/wdns";
import { badQuery } from "./errors.js";
import { printable, type TypeSelect, typeSelected } from "./rrtypes.js";

/**
 * DNSDB flex search: `glob|regex` / `rrnames|rdata` / VALUE[/TYPE], with `exclude`. Patterns run on
 * V8's linear-time regular expression engine (the `l` flag, enabled here with
 * --enable-experimental-regexp-engine), so no pattern backtracks: one that needs backtracking
 * (backreferences, lookaround) is a 400, and each match costs time linear in the subject, which
 * is at most MAX_SUBJECT characters. Globs (`*`, `?`, `[...]`) become anchored expressions on the
 * same engine; regexes are unanchored, as DNSDB's. Names are matched with their trailing dot.
 */

/** V8's linear-time engine flag (a string: TypeScript knows only the standard flags) */
const LINEAR: string = "l";
let linear = false;
try {
  setFlagsFromString("--enable-experimental-regexp-engine");
  linear = new RegExp("a", LINEAR).test("a");
} catch {
  linear = false;
}

/** Longest subject a pattern is run on: longer rdata texts are not matched (a name is at most 1020 characters). */
export const MAX_SUBJECT = 4096;
/** Longest pattern taken. */
const MAX_PATTERN = 1024;

/** A compiled flex pattern: a regex or glob run in linear time. Throws a bad-query ServerError. */
export function flexPattern(method: string, pattern: string): RegExp {
  if (!linear) throw badQuery("flex search is not available: this Node has no linear-time regular expression engine");
  if (pattern.length === 0 || pattern.length > MAX_PATTERN) throw badQuery(`bad ${method} pattern: empty or longer than ${MAX_PATTERN}`);
  const source = method === "glob" ? globSource(pattern) : pattern;
  try {
    return new RegExp(source, LINEAR);
  } catch (e) {
    throw badQuery(`bad ${method} pattern ${printable(pattern)}: ${(e as Error).message.replace(/^Invalid regular expression: /, "")}`);
  }
}

/** A glob as an anchored regular expression source: `*` any run, `?` one character, `[...]` a class, the rest literal. */
export function globSource(glob: string): string {
  let out = "^";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === "*") out += ".*";
    else if (c === "?") out += ".";
    else if (c === "[") {
      const end = glob.indexOf("]", i + 2);
      if (end < 0) throw badQuery(`bad glob pattern ${printable(glob)}: [ without ]`);
      let body = glob.slice(i + 1, end);
      if (body.startsWith("!")) body = `^${body.slice(1)}`;
      out += `[${body.replace(/[\\\]]/g, "\\$&")}]`;
      i = end;
    } else if (c === "\\" && i + 1 < glob.length) out += (glob[++i] as string).replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
    else out += c.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
  }
  return `${out}$`;
}

export interface FlexQuery {
  /** "rrnames" or "rdata" */
  what: string;
  match: RegExp;
  exclude: RegExp | null;
  types: TypeSelect;
}

const test = (re: RegExp, s: string): boolean => s.length <= MAX_SUBJECT && re.test(s);

/**
 * The flex results over `src`, as DNSDB's objects: `{rrname, rrtype}` per owner name and type
 * (from the forward-name index), or `{rdata, rrtype, raw_rdata}` per distinct rdata and type
 * (from the RDATA entries; an rdata is distinct from the entry before it). Yields "" every 256
 * entries scanned, so a long scan gives the event loop a turn; `stop` ends it (a time budget).
 */
export function* flexObjects(src: MtblSource, q: FlexQuery, stop: () => boolean): Generator<Record<string, string> | "", void, undefined> {
  let n = 0;
  if (q.what === "rrnames") {
    const it = src.getPrefix(Uint8Array.of(EntryType.RRSET_NAME_FWD));
    while (it.next()) {
      if (++n % 256 === 0) {
        if (stop()) return;
        yield "";
      }
      let name: string;
      let types: number[];
      try {
        name = nameToString(it.key.subarray(1));
        types = decodeRRtypeUnion(it.value);
      } catch {
        continue; // an index entry that does not decode: not a result
      }
      if (!test(q.match, name) || (q.exclude !== null && test(q.exclude, name))) continue;
      for (const t of types) if (typeSelected(q.types, t)) yield { rrname: name, rrtype: rrtypeToString(t) };
    }
    return;
  }
  const it = src.getPrefix(Uint8Array.of(EntryType.RDATA));
  let last = "";
  while (it.next()) {
    if (++n % 256 === 0) {
      if (stop()) return;
      yield "";
    }
    let k: ReturnType<typeof decodeRdataKey>;
    try {
      k = decodeRdataKey(it.key);
    } catch {
      k = null;
    }
    if (k === null || !typeSelected(q.types, k.rrtype)) continue;
    const raw = toHex(k.rdata);
    const id = `${k.rrtype}/${raw}`;
    if (id === last) continue;
    last = id;
    let text: string;
    try {
      text = rdataToString(k.rrtype, 1, k.rdata);
    } catch {
      continue;
    }
    if (!test(q.match, text) || (q.exclude !== null && test(q.exclude, text))) continue;
    yield { rdata: text, rrtype: rrtypeToString(k.rrtype), raw_rdata: raw };
  }
}
