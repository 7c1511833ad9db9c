/**
 * What every log parser produces: one association between a name and a value seen in a log line
 * (`Association`), and what the aggregation of many of them gives (`Observation`, with DNSDB's
 * field names, as `dnsrep-shipper parse` prints it and as dnstable-server's ingest takes it).
 */

/** One domain ↔ value association read from one log line (or one dnstap message). */
export interface Association {
  /** Owner name: lower case, IDNA A-labels, no trailing dot ("" never; the root is "."). */
  rrname: string;
  /** RR type mnemonic: "A", "AAAA", "CNAME", "PTR", "NS", "MX", "TXT", … */
  rrtype: string;
  /**
   * The value in presentation form as DNSDB prints it, names without the trailing dot:
   * an address for A/AAAA, a name for CNAME/NS/PTR (PTR: rrname is the reverse name, rdata
   * the host name, as DNSDB stores it), "10 mx.example.com" for MX, a quoted string for TXT.
   */
  rdata: string;
  /** Epoch seconds (may carry a fraction) from the log's own timestamp; null when the line has none. */
  time: number | null;
  /**
   * For sources that already aggregate (passivedns, CIRCL COF, DNSDB exports): how many times the
   * source saw the association. Absent means 1.
   */
  count?: number;
  /**
   * For sources that give a first/last range (COF, DNSDB): the last time seen, epoch seconds;
   * `time` is then the first. Absent means the association was seen once, at `time`.
   */
  timeLast?: number | null;
}

/** Aggregated associations: one per distinct (rrname, rrtype, rdata). */
export interface Observation {
  rrname: string;
  rrtype: string;
  rdata: string;
  /** Integer epoch seconds (floor), null when no line carried a time. */
  time_first: number | null;
  time_last: number | null;
  /** Number of lines/messages that carried the association. */
  count: number;
  /** Where it came from: the parser's format name (e.g. "dnsmasq", "squid", "zeek"). */
  source: string;
}

/**
 * A parser of one log format. Stateful (dnsmasq resolves `<CNAME>` through the next line of the
 * same query serial), fed one line at a time (without its newline), so it works on files and on
 * tailed streams alike; memory it holds across lines is bounded.
 */
export interface LogParser {
  /** The format name, used as the observations' `source`. */
  readonly format: string;
  /** Parse one line; the associations it completes (possibly from earlier lines). */
  line(text: string): Association[];
  /** End of input: associations still held back (e.g. a pending `<CNAME>`). */
  end(): Association[];
  /** Lines rejected so far, by reason (e.g. "unmatched", "bad address", "invalid name"). */
  readonly rejected: Map<string, number>;
  /** Lines read so far. */
  readonly lines: number;
}
