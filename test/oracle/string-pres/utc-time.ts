/** Seconds since 1970 as UTC date-time text. */
const two = (n: number): string => (n < 10 ? `0${n}` : String(n));

/**
 * "YYYY-MM-DD HH:MM:SS" in UTC for whole seconds since 1970 (the year unpadded, as strftime's %Y), for
 * any time an int64 of seconds can hold that a double holds exactly (JS Date stops at year 275760
 * and prints NaN past it). Days to a civil date by Howard Hinnant's days_from_civil inverse.
 */
export function utcDateTime(sec: number): string {
  const s = Math.floor(sec);
  const days = Math.floor(s / 86400);
  const tod = s - days * 86400;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${y}-${two(m)}-${two(d)} ${two(Math.floor(tod / 3600))}:${two(Math.floor(tod / 60) % 60)}:${two(tod % 60)}`;
}
