import { type DnstableResult, decodeRdataKey } from "@dnsrep/dnstable";
import { addressText, type StampedPair } from "@dnsrep/enrich";
import { latin1String } from "@dnsrep/util";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { StatsOf } from "../dnsdb-routes.js";
import { badQuery } from "../errors.js";
import { effectiveLimit, parseQueryParams, type QueryParams } from "../params.js";
import { printable } from "../rrtypes.js";
import { type QueryContext, type Running, runResponse } from "../run-query.js";
import { lookupLines } from "../saf.js";
import type { StampView } from "./fields.js";

/** `AS64496` or `64496` → 64496; throws a bad query. */
export function parseAsn(v: string): number {
  const m = /^(?:AS)?(\d{1,10})$/i.exec(v);
  const n = m === null ? Number.NaN : Number(m[1]);
  if (!(n >= 1 && n <= 0xffff_ffff)) throw badQuery(`bad ASN: ${JSON.stringify(printable(v.slice(0, 100)))} (want AS64496 or 64496)`);
  return n;
}

/** An ISO 3166-1 alpha-2 code, any case → upper case; throws a bad query. */
export function parseCountry(v: string): string {
  if (!/^[A-Za-z]{2}$/.test(v))
    throw badQuery(`bad country code: ${JSON.stringify(printable(v.slice(0, 100)))} (want two letters, e.g. DE)`);
  return v.toUpperCase();
}

/**
 * The data's RDATA results for the pairs (grouped by address, as the index gives them): one
 * `rdata/ip` query per address, keeping the names stamped there. Time fences apply as to any
 * rdata lookup; memory is one address's names at a time.
 */
export function* stampedResults(pairs: Iterable<StampedPair>, run: Running, p: QueryParams): Generator<DnstableResult> {
  let addr: string | null = null;
  let address: Uint8Array | null = null;
  let names = new Set<string>();
  function* flush(): Generator<DnstableResult> {
    if (address === null) return;
    for (const r of run.query({ type: "rdata_ip", ip: addressText(address) }, p)) {
      const k = decodeRdataKey(r.key);
      if (k !== null && k.rdata.length === address.length && names.has(latin1String(k.rrname, 0, k.rrname.length))) yield r;
    }
  }
  for (const pair of pairs) {
    const a = latin1String(pair.address, 0, pair.address.length);
    if (a !== addr) {
      yield* flush();
      addr = a;
      address = pair.address;
      names = new Set();
    }
    names.add(latin1String(pair.rrname, 0, pair.rrname.length));
  }
  yield* flush();
}

/**
 * `GET /dnsdb/v2/lookup/rdata/asn/AS64496` and `/dnsdb/v2/lookup/rdata/country/DE`: the A/AAAA
 * records whose (rrname, address) was first stamped with that ASN / country, as SAF rdata results
 * (time fences, limit, offset, humantime, aggr, enrich as the other lookups; auth and quotas too).
 */
export function enrichRoutes(app: FastifyInstance, ctx: QueryContext, statsOf: StatsOf): void {
  for (const kind of ["asn", "country"] as const) {
    const handler = async (req: FastifyRequest<{ Params: { value: string } }>, reply: FastifyReply): Promise<FastifyReply> => {
      const p = parseQueryParams(req.query as Record<string, unknown>, ctx.now());
      const asn = kind === "asn" ? parseAsn(req.params.value) : 0;
      const cc = kind === "country" ? parseCountry(req.params.value) : "";
      if (!ctx.stamps) throw badQuery(`rdata/${kind} lookups need enrichment (dnstable-server --store DIR --geoip-db/--asn-db FILE)`);
      const limit = effectiveLimit(p.limit, ctx.defaultLimit, ctx.maxLimit, req.principal?.resultsMax ?? null);
      const stats = statsOf(req);
      const body = runResponse(ctx, stats, p, (run) => {
        const view = run.stamps() as StampView;
        const pairs = kind === "asn" ? view.byAsn(asn) : view.byCountry(cc);
        const w = {
          results: stampedResults(pairs, run, p),
          keep: () => true,
          offset: p.offset,
          limit,
          humantime: p.humantime,
          enrich: p.enrich ? view : null,
        };
        return lookupLines(w, stats);
      });
      return reply.type("application/x-ndjson").send(body);
    };
    app.get(`/dnsdb/v2/lookup/rdata/${kind}/:value`, { config: { auth: "dnsdb" as const, quota: true } }, handler);
  }
}
