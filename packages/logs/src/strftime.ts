import { isoTime } from "./time.js";

/**
 * Time formats the generic regex parser accepts for its `time` group: "epoch" (seconds, with a
 * fraction), "epoch-ms", "iso8601" / "rfc3339", or a strftime-like pattern such as
 * `%d/%b/%Y:%H:%M:%S %z` (nginx/Apache) or `%b %e %H:%M:%S` (syslog; the year then comes from the
 * `year` option, or is the one not in the future). Without %z a time is local unless `utc`. Conversions: %Y %y %m %d %e %H %M %S %f (fraction digits) %b (month name,
 * English, abbreviated or full) %z (+hhmm, +hh:mm or Z) %s (epoch seconds) %T %F and %%; any other
 * character matches itself, a space matches one or more spaces.
 */
export type TimeParser = (text: string) => number | null;

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const MONTH_RE =
  "(Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)";

type Slot = "Y" | "y" | "m" | "d" | "H" | "M" | "S" | "f" | "b" | "z" | "s";
const SLOT_RE: Record<Slot, string> = {
  Y: "(\\d{4})",
  y: "(\\d{2})",
  m: "(\\d{1,2})",
  d: "(\\d{1,2})",
  H: "(\\d{1,2})",
  M: "(\\d{2})",
  S: "(\\d{2})",
  f: "(\\d{1,9})",
  b: MONTH_RE,
  z: "(Z|[+-]\\d{2}:?\\d{2})",
  s: "(\\d{1,12}(?:\\.\\d{1,9})?)",
};

/** How zone-less and year-less times are read (the same rules as the syslog parsers' SyslogClock). */
export interface TimeFormatOptions {
  /** Year for formats without one; default: the year that does not put the time more than a day after `now`. */
  year?: number;
  /** Zone-less times are UTC (default: the local time of this machine, as the other parsers read them). */
  utc?: boolean;
  /** "Now" in epoch milliseconds (tests; default Date.now()). */
  now?: number;
}

/** Build the parser for a time format; throws RangeError naming an unknown conversion. */
export function compileTimeFormat(format: string, opts: TimeFormatOptions = {}): TimeParser {
  const { year, utc = false } = opts;
  const nowSec = (opts.now ?? Date.now()) / 1000;
  switch (format.toLowerCase()) {
    case "epoch":
      return (t) => (/^\d{1,12}(?:\.\d{1,9})?$/.test(t) ? Number(t) : null);
    case "epoch-ms":
      return (t) => (/^\d{1,15}(?:\.\d{1,6})?$/.test(t) ? Number(t) / 1000 : null);
    case "iso8601":
    case "rfc3339":
      return isoTime;
  }
  const slots: Slot[] = [];
  let re = "^";
  const expanded = format.replace(/%T/g, "%H:%M:%S").replace(/%F/g, "%Y-%m-%d");
  for (let i = 0; i < expanded.length; i++) {
    const c = expanded[i] as string;
    if (c === "%") {
      const k = expanded[++i];
      if (k === "%") re += "%";
      else if (k === "e") {
        re += " ?(\\d{1,2})";
        slots.push("d");
      } else if (k !== undefined && k in SLOT_RE) {
        re += SLOT_RE[k as Slot];
        slots.push(k as Slot);
      } else throw new RangeError(`time format: unknown conversion %${k ?? ""} in ${JSON.stringify(format)}`);
    } else if (c === " ") re += " +";
    else re += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  const rx = new RegExp(`${re}$`, "i");
  if (!slots.includes("s") && !(slots.includes("d") && slots.includes("H"))) {
    throw new RangeError(`time format: ${JSON.stringify(format)} needs %s, or a day (%d) and an hour (%H)`);
  }
  const hasYear = slots.includes("Y") || slots.includes("y");
  const hasZone = slots.includes("z");
  return (text) => {
    const m = rx.exec(text.trim());
    if (m === null) return null;
    let Y = year ?? (utc ? new Date(nowSec * 1000).getUTCFullYear() : new Date(nowSec * 1000).getFullYear());
    let mo = 1;
    let d = 1;
    let H = 0;
    let M = 0;
    let S = 0;
    let frac = 0;
    let off = 0;
    for (let j = 0; j < slots.length; j++) {
      const v = m[j + 1] as string;
      switch (slots[j]) {
        case "s":
          return Number(v);
        case "Y":
          Y = Number(v);
          break;
        case "y":
          Y = 2000 + Number(v) - (Number(v) >= 69 ? 100 : 0);
          break;
        case "m":
          mo = Number(v);
          break;
        case "b":
          mo = MONTHS.indexOf(v.slice(0, 3).toLowerCase()) + 1;
          break;
        case "d":
          d = Number(v);
          break;
        case "H":
          H = Number(v);
          break;
        case "M":
          M = Number(v);
          break;
        case "S":
          S = Number(v);
          break;
        case "f":
          frac = Number(`0.${v}`);
          break;
        case "z":
          if (v !== "Z" && v !== "z") {
            const sign = v[0] === "-" ? -1 : 1;
            const digits = v.slice(1).replace(":", "");
            const hh = Number(digits.slice(0, 2));
            const mm = Number(digits.slice(2));
            if (hh > 23 || mm > 59) return null;
            off = sign * (hh * 60 + mm) * 60;
          }
          break;
      }
    }
    const local = !hasZone && !utc;
    let t = civil(Y, mo, d, H, M, S, local);
    if (t !== null && !hasYear && year === undefined && t > nowSec + 86400) t = civil(Y - 1, mo, d, H, M, S, local);
    return t === null ? null : t + frac - off;
  };
}

/** Epoch seconds of a civil date-time (UTC, or this machine's local time) after a range check (31 February is null). */
function civil(y: number, mo: number, d: number, h: number, mi: number, s: number, local: boolean): number | null {
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return null;
  if (new Date(Date.UTC(y, mo - 1, d)).getUTCDate() !== d) return null;
  return (local ? new Date(y, mo - 1, d, h, mi, s).getTime() : Date.UTC(y, mo - 1, d, h, mi, s)) / 1000;
}
