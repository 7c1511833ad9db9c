/**
 * squid access.log: the native `squid` format or any `logformat` definition given as text
 * (`%ts.%03tu [%tl] %>a %{Host}>h %<a %<p %rm %ru …`). An association is (host of the request URL —
 * `host:port` for CONNECT — or else the Host header, the server address squid connected to `%<a`)
 * when the host is a DNS name and the address an IP; with `%Sh` in the format, only for
 * HIER_DIRECT / ORIGINAL_DST (a parent proxy's address is not the host's).
 */
import { AccessLogParser } from "./access-log.js";
import { LogsError, LogsErrorCode } from "./errors.js";
import type { FormatOptions } from "./formats.js";
import { compileTokens, type Field, type Token, unwrapDefinition } from "./log-format.js";

/** squid's built-in formats (squid.conf.documented, `logformat`). */
export const SQUID_FORMATS: Record<string, string> = {
  squid: "%ts.%03tu %6tr %>a %Ss/%03>Hs %<st %rm %ru %[un %Sh/%<a %mt",
  common: '%>a %[ui %[un [%tl] "%rm %ru HTTP/%rv" %>Hs %<st %Ss:%Sh',
  combined: '%>a %[ui %[un [%tl] "%rm %ru HTTP/%rv" %>Hs %<st "%{Referer}>h" "%{User-Agent}>h" %Ss:%Sh',
};

const CODES: Record<string, Field> = {
  ts: "time_epoch",
  tu: "time_ms",
  tl: "time_clf",
  tg: "time_clf",
  "<a": "peer_addr",
  ru: "url",
  ">ru": "url",
  rm: "method",
  Sh: "hier",
};

/** Tokens of a squid logformat definition. */
export function squidTokens(def: string): Token[] {
  const out: Token[] = [];
  let lit = "";
  let i = 0;
  while (i < def.length) {
    const c = def[i] as string;
    if (c !== "%") {
      lit += c;
      i++;
      continue;
    }
    if (def[i + 1] === "%") {
      lit += "%";
      i += 2;
      continue;
    }
    // %[modifiers][{arg}]code : modifiers " ' [ # - 0-9 . ; arg may also follow the code
    const m = /^%([-"'[#]*)(\d*)(?:\.\d+)?(?:\{([^}]*)\})?([<>]?[a-zA-Z]{1,3}(?:_[a-z]+)?)(?:\{([^}]*)\})?/.exec(def.slice(i));
    if (!m) throw new LogsError(LogsErrorCode.BAD_OPTION, `squid logformat: cannot read the code at "${def.slice(i, i + 12)}"`);
    if (lit) out.push({ lit });
    lit = "";
    const code = m[4] as string;
    const arg = (m[3] ?? m[5] ?? "").toLowerCase();
    let field: Field | null = CODES[code] ?? null;
    if (code === ">h" && arg === "host") field = "host_header";
    out.push({ field, name: `%${code}` });
    i += m[0].length;
  }
  if (lit) out.push({ lit });
  return out;
}

export class SquidParser extends AccessLogParser {
  constructor(opts: FormatOptions = {}) {
    const def = unwrapDefinition(opts.logFormat ?? "squid");
    super(opts.source ?? "squid", compileTokens(squidTokens(SQUID_FORMATS[def] ?? def)));
  }

  protected override direct(hier: string): boolean {
    return hier === "HIER_DIRECT" || hier === "ORIGINAL_DST" || hier === "DIRECT";
  }
}

export const createSquidParser = (opts: FormatOptions): SquidParser => new SquidParser(opts);
