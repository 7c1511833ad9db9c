/**
 * Put tags (docs/formats/store.md, "Tags"): a put may carry a tag — an Idempotency-Key, say — that
 * is written in the same WAL record as its batch, so the tag is durable exactly when the batch is.
 * The store remembers recent tags (at most `maxTags`, none older than `windowMs`; the oldest are
 * forgotten first) and carries them across flushes in `TAGS-<flushed sequence>`, written before
 * the manifest swap that makes that sequence the last flushed one. At open the tags are those of
 * the TAGS file matching the manifest plus those of the WAL records replayed past it: exactly the
 * tags whose batches the store holds.
 *
 *   TAGS file = magic "DNSRTAG1", u32le crc32c(body), body
 *   body      = varint n, (varint at_ms, varint len, tag bytes (UTF-8)) × n, oldest first
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ByteWriter, crc32c, decodeVarint64, type VarintCursor } from "@dnsrep/util";
import { fromSystemError, StoreError, StoreErrorCode } from "./errors.js";
import { replaceFile, type StoreIo } from "./io.js";

export const TAGS_MAGIC = Uint8Array.from([0x44, 0x4e, 0x53, 0x52, 0x54, 0x41, 0x47, 0x31]); // "DNSRTAG1"
/** the longest tag, in UTF-8 bytes */
export const MAX_TAG_BYTES = 1024;
const TAGS_RE = /^TAGS-(\d{16})$/;

export const tagsFileName = (flushedSeq: number): string => `TAGS-${String(flushedSeq).padStart(16, "0")}`;

/** The flushed sequence a TAGS file's name carries, or null for another name. */
export function parseTagsFileName(name: string): number | null {
  const m = TAGS_RE.exec(name);
  return m ? Number(m[1]) : null;
}

export interface TagOptions {
  /** how long a tag is remembered (ms, default 24 h) */
  windowMs: number;
  /** the most tags remembered (default 100 000) */
  maxTags: number;
}

export const DEFAULT_TAGS: TagOptions = { windowMs: 24 * 3600 * 1000, maxTags: 100_000 };

/** The tags remembered, each with when it was put (epoch ms), oldest first. */
export class TagSet {
  readonly #opts: TagOptions;
  readonly #at = new Map<string, number>();

  constructor(opts: TagOptions) {
    this.#opts = opts;
  }

  get size(): number {
    return this.#at.size;
  }

  has(tag: string, nowMs: number): boolean {
    const at = this.#at.get(tag);
    return at !== undefined && at >= nowMs - this.#opts.windowMs;
  }

  /** Remember `tag` put at `atMs` (a tag seen again keeps its first time), then forget what is past the bounds. */
  add(tag: string, atMs: number, nowMs: number): void {
    const had = this.#at.get(tag);
    if (had !== undefined && had >= nowMs - this.#opts.windowMs) return;
    // new, or remembered past the window (the batch was put again): at the end, as the newest
    this.#at.delete(tag);
    this.#at.set(tag, atMs);
    this.expire(nowMs);
  }

  /** Forget tags older than the window and the oldest beyond maxTags. */
  expire(nowMs: number): void {
    const oldest = nowMs - this.#opts.windowMs;
    for (const [t, at] of this.#at) {
      if (at >= oldest && this.#at.size <= this.#opts.maxTags) break;
      this.#at.delete(t);
    }
  }

  entries(): IterableIterator<[string, number]> {
    return this.#at.entries();
  }
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

/** A tag's UTF-8 bytes; throws StoreError INVALID for an empty or too long one. */
export function tagBytes(tag: string): Uint8Array {
  const b = utf8.encode(tag);
  if (b.length === 0 || b.length > MAX_TAG_BYTES)
    throw new StoreError(StoreErrorCode.INVALID, `tag: 1 to ${MAX_TAG_BYTES} bytes, got ${b.length}`);
  return b;
}

export function encodeTags(tags: TagSet): Uint8Array {
  const w = new ByteWriter(1024);
  w.bytes(TAGS_MAGIC).bytes(new Uint8Array(4));
  w.varint(tags.size);
  for (const [t, at] of tags.entries()) {
    const b = utf8.encode(t);
    w.varint(at).varint(b.length).bytes(b);
  }
  const out = w.view();
  new DataView(out.buffer, out.byteOffset + 8, 4).setUint32(0, crc32c(out.subarray(12)), true);
  return out;
}

const cur: VarintCursor = { value: 0, pos: 0 };

/** Decode a TAGS file into `into` (StoreError CORRUPTION when it is damaged). */
export function decodeTags(buf: Uint8Array, path: string, into: TagSet, nowMs: number): void {
  const bad = (why: string): StoreError => new StoreError(StoreErrorCode.CORRUPTION, `${path}: ${why}`);
  if (buf.length < 12 || !TAGS_MAGIC.every((b, i) => buf[i] === b)) throw bad("not a tags file");
  if (new DataView(buf.buffer, buf.byteOffset + 8, 4).getUint32(0, true) !== crc32c(buf.subarray(12))) throw bad("checksum mismatch");
  let p = 12;
  const varint = (): number => {
    decodeVarint64(buf, p, buf.length, cur);
    if (cur.pos < 0) throw bad(`does not decode at byte ${p}`);
    p = cur.pos;
    return cur.value;
  };
  const n = varint();
  for (let i = 0; i < n; i++) {
    const at = varint();
    const len = varint();
    if (len > buf.length - p) throw bad(`does not decode at byte ${p}`);
    let tag: string;
    try {
      tag = utf8Decoder.decode(buf.subarray(p, p + len));
    } catch {
      throw bad(`tag ${i} is not UTF-8`);
    }
    p += len;
    into.add(tag, at, nowMs);
  }
  if (p !== buf.length) throw bad(`${buf.length - p} bytes past the last tag`);
}

/** Read `TAGS-<flushedSeq>` into `into`; a missing file (a store made before tags, or nothing flushed yet) adds nothing. */
export function readTags(dir: string, flushedSeq: number, into: TagSet, nowMs: number): void {
  const path = join(dir, tagsFileName(flushedSeq));
  let buf: Uint8Array;
  try {
    buf = readFileSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
    throw fromSystemError(e, `cannot read ${path}`);
  }
  decodeTags(buf, path, into, nowMs);
}

/** Write `TAGS-<flushedSeq>` durably: under a temporary name, fsynced, renamed into place, the directory synced. */
export function writeTags(dir: string, flushedSeq: number, tags: TagSet, io: StoreIo): string {
  const name = tagsFileName(flushedSeq);
  const path = join(dir, name);
  const temp = join(dir, `.${name}.tmp`);
  try {
    replaceFile(dir, name, temp, encodeTags(tags), io);
    return path;
  } catch (e) {
    throw fromSystemError(e, `cannot write ${path}`);
  }
}
