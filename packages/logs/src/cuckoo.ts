import { chainAnswers, type OwnerlessAnswer } from "./association.js";
import { isObject, num, parseTimeValue, str } from "./json-line.js";
import type { Association, LogParser } from "./observation.js";

/** Largest report held in memory (characters); past it the document is counted as "document too large". */
export const MAX_DOCUMENT = 256 * 1024 * 1024;

/**
 * Cuckoo / CAPE sandbox `report.json`: one JSON document (usually pretty-printed over many lines),
 * whose `network.dns[]` lists `{request, type, answers: [{type, data}]}`. Lines are buffered until
 * the document is complete — at a line that is exactly `}` (the end of an indented document) or
 * a line holding a whole report (`jq -c`), tried first — or until end(); several reports may
 * follow one another. Answers carry no owner: owners are rebuilt as `chainAnswers` explains.
 * Times come from an entry's `first_seen` (CAPE) when present, else none. Cuckoo logs only the
 * exchange of an MX record: counted as "MX without preference".
 */
export class CuckooParser implements LogParser {
  readonly format: string;
  readonly rejected = new Map<string, number>();
  lines = 0;
  private buffer: string[] = [];
  private size = 0;
  private overflow = false;
  private readonly maxDocument: number;

  constructor(source = "cuckoo", maxDocument = MAX_DOCUMENT) {
    this.format = source;
    this.maxDocument = maxDocument;
  }

  line(text: string): Association[] {
    this.lines++;
    if (this.buffer.length === 0 && !this.overflow) {
      const t = text.trim();
      if (t === "") return [];
      if (t.endsWith("}")) {
        const doc = tryParse(t);
        if (doc !== undefined) return this.report(doc);
      }
    }
    if (this.overflow) {
      if (text === "}") this.overflow = false;
      return [];
    }
    this.size += text.length + 1;
    if (this.size > this.maxDocument) {
      this.reject("document too large");
      this.buffer = [];
      this.size = 0;
      this.overflow = text !== "}";
      return [];
    }
    this.buffer.push(text);
    if (text === "}") {
      const doc = tryParse(this.buffer.join("\n"));
      if (doc !== undefined) {
        this.buffer = [];
        this.size = 0;
        return this.report(doc);
      }
    }
    return [];
  }

  end(): Association[] {
    if (this.buffer.length === 0) return [];
    const text = this.buffer.join("\n");
    this.buffer = [];
    this.size = 0;
    if (text.trim() === "") return [];
    const doc = tryParse(text);
    if (doc === undefined) {
      this.reject("truncated or invalid json");
      return [];
    }
    return this.report(doc);
  }

  reject(reason: string): void {
    this.rejected.set(reason, (this.rejected.get(reason) ?? 0) + 1);
  }

  private report(doc: unknown): Association[] {
    const network = isObject(doc) ? doc.network : undefined;
    const dns = isObject(network) ? network.dns : undefined;
    if (!Array.isArray(dns)) {
      this.reject("no network.dns");
      return [];
    }
    const out: Association[] = [];
    const reject = (r: string) => this.reject(r);
    for (const e of dns) {
      if (!isObject(e)) {
        reject("bad dns entry");
        continue;
      }
      const request = str(e, "request");
      const type = str(e, "type") ?? "";
      if (request === undefined) {
        reject("no query");
        continue;
      }
      if (!Array.isArray(e.answers) || e.answers.length === 0) {
        reject("no answers");
        continue;
      }
      const items: OwnerlessAnswer[] = [];
      for (const a of e.answers) {
        const data = isObject(a) ? str(a, "data") : undefined;
        const atype = isObject(a) ? str(a, "type") : undefined;
        if (data === undefined || atype === undefined) reject("bad answer");
        else items.push({ type: atype, data });
      }
      const seen = num(e, "first_seen");
      chainAnswers(request, type, items, seen === undefined ? null : parseTimeValue(seen), out, reject);
    }
    return out;
  }
}

function tryParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
