/**
 * Container loss accounting from sequence numbers, as libnmsg's socket inputs keep it
 * (nmsg/input_seqsrc.c). Socket and ZeroMQ outputs stamp every container with `sequence` (a
 * uint32 counter from 0, one step per container; the fragments of one container share it) and
 * `sequence_id` (a random uint64 drawn when the output opens). A receiver keys a source on
 * (sender address, sender port, sequence_id) and, per container:
 *
 * - a new source: nothing counted lost; the next sequence expected is this one + 1;
 * - the expected sequence: nothing lost;
 * - ahead by d (mod 2^32) with d ≤ 1,048,576: d containers counted lost;
 * - ahead by more (a jump, or a container older than the last one: a reordering or a
 *   duplicate wraps to nearly 2^32): nothing counted, the source restarts from this container.
 *
 * So a swapped pair (… 2 4 3 5 …) counts 2 lost (4 skips 3; 3 restarts the source; 5 skips 4),
 * a duplicate counts none, and a sender that restarts (a new random sequence_id) is a new source
 * with nothing lost. Containers lost after a sender's last one received cannot be seen. The
 * totals are libnmsg's count_recv (every whole container, sequenced or not) and count_drop
 * (never reset); the per-source figures here are cumulative too (libnmsg zeroes its per-source
 * counters on a restart and prints them only at debug level 5).
 *
 * Sources unseen for `expireSeconds` (libnmsg: NMSG_SEQSRC_GC_INTERVAL, 120 s) are forgotten,
 * and at most `maxSources` are kept (the least recently seen goes first), so memory stays bounded
 * whatever the senders do.
 */

/** libnmsg's bound on a plausible gap: larger ones restart the source (input_seqsrc.c) */
export const SEQSRC_MAX_DELTA = 1048576;
/** seconds after which a silent source is forgotten (NMSG_SEQSRC_GC_INTERVAL) */
export const SEQSRC_EXPIRE_SECONDS = 120;

export interface SequenceSource {
  /** the sender, as the input names it ("ADDR/PORT" for UDP) */
  readonly peer: string;
  readonly sequenceId: bigint;
  /** containers received from this source */
  received: number;
  /** containers counted lost */
  lost: number;
  /** times the source restarted (a reordering, a duplicate or an implausible jump) */
  restarts: number;
  /** the sequence number expected next */
  expected: number;
  /** when it was last seen (seconds, the tracker's clock) */
  lastSeen: number;
}

export interface SequenceTrackerOptions {
  expireSeconds?: number;
  maxSources?: number;
  /** the clock, in seconds (default: a monotonic clock) */
  now?: () => number;
}

const monotonicSeconds = (): number => performance.now() / 1000;

export class SequenceTracker {
  /** whole containers received (libnmsg's count_recv) */
  received = 0;
  /** containers counted lost (libnmsg's count_drop) */
  lost = 0;
  /** sources forgotten after falling silent or to keep within maxSources */
  expired = 0;
  readonly #sources = new Map<string, SequenceSource>();
  readonly #expire: number;
  readonly #max: number;
  readonly #now: () => number;
  #swept = 0;

  constructor(opts: SequenceTrackerOptions = {}) {
    this.#expire = opts.expireSeconds ?? SEQSRC_EXPIRE_SECONDS;
    this.#max = opts.maxSources ?? 65536;
    if (!(this.#expire > 0)) throw new RangeError("expireSeconds must be positive");
    if (!Number.isInteger(this.#max) || this.#max < 1) throw new RangeError("maxSources must be a positive integer");
    this.#now = opts.now ?? monotonicSeconds;
    this.#swept = this.#now();
  }

  /**
   * Account one whole container from `peer`. Containers without both sequence fields (file
   * outputs write none) count as received and nothing more. Returns the containers this one
   * shows lost.
   */
  container(peer: string, sequence?: number, sequenceId?: bigint): number {
    this.received++;
    if (sequence === undefined || sequenceId === undefined) return 0;
    const now = this.#now();
    if (now - this.#swept >= 1) this.#sweep(now);
    const key = `${peer} ${sequenceId}`;
    let s = this.#sources.get(key);
    if (s === undefined) {
      if (this.#sources.size >= this.#max) this.#evictOldest();
      s = { peer, sequenceId, received: 1, lost: 0, restarts: 0, expected: (sequence + 1) >>> 0, lastSeen: now };
      this.#sources.set(key, s);
      return 0;
    }
    // most recently seen last: the map's first entry is the one to evict
    this.#sources.delete(key);
    this.#sources.set(key, s);
    s.received++;
    s.lastSeen = now;
    let drop = 0;
    if (sequence !== s.expected) {
      const delta = (sequence - s.expected) >>> 0;
      if (delta > SEQSRC_MAX_DELTA) s.restarts++;
      else drop = delta;
    }
    s.expected = (sequence + 1) >>> 0;
    s.lost += drop;
    this.lost += drop;
    return drop;
  }

  /** The sources known now, least recently seen first. */
  sources(): SequenceSource[] {
    return [...this.#sources.values()];
  }

  #sweep(now: number): void {
    this.#swept = now;
    for (const [key, s] of this.#sources) {
      if (now - s.lastSeen <= this.#expire) break; // the rest were seen later
      this.#sources.delete(key);
      this.expired++;
    }
  }

  #evictOldest(): void {
    const first = this.#sources.keys().next();
    if (!first.done) {
      this.#sources.delete(first.value);
      this.expired++;
    }
  }
}
