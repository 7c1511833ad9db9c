/**
 * The block walk mtbl_verify does: every stored data block's CRC32C, in file order, without
 * decompressing anything. The file is read sequentially in chunks of 256 KiB (libmtbl maps it): a
 * chunk small enough to stay in the CPU's cache while its CRC is taken costs a third of the CPU
 * of 8 MiB chunks, which went out to memory and back (25 MB file: 48-66 → 10-25 ms); a block
 * that straddles two chunks is checksummed incrementally, so memory stays at one chunk whatever a
 * block's size. The trailer and the index block are checked by opening the Reader (which always
 * verifies the index block's CRC32C).
 */
import { closeSync, openSync, readSync } from "node:fs";
import { Crc32c, crc32cRanges, decodeVarint64, type VarintCursor } from "@dnsrep/util";
import { FORMAT_V1, type Metadata } from "./metadata.js";

const CHUNK = 256 << 10;
/** blocks checked in one call at most */
const BATCH = 1024;
/** the longest block header: a 10-byte varint (V2) and the 4-byte CRC */
const MAX_HEADER = 14;

export interface BlockWalkOptions {
  /** called every `every` blocks (default 10,000) and after the last, with the blocks checked so far */
  progress?: (checked: number, total: number) => void;
  every?: number;
  /** bytes read at a time (default 256 KiB; at least 14) */
  chunkSize?: number;
}

/**
 * Check the CRC32C of every data block of the mtbl file at `path`, whose trailer is `m`. Returns
 * null when all match, else mtbl_verify's message for the first failure (a block whose length runs
 * past the data, or whose stored CRC differs from the computed one), with the block's number
 * (from 1) and its offset. Throws only for a system error reading the file.
 */
export function verifyDataBlocks(path: string, m: Metadata, opts: BlockWalkOptions = {}): string | null {
  const { progress, every = 10_000 } = opts;
  const total = m.countDataBlocks;
  const bytes = m.bytesDataBlocks;
  if (bytes === 0 && total === 0) return null;
  const base = m.indexBlockOffset - bytes;
  if (base < 0) return `data blocks (${bytes} bytes) run past the index block at ${m.indexBlockOffset}`;
  const fd = openSync(path, "r");
  try {
    const buf = new Uint8Array(Math.min(Math.max(opts.chunkSize ?? CHUNK, MAX_HEADER), Math.max(bytes, MAX_HEADER)));
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const vc: VarintCursor = { value: 0, pos: 0 };
    const crc = new Crc32c();
    /** buf holds the data region's bytes [start, start + have) */
    let start = 0;
    let have = 0;
    const fill = (from: number): void => {
      start = from;
      have = 0;
      const want = Math.min(buf.length, bytes - from);
      while (have < want) {
        const n = readSync(fd, buf, have, want - have, base + from + have);
        if (n === 0) break;
        have += n;
      }
    };
    fill(0);
    /** the block header at buf[p], `avail` bytes of the block there: its length and the header's, or false when they do not fit */
    let len = 0;
    let hlen = 0;
    const header = (p: number, avail: number): boolean => {
      if (m.fileVersion === FORMAT_V1) {
        if (avail < 8) return false;
        len = view.getUint32(p, true);
        hlen = 4;
        return true;
      }
      decodeVarint64(buf, p, Math.min(p + 10, have), vc);
      hlen = vc.pos - p;
      len = vc.value;
      return hlen > 0 && avail >= hlen + 4;
    };
    // the blocks lying whole in the chunk are checked together: one call sums them all
    // (crc32cRanges: the native SSE4.2 code, else WebAssembly)
    const list = new Int32Array(2 * BATCH);
    const stored = new Uint32Array(BATCH);
    const calc = new Uint32Array(BATCH);
    const at = new Float64Array(BATCH);
    let offset = 0;
    let block = 1;
    while (block <= total) {
      const first = block;
      let k = 0;
      let failure: string | null = null;
      /** the next block starts in this chunk but does not end in it */
      let straddles = false;
      while (block <= total && k < BATCH) {
        // (at the chunk's start already: nothing more to read for it, the checks below decide)
        if (offset + MAX_HEADER > start + have && start + have < bytes && offset > start) {
          straddles = true;
          break;
        }
        const p = offset - start;
        if (!header(p, start + have - offset)) {
          failure = runsPast(0, block, offset);
          break;
        }
        if (offset + hlen + 4 + len > bytes) {
          failure = runsPast(len, block, offset);
          break;
        }
        const end = offset + hlen + 4 + len;
        if (end > start + have) {
          straddles = true;
          break;
        }
        list[2 * k] = p + hlen + 4;
        list[2 * k + 1] = len;
        stored[k] = view.getUint32(p + hlen, true);
        at[k] = offset;
        k++;
        offset = end;
        block++;
      }
      if (k > 0) {
        crc32cRanges(buf, 0, have, list, 0, k, calc);
        for (let i = 0; i < k; i++) {
          if (calc[i] !== stored[i]) return crcMismatch(stored[i] as number, calc[i] as number, first + i, at[i] as number);
        }
        if (progress) {
          for (let b = first; b < block; b++) if (b % every === 0 || b === total) progress(b, total);
        }
      }
      if (failure !== null) return failure;
      if (!straddles) continue;
      // the next block's header or body runs past the chunk: read from it on; a block longer than
      // a chunk is summed chunk by chunk
      if (offset !== start) fill(offset);
      const p = 0;
      if (!header(p, have)) return runsPast(0, block, offset);
      if (offset + hlen + 4 + len > bytes) return runsPast(len, block, offset);
      if (hlen + 4 + len <= have) continue; // whole now: the batch loop takes it
      const want = view.getUint32(p + hlen, true);
      crc.reset();
      let from = offset + hlen + 4;
      const end = from + len;
      while (from < end) {
        if (from >= start + have) fill(from);
        const upto = Math.min(end, start + have);
        crc.update(buf, from - start, upto - start);
        from = upto;
      }
      const got = crc.digest();
      if (got !== want) return crcMismatch(want, got, block, offset);
      if (progress && (block % every === 0 || block === total)) progress(block, total);
      offset = end;
      block++;
      if (block <= total) fill(offset);
    }
    return null;
  } finally {
    closeSync(fd);
  }
}

function runsPast(len: number, block: number, offset: number): string {
  return `Block length (${len} bytes) exceeds total data length at data block ${block} (${offset} bytes into file)`;
}

function crcMismatch(stored: number, calc: number, block: number, offset: number): string {
  return `block_crc (${hex8(stored)}) != calc_crc (${hex8(calc)}) at data block ${block} (${offset} bytes into file)`;
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, "0");
}
