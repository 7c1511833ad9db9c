/**
 * Streaming NMSG reader: containers in, payloads out, with bounded memory
 * (one container at a time, plus at most `maxFragmentSets` partial fragment
 * sets). Corrupt containers throw NmsgError with the stream offset; payloads
 * whose CRC does not match are dropped and counted.
 */
import { concatBytes } from "@dnsrep/util";
import {
  type DecodedNmsg,
  decodeFragment,
  decodeNmsg,
  FLAG_FRAGMENT,
  FLAG_ZLIB,
  fragmentCrc,
  MAX_CONTAINER,
  unzlibBody,
} from "./container.js";
import { NmsgError, NmsgErrorCode } from "./errors.js";
import type { NmsgPayload } from "./payload.js";
import { decodeRawNmsg, type RawBatch } from "./raw-batch.js";

export interface ReaderStats {
  containers: number;
  payloads: number;
  crcErrors: number;
  fragmentsDropped: number;
  bytes: number;
}

export interface ReadOptions {
  stats?: ReaderStats;
  maxFragmentSets?: number;
  /** called for each container with payloads dropped for a CRC32C mismatch (libnmsg warns "crc mismatch") */
  onCrcError?: (dropped: number, offset: number | undefined) => void;
  /**
   * For a stream the caller stops early (a signal ending `chunks` before the input's end, as the
   * tools' abortable() does): once this has fired, the end of `chunks` is a stop, not the input's
   * end, so a container the stop cut short (and fragment sets it left incomplete) is dropped
   * instead of being a TRUNCATED or FRAGMENT error. readPayloadBatches only.
   */
  stopped?: AbortSignal;
  /**
   * called for each whole container decoded (a fragment set once complete) with its sequence
   * fields, which socket outputs set (a SequenceTracker counts losses from them); not called
   * by readNmsgFileBatches (files carry no sequence numbers; libnmsg tracks them on sockets only)
   */
  onContainer?: (sequence: number | undefined, sequenceId: bigint | undefined) => void;
}

const EMPTY = new Uint8Array(0);

export function newStats(): ReaderStats {
  return { containers: 0, payloads: 0, crcErrors: 0, fragmentsDropped: 0, bytes: 0 };
}

interface FragSet {
  last: number;
  parts: (Uint8Array | undefined)[];
  have: number;
  crc: number | undefined;
  flags: number;
}

/** Decodes containers one at a time; shared by the stream reader and datagram inputs. */
export class ContainerDecoder {
  readonly stats: ReaderStats;
  readonly #frags = new Map<number, FragSet>();
  readonly #maxSets: number;
  readonly #onCrcError: ReadOptions["onCrcError"];
  readonly #onContainer: ReadOptions["onContainer"];
  constructor(opts: ReadOptions = {}) {
    this.stats = opts.stats ?? newStats();
    this.#maxSets = opts.maxFragmentSets ?? 128;
    this.#onCrcError = opts.onCrcError;
    this.#onContainer = opts.onContainer;
  }

  /** Decode one container body; returns the payloads it completes (none for an incomplete fragment set). */
  decode(flags: number, body: Uint8Array, offset?: number): NmsgPayload[] {
    const raw = this.#unwrap(flags, body, offset);
    if (raw === null) return [];
    let d: DecodedNmsg;
    try {
      d = decodeNmsg(raw);
    } catch (e) {
      if (e instanceof NmsgError) throw new NmsgError(e.code, `corrupt container (${e.message})`, offset);
      throw e;
    }
    this.#count(d.payloads.length, d.crcErrors, offset);
    this.#onContainer?.(d.sequence, d.sequenceId);
    return d.payloads;
  }

  /**
   * The same container as a RawBatch (payload positions, CRCs, whether each may be copied as it
   * is), in `out` (reused); null for an incomplete fragment set. The batch's buffer is `body`
   * itself for a plain container: it is valid as long as `body` is.
   */
  decodeRaw(flags: number, body: Uint8Array, out: RawBatch, offset?: number): RawBatch | null {
    const raw = this.#unwrap(flags, body, offset);
    if (raw === null) return null;
    try {
      decodeRawNmsg(raw, out);
    } catch (e) {
      if (e instanceof NmsgError) throw new NmsgError(e.code, `corrupt container (${e.message})`, offset);
      throw e;
    }
    this.#count(out.n, out.crcErrors, offset);
    this.#onContainer?.(out.sequence, out.sequenceId);
    return out;
  }

  #count(payloads: number, crcErrors: number, offset: number | undefined): void {
    this.stats.crcErrors += crcErrors;
    if (crcErrors > 0) this.#onCrcError?.(crcErrors, offset);
    this.stats.payloads += payloads;
  }

  /** The serialized nmsg.Nmsg a container carries: inflated, its fragments reassembled (null until the set is complete). */
  #unwrap(flags: number, body: Uint8Array, offset: number | undefined): Uint8Array | null {
    this.stats.containers++;
    if (!(flags & FLAG_FRAGMENT)) return flags & FLAG_ZLIB ? unzlibBody(body, offset) : body;
    const f = decodeFragment(body);
    let set = this.#frags.get(f.id);
    if (!set) {
      if (this.#frags.size >= this.#maxSets) {
        const oldest = this.#frags.keys().next().value as number;
        this.#frags.delete(oldest);
        this.stats.fragmentsDropped++;
      }
      set = { last: f.last, parts: new Array<Uint8Array | undefined>(f.last + 1), have: 0, crc: f.crc, flags };
      this.#frags.set(f.id, set);
    }
    if (f.last !== set.last) throw new NmsgError(NmsgErrorCode.FRAGMENT, "inconsistent fragment set", offset);
    if (!set.parts[f.current]) {
      set.parts[f.current] = f.fragment.slice();
      set.have++;
    }
    if (set.have <= set.last) return null;
    this.#frags.delete(f.id);
    const whole = concatBytes(set.parts as Uint8Array[]);
    if (set.crc !== undefined && fragmentCrc(whole) !== set.crc) {
      this.stats.fragmentsDropped++;
      throw new NmsgError(NmsgErrorCode.FRAGMENT, "reassembled fragments fail their CRC", offset);
    }
    return flags & FLAG_ZLIB ? unzlibBody(whole, offset) : whole;
  }

  /** Fragment sets still incomplete (reported at end of input). */
  get pendingFragments(): number {
    return this.#frags.size;
  }
}

/** Parse a container header at buf[0..]: returns [flags, headerLen, bodyLen] or null if more bytes are needed. */
export function parseHeader(buf: Uint8Array, offset: number): [number, number, number] | null {
  if (buf.length < 6) return null;
  if (buf[0] !== 0x4e || buf[1] !== 0x4d || buf[2] !== 0x53 || buf[3] !== 0x47) {
    throw new NmsgError(NmsgErrorCode.MAGIC, "bad magic (not an nmsg stream)", offset);
  }
  const v16 = (buf[4]! << 8) | buf[5]!;
  if (v16 === 1) {
    // legacy v1: be16 version 1 + be16 length
    if (buf.length < 8) return null;
    return [0, 8, (buf[6]! << 8) | buf[7]!];
  }
  if ((v16 & 0xff) !== 2) throw new NmsgError(NmsgErrorCode.VERSION, `unsupported nmsg version ${v16 & 0xff}`, offset);
  if (buf.length < 10) return null;
  const len = ((buf[6]! << 24) | (buf[7]! << 16) | (buf[8]! << 8) | buf[9]!) >>> 0;
  if (len > MAX_CONTAINER) throw new NmsgError(NmsgErrorCode.PARSE, `container length ${len} too large`, offset);
  return [v16 >> 8, 10, len];
}

/**
 * Read payloads from a byte stream (a file, stdin, a TCP connection).
 * Memory is bounded by one container at a time.
 */
export async function* readPayloads(chunks: AsyncIterable<Uint8Array>, opts: ReadOptions = {}): AsyncGenerator<NmsgPayload> {
  for await (const batch of readPayloadBatches(chunks, opts)) yield* batch;
}

/** Like readPayloads, one array per container (cheaper: one await per container, not per payload). */
export async function* readPayloadBatches(chunks: AsyncIterable<Uint8Array>, opts: ReadOptions = {}): AsyncGenerator<NmsgPayload[]> {
  const dec = new ContainerDecoder(opts);
  // input chunks not consumed yet (the first may be a view of its tail)
  const pending: Uint8Array[] = [];
  let have = 0;
  let offset = 0; // stream offset of pending[0][0]
  // whether take() returned a new array (bytes copied out of several chunks) rather than a view of one
  let fresh = false;
  const take = (n: number): Uint8Array => {
    have -= n;
    offset += n;
    const first = pending[0];
    if (n === 0 || first === undefined) return EMPTY;
    if (first.length >= n) {
      fresh = false;
      if (first.length === n) pending.shift();
      else pending[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    fresh = true;
    // every byte is copied in below: no need to zero it first (a fresh zeroed MiB costs page faults)
    const u = Buffer.allocUnsafeSlow(n);
    const out = new Uint8Array(u.buffer, u.byteOffset, n);
    for (let k = 0; k < n; ) {
      const c = pending[0] as Uint8Array;
      const m = Math.min(c.length, n - k);
      out.set(c.subarray(0, m), k);
      k += m;
      if (m === c.length) pending.shift();
      else pending[0] = c.subarray(m);
    }
    return out;
  };
  // the first n bytes (fewer if not there yet), gathered from several chunks when the first is short
  const head = new Uint8Array(16);
  const peek = (n: number): Uint8Array => {
    const first = pending[0];
    if (first === undefined) return EMPTY;
    if (first.length >= n || pending.length === 1) return first.subarray(0, n);
    let k = 0;
    for (const c of pending) {
      const m = Math.min(c.length, n - k);
      head.set(c.subarray(0, m), k);
      k += m;
      if (k === n) break;
    }
    return head.subarray(0, k);
  };
  for await (const c of chunks) {
    // a plain view: Buffer#slice would not copy, and payloads must not alias the input
    const chunk = c instanceof Uint8Array ? new Uint8Array(c.buffer, c.byteOffset, c.byteLength) : new Uint8Array(c as ArrayBuffer);
    if (chunk.length === 0) continue;
    pending.push(chunk);
    have += chunk.length;
    dec.stats.bytes += chunk.length;
    for (;;) {
      const h = parseHeader(peek(10), offset);
      if (!h || have < h[1] + h[2]) break;
      const at = offset;
      take(h[1]);
      const view = take(h[2]);
      // payloads are views of the body: it must not alias an input chunk (each byte copied once)
      const body = fresh ? view : view.slice();
      const batch = dec.decode(h[0], body, at);
      if (batch.length) yield batch;
    }
  }
  // a stop on a signal leaves a partial container that is not corrupt input: what came before it is kept
  if (opts.stopped?.aborted) return;
  if (have > 0) throw new NmsgError(NmsgErrorCode.TRUNCATED, `truncated container (${have} bytes left over)`, offset);
  if (dec.pendingFragments > 0) {
    dec.stats.fragmentsDropped += dec.pendingFragments;
    throw new NmsgError(NmsgErrorCode.FRAGMENT, `${dec.pendingFragments} fragmented container(s) never completed`, offset);
  }
}
