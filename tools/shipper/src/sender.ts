/**
 * Posts spooled batches to the ingest endpoint, oldest first, one at a time (so they arrive in
 * order): 2xx → removed from the spool; 400/401/403/413 and other 4xx → set aside in rejected/
 * (permanent); 408/429/5xx/network errors → retried after a backoff that honours Retry-After.
 */
import { gzipSync } from "node:zlib";
import { parseRetryAfter } from "@dnsrep/client";
import { type BackoffOptions, backoffDelay } from "./backoff.js";
import type { Spool, SpooledBatch } from "./spool.js";

export interface SenderOptions {
  /** Base URL of dnstable-server (the path /api/v1/ingest is added) or the full ingest URL. */
  server: string;
  key: string;
  gzip?: boolean;
  /** Per-request timeout (ms, default 30 000). */
  timeoutMs?: number;
  backoff?: BackoffOptions;
  /** A one-line note for the log (a rejection, the server going away and coming back). */
  log?: (line: string) => void;
}

export interface SenderStats {
  batchesSent: number;
  observationsSent: number;
  duplicates: number;
  retries: number;
  rejectedBatches: number;
  rejectedObservations: number;
  /** Last attempt failed in a way that is retried (the server is away or busy). */
  failing: boolean;
  lastError: string;
}

export function ingestUrl(server: string): string {
  const u = new URL(server);
  if (!u.pathname.endsWith("/api/v1/ingest")) u.pathname = `${u.pathname.replace(/\/+$/, "")}/api/v1/ingest`;
  return u.toString();
}

type Outcome =
  | { kind: "ok"; duplicate: boolean }
  | { kind: "permanent"; reason: string }
  | { kind: "retry"; reason: string; retryAfterMs: number | null; unreachable?: boolean; aborted?: boolean };

export class Sender {
  readonly #o: SenderOptions;
  readonly #url: string;
  readonly #spool: Spool;
  readonly stats: SenderStats = {
    batchesSent: 0,
    observationsSent: 0,
    duplicates: 0,
    retries: 0,
    rejectedBatches: 0,
    rejectedObservations: 0,
    failing: false,
    lastError: "",
  };
  #wake: (() => void) | null = null;
  #backingOff = false;
  /** no attempt before this time (ms): the last failure's backoff */
  #notBefore = 0;
  #attempts = 0;
  #inflight: AbortController | null = null;
  #stopped = false;
  #sleepTimer: ReturnType<typeof setTimeout> | null = null;
  #loop: Promise<void> | null = null;

  constructor(spool: Spool, o: SenderOptions) {
    this.#spool = spool;
    this.#o = o;
    this.#url = ingestUrl(o.server);
  }

  start(): void {
    this.#loop ??= this.#run();
  }

  /** New batches are in the spool (wakes an idle sender, not one waiting out a backoff). */
  notify(): void {
    if (!this.#backingOff) this.#wake?.();
  }

  /**
   * Stop the loop, abandoning a request in flight (its batch stays spooled and is sent again
   * with the same key, so it counts once); resolves when the loop has ended.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#inflight?.abort();
    this.#wake?.();
    await this.#loop;
  }

  /**
   * Send what is pending until the spool is empty or the deadline passes, retrying a busy server
   * (429/5xx, Retry-After honoured) within the deadline; a server that cannot be reached ends it at
   * once. What is left stays spooled for the next run. Used at exit.
   */
  async drain(deadline: number): Promise<void> {
    // the loop ends after the attempt in flight, if any, has its answer (aborting it would lose
    // an answer the server already gave, and send the batch again); at the deadline it is abandoned
    this.#stopped = true;
    this.#wake?.();
    const cut = setTimeout(() => this.#inflight?.abort(), Math.max(0, deadline - Date.now()));
    try {
      await this.#loop;
    } finally {
      clearTimeout(cut);
    }
    let attempt = this.#attempts;
    while (Date.now() < deadline) {
      const b = this.#spool.oldest();
      if (!b) return;
      // a backoff (or Retry-After) the loop was waiting out still holds
      const wait = this.#notBefore - Date.now();
      if (wait > 0) {
        if (Date.now() + wait >= deadline) return;
        await new Promise((r) => setTimeout(r, wait));
      }
      const out = await this.#attempt(b, Math.max(1, deadline - Date.now()));
      if (out.kind !== "retry") {
        attempt = 0;
        continue;
      }
      if (out.unreachable) return;
      this.stats.retries++;
      const delay = backoffDelay(attempt++, out.retryAfterMs, this.#o.backoff);
      this.#notBefore = Date.now() + delay;
    }
  }

  async #run(): Promise<void> {
    let attempt = 0;
    while (!this.#stopped) {
      const b = this.#spool.oldest();
      if (!b) {
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
        this.#wake = null;
        continue;
      }
      const out = await this.#attempt(b, this.#o.timeoutMs ?? 30_000);
      if (out.kind !== "retry") {
        attempt = 0;
        this.#attempts = 0;
        continue;
      }
      if (this.#stopped) break;
      this.stats.retries++;
      const delay = backoffDelay(attempt++, out.retryAfterMs, this.#o.backoff);
      this.#attempts = attempt;
      this.#notBefore = Date.now() + delay;
      this.#backingOff = true;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        this.#sleepTimer = setTimeout(resolve, delay);
      });
      if (this.#sleepTimer) clearTimeout(this.#sleepTimer);
      this.#backingOff = false;
      this.#wake = null;
    }
  }

  async #attempt(b: SpooledBatch, timeoutMs: number): Promise<Outcome> {
    this.#spool.inFlight = b.seq;
    const out = await this.#post(b, timeoutMs);
    this.#spool.inFlight = -1;
    if (out.kind === "retry" && out.aborted) return out;
    if (out.kind === "ok") {
      if (this.stats.failing) this.#o.log?.("server reachable again: sending spooled batches");
      this.stats.failing = false;
      this.stats.batchesSent++;
      this.stats.observationsSent += b.header.lines;
      if (out.duplicate) this.stats.duplicates++;
      this.#spool.done(b.seq);
    } else if (out.kind === "permanent") {
      this.stats.rejectedBatches++;
      this.stats.rejectedObservations += b.header.lines;
      this.#o.log?.(`batch ${b.seq} rejected (set aside in rejected/): ${out.reason}`);
      this.#spool.reject(b.seq, out.reason);
    } else {
      if (!this.stats.failing) this.#o.log?.(`server not accepting batches (spooling, will retry): ${out.reason}`);
      this.stats.failing = true;
      this.stats.lastError = out.reason;
    }
    return out;
  }

  async #post(b: SpooledBatch, timeoutMs: number): Promise<Outcome> {
    const headers: Record<string, string> = {
      "content-type": "application/x-ndjson",
      "x-api-key": this.#o.key,
      "idempotency-key": b.header.key,
    };
    // a body fetch can send: bytes over a plain ArrayBuffer
    let body: Uint8Array<ArrayBuffer> = b.body as Uint8Array<ArrayBuffer>;
    if (this.#o.gzip) {
      body = gzipSync(b.body);
      headers["content-encoding"] = "gzip";
    }
    let res: Response;
    const ac = new AbortController();
    this.#inflight = ac;
    try {
      res = await fetch(this.#url, { method: "POST", headers, body, signal: AbortSignal.any([ac.signal, AbortSignal.timeout(timeoutMs)]) });
    } catch (e) {
      this.#inflight = null;
      if (ac.signal.aborted) return { kind: "retry", reason: "stopped", retryAfterMs: null, aborted: true };
      const c = (e as { cause?: { code?: string; message?: string } }).cause;
      return { kind: "retry", reason: c?.code ?? c?.message ?? (e as Error).message, retryAfterMs: null, unreachable: true };
    }
    let text = "";
    try {
      text = await res.text();
    } catch {
      // the answer was cut off: the status stands (a 2xx is durable on the server)
    } finally {
      this.#inflight = null;
    }
    if (res.status >= 200 && res.status < 300) {
      let duplicate = false;
      try {
        duplicate = (JSON.parse(text) as { duplicate?: unknown }).duplicate === true;
      } catch {}
      return { kind: "ok", duplicate };
    }
    const reason = `HTTP ${res.status}${text ? `: ${oneLine(text)}` : ""}`;
    if (res.status === 408 || res.status === 429 || res.status >= 500) {
      const s = parseRetryAfter(res.headers.get("retry-after"));
      return { kind: "retry", reason, retryAfterMs: s === null ? null : s * 1000 };
    }
    return { kind: "permanent", reason };
  }
}

function oneLine(s: string): string {
  let t = s.trim().split("\n")[0] ?? "";
  try {
    const j = JSON.parse(t) as { error?: unknown };
    if (typeof j.error === "string") t = j.error;
  } catch {}
  return t.length > 300 ? `${t.slice(0, 300)}…` : t;
}
