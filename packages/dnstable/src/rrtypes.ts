/** The rrtype sets libdnstable and dnstable_convert key their behaviour on, by name. */
import { RRTYPE as T } from "@dnsrep/wdns";

/** Types whose RRsets go to the DNSSEC file, not the DNS file (dnstable_convert's list; DNSDB's `ANY-DNSSEC`). */
export const DNSSEC_TYPES: ReadonlySet<number> = new Set<number>([
  T.DS,
  T.CDS,
  T.RRSIG,
  T.NSEC,
  T.DNSKEY,
  T.CDNSKEY,
  T.NSEC3,
  T.NSEC3PARAM,
  T.TA,
  T.DLV,
]);

/** DNSSEC types dnstable_convert -D also copies into the DNS file. */
export const DUAL_TYPES: ReadonlySet<number> = new Set<number>([T.CDS, T.CDNSKEY, T.TA]);

/** Every rrtype whose RDATA key begins with a name (libdnstable's CASE_RDATA_NAME_TYPE_ALL). */
export const NAME_RDATA_TYPES: ReadonlySet<number> = new Set<number>([
  T.MX,
  T.SRV,
  T.NS,
  T.CNAME,
  T.DNAME,
  T.PTR,
  T.SOA,
  T.SVCB,
  T.HTTPS,
  T.NSEC,
  T.RP,
  T.NXT,
]);

/** …and those where the name is all of the keyed rdata, so the rrtype follows it (…_STANDALONE). */
export const STANDALONE_NAME_TYPES: ReadonlySet<number> = new Set<number>([T.MX, T.SRV, T.NS, T.CNAME, T.DNAME, T.PTR]);
