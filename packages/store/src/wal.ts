/**
 * The write-ahead log (docs/formats/wal.md): segment files `wal-<first sequence>.log`, each an
 * 8-byte magic then records
 *
 *   u32le crc32c(bytes 4 .. end of payload) | u32le payload length | u64le sequence | payload
 *
 * One record per put() batch, sequence numbers strictly increasing across segments. A segment is
 * appended to by one writer; a new one starts with each memtable, so a segment can be deleted as
 * soon as a flush covers its last sequence. Recovery reads each segment up to its first record
 * that is short or fails its checksum (the torn tail of a crash) and ignores the rest.
 */
import { closeSync, fsyncSync, ftruncateSync, openSync, readdirSync, readSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { crc32c } from "@dnsrep/util";
import { fromSystemError, StoreError, StoreErrorCode } from "./errors.js";
import type { StoreIo } from "./io.js";

export const WAL_MAGIC = Uint8Array.from([0x44, 0x4e, 0x53, 0x52, 0x57, 0x41, 0x4c, 0x31]); // "DNSRWAL1"
export const RECORD_HEADER = 16;
/** the largest payload a record may hold (a batch beyond it is refused before it is logged) */
export const MAX_RECORD = 256 << 20;

const SEGMENT_RE = /^wal-(\d{16})\.log$/;

export const segmentName = (firstSeq: number): string => `wal-${String(firstSeq).padStart(16, "0")}.log`;

export interface WalSegment {
  path: string;
  name: string;
  firstSeq: number;
  /** the sequence of its last record (firstSeq - 1 while it has none) */
  lastSeq: number;
}

/** The WAL segments in `dir`, oldest first. */
export function listSegments(dir: string): WalSegment[] {
  const out: WalSegment[] = [];
  for (const name of readdirSync(dir)) {
    const m = SEGMENT_RE.exec(name);
    if (!m) continue;
    const firstSeq = Number(m[1]);
    out.push({ path: join(dir, name), name, firstSeq, lastSeq: firstSeq - 1 });
  }
  return out.sort((a, b) => a.firstSeq - b.firstSeq);
}

/** Frame one record (header + payload) into `out` at `at`; returns the end offset. */
export function frameRecord(out: Uint8Array, at: number, seq: number, payload: Uint8Array): number {
  const dv = new DataView(out.buffer, out.byteOffset + at, RECORD_HEADER);
  dv.setUint32(4, payload.length, true);
  dv.setUint32(8, seq % 0x100000000, true);
  dv.setUint32(12, Math.floor(seq / 0x100000000), true);
  out.set(payload, at + RECORD_HEADER);
  dv.setUint32(0, crc32c(out.subarray(at + 4, at + RECORD_HEADER + payload.length)), true);
  return at + RECORD_HEADER + payload.length;
}

export interface SegmentScan {
  /** bytes of whole, valid records (and the magic) from the start */
  goodBytes: number;
  /** the file's size */
  size: number;
  /** the sequence of the last valid record (firstSeq - 1 if none) */
  lastSeq: number;
}

/**
 * Read a segment's valid records, handing each (sequence, payload view) to `onRecord`, up to the
 * first damaged or short one. A sequence that does not increase is damage too.
 */
export function scanSegment(seg: WalSegment, onRecord: (seq: number, payload: Uint8Array) => void): SegmentScan {
  let fd: number;
  try {
    fd = openSync(seg.path, "r");
  } catch (e) {
    throw fromSystemError(e, `cannot read WAL segment ${seg.path}`);
  }
  try {
    // buf[pos, have) holds the file's bytes from base + pos on; compacted only when a refill needs room
    let buf = new Uint8Array(1 << 20);
    let pos = 0;
    let have = 0;
    let base = 0; // file offset of buf[0]
    let eof = false;
    const fill = (need: number): boolean => {
      if (have - pos >= need) return true;
      if (eof) return false;
      buf.copyWithin(0, pos, have);
      have -= pos;
      base += pos;
      pos = 0;
      if (need > buf.length) {
        const nb = new Uint8Array(Math.max(need, buf.length * 2));
        nb.set(buf.subarray(0, have));
        buf = nb;
      }
      while (have < need) {
        const n = readSync(fd, buf, have, buf.length - have, base + have);
        if (n === 0) {
          eof = true;
          return false;
        }
        have += n;
      }
      return true;
    };
    let lastSeq = seg.firstSeq - 1;
    let good = 0;
    if (fill(WAL_MAGIC.length) && WAL_MAGIC.every((b, i) => buf[i] === b)) {
      pos = WAL_MAGIC.length;
      good = base + pos;
      for (;;) {
        if (!fill(RECORD_HEADER)) break;
        const dv = new DataView(buf.buffer, buf.byteOffset + pos, RECORD_HEADER);
        const len = dv.getUint32(4, true);
        const seq = dv.getUint32(8, true) + dv.getUint32(12, true) * 0x100000000;
        if (len > MAX_RECORD || seq <= lastSeq || seq < seg.firstSeq) break;
        if (!fill(RECORD_HEADER + len)) break;
        // fill may have moved the bytes: read the checksum again from where they are now
        const crc = new DataView(buf.buffer, buf.byteOffset + pos, 4).getUint32(0, true);
        if (crc32c(buf.subarray(pos + 4, pos + RECORD_HEADER + len)) !== crc) break;
        onRecord(seq, buf.subarray(pos + RECORD_HEADER, pos + RECORD_HEADER + len));
        lastSeq = seq;
        pos += RECORD_HEADER + len;
        good = base + pos;
      }
    }
    // the size: what was read plus what is left
    let size = base + have;
    if (!eof) {
      const probe = new Uint8Array(65536);
      for (;;) {
        const n = readSync(fd, probe, 0, probe.length, size);
        if (n === 0) break;
        size += n;
      }
    }
    return { goodBytes: good, size, lastSeq };
  } finally {
    closeSync(fd);
  }
}

/** Cut a segment back to its valid records (so nothing is ever appended after damage). */
export function truncateSegment(path: string, bytes: number): void {
  const fd = openSync(path, "r+");
  try {
    ftruncateSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** The segment being appended to. */
export class WalWriter {
  readonly seg: WalSegment;
  readonly #io: StoreIo;
  readonly #fd: number;
  /** bytes in the file that are whole records (what a failed append is cut back to) */
  #size: number;
  #broken = false;

  private constructor(seg: WalSegment, fd: number, size: number, io: StoreIo) {
    this.seg = seg;
    this.#fd = fd;
    this.#size = size;
    this.#io = io;
  }

  /** Create a new segment whose first record will be `firstSeq` (magic written and synced). */
  static create(dir: string, firstSeq: number, io: StoreIo, sync: boolean): WalWriter {
    const name = segmentName(firstSeq);
    const path = join(dir, name);
    let fd: number;
    try {
      fd = io.openSync(path, "wx");
    } catch (e) {
      throw fromSystemError(e, `cannot create WAL segment ${path}`);
    }
    try {
      io.writeSync(fd, WAL_MAGIC);
      if (sync) io.fsyncSync(fd);
    } catch (e) {
      try {
        closeSync(fd);
        unlinkSync(path);
      } catch {}
      throw fromSystemError(e, `cannot create WAL segment ${path}`);
    }
    return new WalWriter({ path, name, firstSeq, lastSeq: firstSeq - 1 }, fd, WAL_MAGIC.length, io);
  }

  get bytes(): number {
    return this.#size;
  }

  /**
   * Append framed records (`lastSeq` the sequence of the last) and, with `sync`, fdatasync.
   * On failure the segment is cut back to what it held before, so a later append does not follow
   * a torn record, and the error is thrown (StoreError NOSPACE or IO): the records are not logged.
   */
  async append(records: Uint8Array, lastSeq: number, sync: boolean): Promise<void> {
    if (this.#broken) throw new StoreError(StoreErrorCode.IO, `WAL segment ${this.seg.path} could not be repaired after a failed write`);
    try {
      await this.#io.write(this.#fd, records, this.#size);
      if (sync) await this.#io.fdatasync(this.#fd);
    } catch (e) {
      try {
        this.#io.ftruncateSync(this.#fd, this.#size);
      } catch {
        this.#broken = true;
      }
      throw fromSystemError(e, `cannot write WAL segment ${this.seg.path}`);
    }
    this.#size += records.length;
    this.seg.lastSeq = lastSeq;
  }

  /** Whether a failed write left the segment unrepaired (a new segment must take over). */
  get broken(): boolean {
    return this.#broken;
  }

  close(): void {
    try {
      closeSync(this.#fd);
    } catch {}
  }
}
