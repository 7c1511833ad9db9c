/**
 * The 1-based line of the first character a text file would not hold — NUL, another control
 * character than tab, CR or LF, or U+FFFD (what bytes that are not UTF-8 decode to) — or 0 when
 * there is none. Parsers of line-oriented files check it first, so that a binary file given by
 * mistake is one clear error instead of its bytes echoed in a parse error.
 */
export function firstBinaryLine(text: string): number {
  const m = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]/.exec(text);
  if (m === null) return 0;
  let line = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < m.index; i = text.indexOf("\n", i + 1)) line++;
  return line;
}
