/**
 * Times of the keys file and of `keys add --expires`: epoch seconds, a date (YYYY-MM-DD: its
 * 00:00 UTC) or an RFC 3339 date-time (`2027-01-31T12:00:00Z`, `…+02:00`, fractions allowed).
 * Returns epoch seconds; throws a RangeError naming the problem.
 */
export function parseKeyTime(text: string): number {
  if (/^\d{1,12}$/.test(text)) return Number(text);
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2}))?$/.exec(text);
  if (!m) throw new RangeError(`not a time (epoch seconds, YYYY-MM-DD or RFC 3339): ${JSON.stringify(text)}`);
  const [, y, mo, d, h = "00", mi = "00", s = "00", , zone = "Z"] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate(); // days in that month
  if (month < 1 || month > 12 || day < 1 || day > days || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59)
    throw new RangeError(`not a valid date or time: ${JSON.stringify(text)}`);
  let offset = 0;
  if (zone !== "Z" && zone !== "z") {
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(4, 6));
    if (oh > 23 || om > 59) throw new RangeError(`not a valid time zone offset: ${JSON.stringify(text)}`);
    offset = (zone[0] === "-" ? -1 : 1) * (oh * 3600 + om * 60);
  }
  const t = Date.UTC(year, month - 1, day, Number(h), Number(mi), Number(s)) / 1000 - offset;
  if (t < 0) throw new RangeError(`time before 1970: ${JSON.stringify(text)}`);
  return t;
}

/** Epoch seconds as RFC 3339 UTC, without fractions (`2027-01-31T12:00:00Z`). */
export function formatKeyTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The epoch second of the next 00:00 UTC after `ms` (when a daily quota resets). */
export function nextUtcMidnight(ms: number): number {
  return (Math.floor(ms / 86_400_000) + 1) * 86_400;
}

/** The UTC day number of epoch ms (days since 1970-01-01). */
export function utcDay(ms: number): number {
  return Math.floor(ms / 86_400_000);
}
