/**
 * dnstap files (Frame Streams of dnstap protobuf messages, via @dnsrep/dnstap): every answer-section
 * RR of every CLIENT_RESPONSE and RESOLVER_RESPONSE message, at the message's response time. Owner
 * names and name-valued rdata are printed as DNSDB prints them (lower case, no trailing dot); other
 * rdata as libwdns prints it. A binary format: `frame()` takes one data frame; `line()` rejects.
 */
import { DnstapType, decodeDnstap, MessageType } from "@dnsrep/dnstap";
import { downcaseName, downcaseRdata, nameToString, parseMessage, rdataToString, rrtypeToString } from "@dnsrep/wdns";
import type { FormatOptions } from "./formats.js";
import type { Association, LogParser } from "./observation.js";

/** Message types whose answers are read (the responses a resolver receives and sends). */
const RESPONSE_TYPES = new Set<number>([MessageType.CLIENT_RESPONSE, MessageType.RESOLVER_RESPONSE]);
const NAME_TYPES = new Set(["CNAME", "DNAME", "NS", "PTR", "MX", "SRV", "KX", "AFSDB", "RT"]);
const OPT = 41;

/** A parser of a binary format fed whole frames. */
export interface FrameLogParser extends LogParser {
  frame(data: Uint8Array): Association[];
  /** Count a problem of the container (truncated file …) as a rejected unit. */
  rejectUnit(reason: string): void;
}

function stripDot(s: string): string {
  return s === "." || !s.endsWith(".") || s.endsWith("\\.") ? s : s.slice(0, -1);
}

export class DnstapParser implements FrameLogParser {
  readonly format: string;
  readonly rejected = new Map<string, number>();
  /** Frames read (reported as `lines`). */
  lines = 0;

  constructor(opts: FormatOptions = {}) {
    this.format = opts.source ?? "dnstap";
  }

  rejectUnit(reason: string): void {
    this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + 1);
  }

  line(_text: string): Association[] {
    this.lines++;
    this.rejectUnit("not a dnstap frame");
    return [];
  }

  frame(data: Uint8Array): Association[] {
    this.lines++;
    let msg: ReturnType<typeof decodeDnstap>;
    try {
      msg = decodeDnstap(data);
    } catch {
      this.rejectUnit("bad dnstap message");
      return [];
    }
    const m = msg.message;
    if (msg.type !== DnstapType.MESSAGE || !m || !RESPONSE_TYPES.has(m.type)) return [];
    if (!m.response_message || m.response_time_sec === undefined) {
      this.rejectUnit("response without message or time");
      return [];
    }
    const time = m.response_time_sec + (m.response_time_nsec ?? 0) / 1e9;
    let dns: ReturnType<typeof parseMessage>;
    try {
      dns = parseMessage(m.response_message);
    } catch {
      this.rejectUnit("bad DNS message");
      return [];
    }
    const out: Association[] = [];
    for (const rr of dns.rrs[0]) {
      if (rr.rrtype === OPT) continue;
      const rrtype = rrtypeToString(rr.rrtype);
      let rdata: string;
      try {
        rdata = rdataToString(rr.rrtype, rr.rrclass, downcaseRdata(rr.rdata, rr.rrtype, rr.rrclass));
      } catch {
        this.rejectUnit("bad rdata");
        continue;
      }
      if (rdata.includes("### PARSE ERROR")) {
        this.rejectUnit("bad rdata"); // libwdns prints malformed rdata with this marker
        continue;
      }
      if (NAME_TYPES.has(rrtype)) {
        const sp = rdata.lastIndexOf(" ");
        rdata = sp === -1 ? stripDot(rdata) : rdata.slice(0, sp + 1) + stripDot(rdata.slice(sp + 1));
      }
      out.push({ rrname: stripDot(nameToString(downcaseName(rr.name))), rrtype, rdata, time });
    }
    return out;
  }

  end(): Association[] {
    return [];
  }
}

export const createDnstapParser = (opts: FormatOptions): DnstapParser => new DnstapParser(opts);
