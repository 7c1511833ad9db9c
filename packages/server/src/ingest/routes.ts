import { ingestTurnBudget, type TurnBudget } from "@dnsrep/util";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { decodeBody } from "./body.js";
import { IngestError, IngestErrorCode, ingestStatus, isIngestError } from "./errors.js";
import { validIdempotencyKey } from "./idempotency.js";
import type { IngestStores } from "./live-stores.js";
import type { IngestVia } from "./metrics.js";
import type { IngestObservation } from "./observation.js";
import { parseNdjsonBatchSliced } from "./observation-json.js";
import { parseYapdnsBody, YAPDNS_BULK_PATH, YAPDNS_SINGLE_PATH } from "./yapdns.js";

export const INGEST_PATH = "/api/v1/ingest";

export interface IngestRouteOptions {
  stores: IngestStores;
  /** the largest body, uncompressed and compressed alike (bytes) */
  maxBodyBytes: number;
  /** Retry-After of a 503 (seconds) */
  retryAfterSeconds: number;
  /** epoch ms */
  now: () => number;
  /** diagnostics (an internal error): one line */
  log: (line: string) => void;
  /** the share of each event-loop turn that parsing bodies takes (default @dnsrep/util's ingestTurnBudget, shared with the store) */
  turnBudget?: TurnBudget;
}

const BODY_TYPES = ["application/x-ndjson", "application/jsonl", "application/json", "text/plain"];

function statusOf(e: unknown): number {
  if (isIngestError(e)) return ingestStatus(e.code);
  const s = (e as FastifyError).statusCode;
  return typeof s === "number" && s >= 400 && s < 500 ? s : 500;
}

/**
 * The ingest routes: `POST /api/v1/ingest` (NDJSON observations, X-API-Key of an ingest key) and
 * YAPDNS's `POST /api/v1/dns` and `/api/v1/dns/bulk` (HTTP basic auth with an ingest key). Each
 * body is decoded (gzip allowed), checked whole, then stored; the answer comes once it is durable.
 * Errors are JSON: `{"error":"…"}` (YAPDNS routes: `{"status":N,"message":"…"}`, as YAPDNS answers).
 */
export async function ingestRoutes(app: FastifyInstance, opts: IngestRouteOptions): Promise<void> {
  // the bodies arrive as raw bytes (decompressed and size-checked by decodeBody), in this plugin's scope only
  const budget = opts.turnBudget ?? ingestTurnBudget;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(BODY_TYPES, { parseAs: "buffer", bodyLimit: opts.maxBodyBytes }, (_req, body, done) => done(null, body));

  const fail = (reply: FastifyReply, e: unknown, yapdns: boolean): FastifyReply => {
    const status = statusOf(e);
    let msg = status >= 500 && !isIngestError(e) ? "internal error" : ((e as Error).message || "bad request").split("\n")[0];
    if (status === 413 && !isIngestError(e)) msg = `body larger than ${opts.maxBodyBytes} bytes`;
    if (status === 500) opts.log(`ingest: internal error: ${(e as Error).stack ?? String(e)}`.split("\n").slice(0, 3).join(" | "));
    if (status === 503) reply.header("Retry-After", String(opts.retryAfterSeconds));
    return reply
      .code(status)
      .type("application/json")
      .send(yapdns ? { status, message: msg } : { error: msg });
  };

  const bodyText = (req: FastifyRequest): string => {
    if (!Buffer.isBuffer(req.body)) throw new IngestError(IngestErrorCode.BAD_BATCH, "no body");
    const enc = req.headers["content-encoding"];
    return decodeBody(req.body, Array.isArray(enc) ? enc.join(",") : enc, opts.maxBodyBytes);
  };

  const ingest = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    try {
      const raw = req.headers["idempotency-key"];
      const key = Array.isArray(raw) ? raw[0] : raw;
      if (key !== undefined && !validIdempotencyKey(key))
        throw new IngestError(IngestErrorCode.BAD_BATCH, "Idempotency-Key: 1 to 200 printable ASCII characters, no spaces");
      const batch = await parseNdjsonBatchSliced(bodyText(req), Math.floor(opts.now() / 1000), budget);
      const r = await store(batch, key ?? null, "http");
      return reply.type("application/json").send(r.duplicate ? { accepted: r.accepted, duplicate: true } : { accepted: r.accepted });
    } catch (e) {
      return fail(reply, e, false);
    }
  };

  const store = async (batch: IngestObservation[], key: string | null, via: IngestVia) =>
    batch.length === 0 ? { accepted: 0, duplicate: false } : opts.stores.apply(batch, key, via);

  const yapdns = (bulk: boolean) => async (req: FastifyRequest, reply: FastifyReply) => {
    try {
      const batch = parseYapdnsBody(bodyText(req), bulk, Math.floor(opts.now() / 1000));
      const r = await store(batch, null, "yapdns");
      return reply.type("application/json").send({ status: 200, message: "DNS Record create successfully", accepted: r.accepted });
    } catch (e) {
      return fail(reply, e, true);
    }
  };

  const onError = (yapdnsRoute: boolean) => (e: FastifyError, _req: FastifyRequest, reply: FastifyReply) => fail(reply, e, yapdnsRoute);
  app.post(INGEST_PATH, { config: { auth: "ingest" }, errorHandler: onError(false) }, ingest);
  app.post(YAPDNS_SINGLE_PATH, { config: { auth: "ingest-basic" }, errorHandler: onError(true) }, yapdns(false));
  app.post(YAPDNS_BULK_PATH, { config: { auth: "ingest-basic" }, errorHandler: onError(true) }, yapdns(true));
}
