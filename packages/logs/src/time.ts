/** Timestamps of the text formats → epoch seconds (with fractions where the log has them). */

const MONTHS: Record<string, number> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

export function monthIndex(mmm: string): number | undefined {
  return Object.hasOwn(MONTHS, mmm) ? MONTHS[mmm] : undefined;
}

/**
 * Year-less syslog times (`Mmm dd HH:MM:SS`, local time of the machine that wrote them). The year
 * is the given one, or the one that does not put the line more than a day in the future of `now`
 * (a December line read in January is last year's).
 */
export class SyslogClock {
  private readonly year: number | undefined;
  private readonly nowSec: number;
  private readonly utc: boolean;
  private cacheKey = "";
  private cacheBase = 0;

  /** `utc`: the times are UTC rather than the local time of this machine. */
  constructor(year?: number, nowMs: number = Date.now(), utc = false) {
    if (year !== undefined && (!Number.isInteger(year) || year < 1970 || year > 9999)) {
      throw new RangeError(`year must be an integer 1970..9999, not ${year}`);
    }
    this.year = year;
    this.nowSec = nowMs / 1000;
    this.utc = utc;
  }

  /** `mmm` month abbreviation, `dd` day (may have a leading space), `hms` "HH:MM:SS"; null if invalid. */
  epoch(mmm: string, dd: string, hms: string): number | null {
    const key = `${mmm} ${dd} ${hms.slice(0, 2)}`;
    if (key !== this.cacheKey) {
      const mon = monthIndex(mmm);
      const day = Number(dd.trim());
      const hour = Number(hms.slice(0, 2));
      if (mon === undefined || !(day >= 1 && day <= 31) || !(hour >= 0 && hour <= 23)) return null;
      const now = new Date(this.nowSec * 1000);
      let y = this.year ?? (this.utc ? now.getUTCFullYear() : now.getFullYear());
      let base = hourStart(y, mon, day, hour, this.utc);
      if (base === null) return null;
      if (this.year === undefined && base > this.nowSec + 86400) {
        y--;
        base = hourStart(y, mon, day, hour, this.utc);
        if (base === null) return null;
      }
      this.cacheKey = key;
      this.cacheBase = base;
    }
    const mi = Number(hms.slice(3, 5));
    const s = Number(hms.slice(6, 8));
    if (!(mi >= 0 && mi <= 59 && s >= 0 && s <= 60)) return null;
    return this.cacheBase + mi * 60 + s;
  }
}

function hourStart(y: number, mon: number, day: number, hour: number, utc: boolean): number | null {
  if (utc) {
    const d = new Date(Date.UTC(y, mon, day, hour));
    return d.getUTCMonth() === mon ? d.getTime() / 1000 : null; // Feb 30 and the like
  }
  const d = new Date(y, mon, day, hour);
  return d.getMonth() === mon ? d.getTime() / 1000 : null;
}

/** `dd/Mmm/YYYY:HH:MM:SS ±hhmm` (Apache/nginx `$time_local`, squid `%tl`) → epoch seconds, or null. */
export function clfTime(text: string): number | null {
  const m = /^(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(text);
  if (!m) return null;
  const mon = monthIndex(m[2] as string);
  if (mon === undefined) return null;
  const t = Date.UTC(Number(m[3]), mon, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6])) / 1000;
  const off = (Number(m[8]) * 60 + Number(m[9])) * 60 * (m[7] === "-" ? -1 : 1);
  return Number.isFinite(t) ? t - off : null;
}

/** ISO 8601 / RFC 3339 (`2026-11-22T11:07:50.623798+0000`, `…Z`, `…+00:00`) → epoch seconds, or null. */
export function isoTime(text: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/.exec(text);
  if (!m) return null;
  const base = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) / 1000;
  if (!Number.isFinite(base)) return null;
  const frac = m[7] ? Number(m[7]) : 0;
  let off = 0;
  const z = m[8];
  if (z && z !== "Z") {
    const d = z.replace(":", "");
    off = (Number(d.slice(1, 3)) * 60 + Number(d.slice(3, 5))) * 60 * (d[0] === "-" ? -1 : 1);
  } else if (!z) {
    return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])).getTime() / 1000 + frac;
  }
  return base + frac - off;
}

/** `1795345686.775` (epoch seconds, optional fraction) → number, or null. */
export function epochTime(text: string): number | null {
  if (!/^\d{1,12}(\.\d{1,9})?$/.test(text)) return null;
  return Number(text);
}
