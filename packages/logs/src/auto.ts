/**
 * `--format auto`: the format of a log guessed from its first bytes and lines. Each rule is a
 * line shape only that format writes; the first format matched by most sample lines wins.
 */
const RULES: [string, RegExp][] = [
  ["dnsmasq", /^(?:[A-Z][a-z]{2} [ \d]?\d \d\d:\d\d:\d\d|\d{4}-\d\d-\d\dT\S+) (?:\S+ )?dnsmasq(?:-dhcp)?\[\d+\]: /],
  ["unbound", /\bunbound\[\d+:\d+\] \w+: /],
  ["bind-querylog", /\bclient (?:@0x[0-9a-f]+ )?[0-9A-Fa-f.:]+#\d+(?: \([^)]*\))?: (?:view \S+: )?query: /],
  ["kresd", /^(?:\d{4}-\d\d-\d\d[T ]\S+ )?\[[a-z ]{6}\]\[/],
  ["squid", /^\d{9,11}\.\d{3} +\d+ \S+ [A-Z_]+\/\d{3} \d+ [A-Z]+ \S+ \S+ [A-Z_]+\/\S+/],
  ["nginx", /^\S+ \S+ \S+ \[\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\] "/],
  // logs-b (cuckoo and cof are not guessed: a report's network.dns sits far down; COF reads as dnsdb)
  ["zeek", /^#(?:separator \\x|fields\tts\t|path\tdns$)/],
  ["zeek-json", /^\{"ts":[^,]+,"uid":"C\w+",.*"query":/],
  ["suricata", /^\{"timestamp":"[^"]+",.*"event_type":"/],
  ["passivedns", /^\d{9,11}\.\d{6}\|\|[^|]*\|\|[^|]*\|\|[A-Z]+\|\|/],
  ["dnsdb", /^\{"(?:cond|obj)":|^\{"count":\d+,"(?:zone_)?time_first":/],
];

/** The Frame Streams escape (a control frame) that opens every dnstap file. */
function isFrameStream(head: Uint8Array): boolean {
  return head.length >= 8 && head[0] === 0 && head[1] === 0 && head[2] === 0 && head[3] === 0;
}

/**
 * The format the first bytes of a log look like, or null. `head` should hold at least the first
 * few lines (64 KiB is plenty); a `logFormat` definition points at the access-log family it uses.
 */
export function guessFormat(head: Uint8Array, logFormat?: string): string | null {
  if (isFrameStream(head)) return "dnstap";
  if (logFormat !== undefined) {
    if (/\$\w/.test(logFormat)) return "nginx";
    if (/%(?:\{[^}]*\})?[<>]|%ts|%tl|%Ss|%Sh/.test(logFormat)) return "squid";
    return "apache";
  }
  const text = new TextDecoder().decode(head.subarray(0, 65536));
  const lines = text
    .split("\n")
    .slice(0, 50)
    .filter((l) => l.trim() !== "");
  const votes = new Map<string, number>();
  for (const l of lines) {
    for (const [name, re] of RULES) {
      if (re.test(l)) {
        votes.set(name, (votes.get(name) ?? 0) + 1);
        break;
      }
    }
  }
  let best: string | null = null;
  let bestN = 0;
  for (const [name, n] of votes) {
    if (n > bestN) {
      best = name;
      bestN = n;
    }
  }
  return best;
}
