/**
 * Access-log format definitions (squid `logformat`, nginx `log_format`, Apache `LogFormat`) compiled
 * into one anchored regular expression and the positions of the fields a parser needs. Each
 * format's tokenizer maps its own codes onto the shared field names below; codes a parser does not
 * need still get a pattern so the line has to match the whole definition.
 */

/** Fields the access-log parsers read; everything else is matched and ignored. */
export type Field =
  | "time_epoch" // seconds since the epoch, maybe with a fraction (squid %ts, nginx $msec, Apache %{sec}t)
  | "time_ms" // milliseconds part to add (squid %tu, Apache %{msec_frac}t)
  | "time_epoch_ms" // milliseconds since the epoch (Apache %{msec}t)
  | "time_epoch_us" // microseconds since the epoch (Apache %{usec}t)
  | "time_clf" // dd/Mmm/YYYY:HH:MM:SS ±zzzz (squid %tl, nginx $time_local)
  | "time_clf_brackets" // the same in [brackets] (Apache %t)
  | "time_iso" // nginx $time_iso8601
  | "host" // a host name without port (nginx $host, Apache %V/%v)
  | "host_header" // the Host request header, maybe with a port
  | "url" // the request URL (squid %ru)
  | "request" // "METHOD URL PROTOCOL" (nginx $request, Apache %r)
  | "method"
  | "server_addr" // the address the request arrived on (nginx $server_addr, Apache %A)
  | "upstream_addr" // nginx $upstream_addr (list)
  | "peer_addr" // squid %<a: the server squid connected to
  | "hier"; // squid %Sh: how it got there (HIER_DIRECT …)

export type Token = { lit: string } | { field: Field | null; name: string };

export interface CompiledFormat {
  regex: RegExp;
  /** Capture group index (1-based) of each field present. */
  groups: Partial<Record<Field, number>>;
}

const DATE_CLF = "\\d{2}/[A-Z][a-z]{2}/\\d{4}:\\d{2}:\\d{2}:\\d{2} [+-]\\d{4}";
const DATE_ISO = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?(?:Z|[+-]\\d{2}:?\\d{2})";
const QUOTED = '(?:[^"\\\\]|\\\\.)*';

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** Compile tokens into an anchored regex; a field's pattern depends on what surrounds it. */
export function compileTokens(tokens: Token[]): CompiledFormat {
  let re = "^";
  const groups: Partial<Record<Field, number>> = {};
  let n = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if ("lit" in t) {
      // a run of spaces in the definition matches one or more spaces (padded columns)
      re += t.lit
        .split(/( +)/)
        .map((p) => (p.startsWith(" ") ? " +" : escapeRe(p)))
        .join("");
      continue;
    }
    const prev = tokens[i - 1];
    const next = tokens[i + 1];
    const before = prev && "lit" in prev ? prev.lit.slice(-1) : "";
    const after = next && "lit" in next ? next.lit[0] : undefined;
    let pat: string;
    if (t.field === "time_clf") pat = DATE_CLF;
    else if (t.field === "time_clf_brackets") pat = `\\[${DATE_CLF}\\]`;
    else if (t.field === "time_iso") pat = DATE_ISO;
    else if (t.field === "upstream_addr")
      pat = "[^\\s,]+(?:(?:, | : )[^\\s,]+)*"; // "a:80, b:80 : c:80"
    else if (before === '"' && after === '"') pat = QUOTED;
    else if (before === "[" && after === "]") pat = "[^\\]]*";
    else if (after === undefined || after === " ") pat = "\\S*";
    else pat = `[^\\s${escapeRe(after)}]*`;
    n++;
    re += `(${pat})`;
    if (t.field && groups[t.field] === undefined) groups[t.field] = n;
  }
  return { regex: new RegExp(`${re}$`), groups };
}

/** Unwrap a definition given as a config line: `log_format NAME '…' '…';`, `logformat NAME …`, `LogFormat "…" NAME`. */
export function unwrapDefinition(text: string): string {
  let t = text.trim();
  let m = /^log_format\s+\S+\s+(?:escape=\S+\s+)?([\s\S]*?);?$/.exec(t);
  if (m) {
    const parts = [...(m[1] as string).matchAll(/'([^']*)'|"([^"]*)"/g)].map((x) => x[1] ?? x[2] ?? "");
    return parts.length ? parts.join("") : (m[1] as string);
  }
  m = /^logformat\s+\S+\s+(.*)$/.exec(t);
  if (m) return m[1] as string;
  m = /^LogFormat\s+"((?:[^"\\]|\\.)*)"(?:\s+\S+)?$/.exec(t);
  if (m) t = m[1] as string;
  return t;
}
