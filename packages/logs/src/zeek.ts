import { rrtypeToString } from "@dnsrep/wdns";
import { chainAnswers, type OwnerlessAnswer } from "./association.js";
import { type JsonObject, num, parseTimeValue, str } from "./json-line.js";
import { JsonLineParser, LineParser } from "./line-parser.js";
import { addressValue, quoteTxt } from "./normalize.js";
import type { Association } from "./observation.js";

/**
 * Zeek dns.log, in Zeek's ASCII (TSV) form and its JSON form. One record per DNS transaction:
 * `query`, `qtype_name`, `answers` (the answer section's values, without owner names or types),
 * `TTLs`, `rejected`. Owners and types are rebuilt as `chainAnswers` explains; TXT/SPF answers are
 * read from Zeek's `TXT <length> <text>` form; other answer kinds Zeek prints as a summary
 * (`<unknown type=N>`, `NAPTR …`, `RRSIG …`, MX/SRV/SOA names) are counted, not stored.
 */

/** dns.log's columns when no `#fields` header has been seen (a tail resumed mid-file). */
const DEFAULT_FIELDS =
  "ts uid id.orig_h id.orig_p id.resp_h id.resp_p proto trans_id rtt query qclass qclass_name qtype qtype_name rcode rcode_name AA TC RD RA Z answers TTLs rejected".split(
    " ",
  );

/** What both forms give for one transaction. */
interface ZeekRecord {
  ts: number | null;
  query: string | null;
  qtype: string;
  answers: string[] | null;
  rejected: boolean;
}

function toAnswers(rec: ZeekRecord, reject: (reason: string) => void): Association[] {
  if (rec.rejected) {
    reject("rejected query");
    return [];
  }
  if (rec.query === null) {
    reject("no query");
    return [];
  }
  if (rec.answers === null || rec.answers.length === 0) {
    reject("no answers");
    return [];
  }
  const items: OwnerlessAnswer[] = [];
  for (const a of rec.answers) {
    if (addressValue(a) !== null) items.push({ type: null, data: a });
    else if (a.startsWith("TXT ") || a.startsWith("SPF ")) {
      const strings = txtStrings(a, a.slice(0, 3));
      if (strings === null) reject("invalid value");
      else items.push({ type: a.slice(0, 3), data: strings });
    } else if (a === "" || /[\s<:]/.test(a)) reject("unsupported answer");
    else items.push({ type: null, data: a });
  }
  const out: Association[] = [];
  chainAnswers(rec.query, rec.qtype, items, rec.ts, out, reject);
  return out;
}

/** Zeek's `TXT 5 hello TXT 3 abc` (lengths in bytes) as quoted character-strings; null when malformed. */
function txtStrings(text: string, tag: string): string | null {
  const bytes = Buffer.from(text, "utf8");
  const parts: string[] = [];
  let i = 0;
  const prefix = `${tag} `;
  while (i < bytes.length) {
    if (parts.length > 0) {
      if (bytes[i] !== 0x20) return null;
      i++;
    }
    if (bytes.toString("latin1", i, i + prefix.length) !== prefix) return null;
    i += prefix.length;
    let n = 0;
    let digits = 0;
    while (i < bytes.length && (bytes[i] as number) >= 0x30 && (bytes[i] as number) <= 0x39 && digits < 6) {
      n = n * 10 + (bytes[i] as number) - 0x30;
      i++;
      digits++;
    }
    if (digits === 0 || bytes[i] !== 0x20 || i + 1 + n > bytes.length) return null;
    const q = quoteTxt(bytes.toString("utf8", i + 1, i + 1 + n));
    if (q === null) return null;
    parts.push(q);
    i += 1 + n;
  }
  return parts.length ? parts.join(" ") : null;
}

/** Undo Zeek's ASCII escapes: `\xHH` bytes (separators, non-printables, UTF-8 bytes) and `\\`. */
export function unescapeZeek(text: string): string {
  if (!text.includes("\\")) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c && text[i + 1] === "x" && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 2, i + 4))) {
      bytes.push(Number.parseInt(text.slice(i + 2, i + 4), 16));
      i += 3;
    } else if (c === 0x5c && text[i + 1] === "\\") {
      bytes.push(0x5c);
      i++;
    } else if (c < 0x80) bytes.push(c);
    else for (const b of Buffer.from(text[i] as string, "utf8")) bytes.push(b);
  }
  return Buffer.from(bytes).toString("utf8");
}

function qtypeOf(name: string | undefined, code: number | undefined): string {
  if (name !== undefined && name !== "" && name !== "-") return name.toUpperCase();
  return code === undefined ? "" : rrtypeToString(code);
}

/** Zeek's ASCII dns.log: `#separator`, `#set_separator`, `#empty_field`, `#unset_field`, `#path`, `#fields` headers, then TSV rows. */
export class ZeekTsvParser extends LineParser {
  readonly format: string;
  private sep = "\t";
  private setSep = ",";
  private empty = "(empty)";
  private unset = "-";
  private isDns = true;
  private fields: string[] = DEFAULT_FIELDS;
  private idx = indexes(DEFAULT_FIELDS);

  constructor(source = "zeek") {
    super();
    this.format = source;
  }

  protected parse(text: string): Association[] {
    if (text.startsWith("#")) {
      this.header(text);
      return [];
    }
    if (text.trim() === "") return [];
    if (!this.isDns) {
      this.reject("not a dns log");
      return [];
    }
    const cols = text.split(this.sep);
    if (cols.length !== this.fields.length || this.idx.query < 0) {
      this.reject("wrong field count", text);
      return [];
    }
    const field = (i: number): string | null => {
      if (i < 0) return null;
      const v = cols[i] as string;
      return v === this.unset ? null : unescapeZeek(v);
    };
    const rawAnswers = this.idx.answers < 0 ? null : (cols[this.idx.answers] as string);
    let answers: string[] | null = null;
    if (rawAnswers === this.empty) answers = [];
    else if (rawAnswers !== null && rawAnswers !== this.unset) answers = rawAnswers.split(this.setSep).map(unescapeZeek);
    const ts = field(this.idx.ts);
    const code = field(this.idx.qtype);
    return toAnswers(
      {
        ts: ts === null ? null : parseTimeValue(ts),
        query: field(this.idx.query),
        qtype: qtypeOf(field(this.idx.qtypeName) ?? undefined, code === null ? undefined : Number(code)),
        answers,
        rejected: field(this.idx.rejected) === "T",
      },
      (r) => this.reject(r),
    );
  }

  private header(text: string): void {
    if (text.startsWith("#separator ")) {
      this.sep = unescapeZeek(text.slice("#separator ".length)) || "\t";
      return;
    }
    const [key, ...rest] = text.slice(1).split(this.sep);
    const first = rest[0] ?? "";
    switch (key) {
      case "set_separator":
        this.setSep = unescapeZeek(first) || ",";
        break;
      case "empty_field":
        this.empty = first;
        break;
      case "unset_field":
        this.unset = first;
        break;
      case "path":
        this.isDns = first === "dns";
        break;
      case "fields":
        this.fields = rest;
        this.idx = indexes(rest);
        break;
    }
  }
}

function indexes(fields: string[]) {
  return {
    ts: fields.indexOf("ts"),
    query: fields.indexOf("query"),
    qtype: fields.indexOf("qtype"),
    qtypeName: fields.indexOf("qtype_name"),
    answers: fields.indexOf("answers"),
    rejected: fields.indexOf("rejected"),
  };
}

/** Zeek's JSON logs (`LogAscii::use_json=T`): one object per line, `ts` a number or ISO 8601 text. */
export class ZeekJsonParser extends JsonLineParser {
  constructor(source = "zeek-json") {
    super(source);
  }

  protected parseObject(o: JsonObject): Association[] {
    const answers = o.answers;
    if (answers !== undefined && !(Array.isArray(answers) && answers.every((a) => typeof a === "string"))) {
      this.reject("bad answers");
      return [];
    }
    return toAnswers(
      {
        ts: parseTimeValue(o.ts),
        query: str(o, "query") ?? null,
        qtype: qtypeOf(str(o, "qtype_name"), num(o, "qtype")),
        answers: (answers as string[] | undefined) ?? null,
        rejected: o.rejected === true,
      },
      (r) => this.reject(r),
    );
  }
}
