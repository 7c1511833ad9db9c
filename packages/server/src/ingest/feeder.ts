import { isIngestError } from "./errors.js";
import type { IngestStores } from "./live-stores.js";
import type { IngestObservation } from "./observation.js";

/** What a Feeder may be told (counts for metrics, one-line diagnostics). */
export interface FeederEvents {
  /** observations dropped: the store refused and the queue was full (UDP), or an error that is not a refusal */
  dropped?: (n: number, why: string) => void;
  log?: (line: string) => void;
}

export interface FeederOptions {
  /** a put is made once this many observations wait (default 2000) */
  batchSize?: number;
  /** or once the oldest has waited this long (ms, default 20) */
  lingerMs?: number;
  /** puts in flight at most (default 4) */
  maxInFlight?: number;
  /** when the store refuses (busy, disk full): wait this long, then try again (ms, default 200) */
  retryMs?: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms).unref?.());

/**
 * Observations from a stream without acknowledgements (an NMSG socket) into the live store, in
 * batches: `push` buffers them and puts a batch once `batchSize` wait or `lingerMs` passed, with
 * at most `maxInFlight` puts outstanding; `push` resolves when the reader may go on (a TCP
 * reader awaits it: that is its back-pressure). A batch the store refuses (BUSY, NOSPACE) is
 * retried until it is taken or the feeder closes; nothing is dropped silently.
 */
export class Feeder {
  readonly #stores: IngestStores;
  readonly #batchSize: number;
  readonly #lingerMs: number;
  readonly #maxInFlight: number;
  readonly #retryMs: number;
  readonly #ev: FeederEvents;
  #buf: IngestObservation[] = [];
  #timer: NodeJS.Timeout | null = null;
  readonly #inFlight = new Set<Promise<void>>();
  #closed = false;
  #refusedLogged = false;

  constructor(stores: IngestStores, opts: FeederOptions = {}, ev: FeederEvents = {}) {
    this.#stores = stores;
    this.#batchSize = opts.batchSize ?? 2000;
    this.#lingerMs = opts.lingerMs ?? 20;
    this.#maxInFlight = opts.maxInFlight ?? 4;
    this.#retryMs = opts.retryMs ?? 200;
    this.#ev = ev;
  }

  /** Observations waiting or being put. */
  get pending(): number {
    return this.#buf.length + this.#inFlight.size * this.#batchSize;
  }

  /** Whether every put slot is taken (a UDP reader then drops rather than wait). */
  get full(): boolean {
    return this.#inFlight.size >= this.#maxInFlight;
  }

  /** Buffer observations; resolves when there is room for more. */
  async push(obs: readonly IngestObservation[]): Promise<void> {
    for (const o of obs) this.#buf.push(o);
    if (this.#buf.length >= this.#batchSize) this.#send();
    else if (this.#timer === null && this.#buf.length > 0)
      this.#timer = setTimeout(() => {
        this.#timer = null;
        this.#send();
      }, this.#lingerMs);
    while (this.#inFlight.size >= this.#maxInFlight) await Promise.race(this.#inFlight);
  }

  #send(): void {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    if (this.#buf.length === 0) return;
    const batch = this.#buf;
    this.#buf = [];
    const p = this.#put(batch).finally(() => this.#inFlight.delete(p));
    this.#inFlight.add(p);
  }

  async #put(batch: IngestObservation[]): Promise<void> {
    for (;;) {
      try {
        await this.#stores.apply(batch, null, "nmsg");
        this.#refusedLogged = false;
        return;
      } catch (e) {
        const refused = isIngestError(e) && (e.code === "ERR_BUSY" || e.code === "ERR_NOSPACE");
        if (!refused || this.#closed) {
          this.#ev.dropped?.(batch.length, refused ? "stopping" : "error");
          this.#ev.log?.(`nmsg: ${batch.length} observations not stored: ${(e as Error).message}`);
          return;
        }
        if (!this.#refusedLogged) this.#ev.log?.(`nmsg: the store refused a batch, retrying: ${(e as Error).message}`);
        this.#refusedLogged = true;
        await sleep(this.#retryMs);
      }
    }
  }

  /** Put what is buffered and wait for every put. */
  async drain(): Promise<void> {
    this.#send();
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
  }

  /** Drain, then refuse to retry any more (a store refusal from now on drops the batch, logged). */
  async close(): Promise<void> {
    await Promise.race([this.drain(), sleep(5000)]);
    this.#closed = true;
    await this.drain();
  }
}
