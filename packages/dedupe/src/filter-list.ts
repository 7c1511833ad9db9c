/** Filter list: `name` (name and below), `=name` (exact), `~REGEX` (owner presentation form), `#` comments. */
export interface FilterList {
  exact: Set<string>;
  subdomain: Set<string>;
  regexes: RegExp[];
}

export class FilterListError extends Error {
  readonly line: number;
  constructor(message: string, line: number) {
    super(message);
    this.name = "FilterListError";
    this.line = line;
  }
}

function canon(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith(".") ? lower : `${lower}.`;
}

export function parseFilterList(text: string): FilterList {
  const list: FilterList = { exact: new Set(), subdomain: new Set(), regexes: [] };
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] ?? "";
    const hash = raw.startsWith("~") ? -1 : raw.indexOf("#");
    const line = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
    if (line === "") continue;
    if (line.startsWith("~")) {
      try {
        list.regexes.push(new RegExp(line.slice(1), "i"));
      } catch {
        throw new FilterListError(`line ${i + 1}: bad regular expression`, i + 1);
      }
    } else if (line.startsWith("=")) {
      list.exact.add(canon(line.slice(1)));
    } else {
      list.subdomain.add(canon(line));
    }
  }
  return list;
}

/** Does `name` (presentation form, e.g. "www.example.com.") match the list? */
export function matchFilterList(list: FilterList, name: string): boolean {
  const n = canon(name);
  if (list.exact.has(n)) return true;
  let rest = n;
  for (;;) {
    if (list.subdomain.has(rest)) return true;
    const dot = rest.indexOf(".");
    if (dot < 0 || dot === rest.length - 1) break;
    rest = rest.slice(dot + 1);
  }
  if (list.subdomain.has(".")) return true;
  for (const re of list.regexes) if (re.test(n)) return true;
  return false;
}
