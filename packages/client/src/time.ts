/**
 * Time fence values. The API takes epoch seconds, or a negative number of seconds meaning that
 * long before the server's now. A caller may give a Date, a number (epoch seconds; negative:
 * relative), or text as dnsdbq takes it: epoch seconds, `-SECONDS`, `YYYY-MM-DD[ HH:MM:SS]`
 * (UTC), or a relative duration with units (`1w`, `2d12h`, `90m`, `30s`), meaning that long ago.
 */
export type FenceTime = Date | number | string;

const UNITS: Record<string, number> = { w: 604800, d: 86400, h: 3600, m: 60, s: 1 };

/** A duration like `1w2d3h4m5s` in seconds, or null when the text is not one. */
export function parseDuration(text: string): number | null {
  const t = text.toLowerCase();
  if (!/^(\d+[wdhms])+$/.test(t)) return null;
  let total = 0;
  for (const m of t.matchAll(/(\d+)([wdhms])/g)) total += Number(m[1]) * (UNITS[m[2] as string] as number);
  return Number.isSafeInteger(total) ? total : null;
}

/**
 * A fence as the API's integer (epoch seconds, or negative seconds before now). Throws RangeError
 * for a value that is none of the forms above.
 */
export function fenceValue(v: FenceTime): number {
  if (v instanceof Date) {
    const ms = v.getTime();
    if (Number.isNaN(ms) || ms < 0) throw new RangeError(`bad time: invalid or negative Date`);
    return Math.floor(ms / 1000);
  }
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v)) throw new RangeError(`bad time: ${v} is not an integer number of seconds`);
    return v;
  }
  const t = v.trim();
  if (/^-?\d{1,15}$/.test(t)) return Number(t);
  const d = parseDuration(t);
  if (d !== null) return -d;
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2}))?Z?$/.exec(t);
  if (m) {
    const [y, mo, da, h, mi, s] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x))) as number[];
    const ms = Date.UTC(y as number, (mo as number) - 1, da, h, mi, s);
    const back = new Date(ms);
    if (
      back.getUTCMonth() !== (mo as number) - 1 ||
      back.getUTCDate() !== da ||
      (h as number) > 23 ||
      (mi as number) > 59 ||
      (s as number) > 60 ||
      ms < 0
    )
      throw new RangeError(`bad time: ${JSON.stringify(v)}`);
    return Math.floor(ms / 1000);
  }
  throw new RangeError(`bad time: ${JSON.stringify(v)} (epoch seconds, -SECONDS, YYYY-MM-DD[ HH:MM:SS], or a duration like 1w2d)`);
}
