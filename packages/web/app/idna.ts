/**
 * IDNA in the page: Unicode names typed by a user are searched in their ASCII (punycode) form, and
 * `xn--` names in results are shown with their Unicode form beside them — unless that form holds
 * characters that could disguise it (bidi controls, invisible characters), when none is shown.
 */
import { toASCII, toUnicode } from "punycode";

/** A typed name in the form the server searches: NFC, lower case, each non-ASCII label punycoded. */
export function toAsciiName(name: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ASCII test
  if (/^[\x00-\x7f]*$/.test(name)) return name;
  return toASCII(name.normalize("NFC").toLowerCase());
}

// bidi overrides/embeddings/isolates, zero-width and other invisible format characters
const DISGUISE = /[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u061c\u00ad]/u;

/** The Unicode form of a name with `xn--` labels, or null (none, undecodable, or disguising). */
export function unicodeForm(name: string): string | null {
  if (!/(^|\.)xn--/i.test(name)) return null;
  const out: string[] = [];
  for (const label of name.split(".")) {
    if (!/^xn--/i.test(label)) {
      out.push(label);
      continue;
    }
    let u: string;
    try {
      u = toUnicode(label.toLowerCase());
    } catch {
      return null;
    }
    // an A-label must decode to something non-ASCII; one that does not is not IDNA
    // biome-ignore lint/suspicious/noControlCharactersInRegex: ASCII test
    if (/^[\x00-\x7f]*$/.test(u)) return null;
    out.push(u);
  }
  const u = out.join(".");
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are not shown
  if (DISGUISE.test(u) || /[\x00-\x1f\x7f-\x9f]/.test(u)) return null;
  return u;
}
