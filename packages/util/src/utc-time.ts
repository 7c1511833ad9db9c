/** Seconds since 1970 as UTC date-time text. */
import { type TextWriter, textOf } from "./text-writer.js";

/**
 * "YYYY-MM-DD HH:MM:SS" in UTC for whole seconds since 1970 (the year unpadded, as strftime's %Y), for
 * any time an int64 of seconds can hold that a double holds exactly (JS Date stops at year 275760
 * and prints NaN past it). Days to a civil date by Howard Hinnant's days_from_civil inverse.
 */
export function utcDateTime(sec: number): string {
  return textOf((w) => writeUtcDateTime(w, sec));
}

/** the last second written and its text (a stream's records come many to a second) */
let lastSec = Number.NaN;
let lastText = new Uint8Array(0);

/** utcDateTime's text written into `w`. */
export function writeUtcDateTime(w: TextWriter, sec: number): void {
  const s = Math.floor(sec);
  if (s === lastSec) {
    w.raw(lastText);
    return;
  }
  const start = w.pos;
  writeDateTime(w, s);
  lastText = w.buf.slice(start, w.pos);
  lastSec = s;
}

function writeDateTime(w: TextWriter, s: number): void {
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
  w.number(y);
  w.byte(0x2d);
  w.padded(m, 2);
  w.byte(0x2d);
  w.padded(d, 2);
  w.byte(0x20);
  w.padded(Math.floor(tod / 3600), 2);
  w.byte(0x3a);
  w.padded(Math.floor(tod / 60) % 60, 2);
  w.byte(0x3a);
  w.padded(tod % 60, 2);
}
