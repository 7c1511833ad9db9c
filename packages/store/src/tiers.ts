/**
 * Time tiers (DNSDB's time partitions): files are labelled with the start of the period of the
 * finest tier in which they were flushed (ingest time, as DNSDB's minute files are), and compaction
 * merges the files of a finished coarser period into one file of that tier: minutes into their
 * hour once the hour is over, hours into their day, days into their month.
 */
export interface Tier {
  /** lower-case letters and digits: it is part of file names */
  name: string;
  spanSeconds: number;
}

/** minute, hour, day, month (30 days: periods are multiples of the span since the epoch, not calendar months) */
export function defaultTiers(): Tier[] {
  return [
    { name: "minute", spanSeconds: 60 },
    { name: "hour", spanSeconds: 3600 },
    { name: "day", spanSeconds: 86_400 },
    { name: "month", spanSeconds: 30 * 86_400 },
  ];
}

/** Throws RangeError unless the tiers are named [a-z0-9]+, distinct, and each span a multiple of the one before. */
export function checkTiers(tiers: readonly Tier[]): void {
  if (tiers.length === 0) throw new RangeError("tiers: at least one tier is needed");
  const seen = new Set<string>();
  let prev = 0;
  for (const t of tiers) {
    if (!/^[a-z0-9]+$/.test(t.name))
      throw new RangeError(`tiers: name must be lower-case letters and digits, got ${JSON.stringify(t.name)}`);
    if (seen.has(t.name)) throw new RangeError(`tiers: ${t.name} named twice`);
    seen.add(t.name);
    if (!Number.isInteger(t.spanSeconds) || t.spanSeconds < 1)
      throw new RangeError(`tiers: ${t.name}: spanSeconds must be a positive integer`);
    if (prev > 0 && (t.spanSeconds <= prev || t.spanSeconds % prev !== 0)) {
      throw new RangeError(`tiers: ${t.name}: spanSeconds must be a multiple of the previous tier's (${prev}) and larger`);
    }
    prev = t.spanSeconds;
  }
}

/** Start of the period of `span` seconds holding `sec`. */
export const periodStart = (sec: number, span: number): number => sec - (sec % span);
