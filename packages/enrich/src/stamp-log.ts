/**
 * The stamp log (docs/formats/stamp-log.md): `DIR/enrich/STAMPS.log`, an 8-byte magic "DNSRSTL1",
 * then one block per stamped batch, appended and never rewritten:
 *
 *   block   = u32le payload length | u32le crc32c(payload) | u32le crc32c(the 8 bytes before) | payload
 *   payload = u32le time (epoch s, when the batch was ingested) | record*
 *   record  = 0x01 | u32le id | u16le n | stamp[n]                            a stamp (stamp.ts), by id
 *           | 0x02 | u32le id | u8 alen | address[alen] | u8 nlen | name[nlen]  a pair first stamped so
 *
 * A pair record names the stamp by an id defined by a stamp record earlier in its block or in an
 * earlier block (a writer repeats a definition until a block holding it is durable); the name is
 * in wire form, lower case. Recovery (readStampLog) keeps every whole block and drops only a torn
 * tail: a last block cut short, a last block failing its payload checksum, or zeros to the end. A
 * block that fails a checksum with more after it, or does not parse, is CORRUPTION: a clear error,
 * never stamps read wrong.
 */
import { closeSync, fdatasync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { crc32c, syncDir, writeAllSync } from "@dnsrep/util";
import { EnrichError, EnrichErrorCode, fromSystemError } from "./errors.js";

export const LOG_NAME = "STAMPS.log";
export const LOG_MAGIC = Uint8Array.from([0x44, 0x4e, 0x53, 0x52, 0x53, 0x54, 0x4c, 0x31]); // "DNSRSTL1"
export const BLOCK_HEADER = 12;
export const TAG_STAMP = 1;
export const TAG_PAIR = 2;
/** the largest payload a block may hold (a reader refuses a longer length as corrupt) */
export const MAX_BLOCK = 64 << 20;

/** What a replay is told, block by block, record by record (views valid during the call only). */
export interface LogVisitor {
  stamp(id: number, bytes: Uint8Array): void;
  /** a pair: its key (alen, address, nlen, name) is `buf[at .. end)` */
  pair(time: number, id: number, buf: Uint8Array, at: number, end: number): void;
}

export interface ReplayResult {
  /** bytes kept: the magic and every whole block */
  length: number;
  blocks: number;
  /** bytes of a torn tail dropped (0: none) */
  torn: number;
}

const corrupt = (path: string, at: number, what: string): EnrichError =>
  new EnrichError(
    EnrichErrorCode.CORRUPTION,
    `${path}: block at offset ${at}: ${what} (the stamp log is damaged; restore it from a backup)`,
  );

function allZero(fd: number, from: number, size: number): boolean {
  const buf = new Uint8Array(64 * 1024);
  for (let p = from; p < size; ) {
    const n = readSync(fd, buf, 0, Math.min(buf.length, size - p), p);
    if (n <= 0) return true;
    for (let i = 0; i < n; i++) if (buf[i] !== 0) return false;
    p += n;
  }
  return true;
}

function readFully(fd: number, buf: Uint8Array, len: number, pos: number): void {
  for (let got = 0; got < len; ) {
    const n = readSync(fd, buf, got, len - got, pos + got);
    if (n <= 0) throw new Error("short read");
    got += n;
  }
}

/** Check one block's payload parses whole, and tell the visitor its records; throws CORRUPTION. */
function visitPayload(path: string, at: number, p: Uint8Array, v: LogVisitor): void {
  if (p.length < 4) throw corrupt(path, at, "payload shorter than its time");
  const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
  const time = dv.getUint32(0, true);
  for (let i = 4; i < p.length; ) {
    const tag = p[i];
    if (tag === TAG_STAMP) {
      if (i + 7 > p.length) throw corrupt(path, at, "stamp record cut short");
      const id = dv.getUint32(i + 1, true);
      const n = dv.getUint16(i + 5, true);
      if (i + 7 + n > p.length) throw corrupt(path, at, "stamp record cut short");
      v.stamp(id, p.subarray(i + 7, i + 7 + n));
      i += 7 + n;
    } else if (tag === TAG_PAIR) {
      if (i + 6 > p.length) throw corrupt(path, at, "pair record cut short");
      const id = dv.getUint32(i + 1, true);
      const alen = p[i + 5] as number;
      if (alen !== 4 && alen !== 16) throw corrupt(path, at, `pair record with an address of ${alen} bytes`);
      const nAt = i + 6 + alen;
      if (nAt >= p.length) throw corrupt(path, at, "pair record cut short");
      const end = nAt + 1 + (p[nAt] as number);
      if (end > p.length || p[nAt] === 0 || p[end - 1] !== 0) throw corrupt(path, at, "pair record with a bad name");
      v.pair(time, id, p, i + 5, end);
      i = end;
    } else throw corrupt(path, at, `unknown record type ${tag}`);
  }
}

/**
 * Read the log at `path` into the visitor; a torn tail is left out of the result's `length` (the
 * caller truncates it away before appending). Throws CORRUPTION (bad magic, a damaged block with
 * more after it, a block that does not parse, or whatever the visitor throws) or IO.
 */
export function readStampLog(path: string, v: LogVisitor): ReplayResult {
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    throw fromSystemError(e, `cannot open ${path}`);
  }
  try {
    const size = fstatSync(fd).size;
    const head = new Uint8Array(BLOCK_HEADER);
    if (size < LOG_MAGIC.length) {
      // a crash while it was created (before its rename): nothing in it yet
      if (size === 0 || allZero(fd, 0, size)) return { length: 0, blocks: 0, torn: size };
      throw corrupt(path, 0, "not a stamp log (too short for its magic)");
    }
    readFully(fd, head, LOG_MAGIC.length, 0);
    for (let i = 0; i < LOG_MAGIC.length; i++) if (head[i] !== LOG_MAGIC[i]) throw corrupt(path, 0, "not a stamp log (bad magic)");
    const hv = new DataView(head.buffer);
    let buf = new Uint8Array(1 << 16);
    let pos = LOG_MAGIC.length;
    let blocks = 0;
    while (pos < size) {
      const torn = { length: pos, blocks, torn: size - pos };
      if (size - pos < BLOCK_HEADER) return torn; // a header cut short: the tail of a crash
      readFully(fd, head, BLOCK_HEADER, pos);
      const len = hv.getUint32(0, true);
      if (crc32c(head, 0, 8) !== hv.getUint32(8, true)) {
        if (allZero(fd, pos, size)) return torn;
        throw corrupt(path, pos, "header checksum mismatch");
      }
      if (len > MAX_BLOCK) throw corrupt(path, pos, `payload length ${len} too large`);
      const end = pos + BLOCK_HEADER + len;
      if (end > size) return torn; // the last block, cut short
      if (buf.length < len) buf = new Uint8Array(Math.max(len, 2 * buf.length));
      const payload = buf.subarray(0, len);
      readFully(fd, payload, len, pos + BLOCK_HEADER);
      if (crc32c(payload) !== hv.getUint32(4, true)) {
        // the last block, whole in length but not in content (a crash before its sync): dropped
        if (end === size) return torn;
        throw corrupt(path, pos, "payload checksum mismatch");
      }
      visitPayload(path, pos, payload, v);
      blocks++;
      pos = end;
    }
    return { length: pos, blocks, torn: 0 };
  } catch (e) {
    throw fromSystemError(e, `cannot read ${path}`);
  } finally {
    closeSync(fd);
  }
}

/** Frame a block in place: `buf[0 .. 12)` is left for the header, the payload is `buf[12 .. end)`. */
export function sealBlock(buf: Uint8Array, end: number): Uint8Array {
  const dv = new DataView(buf.buffer, buf.byteOffset, BLOCK_HEADER);
  dv.setUint32(0, end - BLOCK_HEADER, true);
  dv.setUint32(4, crc32c(buf, BLOCK_HEADER, end), true);
  dv.setUint32(8, crc32c(buf, 0, 8), true);
  return buf.subarray(0, end);
}

/** Write a new log holding `blocks` (a temp file, synced, renamed into place, the directory synced). */
export function createStampLog(path: string, blocks: readonly Uint8Array[]): void {
  const temp = `${path}.tmp`;
  try {
    const fd = openSync(temp, "w");
    try {
      writeAllSync(fd, LOG_MAGIC);
      for (const b of blocks) writeAllSync(fd, b);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
    syncDir(dirname(path));
  } catch (e) {
    rmSync(temp, { force: true });
    throw fromSystemError(e, `cannot create ${path}`);
  }
}

/** The calls a log writer makes on its file (tests put failures in). */
export interface StampLogIo {
  /** write `len` bytes of `buf` from `off` at `pos`; returns the bytes written */
  write(fd: number, buf: Uint8Array, off: number, len: number, pos: number): number;
  fdatasync(fd: number): Promise<void>;
  ftruncate(fd: number, len: number): void;
}

export const fsStampLogIo: StampLogIo = {
  write: (fd, buf, off, len, pos) => writeSync(fd, buf, off, len, pos),
  fdatasync: (fd) => new Promise((res, rej) => fdatasync(fd, (e) => (e ? rej(e) : res()))),
  ftruncate: (fd, len) => ftruncateSync(fd, len),
};

interface Pending {
  block: Uint8Array;
  refused: (() => void) | undefined;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/**
 * The appending end of a log: blocks queued while one group is written and synced go out together
 * in the next (group commit), as @dnsrep/store's WAL does; `sync` as the store's: always (each
 * block written and fdatasynced alone), batch (one fdatasync per group), none. A failed write or
 * sync takes the group back (the file is truncated to where it began) and refuses it and every
 * block queued behind it, whose pairs may lean on it; a failure to take it back closes the log.
 */
export class StampLogWriter {
  readonly path: string;
  readonly #fd: number;
  readonly #sync: "always" | "batch" | "none";
  readonly #io: StampLogIo;
  #pos: number;
  #queue: Pending[] = [];
  #writing: Promise<void> = Promise.resolve();
  #running = false;
  #dead: EnrichError | null = null;
  #closed = false;

  /** Open `path` (readStampLog's `length` bytes kept: a torn tail is cut off here). */
  constructor(path: string, length: number, sync: "always" | "batch" | "none", io: StampLogIo = fsStampLogIo) {
    this.path = path;
    this.#sync = sync;
    this.#io = io;
    try {
      this.#fd = openSync(path, "r+");
      if (fstatSync(this.#fd).size !== length) {
        ftruncateSync(this.#fd, length);
        fsyncSync(this.#fd);
      }
    } catch (e) {
      throw fromSystemError(e, `cannot open ${path}`);
    }
    this.#pos = length;
  }

  /** bytes in the log */
  get length(): number {
    return this.#pos;
  }

  /**
   * Append a sealed block; resolves once it is as durable as `sync` says. `refused` is called at
   * once (before any other block can be built) when the block is refused, before the rejection.
   */
  append(block: Uint8Array, refused?: () => void): Promise<void> {
    if (this.#dead !== null) {
      refused?.();
      return Promise.reject(this.#dead);
    }
    return new Promise((resolve, reject) => {
      this.#queue.push({ block, refused, resolve, reject });
      if (!this.#running) {
        // (with sync none the loop may run to its end before returning)
        this.#running = true;
        this.#writing = this.#loop();
      }
    });
  }

  async #loop(): Promise<void> {
    while (this.#queue.length > 0) {
      const group = this.#sync === "always" ? this.#queue.splice(0, 1) : this.#queue.splice(0);
      const start = this.#pos;
      try {
        const buf = group.length === 1 ? (group[0] as Pending).block : Buffer.concat(group.map((g) => g.block));
        for (let from = 0; from < buf.length; ) from += this.#io.write(this.#fd, buf, from, buf.length - from, start + from);
        if (this.#sync !== "none") await this.#io.fdatasync(this.#fd);
        for (const g of group) this.#pos += g.block.length;
        for (const g of group) g.resolve();
      } catch (e) {
        const err = fromSystemError(e, `cannot write ${this.path}`);
        const refused = group.concat(this.#queue.splice(0));
        try {
          this.#io.ftruncate(this.#fd, start);
        } catch (t) {
          this.#dead = new EnrichError(
            EnrichErrorCode.CLOSED,
            `${this.path}: a failed write could not be taken back: ${(t as Error).message}`,
          );
        }
        for (const g of refused) g.refused?.();
        for (const g of refused) g.reject(err);
      }
    }
    this.#running = false;
  }

  /** Wait for the queued blocks, then close the file. */
  async close(): Promise<void> {
    while (this.#running) await this.#writing;
    if (this.#closed) return;
    this.#closed = true;
    this.#dead ??= new EnrichError(EnrichErrorCode.CLOSED, `${this.path}: closed`);
    closeSync(this.#fd);
  }
}
