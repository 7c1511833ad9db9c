/**
 * The bailiwick check: which RRsets of a response to trust, and under which zone. A response from
 * server R to a question for QNAME is trusted only for names at or below Z, the deepest zone at or
 * above QNAME that R is known (from the zone cache) to serve; Z is recorded as the RRsets'
 * bailiwick. Accepted NS and A/AAAA RRsets teach the cache new delegations and server addresses
 * (NS first, so a referral's glue counts for the child it introduces).
 */
import { downcaseRRset, type Message, nameLength, type RRset, RRTYPE, sortRRset } from "@dnsrep/wdns";
import { addrKey, atOrBelowAt, nameKey, ROOT_KEY } from "./names.js";
import type { ZoneCache } from "./zones.js";

/** Why RRsets were not accepted. */
export const RejectReason = {
  /** rcode other than NOERROR / NXDOMAIN */
  RCODE: "rcode",
  /** TC set: the response is incomplete */
  TRUNCATED: "truncated",
  /** RD set: an answer from a recursive resolver (see the `recursive` option) */
  RECURSIVE: "recursive",
  /** no zone at or above the question is known to be served by the responding address */
  UNKNOWN_SERVER: "unknown_server",
  /** the owner is outside the zone the server answers for (poisoning attempts, cross-zone data) */
  OUT_OF_BAILIWICK: "out_of_bailiwick",
  /** not exactly one question */
  NO_QUESTION: "no_question",
  /** a response nobody asked for */
  UNSOLICITED: "unsolicited",
  /** the response does not parse */
  MALFORMED: "malformed",
} as const;
export type RejectReason = (typeof RejectReason)[keyof typeof RejectReason];

export interface AcceptedRRset {
  /** downcased, rdata sorted (libwdns order) */
  rrset: RRset;
  /** key of the owner name */
  readonly owner: string;
  /** key of the bailiwick zone */
  bailiwick: string;
}

export interface Verdict {
  accepted: AcceptedRRset[];
  /** RRsets not accepted, by reason (a whole-response rejection counts every RRset in it) */
  rejected: Partial<Record<RejectReason, number>>;
  /** the sum of `rejected` */
  rejectedCount: number;
  /** set when the whole response was rejected */
  reason?: RejectReason;
}

export interface BailiwickOptions {
  /**
   * Responses with RD set come from recursive resolvers, which answer for any zone. "reject"
   * (default) drops them; "accept" takes their RRsets under the deepest zone the cache knows
   * above the question, without learning from them.
   */
  recursive?: "reject" | "accept";
}

/** transport, not data */
const SKIP_TYPES: ReadonlySet<number> = new Set<number>([RRTYPE.OPT, RRTYPE.TKEY, RRTYPE.TSIG]);

/** An accepted RRset; the owner's key is made when asked for (most callers use the wire name). */
class Accepted implements AcceptedRRset {
  readonly rrset: RRset;
  readonly bailiwick: string;
  #owner: string | undefined;
  constructor(rrset: RRset, bailiwick: string) {
    this.rrset = rrset;
    this.bailiwick = bailiwick;
  }
  get owner(): string {
    this.#owner ??= nameKey(this.rrset.name);
    return this.#owner;
  }
}

export class BailiwickChecker {
  readonly zones: ZoneCache;
  readonly #recursive: "reject" | "accept";

  constructor(zones: ZoneCache, opts: BailiwickOptions = {}) {
    this.zones = zones;
    this.#recursive = opts.recursive ?? "reject";
  }

  /**
   * Judge the RRsets of response `msg` from address `server` (an address key). `hint` is the
   * zone the resolver itself sent the query to that server for (a wire name: dnstap's query_zone,
   * carried in dnsqr by nmsg-sensor): used only when the zone cache knows no zone of that server
   * at or above the question, and only when it is at or above the question — a resolver's dnstap
   * can log an answer before the referral that explains it, and the resolver did check it.
   */
  check(msg: Message, server: string, hint: Uint8Array | null = null): Verdict {
    let reason: RejectReason | undefined;
    let zone: string | undefined;
    const recursive = (msg.flags & 0x0100) !== 0;
    if (msg.rcode !== 0 && msg.rcode !== 3) reason = RejectReason.RCODE;
    else if (msg.flags & 0x0200) reason = RejectReason.TRUNCATED;
    else if (msg.question.length !== 1) reason = RejectReason.NO_QUESTION;
    else if (recursive && this.#recursive === "reject") reason = RejectReason.RECURSIVE;
    else {
      const qname = nameKey(msg.question[0]!.name);
      zone = recursive ? (this.zones.enclosingZone(qname) ?? ROOT_KEY) : this.zones.servedZone(qname, server);
      if (zone === undefined && hint !== null && !recursive) zone = hintedZone(qname, hint);
      if (zone === undefined) reason = RejectReason.UNKNOWN_SERVER;
    }
    const v: Verdict = { accepted: [], rejected: {}, rejectedCount: 0 };
    let out = 0;
    for (let sec = 0; sec < 3; sec++) {
      const section = sec === 0 ? msg.answer : sec === 1 ? msg.authority : msg.additional;
      for (const r of section) {
        if (SKIP_TYPES.has(r.rrtype)) continue;
        if (zone === undefined) {
          out++; // the whole response is rejected: each RRset counts under its reason
          continue;
        }
        downcaseRRset(r);
        sortRRset(r);
        if (atOrBelowAt(r.name, 0, r.name.length, zone)) v.accepted.push(new Accepted(r, zone));
        else out++;
      }
    }
    if (reason !== undefined) {
      v.rejected[reason] = out;
      v.rejectedCount = out;
      v.reason = reason;
      return v;
    }
    if (out > 0) v.rejected[RejectReason.OUT_OF_BAILIWICK] = out;
    v.rejectedCount = out;
    if (!recursive) this.#learn(v.accepted);
    return v;
  }

  #learn(accepted: readonly AcceptedRRset[]): void {
    const z = this.zones;
    for (let i = 0; i < accepted.length; i++) {
      const r = accepted[i]!.rrset;
      if (r.rrtype === 2 && r.rrclass === 1) z.learnNSRdata(accepted[i]!.owner, r.rdatas);
    }
    for (let i = 0; i < accepted.length; i++) {
      const r = accepted[i]!.rrset;
      const t = r.rrtype;
      if (r.rrclass !== 1 || (t !== 1 && t !== 28) || !z.mayServe(r.name)) continue;
      const owner = accepted[i]!.owner;
      for (const rd of r.rdatas) if (rd.length === (t === 1 ? 4 : 16)) z.learnAddress(owner, addrKey(rd));
    }
  }
}

/** The hint's key when it is a well-formed name at or above `qname` (a key); else undefined. */
function hintedZone(qname: string, hint: Uint8Array): string | undefined {
  if (nameLength(hint, 0) !== hint.length) return undefined;
  const z = nameKey(hint);
  for (let q = 0; q < qname.length; q += qname.charCodeAt(q) + 1) if (qname.length - q === z.length && qname.endsWith(z)) return z;
  return undefined;
}
