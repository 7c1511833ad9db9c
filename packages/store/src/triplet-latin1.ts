/**
 * dnstable triplet values (varint time_first | time_last | count) held as latin1 strings, one char
 * per byte, as the memtable keeps values: reading a varint out of one, and making one from three
 * numbers. The memtable's merge (memtable.ts) and its tables' slots (table.ts) share them.
 */

/** Decode a varint (at most 10 bytes) from a latin1 string at `pos` into `cur`; `cur.pos` -1 on failure. */
export function varintAt(s: string, pos: number, cur: { value: number; pos: number }): void {
  let result = 0;
  let mul = 1;
  for (let i = 0; i < 10 && pos < s.length; i++) {
    const b = s.charCodeAt(pos++);
    result += (b & 0x7f) * mul;
    if (b < 0x80) {
      cur.value = result;
      cur.pos = pos;
      return;
    }
    mul *= 128;
  }
  cur.pos = -1;
}

/** Scratch for a triplet (3 varints of at most 10 bytes), made into one string at once. */
const scratch = Buffer.allocUnsafe(30);

function putVarint(at: number, v: number): number {
  while (v >= 128) {
    scratch[at++] = (v % 128) | 0x80;
    v = Math.floor(v / 128);
  }
  scratch[at++] = v;
  return at;
}

/** The triplet value of three non-negative integers, as one latin1 string (not one per varint and their concatenations). */
export function tripletLatin1(first: number, last: number, count: number): string {
  let n = putVarint(0, first);
  n = putVarint(n, last);
  n = putVarint(n, count);
  return scratch.toString("latin1", 0, n);
}
