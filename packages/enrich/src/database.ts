import { readFileSync } from "node:fs";
import { Reader, type Response } from "maxmind";
import { addressText } from "./address.js";
import { EnrichError, EnrichErrorCode } from "./errors.js";

/** What one database says of one address (only the fields it has). */
export interface DatabaseAnswer {
  /** ISO 3166-1 alpha-2 code (country databases; `registered_country` when `country` is absent) */
  country?: string;
  /** autonomous system number (ASN databases) */
  asn?: number;
  /** autonomous system organisation (ASN databases) */
  asOrg?: string;
}

const CC_RE = /^[A-Z]{2}$/;

/** The fields we read from a record, in the GeoLite2 / DB-IP / IPinfo lite layouts. */
export function answerOf(rec: Response | null): DatabaseAnswer {
  const out: DatabaseAnswer = {};
  if (rec === null || typeof rec !== "object") return out;
  const r = rec as Record<string, unknown>;
  const cc =
    (r.country as { iso_code?: unknown } | undefined)?.iso_code ??
    (r.registered_country as { iso_code?: unknown } | undefined)?.iso_code ??
    r.country_code;
  if (typeof cc === "string" && CC_RE.test(cc.toUpperCase())) out.country = cc.toUpperCase();
  let asn = r.autonomous_system_number ?? r.asn;
  if (typeof asn === "string" && /^AS\d+$/i.test(asn)) asn = Number(asn.slice(2));
  if (typeof asn === "number" && Number.isInteger(asn) && asn > 0 && asn <= 0xffff_ffff) out.asn = asn;
  const org = r.autonomous_system_organization ?? r.as_name;
  if (typeof org === "string" && org.length > 0) out.asOrg = org;
  return out;
}

/** One opened MaxMind-format database (the whole file in memory, as the maxmind package reads it). */
export class MmdbDatabase {
  readonly path: string;
  readonly #reader: Reader<Response>;
  /** the build date from the metadata, epoch seconds */
  readonly buildEpoch: number;
  readonly databaseType: string;

  private constructor(path: string, reader: Reader<Response>) {
    this.path = path;
    this.#reader = reader;
    this.buildEpoch = Math.floor(reader.metadata.buildEpoch.getTime() / 1000);
    this.databaseType = reader.metadata.databaseType;
  }

  /** Open and check a database: EnrichError OPEN (cannot read) or FORMAT (not a usable .mmdb). */
  static open(path: string): MmdbDatabase {
    let buf: Buffer;
    try {
      buf = readFileSync(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? "error";
      throw new EnrichError(EnrichErrorCode.OPEN, `${path}: cannot read (${code})`, { cause: e });
    }
    return MmdbDatabase.fromBuffer(buf, path);
  }

  static fromBuffer(buf: Buffer, path = "<buffer>"): MmdbDatabase {
    let reader: Reader<Response>;
    try {
      reader = new Reader<Response>(buf);
      const m = reader.metadata;
      if (!(m.buildEpoch instanceof Date) || Number.isNaN(m.buildEpoch.getTime())) throw new Error("no build date");
      if (m.ipVersion !== 4 && m.ipVersion !== 6) throw new Error(`ip_version ${m.ipVersion}`);
      if (m.searchTreeSize + 16 > buf.length) throw new Error("search tree past the end of the file");
      // walk the tree once per family: a damaged tree or data section fails here, not at ingest
      reader.get("0.0.0.0");
      reader.get("255.255.255.255");
      if (m.ipVersion === 6) {
        reader.get("::");
        reader.get("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
      }
    } catch (e) {
      const why = (e instanceof Error ? e.message : String(e)).split("\n")[0];
      throw new EnrichError(EnrichErrorCode.FORMAT, `${path}: not a usable MaxMind DB file (${why})`, { cause: e });
    }
    return new MmdbDatabase(path, reader);
  }

  /** The record for an address (4 or 16 bytes), or null; a record that does not decode is null. */
  record(address: Uint8Array): Response | null {
    return this.#find(address).record;
  }

  lookup(address: Uint8Array): DatabaseAnswer {
    return answerOf(this.record(address));
  }

  /**
   * The answer for an address and the length of the network it holds for: every address sharing
   * the first `prefix` bits (of the 32 of an IPv4 address, the 128 of an IPv6 one) gets the same
   * answer — the search tree's walk ends after that many bits, whether at a record or at none.
   * A record that does not decode gives an empty answer for this address alone (prefix: all bits).
   */
  lookupNetwork(address: Uint8Array): { answer: DatabaseAnswer; prefix: number } {
    const f = this.#find(address);
    return { answer: answerOf(f.record), prefix: f.prefix };
  }

  #find(address: Uint8Array): { record: Response | null; prefix: number } {
    const ip = addressText(address);
    // an IPv4-only database has nothing for any IPv6 address
    if (address.length === 16 && this.#reader.metadata.ipVersion === 4) return { record: null, prefix: 0 };
    try {
      const [record, prefix] = this.#reader.getWithPrefixLength(ip);
      return { record, prefix };
    } catch {
      return { record: null, prefix: address.length * 8 };
    }
  }
}
