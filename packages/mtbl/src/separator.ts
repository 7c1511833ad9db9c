/**
 * libmtbl's bytes_shortest_separator: shorten `start` (in place, returning the
 * new length) to a key k with start <= k < limit, so index blocks stay small.
 * Reproduced exactly, including its 16-bit big-endian increment fallback,
 * because the index keys are part of the byte-exact file format.
 */
export function shortestSeparator(start: Uint8Array, startLen: number, limit: Uint8Array): number {
  const minLength = Math.min(startLen, limit.length);
  let diff = 0;
  while (diff < minLength && start[diff] === limit[diff]) diff++;
  if (diff >= minLength) return startLen;
  const diffByte = start[diff]!;
  if (diffByte < 0xff && diffByte + 1 < limit[diff]!) {
    start[diff] = diffByte + 1;
    return diff + 1;
  }
  // C: diff_index < min_length - sizeof(uint16_t), in size_t arithmetic
  if (minLength >= 2 && diff < minLength - 2) {
    const uStart = (start[diff]! << 8) | start[diff + 1]!;
    const uLimit = (limit[diff]! << 8) | limit[diff + 1]!;
    const uBetween = (uStart + 1) & 0xffff;
    if (uStart <= uBetween && uBetween <= uLimit) {
      start[diff] = uBetween >> 8;
      start[diff + 1] = uBetween & 0xff;
      return diff + 2;
    }
  }
  return startLen;
}
