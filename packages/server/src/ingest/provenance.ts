import type { DnstableResult } from "@dnsrep/dnstable";
import { jsonString } from "../result-line.js";

/**
 * Provenance in results: a result read from a log source's store carries the source's name, and
 * its placeholder bailiwick (the root: no bailiwick was ever seen) is never shown. SAF lines get
 * `"source":NAME` and no bailiwick; COF lines `"origin":NAME` (COF's field for where a record
 * came from).
 */
export type SourcedResult = DnstableResult & { source?: string };

/** Mark a result as read from a log source. */
export function markSource(r: DnstableResult, source: string): SourcedResult {
  (r as SourcedResult).source = source;
  return r;
}

/** The log source a result came from (undefined: sensor data or files). */
export function sourceOf(r: DnstableResult): string | undefined {
  return (r as SourcedResult).source;
}

const ROOT_BAILIWICK = ',"bailiwick":"."';

/** A SAF line (`{"obj":{…}}\n`) without the placeholder bailiwick and with the source. */
export function lineWithSource(line: string, source: string): string {
  const i = line.indexOf(ROOT_BAILIWICK);
  const cut = i < 0 ? line : line.slice(0, i) + line.slice(i + ROOT_BAILIWICK.length);
  return `${cut.slice(0, -3)},"source":${jsonString(source)}}}\n`;
}

/** A result object without the placeholder bailiwick and with the source. */
export function objectWithSource<T extends object>(obj: T, source: string): Record<string, unknown> {
  const { bailiwick: _b, ...rest } = obj as Record<string, unknown>;
  return { ...rest, source };
}

/** The sensor results, then each log source's in turn, marked with their source. */
export function* withLogResults(
  main: Iterable<DnstableResult>,
  logs: { source: string; results: Iterable<DnstableResult> }[],
): Generator<DnstableResult, void, undefined> {
  yield* main;
  for (const l of logs) for (const r of l.results) yield markSource(r, l.source);
}
