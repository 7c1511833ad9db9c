/** The string-built domainToString as it was before the byte printers (test oracle). */
import { latin1String } from "@dnsrep/util";

/** the presentation text is built here as bytes (ASCII only) and read back as one string */
let textScratch = new Uint8Array(1024);

/**
 * Presentation form exactly as libwdns wdns_domain_to_str: labels joined by
 * ".", a trailing ".", `.` and `\` escaped with a backslash, bytes outside
 * '!'..'~' as \DDD; the root is ".". `len` bounds how many bytes are read; it may
 * run one length byte past the end of `buf` (see lenUname), which shows as an extra ".".
 */
export function domainToString(buf: Uint8Array, start = 0, len = buf.length - start): string {
  const end = start + len;
  // at most 4 characters per byte (\DDD; "undefined" for a byte read past the end), and the root's "."
  if (textScratch.length < 9 * len + 2) textScratch = new Uint8Array(9 * len + 2);
  const t = textScratch;
  let o = 0;
  let remaining = len;
  let read = 0;
  let p = start;
  let oclen = p < buf.length ? (buf[p] as number) : 1;
  while (remaining > 0 && oclen !== 0) {
    p++;
    remaining--;
    // a length byte past the end of `buf` (-1) labels nothing but is not the root
    read += oclen < 0 ? 1 : oclen + 1;
    while (oclen > 0 && remaining > 0) {
      oclen--;
      const c = buf[p++];
      remaining--;
      if (c === undefined) o = undefinedText(t, o);
      else if (c >= 0x21 && c <= 0x7e) {
        if (c === 0x2e || c === 0x5c) t[o++] = 0x5c;
        t[o++] = c;
      } else {
        t[o++] = 0x5c;
        t[o++] = 48 + ((c / 100) | 0);
        t[o++] = 48 + (((c / 10) | 0) % 10);
        t[o++] = 48 + (c % 10);
      }
    }
    t[o++] = 0x2e;
    oclen = p < end ? (p < buf.length ? (buf[p] as number) : -1) : 1;
  }
  if (read === 0) t[o++] = 0x2e;
  return latin1String(t, 0, o);
}

/** What the string-built form showed for a byte read past the end of the data. */
function undefinedText(t: Uint8Array, o: number): number {
  for (let i = 0; i < 9; i++) t[o++] = "undefined".charCodeAt(i);
  return o;
}
