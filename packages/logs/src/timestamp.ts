/**
 * Timestamps as the document formats write them: epoch seconds (number or digits, with a
 * fraction), and ISO 8601 / RFC 3339 text with `T` or a space, an optional fraction, and `Z`,
 * `+hh:mm`, `+hhmm` (Suricata's form) or no zone (taken as UTC).
 */

const ISO = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;
const EPOCH = /^\d{1,12}(?:\.\d{1,9})?$/;

/** Epoch seconds of an ISO 8601 / RFC 3339 date-time, or null when it is not one or out of range. */
export function parseIsoTime(text: string): number | null {
  const m = ISO.exec(text.trim());
  if (m === null) return null;
  const [, y, mo, d, h, mi, s, frac, , sign, oh, om] = m;
  const fields = civil(Number(y), Number(mo), Number(d), Number(h), Number(mi), Number(s));
  if (fields === null) return null;
  let t = fields + (frac === undefined ? 0 : Number(`0.${frac}`));
  if (sign !== undefined) {
    const hh = Number(oh);
    const mm = Number(om);
    if (hh > 23 || mm > 59) return null;
    const off = (hh * 60 + mm) * 60;
    t += sign === "+" ? -off : off;
  }
  return t;
}

/** Epoch seconds (UTC) of a civil date-time after a range check, or null. */
export function civil(y: number, mo: number, d: number, h: number, mi: number, s: number): number | null {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return null;
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  // Date.UTC rolls 31 February over into March: reject dates that do not exist.
  if (new Date(Date.UTC(y, mo - 1, d)).getUTCDate() !== d) return null;
  return ms / 1000;
}

/** A time member of a JSON record: epoch seconds (number or digit string) or ISO text; null otherwise. */
export function parseTimeValue(v: unknown): number | null {
  if (typeof v === "number") return Number.isFinite(v) && v >= 0 ? v : null;
  if (typeof v !== "string") return null;
  if (EPOCH.test(v)) return Number(v);
  return parseIsoTime(v);
}
