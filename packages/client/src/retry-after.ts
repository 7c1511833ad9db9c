/**
 * The Retry-After header (RFC 9110 §10.2.3): `delta-seconds` (one or more digits) or an
 * HTTP-date (§5.6.7) in any of its three forms, which a recipient must all accept:
 *
 *   IMF-fixdate   Sun, 06 Nov 1994 08:49:37 GMT
 *   rfc850-date   Sunday, 06-Nov-94 08:49:37 GMT   (obsolete; two-digit year)
 *   asctime-date  Sun Nov  6 08:49:37 1994         (obsolete)
 *
 * Parsed strictly: Date.parse would take "1.5", "-3" or "2" as dates.
 */

/** The largest wait returned (s): 2^31 − 1 ms, the longest a Node timer waits (a longer one fires at once). */
export const MAX_RETRY_AFTER_S = 2_147_483;

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const DAY = "(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)";
const DAY_LONG = "(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)";
const MONTH = `(${MONTHS.join("|")})`;
const TIME = "(\\d{2}):(\\d{2}):(\\d{2})";
const IMF_FIXDATE = new RegExp(`^${DAY}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
const RFC850_DATE = new RegExp(`^${DAY_LONG}, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`);
const ASCTIME_DATE = new RegExp(`^${DAY} ${MONTH} ( \\d|\\d{2}) ${TIME} (\\d{4})$`);

/**
 * Seconds to wait from a Retry-After value (`nowMs` is now, for a date): a date in the past is
 * 0, a wait longer than `maxSeconds` (default MAX_RETRY_AFTER_S) is `maxSeconds`; null when the
 * header is absent or not a valid value.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs = Date.now(), maxSeconds = MAX_RETRY_AFTER_S): number | null {
  if (value === null || value === undefined) return null;
  const v = value.replace(/^[ \t]+|[ \t]+$/g, "");
  if (/^\d+$/.test(v)) return Math.min(Number(v), maxSeconds); // a huge one is Infinity, then the cap
  const t = parseHttpDate(v, nowMs);
  if (t === null) return null;
  return Math.min(Math.max(0, Math.ceil((t - nowMs) / 1000)), maxSeconds);
}

/** An HTTP-date in ms since the epoch, or null (`nowMs` places an rfc850-date's two-digit year). */
export function parseHttpDate(v: string, nowMs = Date.now()): number | null {
  let m = IMF_FIXDATE.exec(v);
  if (m !== null) return utc(m[3], m[2], m[1], m[4], m[5], m[6]);
  m = RFC850_DATE.exec(v);
  if (m !== null) {
    // §5.6.7: a two-digit year more than 50 years ahead is the most recent past year ending so
    const thisYear = new Date(nowMs).getUTCFullYear();
    let year = thisYear - (thisYear % 100) + Number(m[3]);
    if (year > thisYear + 50) year -= 100;
    return utc(String(year), m[2], m[1], m[4], m[5], m[6]);
  }
  m = ASCTIME_DATE.exec(v);
  if (m !== null) return utc(m[6], m[1], m[2], m[3], m[4], m[5]);
  return null;
}

function utc(
  year: string | undefined,
  month: string | undefined,
  day: string | undefined,
  hour: string | undefined,
  minute: string | undefined,
  second: string | undefined,
): number | null {
  const y = Number(year);
  const mo = MONTHS.indexOf(month ?? "");
  const d = Number(day);
  const h = Number(hour);
  const mi = Number(minute);
  const s = Number(second);
  if (h > 23 || mi > 59 || s > 60) return null; // 60: a leap second
  const t = Date.UTC(y, mo, d, h, mi, Math.min(s, 59));
  const date = new Date(t);
  // Date.UTC rolls 31 Feb over into March, and years 0-99 into 1900-1999
  if (y < 100 || d < 1 || date.getUTCDate() !== d || date.getUTCMonth() !== mo) return null;
  return s === 60 ? t + 1000 : t;
}
