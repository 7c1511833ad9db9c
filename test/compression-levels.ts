/**
 * `-l` levels against each codec's range, for the tools that write mtbl files (mtbl-merge,
 * dnstable-merge, dnstable-import): [codec, level, exit status]. zlib takes −1…9 and zstd 1…22;
 * outside is a usage error (2); codecs without levels ignore it (0).
 */
export const LEVEL_CASES: readonly (readonly [string, string, 0 | 2])[] = [
  ["zlib", "15", 2],
  ["zlib", "-2", 2],
  ["zstd", "0", 2],
  ["zstd", "23", 2],
  ["zlib", "9", 0],
  ["zstd", "22", 0],
  ["snappy", "5", 0],
  ["lz4", "15", 0],
];

/** The usage error a tool prints for a level outside codec `c`'s range. */
export const levelError = (tool: string, c: string): RegExp => new RegExp(`^${tool}: -l \\(${c}\\): must be between`);
